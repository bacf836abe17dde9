"""One article on its way through the extraction steps: what the caller gave, and every layer the
steps add, in the order they add them.

`extract.pipeline` runs the steps; each reads the layers earlier steps left here and adds its own.
Everything one article needs lives on its `Article`, never in module globals, so articles never
share state (two threads, or one article after another, read alike).

The layers a step must have left before another can read them (the normalised text, the lines,
the evidence maker, the meeting) raise `LayerNotReadyError` when read too early, instead of
handing a later step an empty value by mistake.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from extract.document import Document
from extract.guests import BlocKind
from extract.meeting import Meeting
from extract.members import Members
from extract.record import EvidenceMaker, Record
from extract.textnorm import Normalized
from extract.units import UnitSpan

T = TypeVar("T")


class LayerNotReadyError(RuntimeError):
    """A step read a layer that the step writing it has not produced yet (the steps' order is wrong)."""


def _ready(value: T | None, layer: str, step: str) -> T:
    if value is None:
        raise LayerNotReadyError(f"Article.{layer} is read before the step {step!r} has written it")
    return value


@dataclass(slots=True)
class Article:
    """The extraction state of one article. Offsets are into the normalised (working) text
    `norm.text`; `evidence` turns them into spans of the stored `text`."""

    # ---- what the caller gives
    text: str  # the stored clean text: evidence spans point into it
    doc_id: str
    url: str | None = None
    published_meta: str | None = None  # ISO publication date from the page metadata, if any
    province_hint: str | None = None  # the portal registry's province, if any

    # ---- layers, in the order the steps add them (pipeline.STEPS)
    _norm: Normalized | None = field(default=None, init=False, repr=False)  # normalize_text
    _evidence: EvidenceMaker | None = field(default=None, init=False, repr=False)  # normalize_text
    _doc: Document | None = field(default=None, init=False, repr=False)  # classify_lines
    # read_published: the publication date (metadata, else the page's date line); None if unknown
    published: date | None = field(default=None, init=False)
    _meeting: Meeting | None = field(default=None, init=False, repr=False)  # read_meeting
    # split_sentences: title, body and caption sentences (long ones in bounded windows)
    sentences: list[tuple[int, int]] = field(default_factory=list, init=False)
    # find_gazetteer_units: gazetteer names, longest first, without overlaps
    gazetteer: list[UnitSpan] = field(default_factory=list, init=False)
    # find_open_units: the gazetteer names plus units captured from their head word (rule "open_class")
    units: list[UnitSpan] = field(default_factory=list, init=False)
    # what the bloc is made of, which decides who is a guest: bloc_kind_from_names,
    # read_member_lists and bloc_kind_from_members refine it
    bloc: BlocKind = field(default_factory=BlocKind, init=False)
    # read_member_lists: every unit of a member or attendance list, as a unit span
    list_items: list[UnitSpan] = field(default_factory=list, init=False)
    # read_member_lists, then read_roles and read_awards: unit key → member fact, first reading wins
    members: Members = field(default_factory=dict, init=False)
    # add_place_units: units, list items, and provinces or districts acting as units, by position
    all_units: list[UnitSpan] = field(default_factory=list, init=False)
    # the record being built: every step that reads a fact writes it here
    record: Record = field(init=False)

    def __post_init__(self) -> None:
        self.record = Record(doc_id=self.doc_id)

    @property
    def norm(self) -> Normalized:
        """The working text (NFC, one tone-mark convention, …) and its offset map to `text`."""
        return _ready(self._norm, "norm", "normalize_text")

    @norm.setter
    def norm(self, value: Normalized) -> None:
        self._norm = value

    @property
    def evidence(self) -> EvidenceMaker:
        """Turns working-text offsets into the evidence of the stored text."""
        return _ready(self._evidence, "evidence", "normalize_text")

    @evidence.setter
    def evidence(self, value: EvidenceMaker) -> None:
        self._evidence = value

    @property
    def doc(self) -> Document:
        """The classified lines: title, page date line, lead, boilerplate, body, captions."""
        return _ready(self._doc, "doc", "classify_lines")

    @doc.setter
    def doc(self, value: Document) -> None:
        self._doc = value

    @property
    def meeting(self) -> Meeting:
        """The meeting reported: its kinds, reviewed and planned years, and date."""
        return _ready(self._meeting, "meeting", "read_meeting")

    @meeting.setter
    def meeting(self, value: Meeting) -> None:
        self._meeting = value
