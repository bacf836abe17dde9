"""What the web app shows (issue 9): search results with facets, the home page's figures, the
stored raw page, and the editors' review queue.

Everything reads *current* records (`store.current`) through `store.research`'s filters, so a
page of the web app, `thidua query`, `thidua facets` and an export agree on what a record says.

Decisions:

- **Text search** is `article_ids_with_text`: a case-insensitive substring match over title and
  text (LIKE, the words escaped and bound). It is a stand-in for full-text search and the one
  function to swap when the store has it.
- **Sorting and pages** are done over the matching records in Python, after the overlay, because
  a corrected value (a province an editor changed) must sort as corrected.
- **Review queue order**: records with flags first (the extractor's own flags for editors and
  review flags raised when the machine changed its mind under a correction), then by the lowest
  confidence among the facts nobody accepted, corrected or verified yet. A record whose facts are
  all verified (or corrected) and that has no review flag has left the queue.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import func, select, union_all
from sqlalchemy.orm import Session

from extract.places import province_2025
from store.current import current_records
from store.errors import ArticleNotFoundError, QueryError
from store.models import (
    Article,
    AwardFact,
    BlocFact,
    Correction,
    ExtractedRecord,
    MemberFact,
    Page,
    RoleFact,
    ScalarFact,
)
from store.queries import _check_text, _newest_record_ids, summary
from store.research import _current, record_year, review_state

SORTS: Final = ("date", "title", "province", "bloc", "members", "awards", "review")
MAX_PER_PAGE: Final = 200
MAX_PAGE: Final = 1_000_000
FACETS: Final = ("province", "province_2025", "year", "bloc", "unit", "award", "award_status", "review_state")
TOP_NAMES: Final = 15  # bloc and unit facets list the most frequent names only


@dataclass(frozen=True, slots=True)
class Filters:
    """A researcher's selection: text, the facets of `store.research` and a year range."""

    q: str | None = None
    province: str | None = None
    year: int | None = None
    year_from: int | None = None
    year_to: int | None = None
    bloc: str | None = None
    unit: str | None = None
    award: str | None = None
    award_status: str | None = None
    review: str | None = None

    def given(self) -> dict[str, Any]:
        """Return the filters that are set, by name."""
        return {k: getattr(self, k) for k in self.__slots__ if getattr(self, k) not in (None, "")}


@dataclass(slots=True)
class BrowsePage:
    """One page of results, with the total and the facet counts over every match."""

    total: int
    page: int
    per_page: int
    rows: list[dict[str, Any]]
    facets: dict[str, dict[Any, int]]
    article_ids: list[int] = field(default_factory=list)  # every match, in the order shown


def article_ids_with_text(session: Session, q: str) -> list[int]:
    """Return the ids of articles whose title or text holds `q` (any case), ascending.

    The stand-in for full-text search: swap in the store's FTS function here.

    Raises:
        QueryError: `q` is too long, not UTF-8 or holds NUL.
    """
    words = unicodedata.normalize("NFC", _check_text("search", q).strip()).lower()
    if not words:
        return []
    stmt = select(Article.id).where(
        func.lower(Article.title).contains(words, autoescape=True)
        | func.lower(Article.text).contains(words, autoescape=True)
    )
    return sorted(session.scalars(stmt))


def _row(record: dict[str, Any], published: date | None) -> dict[str, Any]:
    """Return the line of the results table for one current record."""
    when = record["event_date"] or record["published"] or (published.isoformat() if published else None)
    return {
        "article_id": record["article_id"],
        "title": record["title"],
        "url": record["url"],
        "date": when,
        "year": record_year(record, published),
        "province": record["province"],
        "bloc": record["blocs"][0]["name"] if record["blocs"] else None,
        "members": len(record["members"]),
        "roles": len(record["roles"]),
        "awards": len(record["awards"]),
        "review": review_state(record),
        "extractor_version": record["extractor_version"],
    }


def _sort_key(sort: str) -> Any:
    if sort in ("members", "awards"):
        return lambda r: (r[sort], r["article_id"])
    # text columns: missing values sort last in ascending order, then by id for a stable order
    return lambda r: (r[sort] is None, r[sort] or "", r["article_id"])


def check_page(*, sort: str, page: int, per_page: int) -> None:
    """Raise `QueryError` for a sort column, page or page size the results cannot use."""
    if sort not in SORTS:
        raise QueryError(f"unknown sort {sort[:40]!r}; use one of {', '.join(SORTS)}")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise QueryError(f"per_page must be between 1 and {MAX_PER_PAGE}, not {per_page:,}")
    if not 1 <= page <= MAX_PAGE:
        raise QueryError(f"page must be between 1 and {MAX_PAGE:,}, not {page:,}")


def browse(
    session: Session,
    filters: Filters,
    *,
    sort: str = "date",
    descending: bool = True,
    page: int = 1,
    per_page: int = 50,
) -> BrowsePage:
    """Return one page of the current records passing `filters`, sorted, with facet counts.

    Facets count every match (not only the page): ``province``, ``province_2025``, ``year``,
    ``bloc`` and ``unit`` (the `TOP_NAMES` most frequent), ``award``, ``award_status`` and
    ``review_state``; a record counts once per value it holds.

    Raises:
        QueryError: a filter, sort column, page or page size that cannot be used.
    """
    check_page(sort=sort, page=page, per_page=per_page)
    within = article_ids_with_text(session, filters.q) if filters.q else None
    rows: list[dict[str, Any]] = []
    counts: dict[str, Counter[Any]] = {f: Counter() for f in FACETS}
    for record, published in _current(
        session,
        province=filters.province,
        year=filters.year,
        year_from=filters.year_from,
        year_to=filters.year_to,
        bloc=filters.bloc,
        unit=filters.unit,
        award=filters.award,
        award_status=filters.award_status,
        review=filters.review,
        within=within,
    ):
        row = _row(record, published)
        rows.append(row)
        prov = record["province"]
        counts["province"][prov] += 1
        counts["province_2025"][province_2025(prov) if prov else None] += 1
        counts["year"][row["year"]] += 1
        counts["bloc"].update({b["name"] for b in record["blocs"] if b["name"]})
        counts["unit"].update(set(record["members"]))
        counts["award"].update({a["award"] for a in record["awards"]})
        counts["award_status"].update({a["status"] for a in record["awards"]})
        counts["review_state"][row["review"]] += 1
    rows.sort(key=_sort_key(sort), reverse=descending)
    facets: dict[str, dict[Any, int]] = {}
    for name, counter in counts.items():
        top = counter.most_common(TOP_NAMES if name in ("bloc", "unit") else None)
        facets[name] = dict(top)
    start = (page - 1) * per_page
    return BrowsePage(
        total=len(rows),
        page=page,
        per_page=per_page,
        rows=rows[start : start + per_page],
        facets=facets,
        article_ids=[r["article_id"] for r in rows],
    )


def overview(session: Session) -> dict[str, Any]:
    """Return what the database holds, for the home page.

    ``articles``, ``bloc_news_articles``, ``records``, ``facts`` (by kind, from
    `store.queries.summary`), ``provinces`` and ``years`` (the distinct values over current
    records), ``corrections``, and ``awards_by_year`` (year -> province -> number of award
    facts of that year, an award's own year when it has one).
    """
    counts = summary(session)
    provinces: set[str] = set()
    years: set[int] = set()
    awards: dict[int, Counter[str]] = {}
    for record, published in _current(session):
        year = record_year(record, published)
        if record["province"]:
            provinces.add(record["province"])
        if year is not None:
            years.add(year)
        for award in record["awards"]:
            at = award["year"] if award["year"] is not None else year
            if at is not None:
                awards.setdefault(at, Counter())[record["province"] or "?"] += 1
    return {
        "articles": counts["articles"],
        "bloc_news_articles": counts["bloc_news_articles"],
        "records": counts["records"],
        "facts": counts["facts"],
        "provinces": sorted(provinces),
        "years": sorted(years),
        "corrections": session.scalar(select(func.count()).select_from(Correction)) or 0,
        "awards_by_year": {y: dict(awards[y].most_common()) for y in sorted(awards)},
    }


@dataclass(frozen=True, slots=True)
class RawPage:
    """The stored raw page of an article, decoded for display as text."""

    url: str
    final_url: str
    status: int
    fetched_at: datetime
    encoding: str | None
    text: str


def raw_page(session: Session, article_id: int) -> RawPage:
    """Return the raw page an article was made from, its bytes decoded (bad bytes replaced).

    Raises:
        ArticleNotFoundError: no article has this id.
    """
    row = session.execute(
        select(Page).join(Article, Article.page_id == Page.id).where(Article.id == article_id)
    ).scalar_one_or_none()
    if row is None:
        raise ArticleNotFoundError(f"no article with id {article_id}")
    try:
        text = row.body.decode(row.encoding or "utf-8", errors="replace")
    except LookupError:  # an encoding name Python does not know
        text = row.body.decode("utf-8", errors="replace")
    return RawPage(row.url, row.final_url, row.status, row.fetched_at, row.encoding, text)


# --- the review queue ----------------------------------------------------------------------


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


def article_text(session: Session, article_id: int) -> str:
    """Return an article's stored text (what evidence offsets point into).

    Raises:
        ArticleNotFoundError: no article has this id.
    """
    text = session.scalar(select(Article.text).where(Article.id == article_id))
    if text is None:
        raise ArticleNotFoundError(f"no article with id {article_id}")
    return text
