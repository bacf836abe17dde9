"""The editors' review queue (issue 9): which record to look at next.

Order: records with flags first (the extractor's own flags for editors and review flags raised
when the machine changed its mind under a correction), then by the lowest confidence among the
facts nobody accepted, corrected or verified yet. A record whose facts are all verified (or
corrected) and that has no review flag has left the queue. Articles without corrections are
ordered in SQL; the (far fewer) corrected ones are overlaid (`store.current`) and merged in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import func, select, union_all
from sqlalchemy.orm import Session

from store.current import current_records
from store.models import (
    Article,
    AwardFact,
    BlocFact,
    Correction,
    ExtractedRecord,
    MemberFact,
    RoleFact,
    ScalarFact,
)
from store.queries import _newest_record_ids


@dataclass(frozen=True, slots=True)
class QueueItem:
    """One record waiting for an editor."""

    article_id: int
    title: str | None
    flags: int  # the extractor's flags plus review flags
    lowest_confidence: float | None  # among facts still to review; None: none left but flags

    def order(self) -> tuple[bool, float, int]:
        low = self.lowest_confidence
        return (self.flags == 0, 2.0 if low is None else low, self.article_id)


_FACT_TABLES: Final = (ScalarFact, BlocFact, MemberFact, RoleFact, AwardFact)


def _machine_queue(session: Session, corrected: Any, limit: int | None) -> list[QueueItem]:
    """Queue items of articles no editor touched, ordered and limited in SQL."""
    confidences = union_all(*(select(t.record_id, t.confidence) for t in _FACT_TABLES)).subquery()
    lowest = (
        select(confidences.c.record_id, func.min(confidences.c.confidence).label("low"))
        .group_by(confidences.c.record_id)
        .subquery()
    )
    n_flags = func.json_array_length(ExtractedRecord.flags)
    stmt = (
        select(ExtractedRecord.article_id, Article.title, n_flags, lowest.c.low)
        .join(Article, Article.id == ExtractedRecord.article_id)
        .join(lowest, lowest.c.record_id == ExtractedRecord.id, isouter=True)
        .where(ExtractedRecord.id.in_(_newest_record_ids(None)), ExtractedRecord.article_id.not_in(corrected))
        .order_by((n_flags > 0).desc(), func.coalesce(lowest.c.low, 2.0), ExtractedRecord.article_id)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    return [
        QueueItem(aid, title, int(flags or 0), None if low is None else float(low))
        for aid, title, flags, low in session.execute(stmt).tuples()
    ]


def _corrected_item(record: dict[str, Any]) -> QueueItem | None:
    pending = [
        f["machine"]["confidence"]
        for f in record["facts"]
        if f["source"] == "machine" and not f["verified_by"] and f["machine"] is not None
    ]
    verified_whole = all(f["verified_by"] or f["source"] != "machine" for f in record["facts"])
    flags = len(record["review"]) + (0 if verified_whole else len(record["flags"]))
    if not pending and not flags:
        return None
    return QueueItem(record["article_id"], record["title"], flags, min(pending) if pending else None)


def review_queue(session: Session, *, limit: int | None = 50, offset: int = 0) -> list[QueueItem]:
    """Return the records waiting for review, in queue order (see the module docstring).

    Articles without corrections are ordered in SQL; the (far fewer) corrected ones are
    overlaid, and those with nothing left to review drop out.
    """
    corrected = select(Correction.article_id).distinct()
    take = None if limit is None else offset + limit
    items = _machine_queue(session, corrected, take)
    corrected_ids = list(session.scalars(corrected))
    for start in range(0, len(corrected_ids), 500):
        for record in current_records(session, corrected_ids[start : start + 500]):
            item = _corrected_item(record)
            if item is not None:
                items.append(item)
    items.sort(key=QueueItem.order)
    return items[offset:] if take is None else items[offset:take]


def next_in_queue(session: Session, *, after: int | None) -> int | None:
    """Return the article after `after` in the queue (the first one if `after` is not in it)."""
    ids: Sequence[int] = [i.article_id for i in review_queue(session, limit=None)]
    if not ids:
        return None
    if after in ids:
        i = ids.index(after)
        return ids[i + 1] if i + 1 < len(ids) else None
    return ids[0]
