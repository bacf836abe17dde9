"""Cut an article's text into segments, each knowing which facts' evidence spans cover it.

The record page draws every segment with its start offset (``data-o``), so the browser can turn
a selection back into offsets of the stored text (what an added fact's evidence is), and marks
the covered ones; overlapping spans simply give a segment several facts.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Segment:
    start: int
    text: str
    facts: tuple[int, ...]  # indexes into the record's `facts` list


def segments(text: str, spans: Iterable[tuple[int, int, int]]) -> list[Segment]:
    """Return `text` cut at every span boundary.

    Args:
        text: the article's stored text.
        spans: (start, end, fact index); spans outside the text or empty are ignored.
    """
    valid = [(s, e, i) for s, e, i in spans if 0 <= s < e <= len(text)]
    cuts = sorted({0, len(text), *(s for s, _, _ in valid), *(e for _, e, _ in valid)})
    out = []
    for a, b in itertools.pairwise(cuts):
        covering = tuple(sorted({i for s, e, i in valid if s <= a and b <= e}))
        out.append(Segment(a, text[a:b], covering))
    return out


def fact_spans(facts: list[dict[str, object]]) -> list[tuple[int, int, int]]:
    """Return (start, end, index) of every fact of a current record that has evidence."""
    out = []
    for i, fact in enumerate(facts):
        ev = fact.get("evidence")
        if isinstance(ev, dict) and isinstance(ev.get("start"), int) and isinstance(ev.get("end"), int):
            out.append((ev["start"], ev["end"], i))
    return out
