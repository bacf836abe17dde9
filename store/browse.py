"""What the web app shows researchers (issue 9): search results with facets, the home page's
figures, an article's text and stored raw page. The editors' queue is `store.review_queue`.

Everything reads *current* records from their materialised copy (`store.current_table`: one
`CurrentRecord` row per article, its facts in `CurrentFact`, the record itself in
`CurrentDocument`), with the filters of `store.queries` and `store.research`
(`store.research._conditions`), so a page of the web app, `thidua query`, `thidua facets` and an
export agree on what a record says.

Decisions:

- **One path, all SQL.** Filters, facet counts, sort and paging are plain indexed SQL over the
  materialised tables, corrected records included; the rows shown are read from columns of
  `CurrentRecord` (`store.current_table.table_row`), not from the records' JSON documents.
  A page costs two or three queries (facets with the page's ids, their rows) whatever the number of
  records, where it used to overlay every corrected article in Python.
- **Text search** is `_text_match`: every word (or quoted phrase) in title or text, accents
  folded ("Ha Noi" finds "Hà Nội"), through the full-text index (`store.search.text_condition`:
  FTS5 on SQLite, a `tsvector` on PostgreSQL), as one SQL condition the other filters build on.
- **Sort order**: by the column, then by article id, in the direction asked; a missing value
  (no date, no bloc) sorts last either way. Text sorts by code point on both engines (``C``
  collation on PostgreSQL, SQLite's default). Facet values are listed by count, then by value.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Final

import numpy as np
import numpy.typing as npt
from sqlalchemy import ColumnElement, Date, String, cast, func, literal, select, union_all
from sqlalchemy.orm import Session

from extract.places import province_2025
from store.current_table import UNDATED
from store.data_version import DataVersion
from store.errors import ArticleNotFoundError, QueryError
from store.facet_index import VALUE_COLUMNS as FACET_VALUE_COLUMNS
from store.facet_index import FacetIndex, id_array
from store.models import Article, Correction, CurrentFact, CurrentRecord, Page
from store.queries import _check_filters, _check_text, _Filters, summary
from store.research import _check_extra, _Extra
from store.research import _conditions as _research_conditions
from store.search import text_condition, text_hits

SORTS: Final = ("date", "title", "province", "bloc", "members", "awards", "review")
MAX_PER_PAGE: Final = 200
MAX_PAGE: Final = 1_000_000
FACETS: Final = ("province", "province_2025", "year", "bloc", "unit", "award", "award_status", "review_state")
TOP_NAMES: Final = 15  # bloc and unit facets list the most frequent names only
# bloc and unit facets count the names of at most this many matches, the newest: beyond it
# (a search of common words matches a third of the store) the count of every match's facts
# costs seconds, and the most frequent names of the newest matches are what the list shows
NAMES_OVER: Final = 2000


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
    # how many matches the bloc and unit facets were counted over: all of them (`total`), or the
    # newest `NAMES_OVER` when there are more
    names_over: int = 0


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


def _conditions(session: Session, checked: _Checked) -> list[ColumnElement[bool]]:
    """The filters as conditions on `CurrentRecord` (`store.research._conditions`, plus the text)."""
    where = _research_conditions(session, checked.base, checked.extra)
    if checked.words:
        # the full-text index's ids as they are: no join to `Article` (on PostgreSQL that join
        # read every article id to keep a third of them, 15 ms of a broad search)
        where.append(CurrentRecord.article_id.in_(text_hits(session, checked.words)))
    return where


def matching_ids(session: Session, filters: Filters) -> list[int]:
    """Return the ids of every article whose current record passes `filters`, ascending (exports).

    Raises:
        QueryError: a filter that cannot be used as written.
    """
    checked = _check(filters)
    stmt = (
        select(CurrentRecord.article_id)
        .where(*_conditions(session, checked))
        .order_by(CurrentRecord.article_id)
    )
    return list(session.scalars(stmt))


# --- one page of results -------------------------------------------------------------------


# the columns a line of the results table is read from (`_rows`), in its order
_ROW_COLUMNS: Final = (
    CurrentRecord.article_id,
    Article.title,
    Article.url,
    CurrentRecord.row_date,
    CurrentRecord.year,
    CurrentRecord.province,
    CurrentRecord.first_bloc,
    CurrentRecord.members,
    CurrentRecord.roles,
    CurrentRecord.awards,
    CurrentRecord.review_state,
    CurrentRecord.extractor_version,
)
_ROW_KEYS: Final = (
    "article_id",
    "title",
    "url",
    "date",
    "year",
    "province",
    "bloc",
    "members",
    "roles",
    "awards",
    "review",
    "extractor_version",
)


def _rows(session: Session, ids: list[int]) -> dict[int, tuple[dict[str, Any], date]]:
    """Return the line of the results table of each current record in `ids`, with its sort date,
    by article id: what `store.current_table.table_row` and the other columns keep of the record
    (no document is read)."""
    stmt = (
        select(*_ROW_COLUMNS, CurrentRecord.sort_date)
        .join(Article, Article.id == CurrentRecord.article_id)
        .where(CurrentRecord.article_id.in_(ids))
    )
    out = {}
    for *values, when in session.execute(stmt):
        row = dict(zip(_ROW_KEYS, values, strict=True))
        out[row["article_id"]] = (row, when)
    return out


def _sort_column(session: Session, sort: str) -> ColumnElement[Any]:
    """The SQL value a current record sorts by: the same value `_rows` gives the sort column
    (None where `_rows` has None)."""
    text_order = "C" if session.get_bind().dialect.name == "postgresql" else None  # code points, as Python

    def text(column: Any) -> ColumnElement[Any]:
        out: ColumnElement[Any] = column.collate(text_order) if text_order else column
        return out

    if sort == "date":
        # an undated record's sort date is `UNDATED`; `_rows` has no date for it
        return func.nullif(CurrentRecord.sort_date, literal(UNDATED, Date()))
    if sort == "title":
        title = select(Article.title).where(Article.id == CurrentRecord.article_id).scalar_subquery()
        return text(title)
    if sort == "province":
        return text(CurrentRecord.province)
    if sort == "review":
        state: ColumnElement[Any] = CurrentRecord.review_state.expression
        return state
    if sort == "bloc":
        return text(CurrentRecord.first_bloc)
    count: ColumnElement[Any] = (
        CurrentRecord.members if sort == "members" else CurrentRecord.awards
    ).expression
    return count


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


def _facets(
    session: Session, checked: _Checked, page: tuple[int, int] | None = None
) -> tuple[int, dict[str, Counter[Any]], list[int]]:
    """Count the matches, per value of each facet, in one SQL statement; with `page` (limit,
    offset), also take that page of matches newest first (`browse`'s default order), unordered.
    Bloc and unit names are counted over the newest `NAMES_OVER` matches.

    The matches are a MATERIALIZED CTE (SQLite ≥ 3.35, PostgreSQL ≥ 12): the filters, the text
    search above all, run once, not once per facet nor again for the page. Award types and
    statuses are counted by the few combinations records hold (`CurrentRecord.award_kinds`), as
    `store.research.facet_counts` does; blocs and member units by distinct article per name in
    `CurrentFact`, read from the index alone (``ix_current_fact_article_id``). (One pass over
    both fields, grouped by field and name, cost SQLite more CPU than two: bench/README.md.)
    """
    m = (
        select(
            CurrentRecord.article_id.label("aid"),
            CurrentRecord.province.label("province"),
            CurrentRecord.year.label("year"),
            CurrentRecord.review_state.label("review"),
            CurrentRecord.award_kinds.label("kinds"),
            CurrentRecord.award_statuses.label("statuses"),
            CurrentRecord.sort_date.label("sort_date"),
        )
        .where(*_conditions(session, checked))
        .cte("matches")
        .prefix_with("MATERIALIZED")
    )
    parts: list[Any] = [
        select(literal("province"), cast(m.c.province, String), func.count()).group_by(m.c.province),
        select(literal("year"), cast(m.c.year, String), func.count()).group_by(m.c.year),
        select(literal("review_state"), cast(m.c.review, String), func.count()).group_by(m.c.review),
        select(literal("kinds"), cast(m.c.kinds, String), func.count()).group_by(m.c.kinds),
        select(literal("statuses"), cast(m.c.statuses, String), func.count()).group_by(m.c.statuses),
    ]
    newest = select(m.c.aid).order_by(m.c.sort_date.desc(), m.c.aid.desc()).limit(NAMES_OVER).cte("newest")
    for field in _NAME_FACETS:
        parts.append(
            select(literal(field), CurrentFact.name, func.count(func.distinct(CurrentFact.article_id)))
            .join(newest, newest.c.aid == CurrentFact.article_id)
            .where(CurrentFact.field == field, CurrentFact.name != "")
            .group_by(CurrentFact.name)
        )
    if page is not None:
        limit, offset = page
        shown = (
            select(m.c.aid)
            .order_by(m.c.sort_date.desc(), m.c.aid.desc())
            .limit(limit)
            .offset(offset)
            .subquery("shown")
        )
        parts.append(select(literal("page"), cast(shown.c.aid, String), literal(0)))
    return _tally(session.execute(union_all(*parts)).tuples())


def _facets_in_memory(
    session: Session,
    checked: _Checked,
    index: FacetIndex,
    page: tuple[int, int] | None,
    version: DataVersion | None = None,
) -> tuple[int, dict[str, Counter[Any]], list[int]] | None:
    """`_facets` counted from `index` (`store.facet_index`), with the same answer.

    Province, years, award and review state are read from the index's values (`FacetIndex.mask`);
    bloc, unit and award status, which need the facts, select their ids in SQL; the text's ids
    come from the index's cache of full-text hits. The articles changed since the index was made
    (an editor's correction a moment ago, `FacetIndex.changed`) are left out of the index's part
    and read from SQL (`_changed_rows`), then merged in: a write is seen by the next search while
    the index is brought up to date in the background. None (count in SQL) past `MAX_DELTA`
    changed articles, or when the index lacks a record SQL finds that did not change.
    """
    changed, texts_changed = index.changed(session, version)
    if changed is None:  # past MAX_DELTA
        return None
    base, extra = checked.base, checked.extra
    mask = index.mask(
        province_keys=base.province_keys,
        year=base.year,
        year_from=extra.year_from,
        year_to=extra.year_to,
        award=base.award,
        review=extra.review_state,
    )
    positions = None if mask is None else np.flatnonzero(mask)
    where = _research_conditions(
        session,
        replace(base, province_keys=None, year=None, award=None),
        replace(extra, year_from=None, year_to=None, review_state=None),
    )
    if where:
        ids = id_array(session, select(CurrentRecord.article_id).where(*where))
        found = index.positions(np.setdiff1d(ids, changed, assume_unique=True))
        if found is None:
            return None
        positions = found if positions is None else np.intersect1d(positions, found, assume_unique=True)
    if checked.words:
        hits = index.present(index.text_ids(session, checked.words))
        positions = hits if positions is None else np.intersect1d(positions, hits, assume_unique=True)
    if positions is None:
        positions = np.arange(len(index.ids), dtype=np.intp)
    fresh: list[tuple[int, int, dict[str, Any]]] = []
    if len(changed):  # the changed articles from SQL, in place of the index's copies of them
        positions = np.setdiff1d(positions, index.present(changed), assume_unique=True)
        fresh = _changed_rows(session, checked, index, changed, texts_changed)
    rows = index.count(positions)
    rows += [(facet, value, 1) for _, _, values in fresh for facet, value in values.items()]
    if not fresh:  # every match in the index: its newest, names and page from it alone
        rows += index.count_names(index.newest(positions, NAMES_OVER))
        if page is not None:
            limit, offset = page
            rows += [("page", int(i), 0) for i in index.ids[index.newest(positions, limit, offset)]]
        return _tally(rows)
    # the newest matches of both parts in one order (date, then id, descending; the index's
    # position or -1 for a changed one): the index's newest `wanted` are all its part can give
    wanted = max(NAMES_OVER, 0 if page is None else page[0] + page[1])
    taken = index.newest(positions, wanted)
    newest = sorted(
        [(day, aid, int(at)) for (day, aid), at in zip(index.sort_keys(taken), taken, strict=True)]
        + [(day, aid, -1) for day, aid, _ in fresh],
        reverse=True,
    )
    over = newest[:NAMES_OVER]
    rows += index.count_names(np.array([at for _, _, at in over if at >= 0], dtype=np.intp))
    rows += _names_of(session, [aid for _, aid, at in over if at < 0])
    if page is not None:
        limit, offset = page
        rows += [("page", aid, 0) for _, aid, _ in newest[offset : offset + limit]]
    return _tally(rows)


def _changed_rows(
    session: Session,
    checked: _Checked,
    index: FacetIndex,
    changed: npt.NDArray[np.int64],
    texts_changed: bool,
) -> list[tuple[int, int, dict[str, Any]]]:
    """(sort date as an ordinal, article id, facet values) of the current records of `changed`
    that pass the filters, read from SQL. The text through the index's cached hits when no
    article was added or revised since it was made (the full-text index then says the same of
    these articles), else through the full-text index."""
    where = _research_conditions(session, checked.base, checked.extra)
    among = changed
    if checked.words:
        if texts_changed:
            where.append(CurrentRecord.article_id.in_(text_hits(session, checked.words)))
        else:
            among = np.intersect1d(changed, index.text_ids(session, checked.words), assume_unique=True)
    if not len(among):
        return []
    stmt = select(CurrentRecord.article_id, CurrentRecord.sort_date, *FACET_VALUE_COLUMNS.values()).where(
        CurrentRecord.article_id.in_([int(i) for i in among]), *where
    )
    return [
        (when.toordinal(), aid, dict(zip(FACET_VALUE_COLUMNS, values, strict=True)))
        for aid, when, *values in session.execute(stmt)
    ]


def _names_of(session: Session, article_ids: list[int]) -> list[tuple[str, Any, int]]:
    """Count the articles `article_ids` per name of their current bloc and member facts."""
    if not article_ids:
        return []
    pairs = session.execute(
        select(CurrentFact.field, CurrentFact.name, CurrentFact.article_id)
        .where(
            CurrentFact.article_id.in_(article_ids),
            CurrentFact.field.in_(list(_NAME_FACETS)),
            CurrentFact.name != "",
        )
        .distinct()
    )
    return [(field, name, n) for (field, name), n in Counter((f, nm) for f, nm, _ in pairs).items()]


def _tally(rows: Iterable[tuple[str, Any, int]]) -> tuple[int, dict[str, Counter[Any]], list[int]]:
    """Add up `_facets`' (facet, value, records) rows: the total, the counts per facet, the page."""
    counts: dict[str, Counter[Any]] = {f: Counter() for f in FACETS}
    total = 0
    ids: list[int] = []
    for facet, value, n in rows:
        if facet == "province":
            total += n
            counts["province"][value] += n
            counts["province_2025"][province_2025(value) if value else None] += n
        elif facet == "year":
            counts["year"][None if value is None else int(float(value))] += n
        elif facet == "kinds":
            for kind in value.split():
                counts["award"][kind] += n
        elif facet == "statuses":
            for status in value.split():
                counts["award_status"][status] += n
        elif facet == "page":
            ids.append(int(value))
        else:
            counts[_NAME_FACETS.get(str(facet), str(facet))][value] += n
    return total, counts, ids


# the facts whose names are counted, and the facet each counts in
_NAME_FACETS: Final = {"bloc": "bloc", "member": "unit"}


def browse(
    session: Session,
    filters: Filters,
    *,
    sort: str = "date",
    descending: bool = True,
    page: int = 1,
    per_page: int = 50,
    index: FacetIndex | None = None,
    version: DataVersion | None = None,
) -> BrowsePage:
    """Return one page of the current records passing `filters`, sorted, with facet counts.

    Facets count every match (not only the page): ``province``, ``province_2025``, ``year``,
    ``award``, ``award_status`` and ``review_state``; a record counts once per value it holds.
    ``bloc`` and ``unit`` list the `TOP_NAMES` most frequent names among the newest `NAMES_OVER`
    matches (all of them when there are fewer; `BrowsePage.names_over` says how many).

    Newest first (the default) costs two statements: the facets with the page's ids, then their
    documents; another order queries the page's ids on its own. With `index` (a
    `store.facet_index.FacetIndex`, as `IndexKeeper.current` hands out) the facets and the page's
    ids are counted from it, with the same answer; `version` is the data version the caller read
    before (`store.data_version`), so it is not read again.

    Raises:
        QueryError: a filter, sort column, page or page size that cannot be used.
    """
    check_page(sort=sort, page=page, per_page=per_page)
    checked = _check(filters)
    aid = CurrentRecord.article_id
    newest_first = sort == "date" and descending
    # undated records' `UNDATED` already sorts last newest-first
    at = (per_page, (page - 1) * per_page) if newest_first else None
    counted = None if index is None else _facets_in_memory(session, checked, index, at, version)
    total, counts, shown = counted or _facets(session, checked, at)
    if not newest_first:
        value = _sort_column(session, sort)
        order = (value.is_(None), *((value.desc(), aid.desc()) if descending else (value.asc(), aid.asc())))
        shown = list(
            session.scalars(
                select(aid)
                .where(*_conditions(session, checked))
                .order_by(*order)
                .limit(per_page)
                .offset((page - 1) * per_page)
            )
        )
    found = _rows(session, shown)
    if newest_first:  # the page's ids came unordered: order them as SQL would have
        shown = sorted((i for i in shown if i in found), key=lambda i: (found[i][1], i), reverse=True)
    rows = [found[i][0] for i in shown if i in found]
    facets = {name: _top(c, TOP_NAMES if name in ("bloc", "unit") else None) for name, c in counts.items()}
    return BrowsePage(
        total=total, page=page, per_page=per_page, rows=rows, facets=facets, names_over=min(total, NAMES_OVER)
    )


# --- the home page -----------------------------------------------------------------------


def overview(session: Session) -> dict[str, Any]:
    """Return what the database holds, for the home page.

    ``articles``, ``bloc_news_articles``, ``records``, ``facts`` (by kind, from
    `store.queries.summary`), ``provinces`` and ``years`` (the distinct values over current
    records), ``corrections``, and ``awards_by_year`` (year -> province -> number of award
    facts of that year, an award's own year when it has one, else its record's).
    """
    counts = summary(session)
    provinces = {p for p in session.scalars(select(CurrentRecord.province).distinct()) if p}
    years = {y for y in session.scalars(select(CurrentRecord.year).distinct()) if y is not None}
    awards: dict[int, Counter[str]] = {}
    at = func.coalesce(CurrentFact.year, CurrentRecord.year)
    stmt = (
        select(at, CurrentRecord.province, func.count())
        .join(CurrentRecord, CurrentRecord.article_id == CurrentFact.article_id)
        .where(CurrentFact.field == "award")
        .group_by(at, CurrentRecord.province)
    )
    for y, prov, n in session.execute(stmt).tuples():
        if y is not None:
            awards.setdefault(int(y), Counter())[prov or "?"] += n
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
