"""Measured quality, live (issue 9, item 10): the verified records are gold.

- **Gold** is the current record (`store.current`) of every article an editor verified as a
  whole (a ``verify`` of the whole record, in force): what the editors say the article holds.
- **Predictions**, by extractor version: each version's machine record of those articles (its
  newest run's). The store only reads them; `thidua.quality` scores them by SCHEMA.md's rules
  (`extract.scoring`, which the store never imports: tests/store/test_store_imports.py).
- **The queue at work**: every machine fact of the newest records ranked by confidence, lowest
  first (how the review queue orders what it shows); the share of the editors' fixes in force (a
  change, delete, merge or split of a machine fact of a newest record) that hit a fact in the
  first fifth of that ranking. Ties are broken by fact kind and id, so the figure is stable.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import literal, select, union_all
from sqlalchemy.orm import Session, selectinload

from store.current import current_records, undone_ids
from store.exports import _version_order
from store.models import (
    Article,
    AwardFact,
    BlocFact,
    Correction,
    ExtractedRecord,
    ExtractionRun,
    MemberFact,
    RoleFact,
    ScalarFact,
)
from store.queries import _newest_record_ids, batches, record_dict

FIX_ACTIONS: Final = ("change", "delete", "merge", "split")
FIRST_SHARE: Final = 0.2
_TABLE_OF_FIELD: Final = {
    "published": "scalar",
    "province": "scalar",
    "event_date": "scalar",
    "event_kind": "scalar",
    "bloc": "bloc",
    "member": "member",
    "role": "role",
    "award": "award",
}
_TABLES: Final[dict[str, Any]] = {
    "scalar": ScalarFact,
    "bloc": BlocFact,
    "member": MemberFact,
    "role": RoleFact,
    "award": AwardFact,
}


def _in_force(session: Session) -> list[Correction]:
    rows = list(session.scalars(select(Correction).order_by(Correction.id)))
    undone = undone_ids(rows)
    return [c for c in rows if c.action != "undo" and c.id not in undone]


def verified_article_ids(session: Session) -> list[int]:
    """Return the articles an editor verified as a whole (the verify still in force), ascending."""
    return sorted({c.article_id for c in _in_force(session) if c.action == "verify" and c.field is None})


def _machine_by_version(session: Session, ids: Sequence[int]) -> dict[str, dict[str, dict[str, Any]]]:
    """For each extractor version, its newest run's machine record of each article in `ids`."""
    by_version: dict[str, dict[str, tuple[int, dict[str, Any]]]] = defaultdict(dict)
    for chunk in batches(ids):
        stmt = (
            select(ExtractedRecord, Article, ExtractionRun.extractor_version)
            .join(Article, Article.id == ExtractedRecord.article_id)
            .join(ExtractionRun, ExtractionRun.id == ExtractedRecord.run_id)
            .where(ExtractedRecord.article_id.in_(chunk))
            .options(
                selectinload(ExtractedRecord.blocs),
                selectinload(ExtractedRecord.members),
                selectinload(ExtractedRecord.roles),
                selectinload(ExtractedRecord.awards),
            )
        )
        for record, article, version in session.execute(stmt).tuples():
            doc = str(article.id)
            held = by_version[version].get(doc)
            if held is None or held[0] < record.run_id:
                by_version[version][doc] = (record.run_id, record_dict(record, article))
    return {v: {doc: rec for doc, (_, rec) in docs.items()} for v, docs in by_version.items()}


def _queue_hits(session: Session, fixes: list[Correction]) -> dict[str, Any]:
    """Share of `fixes` that hit a machine fact in the lowest-confidence fifth of newest records' facts."""
    newest = _newest_record_ids(None)
    ranked = union_all(
        *(
            select(
                literal(kind).label("kind"), t.id.label("fact_id"), t.confidence.label("confidence")
            ).where(t.record_id.in_(newest))
            for kind, t in _TABLES.items()
        )
    ).subquery()
    order = session.execute(
        select(ranked.c.kind, ranked.c.fact_id).order_by(ranked.c.confidence, ranked.c.kind, ranked.c.fact_id)
    ).tuples()
    rank = {(kind, fact_id): i for i, (kind, fact_id) in enumerate(order)}
    cut = round(len(rank) * FIRST_SHARE)
    hits = unranked = 0
    for c in fixes:
        where = rank.get((_TABLE_OF_FIELD.get(c.field or "", ""), c.fact_id or 0))
        if where is None:
            unranked += 1  # made against an older run's fact, or not a machine fact
        elif where < cut:
            hits += 1
    counted = len(fixes) - unranked
    return {
        "facts_ranked": len(rank),
        "fixes": counted,
        "in_first_fifth": hits,
        "share": hits / counted if counted else None,
        "unranked": unranked,
    }


@dataclass(frozen=True, slots=True)
class VerifiedSets:
    """What measuring the extractor against the editors needs, read in one go."""

    golds: dict[str, dict[str, Any]]  # article id (text) -> current record of a verified article
    by_version: dict[str, dict[str, dict[str, Any]]]  # version (oldest first) -> article id -> record
    queue: dict[str, Any]  # see `_queue_hits`


def verified_sets(session: Session) -> VerifiedSets:
    """Return the verified records (gold), each extractor version's machine records of them, and
    how the editors' fixes fell in the queue's ranking (see the module docstring)."""
    active = _in_force(session)
    ids = sorted({c.article_id for c in active if c.action == "verify" and c.field is None})
    golds: dict[str, dict[str, Any]] = {}
    for chunk in batches(ids):
        for record in current_records(session, chunk):
            golds[str(record["article_id"])] = record
    machine = _machine_by_version(session, ids)
    by_version = {v: machine[v] for v in sorted(machine, key=_version_order)}  # 0.10 after 0.9
    fixes = [c for c in active if c.action in FIX_ACTIONS and c.fact_id is not None]
    return VerifiedSets(golds, by_version, _queue_hits(session, fixes))
