"""Read side of the store: what the CLI and the web app ask (see ../shared/STYLE.md, habit 13).

Every function is keyword-only and fully parameterised. Current records (machine facts with the
editors' corrections) are read from their materialised copy (`store.current_table`), so every
filter, sort and count is plain SQL. Unit and bloc names are matched through the normalised key
columns (`store.keys.name_key`: no case, diacritics, punctuation, "và"/"tỉnh"), as whole words
inside the stored key, entirely in SQL. So "so y te" finds "Sở Y tế tỉnh Bắc Ninh", and "Sở Y"
does not find "Sở Y tế".
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, date
from typing import Any, Final, get_args

from sqlalchemy import ColumnElement, Select, String, and_, exists, func, literal, or_, select, union_all
from sqlalchemy.orm import Session, selectinload

from extract.places import canonical_province, places, province_2025
from extract.record import AwardKind, schema_record
from store.errors import ArticleNotFoundError, QueryError
from store.keys import name_key, province_key
from store.models import (
    Article,
    ArticleAlias,
    AwardFact,
    BlocFact,
    CurrentDocument,
    CurrentFact,
    CurrentNameKey,
    CurrentRecord,
    ExtractedRecord,
    Failure,
    MemberFact,
    Page,
    RoleFact,
    ScalarFact,
)

AWARD_KINDS: tuple[str, ...] = get_args(AwardKind)

# Bounds of the filters, so a bad value is a QueryError instead of a driver traceback:
# the longest unit name in the gazetteer has under 150 characters, and SQLite refuses a LIKE
# pattern over 50,000 bytes ("LIKE or GLOB pattern too complex").
MAX_FILTER_CHARS: Final = 500
# both engines bind LIMIT as a signed 64-bit integer
MAX_LIMIT: Final = 2**63 - 1


def _newest_record_ids(run_id: int | None) -> Any:
    """Return a subquery of record ids: run `run_id`'s, or each article's newest."""
    if run_id is not None:
        return select(ExtractedRecord.id).where(ExtractedRecord.run_id == run_id)
    newest = (
        select(ExtractedRecord.article_id, func.max(ExtractedRecord.run_id).label("run_id"))
        .group_by(ExtractedRecord.article_id)
        .subquery()
    )
    return select(ExtractedRecord.id).join(
        newest,
        and_(ExtractedRecord.article_id == newest.c.article_id, ExtractedRecord.run_id == newest.c.run_id),
    )


def _has_word_run(column: Any, key: str) -> ColumnElement[bool]:
    """True where `key`'s words occur as whole words in the key `column`."""
    # pad both sides with spaces so "so y" cannot match inside "so y te"; keys hold only
    # [a-z0-9 ], so there is no LIKE wildcard to escape, and the value is a bound parameter
    padded = literal(" ", String()).concat(column).concat(literal(" ", String()))
    return padded.contains(f" {key} ", autoescape=True)


def _check_text(what: str, value: str) -> str:
    """Return `value` if the engines can bind it as text; else raise a `QueryError` saying why."""
    if len(value) > MAX_FILTER_CHARS:
        raise QueryError(f"{what} is {len(value):,} characters long; give at most {MAX_FILTER_CHARS}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        # undecodable bytes of a command-line argument arrive as lone surrogates (PEP 383)
        raise QueryError(
            f"{what} {value!r} holds bytes that are not UTF-8 text; check the terminal's encoding"
        ) from None
    if "\x00" in value:  # PostgreSQL text cannot hold NUL
        raise QueryError(f"{what} {value!r} holds a NUL character")
    return value


def _key_or_error(what: str, value: str, keyer: Any = name_key) -> str:
    key: str = keyer(_check_text(what, value))
    if not key:
        raise QueryError(f"{what} {value!r} has no letters or digits to match; give a name such as 'Sở Y tế'")
    return key


def _year_range(column: Any, year: int) -> ColumnElement[bool]:
    # a range, not extract('year'), so an index on the date column can be used on PostgreSQL
    since: ColumnElement[bool] = column >= date(year, 1, 1)
    if year == MAXYEAR:  # date(10000, 1, 1) does not exist
        return since
    return and_(since, column < date(year + 1, 1, 1))


@dataclass(frozen=True, slots=True)
class _Filters:
    """The checked filters of `find_records`, as keys."""

    province_keys: tuple[str, ...] | None
    year: int | None
    bloc_number: str | None
    bloc_key: str | None
    unit_key: str | None
    award: str | None

    def sql(self) -> list[ColumnElement[bool]]:
        """Return the conditions on a machine record (joined to its article) these filters set."""
        where: list[ColumnElement[bool]] = []
        if self.province_keys is not None:
            where.append(ExtractedRecord.province_key.in_(self.province_keys))
        if self.year is not None:
            where.append(
                or_(
                    _year_range(ExtractedRecord.event_date, self.year),
                    _year_range(ExtractedRecord.published, self.year),
                    _year_range(Article.published, self.year),
                )
            )
        if self.bloc_key is not None:
            bloc_match: list[ColumnElement[bool]] = [
                BlocFact.number == self.bloc_number,
                _has_word_run(BlocFact.names_key, self.bloc_key),
            ]
            where.append(exists().where(BlocFact.record_id == ExtractedRecord.id, or_(*bloc_match)))
        if self.unit_key is not None:
            key = self.unit_key
            where.append(
                or_(
                    exists().where(
                        MemberFact.record_id == ExtractedRecord.id, _has_word_run(MemberFact.unit_key, key)
                    ),
                    exists().where(
                        RoleFact.record_id == ExtractedRecord.id, _has_word_run(RoleFact.unit_key, key)
                    ),
                    exists().where(
                        AwardFact.record_id == ExtractedRecord.id,
                        _has_word_run(AwardFact.recipient_key, key),
                    ),
                )
            )
        if self.award is not None:
            where.append(
                exists().where(AwardFact.record_id == ExtractedRecord.id, AwardFact.award == self.award)
            )
        return where

    def current_sql(self, session: Session) -> list[ColumnElement[bool]]:
        """Return the conditions on a materialised current record (`CurrentRecord`) these filters set.

        The same rules as `sql` over the corrected values: a province by key, a year among the
        event's, the record's publication's and the article's, a bloc by number or whole words of
        its names, a unit by whole words among members, role holders and award recipients. Words
        are matched against the distinct keys (`CurrentNameKey`) first, then facts by equal key.
        """
        where: list[ColumnElement[bool]] = []
        years = (CurrentRecord.event_year, CurrentRecord.published_year, CurrentRecord.article_year)
        if self.province_keys is not None and self.year is not None:
            # the province inside each year's term: three look-ups of the (year, province) indexes
            # instead of every record of the province read to test its three years
            in_province = CurrentRecord.province_key.in_(self.province_keys)
            where.append(or_(*(and_(y == self.year, in_province) for y in years)))
        elif self.province_keys is not None:
            where.append(CurrentRecord.province_key.in_(self.province_keys))
        elif self.year is not None:
            where.append(or_(*(y == self.year for y in years)))
        if self.bloc_key is not None:
            # two index look-ups, not an OR over the table; number is set on bloc rows only
            by_number = select(CurrentFact.article_id).where(CurrentFact.number == self.bloc_number)
            by_name = select(CurrentFact.article_id).where(
                CurrentFact.name_key.in_(keys_with(session, self.bloc_key)), CurrentFact.field == "bloc"
            )
            where.append(CurrentRecord.article_id.in_(union_all(by_number, by_name)))
        if self.unit_key is not None:
            where.append(CurrentRecord.article_id.in_(facts_of_unit(session, self.unit_key, UNIT_FIELDS)))
        if self.award is not None:
            # `award_kinds` holds the record's award codes, distinct, space-separated: a word
            # match on the row the other filters read anyway, where a subquery of every award
            # fact of that kind (a third of all records) was built and probed per request
            kinds = literal(" ") + CurrentRecord.award_kinds + literal(" ")
            where.append(kinds.contains(f" {self.award} ", autoescape=True))
        return where


# the current facts that name a unit: `find_records`' unit filter reads all three
UNIT_FIELDS: Final = ("member", "role", "award")


# past this many matching keys, a filter names them through a subquery instead of bound values
MAX_BOUND_KEYS: Final = 1000


def keys_with(session: Session, key: str) -> list[str] | Select[Any]:
    """Return the name keys (`CurrentNameKey`) holding `key`'s words as whole words.

    A list when there are at most `MAX_BOUND_KEYS` (the usual case: the planner then knows the
    values it looks up, and picks its plan by their frequency); else the subquery itself.
    """
    stmt = select(CurrentNameKey.key).where(_has_word_run(CurrentNameKey.key, key))
    keys = list(session.scalars(stmt.limit(MAX_BOUND_KEYS + 1)))
    return keys if len(keys) <= MAX_BOUND_KEYS else stmt


def facts_of_unit(session: Session, key: str, fields: Sequence[str]) -> Select[Any]:
    """SELECT the articles with a current fact of `fields` naming the unit `key` (whole words)."""
    return select(CurrentFact.article_id).where(
        CurrentFact.name_key.in_(keys_with(session, key)), CurrentFact.field.in_(fields)
    )


def province_keys(province: str) -> tuple[str, ...]:
    """Return the province keys a province filter matches: its own, and the merged old ones.

    A name of one of the 34 provinces of 1 July 2025 also matches every old province merged
    into it ("Đồng Nai" finds records of "Bình Phước" too); an old name ("Bình Phước") matches
    only that province, since a record of the new one may be about any of its parts.

    Raises:
        QueryError: the name cannot be used as written.
    """
    key = _key_or_error("province", province, province_key)
    canonical = canonical_province(province)
    if canonical is None or province_2025(province) != canonical:
        return (key,)
    merged = [p for p in places().provinces if p.merged_into == canonical]
    return tuple(sorted({key} | {province_key(n) for p in merged for n in (p.name, *p.variants)}))


def _check_filters(
    *,
    province: str | None,
    year: int | None,
    bloc: str | None,
    unit: str | None,
    award: str | None,
    limit: int | None,
) -> _Filters:
    if limit is not None and not 1 <= limit <= MAX_LIMIT:
        raise QueryError(f"limit must be between 1 and {MAX_LIMIT:,}, not {limit:,}")
    if year is not None and not MINYEAR <= year <= MAXYEAR:
        raise QueryError(f"year must be between {MINYEAR} and {MAXYEAR}, not {year:,}")
    bloc_number = bloc_key = None
    if bloc is not None:
        bloc_number = _check_text("bloc", bloc).strip()
        bloc_key = name_key(bloc)
        if not bloc_key:
            # Numbers are digits or Roman figures, names are matched by key: a bloc of only
            # symbols ('%', '*') can match nothing, and saying so beats an empty answer.
            raise QueryError(
                f"bloc {bloc!r} has no letters or digits to match; give a number such as '6' or "
                "a name such as 'Khối thi đua số 6'"
            )
    if award is not None and award not in AWARD_KINDS:
        raise QueryError(f"unknown award {award[:40]!r}; use one of {', '.join(AWARD_KINDS)}")
    return _Filters(
        province_keys=None if province is None else province_keys(province),
        year=year,
        bloc_number=bloc_number,
        bloc_key=bloc_key,
        unit_key=None if unit is None else _key_or_error("unit", unit),
        award=award,
    )


def find_records(
    session: Session,
    *,
    province: str | None = None,
    year: int | None = None,
    bloc: str | None = None,
    unit: str | None = None,
    award: str | None = None,
    run_id: int | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Find current records (machine facts with editors' corrections); every given filter must hold.

    Args:
        session: an open session.
        province: the record's province, compared by key ("Bac Ninh" finds "Bắc Ninh"); a
            province of 2025 also finds the old provinces merged into it (`province_keys`).
        year: the year of the event date, or of the publication date (record's or article's).
        bloc: a bloc number ("6") or words of a bloc's name or alias ("khối 6").
        unit: words of a unit name among the members, role holders or award recipients.
        award: an award code from SCHEMA.md (co_thi_dua, bang_khen, …).
        run_id: search that run's machine records as extracted, without corrections; by
            default each article's current record.
        limit: at most this many records, newest event first, undated last.

    Returns:
        By default the current records of `store.current.current_record`, corrections applied
        and filtered as corrected (a unit an editor deleted no longer matches, one an editor
        added does). With `run_id`, SCHEMA.md records with ``article_id``, ``url``, ``title``,
        ``record_id`` and ``run_id``.

    Raises:
        QueryError: a filter that cannot be used as written: an unknown award code, a name or
            bloc without letters or digits, text that is not UTF-8 or over `MAX_FILTER_CHARS`
            characters, a year outside 1–9999, a limit outside 1–`MAX_LIMIT`.

    Current records are read from their materialised copy (`store.current_table`): filtered,
    sorted and limited in SQL by `_Filters.current_sql`; machine records of a run from the
    machine's fact tables by `_Filters.sql`.
    """
    filters = _check_filters(province=province, year=year, bloc=bloc, unit=unit, award=award, limit=limit)
    if run_id is None:
        # the page of records first, from the narrow table and its sort index; then their documents
        page = (
            select(CurrentRecord.article_id, CurrentRecord.sort_date, CurrentRecord.record_id)
            .where(*filters.current_sql(session))
            .order_by(CurrentRecord.sort_date.desc(), CurrentRecord.record_id.desc())
            .limit(limit)
            .subquery()
        )
        documents = (
            select(CurrentDocument.document)
            .join(page, page.c.article_id == CurrentDocument.article_id)
            .order_by(page.c.sort_date.desc(), page.c.record_id.desc())
        )
        return list(session.scalars(documents))
    stmt = (
        select(ExtractedRecord, Article)
        .join(Article, ExtractedRecord.article_id == Article.id)
        .where(ExtractedRecord.id.in_(_newest_record_ids(run_id)), *filters.sql())
        .options(
            selectinload(ExtractedRecord.blocs),
            selectinload(ExtractedRecord.members),
            selectinload(ExtractedRecord.roles),
            selectinload(ExtractedRecord.awards),
        )
        .order_by(
            func.coalesce(ExtractedRecord.event_date, ExtractedRecord.published, Article.published)
            .desc()
            .nulls_last(),
            ExtractedRecord.id.desc(),
        )
        .limit(limit)
    )
    return [record_dict(rec, art) for rec, art in session.execute(stmt).tuples()]


# bound parameters per IN list: SQLite allows 32,766 variables a statement, and smaller batches
# keep the overlay's memory flat however many articles match
ID_BATCH: Final = 500


def batches(ids: Sequence[int], size: int = ID_BATCH) -> Iterator[list[int]]:
    """Yield `ids` in lists of at most `size`, in order."""
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


def matching_article_ids(
    session: Session,
    *,
    province: str | None = None,
    year: int | None = None,
    bloc: str | None = None,
    unit: str | None = None,
    award: str | None = None,
) -> list[int]:
    """Return the ids of every article whose current record passes the filters, ascending.

    The same filters, checks and rules as `find_records`, without a limit and without loading
    the records: what `store.exports` reads, batch by batch, through
    `store.current.current_records`.

    Raises:
        QueryError: a filter that cannot be used as written (see `find_records`).
    """
    filters = _check_filters(province=province, year=year, bloc=bloc, unit=unit, award=award, limit=None)
    return list(session.scalars(current_matching(session, filters).order_by(CurrentRecord.article_id)))


def check_filters(
    *,
    province: str | None = None,
    year: int | None = None,
    bloc: str | None = None,
    unit: str | None = None,
    award: str | None = None,
) -> _Filters:
    """Return `find_records`'s filters, checked (for other modules' queries over current records).

    Raises:
        QueryError: a filter that cannot be used as written (see `find_records`).
    """
    return _check_filters(province=province, year=year, bloc=bloc, unit=unit, award=award, limit=None)


def current_matching(session: Session, filters: _Filters) -> Select[Any]:
    """Return a query of the ids of the articles whose current record passes `filters`."""
    return select(CurrentRecord.article_id).where(*filters.current_sql(session))


def record_dict(record: ExtractedRecord, article: Article) -> dict[str, Any]:
    """Return the SCHEMA.md shape of a stored record plus where it came from."""
    data = schema_record(
        doc_id=record.doc_id,
        published=record.published.isoformat() if record.published else None,
        province=record.province,
        event_date=record.event_date.isoformat() if record.event_date else None,
        event_kinds=record.event_kinds,
        blocs=record.blocs,
        members=record.members,
        roles=record.roles,
        awards=record.awards,
    )
    data.update(
        article_id=article.id, url=article.url, title=article.title, record_id=record.id, run_id=record.run_id
    )
    return data


def summary(session: Session, *, run_id: int | None = None) -> dict[str, Any]:
    """Count what the store holds.

    Args:
        session: an open session.
        run_id: count the records and facts of this run; by default each article's newest record.

    Returns:
        ``pages`` (stored pages), ``fetches`` (fetches including unchanged refetches),
        ``articles``, ``bloc_news_articles``, ``records``, ``facts`` (by kind: published,
        province, event_date, event_kind, bloc, member, role, award), ``failures`` (by stage)
        and ``unresolved_failures``.
    """
    ids = _newest_record_ids(run_id)
    pages, fetches = session.execute(
        select(func.count(Page.id), func.coalesce(func.sum(Page.fetch_count), 0))
    ).one()
    articles, bloc_news = session.execute(
        select(func.count(Article.id), func.count(Article.id).filter(Article.is_bloc_news.is_(True)))
    ).one()
    records = session.scalar(
        select(func.count()).select_from(ExtractedRecord).where(ExtractedRecord.id.in_(ids))
    )

    facts: dict[str, int] = dict.fromkeys(("published", "province", "event_date", "event_kind"), 0)
    for field_name, n in session.execute(
        select(ScalarFact.field_name, func.count())
        .where(ScalarFact.record_id.in_(ids))
        .group_by(ScalarFact.field_name)
    ).tuples():
        facts[field_name] = n
    for kind, table in (("bloc", BlocFact), ("member", MemberFact), ("role", RoleFact), ("award", AwardFact)):
        facts[kind] = (
            session.scalar(select(func.count()).select_from(table).where(table.record_id.in_(ids))) or 0
        )

    # .all() first: a Result has .keys(), so dict(result) would treat it as a mapping
    failures: dict[str, int] = dict(
        session.execute(select(Failure.stage, func.count()).group_by(Failure.stage)).tuples().all()
    )
    unresolved = session.scalar(select(func.count()).select_from(Failure).where(Failure.resolved.is_(False)))
    return {
        "run_id": run_id,
        "pages": pages,
        "fetches": int(fetches),
        "articles": articles,
        "bloc_news_articles": bloc_news,
        "records": records or 0,
        "facts": facts,
        "failures": failures,
        "unresolved_failures": unresolved or 0,
    }


_ARTICLE_REF = re.compile(r"(?:article-)?(\d{1,18})")


def article_by_ref(session: Session, ref: str) -> Article:
    """Return the article `ref` names: its id ("12"), record doc_id ("article-12") or a URL.

    A URL is matched exactly against the article's URL, its canonical URL and those of every
    page linked to it (print views, syndicated copies).

    Raises:
        ArticleNotFoundError: nothing matches.
        QueryError: `ref` is not text the engines can use.
    """
    ref = _check_text("article", ref).strip()
    number = _ARTICLE_REF.fullmatch(ref)
    found: Article | None
    if number:
        found = session.get(Article, int(number.group(1)))
    else:
        aliases = select(ArticleAlias.article_id).where(
            or_(ArticleAlias.url == ref, ArticleAlias.canonical_url == ref)
        )
        found = session.scalars(
            select(Article)
            .where(or_(Article.url == ref, Article.canonical_url == ref, Article.id.in_(aliases)))
            .order_by(Article.id)
            .limit(1)
        ).one_or_none()
    if found is None:
        raise ArticleNotFoundError(
            f"no article {ref[:120]!r}; give its id (thidua query --json shows article_id), "
            "its doc_id (article-12) or its URL"
        )
    return found
