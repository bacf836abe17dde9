"""What the web app shows researchers (issue 9): search results with facets, the home page's
figures, an article's text and stored raw page. The editors' queue is `store.review_queue`.

Everything reads *current* records (`store.current`), with the filters of `store.queries` and
`store.research` and the same rules, so a page of the web app, `thidua query`, `thidua facets`
and an export agree on what a record says.

Decisions:

- **Two paths, one answer.** Articles no editor has corrected (nearly all) are filtered, counted
  per facet, sorted and paged in SQL over the machine's tables; the few corrected ones are
  overlaid (`store.current`) and filtered, counted and sorted in Python by the same rules
  (`store.queries._Filters.match`, `store.research._Extra.match`), and the two are merged. A
  page therefore costs a handful of queries whatever the number of records, plus the overlay
  of the corrected articles and of the rows shown.
- **Text search** is `_text_match`: every word (or quoted phrase) in title or text, accents
  folded ("Ha Noi" finds "Hà Nội"), through the full-text index (`store.search.text_condition`:
  FTS5 on SQLite, a `tsvector` on PostgreSQL), as one SQL condition the other filters build on.
- **Sort order**: by the column, then by article id, in the direction asked; a missing value
  (no date, no bloc) sorts last either way. Facet values are listed by count, then by value.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, date, datetime
from typing import Any, Final

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    cast,
    exists,
    extract,
    false,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from extract.places import province_2025
from store.current import current_records
from store.current_table import record_year, review_state
from store.errors import ArticleNotFoundError, QueryError
from store.models import (
    Article,
    AwardFact,
    BlocFact,
    Correction,
    ExtractedRecord,
    MemberFact,
    Page,
)
from store.queries import _check_filters, _check_text, _Filters, batches, summary
from store.research import _check_extra, _Extra
from store.search import text_condition

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


# --- the filters, checked once -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Checked:
    words: str | None  # the text searched for, lowered and NFC
    base: _Filters  # province (old or 2025), year, bloc, unit, award (store.queries)
    extra: _Extra  # year range, award status, review state (store.research)


def _check(filters: Filters) -> _Checked:
    words = None
    if filters.q is not None:
        words = unicodedata.normalize("NFC", _check_text("search", filters.q).strip()).lower() or None
    base = _check_filters(
        province=filters.province,  # a 2025 province takes in the old ones merged into it
        year=filters.year,
        bloc=filters.bloc,
        unit=filters.unit,
        award=filters.award,
        limit=None,
    )
    extra = _check_extra(
        year_from=filters.year_from,
        year_to=filters.year_to,
        award_status=filters.award_status,
        review=filters.review,
    )
    return _Checked(words, base, extra)


def _text_match(session: Session, words: str) -> ColumnElement[bool]:
    """True for articles whose title or text holds every word of `words` (accents folded), through
    the full-text index (`store.search.text_condition`)."""
    return text_condition(session, words)


def article_ids_with_text(session: Session, q: str) -> list[int]:
    """Return the ids of articles whose title or text holds `q` (any case), ascending.

    Raises:
        QueryError: `q` is too long, not UTF-8 or holds NUL.
    """
    words = unicodedata.normalize("NFC", _check_text("search", q).strip()).lower()
    if not words:
        return []
    return sorted(session.scalars(select(Article.id).where(_text_match(session, words))))


def _years(column: Any, lo: int, hi: int) -> ColumnElement[bool]:
    return and_(column >= date(lo, 1, 1), column <= date(hi, 12, 31))


def _record_date() -> ColumnElement[Any]:
    """The date a record's year comes from (`store.current_table.record_year`), as SQL."""
    return func.coalesce(ExtractedRecord.event_date, ExtractedRecord.published, Article.published)


def _machine_conditions(session: Session, checked: _Checked) -> list[ColumnElement[bool]]:
    """The filters as conditions on an uncorrected machine record joined to its article."""
    where = checked.base.sql()
    extra = checked.extra
    if extra.year_from is not None or extra.year_to is not None:
        lo, hi = extra.year_from or MINYEAR, extra.year_to or MAXYEAR
        columns = (ExtractedRecord.event_date, ExtractedRecord.published, Article.published)
        where.append(or_(*(_years(c, lo, hi) for c in columns)))
    if extra.award_status is not None:
        where.append(
            exists().where(AwardFact.record_id == ExtractedRecord.id, AwardFact.status == extra.award_status)
        )
    if extra.review_state in ("corrected", "review"):  # only a correction makes either
        where.append(false())
    if checked.words:
        where.append(_text_match(session, checked.words))
    return where


def _machine_select(session: Session, checked: _Checked, *columns: Any) -> Select[Any]:
    """SELECT `columns` over the newest machine records of uncorrected articles passing the filters."""
    corrected = select(Correction.article_id).distinct()
    newer = aliased(ExtractedRecord)
    return (
        select(*columns)
        .select_from(ExtractedRecord)
        .join(Article, Article.id == ExtractedRecord.article_id)
        .where(
            # each article's newest record: no record of a later run (an index probe per row,
            # about twice as fast on 100,000 records as joining the grouped newest runs)
            ~exists().where(
                newer.article_id == ExtractedRecord.article_id, newer.run_id > ExtractedRecord.run_id
            ),
            ExtractedRecord.article_id.not_in(corrected),
            *_machine_conditions(session, checked),
        )
    )


def _corrected(session: Session, checked: _Checked) -> Iterator[tuple[dict[str, Any], date | None]]:
    """Yield (current record, article publication date) of every corrected article passing the filters."""
    stmt = select(Article.id, Article.published).where(Article.id.in_(select(Correction.article_id)))
    if checked.words:
        stmt = stmt.where(_text_match(session, checked.words))
    published = dict(session.execute(stmt).tuples().all())
    for chunk in batches(sorted(published)):
        for record in current_records(session, chunk):
            when = published[record["article_id"]]
            if checked.base.match(record, when) and checked.extra.match(record, when):
                yield record, when


def matching_ids(session: Session, filters: Filters) -> list[int]:
    """Return the ids of every article whose current record passes `filters`, ascending (exports).

    Raises:
        QueryError: a filter that cannot be used as written.
    """
    checked = _check(filters)
    found = set(session.scalars(_machine_select(session, checked, ExtractedRecord.article_id)))
    found.update(record["article_id"] for record, _ in _corrected(session, checked))
    return sorted(found)


# --- one page of results -------------------------------------------------------------------


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


def _sort_column(session: Session, sort: str) -> ColumnElement[Any]:
    """The SQL value a machine record sorts by: the same value `_row` gives the sort column."""
    text_order = "C" if session.get_bind().dialect.name == "postgresql" else None  # code points, as Python

    def text(column: Any) -> ColumnElement[Any]:
        out: ColumnElement[Any] = column.collate(text_order) if text_order else column
        return out

    if sort == "date":
        return _record_date()
    if sort == "title":
        return text(Article.title)
    if sort == "province":
        return text(ExtractedRecord.province)
    if sort == "bloc":
        first = (
            select(BlocFact.name)
            .where(BlocFact.record_id == ExtractedRecord.id)
            .order_by(BlocFact.position)
            .limit(1)
            .scalar_subquery()
        )
        return text(first)
    if sort in ("members", "awards"):
        table = MemberFact if sort == "members" else AwardFact
        return select(func.count()).where(table.record_id == ExtractedRecord.id).scalar_subquery()
    return literal("machine")  # review: every uncorrected record is as the machine read it


def _ordered(keyed: list[tuple[Any, int]], descending: bool) -> list[int]:
    """Article ids by (value, id) in the direction asked, those without a value last."""
    present = sorted(((v, i) for v, i in keyed if v is not None), reverse=descending)
    missing = sorted((i for v, i in keyed if v is None), reverse=descending)
    return [i for _, i in present] + missing


def _top(counter: Counter[Any], n: int | None) -> dict[Any, int]:
    items = sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0])))
    return dict(items if n is None else items[:n])


def check_page(*, sort: str, page: int, per_page: int) -> None:
    """Raise `QueryError` for a sort column, page or page size the results cannot use."""
    if sort not in SORTS:
        raise QueryError(f"unknown sort {sort[:40]!r}; use one of {', '.join(SORTS)}")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise QueryError(f"per_page must be between 1 and {MAX_PER_PAGE}, not {per_page:,}")
    if not 1 <= page <= MAX_PAGE:
        raise QueryError(f"page must be between 1 and {MAX_PAGE:,}, not {page:,}")


def _machine_rows(session: Session, checked: _Checked) -> Any:
    """The uncorrected matches as a CTE of (rid, province, year), computed once per statement.

    MATERIALIZED (SQLite ≥ 3.35, PostgreSQL ≥ 12): the filters, the text search above all, run
    once, not once for every fact row a facet joins to them.
    """
    return (
        _machine_select(
            session,
            checked,
            ExtractedRecord.id.label("rid"),
            ExtractedRecord.province.label("province"),
            extract("year", _record_date()).label("year"),
        )
        .cte("matches")
        .prefix_with("MATERIALIZED")
    )


def _machine_facets(session: Session, checked: _Checked) -> tuple[int, dict[str, Counter[Any]]]:
    """Count the uncorrected matches, per value of each facet, in one SQL statement."""
    m = _machine_rows(session, checked)
    parts: list[Any] = [
        select(literal("province"), cast(m.c.province, String), func.count()).group_by(m.c.province),
        select(literal("year"), cast(m.c.year, String), func.count()).group_by(m.c.year),
    ]
    for facet, column, record_id in (
        ("bloc", BlocFact.name, BlocFact.record_id),
        ("unit", MemberFact.unit, MemberFact.record_id),
        ("award", AwardFact.award, AwardFact.record_id),
        ("award_status", AwardFact.status, AwardFact.record_id),
    ):
        parts.append(
            select(literal(facet), cast(column, String), func.count(func.distinct(record_id)))
            .join(m, m.c.rid == record_id)
            .where(column != "")
            .group_by(column)
        )
    counts: dict[str, Counter[Any]] = {f: Counter() for f in FACETS}
    total = 0
    for facet, value, n in session.execute(union_all(*parts)).tuples():
        if facet == "province":
            total += n
            counts["province"][value] += n
            counts["province_2025"][province_2025(value) if value else None] += n
        elif facet == "year":
            counts["year"][None if value is None else int(float(value))] += n
        else:
            counts[facet][value] += n
    if total:
        counts["review_state"]["machine"] = total
    return total, counts


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
    checked = _check(filters)
    total, counts = _machine_facets(session, checked)
    keyed: list[tuple[Any, int]] = []
    for record, published in _corrected(session, checked):
        row = _row(record, published)
        keyed.append((row[sort], row["article_id"]))
        total += 1
        prov = record["province"]
        counts["province"][prov] += 1
        counts["province_2025"][province_2025(prov) if prov else None] += 1
        counts["year"][row["year"]] += 1
        counts["bloc"].update({b["name"] for b in record["blocs"] if b["name"]})
        counts["unit"].update({m for m in record["members"] if m})
        counts["award"].update({a["award"] for a in record["awards"]})
        counts["award_status"].update({a["status"] for a in record["awards"]})
        counts["review_state"][row["review"]] += 1
    # the machine records that can reach this page: the first page × size of them, in order
    value = _sort_column(session, sort)
    aid = ExtractedRecord.article_id
    stmt = (
        _machine_select(session, checked, value, aid)
        .order_by(value.is_(None), *((value.desc(), aid.desc()) if descending else (value.asc(), aid.asc())))
        .limit(page * per_page)
    )
    for v, article_id in session.execute(stmt).tuples():
        keyed.append((v.isoformat() if isinstance(v, date) else v, article_id))
    start = (page - 1) * per_page
    shown = _ordered(keyed, descending)[start : start + per_page]
    dates = dict(
        session.execute(select(Article.id, Article.published).where(Article.id.in_(shown))).tuples().all()
    )
    records = {r["article_id"]: r for r in current_records(session, shown)}
    rows = [_row(records[i], dates.get(i)) for i in shown if i in records]
    facets = {name: _top(c, TOP_NAMES if name in ("bloc", "unit") else None) for name, c in counts.items()}
    return BrowsePage(total=total, page=page, per_page=per_page, rows=rows, facets=facets)


# --- the home page -----------------------------------------------------------------------


def overview(session: Session) -> dict[str, Any]:
    """Return what the database holds, for the home page.

    ``articles``, ``bloc_news_articles``, ``records``, ``facts`` (by kind, from
    `store.queries.summary`), ``provinces`` and ``years`` (the distinct values over current
    records), ``corrections``, and ``awards_by_year`` (year -> province -> number of award
    facts of that year, an award's own year when it has one, else its record's).
    """
    counts = summary(session)
    checked = _check(Filters())
    provinces: set[str] = set()
    years: set[int] = set()
    awards: dict[int, Counter[str]] = {}
    year = extract("year", _record_date())
    m = _machine_select(
        session,
        checked,
        ExtractedRecord.id.label("rid"),
        ExtractedRecord.province.label("province"),
        year.label("year"),
    ).subquery()
    for prov, y in session.execute(select(m.c.province, m.c.year).distinct()).tuples():
        if prov:
            provinces.add(prov)
        if y is not None:
            years.add(int(y))
    at = func.coalesce(AwardFact.year, m.c.year)
    stmt = (
        select(at, m.c.province, func.count())
        .join(m, m.c.rid == AwardFact.record_id)
        .group_by(at, m.c.province)
    )
    for y, prov, n in session.execute(stmt).tuples():
        if y is not None:
            awards.setdefault(int(y), Counter())[prov or "?"] += n
    for record, published in _corrected(session, checked):
        ry = record_year(record, published)
        if record["province"]:
            provinces.add(record["province"])
        if ry is not None:
            years.add(ry)
        for award in record["awards"]:
            ay = award["year"] if award["year"] is not None else ry
            if ay is not None:
                awards.setdefault(ay, Counter())[record["province"] or "?"] += 1
    return {
        "articles": counts["articles"],
        "bloc_news_articles": counts["bloc_news_articles"],
        "records": counts["records"],
        "facts": counts["facts"],
        "provinces": sorted(provinces),
        "years": sorted(years),
        "corrections": session.scalar(select(func.count()).select_from(Correction)) or 0,
        "awards_by_year": {y: _top(awards[y], None) for y in sorted(awards)},
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


def article_text(session: Session, article_id: int) -> str:
    """Return an article's stored text (what evidence offsets point into).

    Raises:
        ArticleNotFoundError: no article has this id.
    """
    text = session.scalar(select(Article.text).where(Article.id == article_id))
    if text is None:
        raise ArticleNotFoundError(f"no article with id {article_id}")
    return text
