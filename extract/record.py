"""The extraction record (see ../shared/eval/SCHEMA.md) with evidence for every fact.

`Record.to_schema()` gives exactly the SCHEMA.md JSON; the evidence, confidences and review flags
travel beside it for the store and for editors. `EvidenceMaker` turns working-text offsets into the
evidence of the stored text, for every step that writes a fact.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Protocol

from extract.textnorm import Normalized

EventKind = Literal["tong_ket", "so_ket", "giao_uoc", "trien_khai"]
RoleKind = Literal["khoi_truong", "khoi_pho"]
AwardKind = Literal[
    "co_thi_dua", "bang_khen", "co_luan_luu", "huan_chuong", "giay_khen", "danh_hieu", "other"
]
Issuer = Literal["chinh_phu", "thu_tuong", "ubnd_tinh", "bo_nganh", "khoi", "other"]
AwardStatus = Literal["proposed", "conferred"]

EVENT_KINDS: tuple[EventKind, ...] = ("tong_ket", "so_ket", "giao_uoc", "trien_khai")


@dataclass(frozen=True, slots=True)
class Evidence:
    """A span of the stored article text: `text == stored_text[start:end]`."""

    start: int
    end: int
    text: str


class EvidenceMaker:
    """Evidence for a span of the working text: the stored characters it came from."""

    def __init__(self, norm: Normalized) -> None:
        self.norm = norm

    def __call__(self, start: int, end: int) -> Evidence:
        """The evidence for working-text offsets `start:end`."""
        s, e = self.norm.to_orig(start, end)
        return Evidence(s, e, self.norm.original[s:e])


@dataclass(slots=True)
class Fact:
    """Common part of every fact: where it was read and how sure the rule is."""

    evidence: Evidence | None
    confidence: float
    rule: str


@dataclass(slots=True)
class BlocFact(Fact):
    name: str = ""
    number: str | None = None
    aliases: list[str] = field(default_factory=list)


@dataclass(slots=True)
class MemberFact(Fact):
    unit: str = ""
    surface: str = ""  # the words the article used, before expansion to the canonical name


@dataclass(slots=True)
class RoleFact(Fact):
    unit: str = ""
    role: RoleKind = "khoi_truong"
    year: int | None = None


@dataclass(slots=True)
class AwardFact(Fact):
    recipient: str = ""
    award: AwardKind = "other"
    issuer: Issuer | None = None
    year: int | None = None
    status: AwardStatus = "proposed"


@dataclass(slots=True)
class ScalarFact(Fact):
    """published, province, event_date, or one event kind."""

    field_name: str = ""
    value: str | None = None


@dataclass(slots=True)
class Record:
    doc_id: str
    published: ScalarFact | None = None
    province: ScalarFact | None = None
    event_date: ScalarFact | None = None
    event_kinds: list[ScalarFact] = field(default_factory=list)
    blocs: list[BlocFact] = field(default_factory=list)
    members: list[MemberFact] = field(default_factory=list)
    roles: list[RoleFact] = field(default_factory=list)
    awards: list[AwardFact] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)

    def to_schema(self) -> dict[str, Any]:
        """Return the record exactly as SCHEMA.md defines it."""
        return schema_record(
            doc_id=self.doc_id,
            published=self.published.value if self.published else None,
            province=self.province.value if self.province else None,
            event_date=self.event_date.value if self.event_date else None,
            event_kinds=[k.value for k in self.event_kinds if k.value],
            blocs=self.blocs,
            members=self.members,
            roles=self.roles,
            awards=self.awards,
        )

    def facts(self) -> list[tuple[str, Fact]]:
        """Every fact with its kind, for storage and review."""
        out: list[tuple[str, Fact]] = []
        for name in ("published", "province", "event_date"):
            f = getattr(self, name)
            if f is not None and f.value is not None:
                out.append((name, f))
        out += [("event_kind", k) for k in self.event_kinds]
        out += [("bloc", b) for b in self.blocs]
        out += [("member", m) for m in self.members]
        out += [("role", r) for r in self.roles]
        out += [("award", a) for a in self.awards]
        return out

    def to_full(self) -> dict[str, Any]:
        """The schema record plus evidence, confidence and flags (for JSON export and the store)."""
        data = self.to_schema()
        data["flags"] = list(self.flags)
        data["facts"] = [{"kind": kind, **asdict(f)} for kind, f in self.facts()]
        return data


# What `schema_record` reads of each fact: the dataclasses above have these fields, and so do the
# rows of store/models.py, which is how a stored record gets the very same JSON.
class BlocFields(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def number(self) -> str | None: ...
    @property
    def aliases(self) -> list[str]: ...


class MemberFields(Protocol):
    @property
    def unit(self) -> str: ...


class RoleFields(Protocol):
    @property
    def unit(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def year(self) -> int | None: ...


class AwardFields(Protocol):
    @property
    def recipient(self) -> str: ...
    @property
    def award(self) -> str: ...
    @property
    def issuer(self) -> str | None: ...
    @property
    def year(self) -> int | None: ...
    @property
    def status(self) -> str: ...


def schema_record(
    *,
    doc_id: str,
    published: str | None,
    province: str | None,
    event_date: str | None,
    event_kinds: Iterable[str],
    blocs: Iterable[BlocFields],
    members: Iterable[MemberFields],
    roles: Iterable[RoleFields],
    awards: Iterable[AwardFields],
) -> dict[str, Any]:
    """Return a record exactly as SCHEMA.md defines it: the one serialiser of the project.

    `Record.to_schema` gives it the extractor's facts, `store.queries.record_dict` the stored rows.
    """
    return {
        "doc_id": doc_id,
        "published": published,
        "province": province,
        "event_date": event_date,
        "event_kinds": list(event_kinds),
        "blocs": [{"name": b.name, "number": b.number, "aliases": list(b.aliases)} for b in blocs],
        "members": [m.unit for m in members],
        "roles": [{"unit": r.unit, "role": r.role, "year": r.year} for r in roles],
        "awards": [
            {
                "recipient": a.recipient,
                "award": a.award,
                "issuer": a.issuer,
                "year": a.year,
                "status": a.status,
            }
            for a in awards
        ],
    }


def empty_record(doc_id: str) -> Record:
    """Return the record written for an article that could not be read."""
    return Record(doc_id=doc_id)
