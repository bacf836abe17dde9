"""Queries for researchers (issue 8, part 5): facet counts and timelines over current records.

Everything here reads *current* records (`store.current`: the newest machine facts with the
editors' corrections laid over them) from their materialised copy (`store.current_table`),
with the filters of `store.queries` (`_Filters.current_sql`), so a facet count, a timeline and
`thidua query` always agree on what a record says. Counts are GROUP BYs and timelines a few
plain queries over `CurrentRecord` and `CurrentFact`; Python only arranges the rows by year.

Decisions:

- **Year of a record**: its event date, else its published date, else the article's
  publication date; a record with none is counted under ``None`` ("undated"). A fact that
  carries its own year (an award's or a role's ``year``) is placed in that year in timelines.
- **Province, old or new**: a filter matches a record whose province has the same key
  ("Bình Phước" finds "Bình Phước") and, when the filter names one of the 34 provinces of
  1 July 2025, also a record of any old province merged into it ("Đồng Nai" finds "Bình
  Phước"). An old name finds only that old province. `store.queries.province_keys` decides,
  for `thidua query`, `export` and `search` as well.
- **Review state** of a record: ``review`` (a machine value changed under a correction),
  else ``corrected`` (an editor changed, added or removed a fact), else ``machine``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, date
from typing import Any, Final

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    Text,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    union,
    union_all,
)
from sqlalchemy.orm import Session

from extract.places import province_2025
from store.errors import QueryError
from store.models import REVIEW_STATES, Article, CurrentDocument, CurrentFact, CurrentRecord
from store.queries import (
    UNIT_FIELDS,
    _check_filters,
    _check_text,
    _Filters,
    _key_or_error,
    batches,
    keys_with,
)

FACETS: Final = ("province", "province_2025", "year", "award", "award_status", "review_state")


@dataclass(frozen=True, slots=True)
class _Extra:
    """The filters this module adds to `matching_article_ids`'s, checked."""

    year_from: int | None
    year_to: int | None
    award_status: str | None
    review_state: str | None


def _check_extra(
    *,
    year_from: int | None,
    year_to: int | None,
    award_status: str | None,
    review: str | None,
) -> _Extra:
    for what, value in (("year-from", year_from), ("year-to", year_to)):
        if value is not None and not MINYEAR <= value <= MAXYEAR:
            raise QueryError(f"{what} must be between {MINYEAR} and {MAXYEAR}, not {value:,}")
    if year_from is not None and year_to is not None and year_from > year_to:
        raise QueryError(f"year-from {year_from} is after year-to {year_to}")
    if award_status is not None and award_status not in ("proposed", "conferred"):
        raise QueryError(f"unknown award status {award_status[:40]!r}; use proposed or conferred")
    if review is not None and review not in REVIEW_STATES:
        raise QueryError(f"unknown review state {review[:40]!r}; use one of {', '.join(REVIEW_STATES)}")
    return _Extra(year_from, year_to, award_status, review)


def _conditions(session: Session, filters: _Filters, extra: _Extra) -> list[ColumnElement[bool]]:
    """Return the conditions on `CurrentRecord` of `find_records`' filters and this module's."""
    where = filters.current_sql(session)
    if extra.year_from is not None or extra.year_to is not None:
        lo, hi = extra.year_from or MINYEAR, extra.year_to or MAXYEAR
        # the same years as `find_records`' --year: event, record or article publication
        where.append(
            or_(
                *(
                    column.between(lo, hi)
                    for column in (
                        CurrentRecord.event_year,
                        CurrentRecord.published_year,
                        CurrentRecord.article_year,
                    )
                )
            )
        )
    if extra.award_status is not None:
        where.append(
            CurrentRecord.article_id.in_(
                # status is set on award rows only (`store.current_table.rows_of`)
                select(CurrentFact.article_id).where(CurrentFact.status == extra.award_status)
            )
        )
    if extra.review_state is not None:
        where.append(CurrentRecord.review_state == extra.review_state)
    return where


def _current(
    session: Session,
    *,
    province: str | None = None,
    year: int | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
    bloc: str | None = None,
    unit: str | None = None,
    award: str | None = None,
    award_status: str | None = None,
    review: str | None = None,
    within: Collection[int] | None = None,
    with_facts: bool = True,
) -> Iterator[tuple[dict[str, Any], date | None]]:
    """Yield (current record, article publication date) for every record passing the filters,
    by article id.

    `within`, when given, keeps only those articles (a text search's hits, say). Records are
    whole current records (`store.current.current_record`), facts included, whatever
    `with_facts` says (kept for callers: the materialised copy holds them anyway).
    """
    extra = _check_extra(year_from=year_from, year_to=year_to, award_status=award_status, review=review)
    filters = _check_filters(province=province, year=year, bloc=bloc, unit=unit, award=award, limit=None)
    ids = list(
        session.scalars(
            select(CurrentRecord.article_id)
            .where(*_conditions(session, filters, extra))
            .order_by(CurrentRecord.article_id)
        )
    )
    if within is not None:
        keep = set(within)
        ids = [i for i in ids if i in keep]
    for chunk in batches(ids):
        stmt = (
            select(CurrentDocument.document, Article.published)
            .join(Article, Article.id == CurrentDocument.article_id)
            .where(CurrentDocument.article_id.in_(chunk))
            .order_by(CurrentDocument.article_id)
        )
        yield from session.execute(stmt).tuples()


def facet_counts(
    session: Session,
    *,
    province: str | None = None,
    year: int | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
    bloc: str | None = None,
    unit: str | None = None,
    award: str | None = None,
    award_status: str | None = None,
    review: str | None = None,
) -> dict[str, Any]:
    """Count the current records passing the filters, per value of each facet.

    Args:
        session: an open session.
        province, year, bloc, unit, award: as `store.queries.find_records`, except that a
            province of 2025 also finds the old provinces merged into it.
        year_from, year_to: an inclusive range over the same years as ``year``.
        award_status: ``proposed`` or ``conferred``: records with such an award.
        review: ``machine``, ``corrected`` or ``review`` (see `review_state`).

    Returns:
        ``records`` (how many pass) and ``facets``: for each of `FACETS` a dict from value
        to number of records. A record counts once per value it has: once under each award
        type and status it holds, under ``None`` for a missing province or year.

    Raises:
        QueryError: a filter that cannot be used as written.
    """
    extra = _check_extra(year_from=year_from, year_to=year_to, award_status=award_status, review=review)
    filters = _check_filters(province=province, year=year, bloc=bloc, unit=unit, award=award, limit=None)
    where = _conditions(session, filters, extra)
    counts: dict[str, Counter[Any]] = {f: Counter() for f in FACETS}
    # one scan for the three facets of the record itself: a few hundred groups at most
    columns = (CurrentRecord.province, CurrentRecord.year, CurrentRecord.review_state)
    for prov, year, state, n in session.execute(
        select(*columns, func.count()).where(*where).group_by(*columns)
    ).tuples():
        counts["province"][prov] += n
        counts["year"][year] += n
        counts["review_state"][state] += n
    total = sum(counts["province"].values())
    # a record counts once under each award type and status it holds: one more scan, grouped by
    # the few combinations records hold (`CurrentRecord.award_kinds`, `award_statuses`)
    held = (CurrentRecord.award_kinds, CurrentRecord.award_statuses)
    for kinds, statuses, n in session.execute(
        select(*held, func.count()).where(*where).group_by(*held)
    ).tuples():
        for kind in kinds.split():
            counts["award"][kind] += n
        for status in statuses.split():
            counts["award_status"][status] += n
    for prov, n in counts["province"].items():
        counts["province_2025"][province_2025(prov) if prov else None] += n
    return {"records": total, "facets": {f: dict(c.most_common()) for f, c in counts.items()}}


# article ids listed per year and per role or award group; the counts are always complete
SAMPLE: Final = 20

# the rows of a timeline query: part, year, four text keys, count, article id (see `_rows`)
_Row = tuple[str, int | None, str | None, str | None, str | None, str | None, int, int | None]


def _text(value: Any) -> Any:
    return cast(value, String)


def _none() -> Any:
    return cast(literal(None), String)


def _part(
    name: str,
    year: Any,
    keys: tuple[Any, Any, Any, Any],
    count: Any,
    aid: Any,
) -> Select[Any]:
    """One branch of a timeline's UNION ALL, its columns in the order of `_Row`."""
    return select(
        literal(name).label("part"),
        year.label("year"),
        *(k.label(f"k{i}") for i, k in enumerate(keys)),
        count.label("n"),
        aid.label("aid"),
    )


def _sampled(
    name: str, source: Any, year: Any, keys: tuple[Any, Any, Any, Any], where: Any = None
) -> Select[Any]:
    """The branch listing each group of (`year`, `keys`) of `source`: its size on every row and
    its first `SAMPLE` article ids (a window, so the group is read once)."""
    group = [year, *(k for k in keys if k is not None)]
    inner = select(
        year.label("year"),
        *(_text(k).label(f"k{i}") if k is not None else _none().label(f"k{i}") for i, k in enumerate(keys)),
        func.count().over(partition_by=group).label("n"),
        func.row_number().over(partition_by=group, order_by=source.c.aid).label("rn"),
        source.c.aid.label("aid"),
    )
    if where is not None:
        inner = inner.where(where)
    w = inner.subquery()
    return _part(name, w.c.year, (w.c.k0, w.c.k1, w.c.k2, w.c.k3), w.c.n, w.c.aid).where(w.c.rn <= SAMPLE)


def _rows(session: Session, parts: list[Select[Any]]) -> list[_Row]:
    # Core rows (`Session.connection`): the answer is a few hundred grouped rows
    return [tuple(r) for r in session.connection().execute(union_all(*parts))]


def _arrange(rows: list[_Row], layout: dict[str, tuple[str, ...]]) -> list[dict[str, Any]]:
    """Return the years of a timeline, oldest first, undated last.

    `rows` are `_rows`' answer: ``year`` rows (how many records, and a sample of their ids),
    ``count`` rows (a name and in how many records: blocs or members) and grouped rows (roles,
    awards, leaders: their key values, their size, a sample of article ids). `layout` maps
    each part to the entry's list and the names of its key columns.
    """
    years: dict[int | None, dict[str, Any]] = {}
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}

    def entry(year: int | None) -> dict[str, Any]:
        if year not in years:
            years[year] = {"year": year, "records": 0, "articles": []} | {
                target: [] for target, *_ in layout.values()
            }
        return years[year]

    for part, year, *keys, n, aid in sorted(rows, key=lambda r: (r[0], r[-1] or 0)):
        e = entry(year)
        if part == "year":
            e["records"] = n
            e["articles"].append(aid)
            continue
        target, *names = layout[part]
        key = (part, year, *keys)
        group = groups.get(key)
        if group is None:
            values = {name: _value(name, v) for name, v in zip(names, keys, strict=False)}
            group = groups[key] = values | {"records": n}
            if part not in _COUNTED:
                group["articles"] = []
            e[target].append(group)
        if part in _COUNTED:
            continue
        group["articles"].append(aid)
    out = []
    for year in sorted(years, key=lambda y: (y is None, y or 0)):
        e = years[year]
        for target, *_ in layout.values():
            e[target].sort(key=lambda g: (-g["records"], json.dumps(g, ensure_ascii=False, sort_keys=True)))
        out.append(e)
    return out


# parts whose rows are one per group (a count), not a sample of articles
_COUNTED: Final = frozenset({"bloc", "member"})


def _value(name: str, value: str | None) -> Any:
    """A key column's value as the timeline gives it: bloc names are a JSON list in the row."""
    if name == "blocs":
        names: list[str] = json.loads(value) if value else []
        return names
    return value


def unit_timeline(session: Session, unit_name: str) -> list[dict[str, Any]]:
    """Return what current records say about one unit, year by year, counted.

    The unit is matched by name key as whole words (`store.queries`), so "Sở Y tế" also finds
    "Sở Y tế tỉnh Bắc Ninh". The year of a fact is its record's (`record_year`), or a role's
    or award's own year when it has one. Each year gives:

    - ``records``: how many records name the unit that year; ``articles``: the first `SAMPLE`
      of their article ids (`thidua query --unit … --year …` lists them all);
    - ``blocs``: ``{"name", "records"}``, the blocs of the records where it is a member or holds
      a role, and in how many;
    - ``roles``: ``{"role", "blocs", "records", "articles"}``, one per role and bloc list;
    - ``awards``: ``{"award", "status", "issuer", "records", "articles"}``.

    Lists are ordered by most records first. The answer is counted in SQL (a unit named in
    a fifth of 100,000 records has tens of thousands of facts), so its size depends on the
    years and groups, not on how many records name the unit.

    Raises:
        QueryError: the name cannot be used as written (no letters, not UTF-8, too long).
    """
    key = _key_or_error("unit", _check_text("unit", unit_name))
    f, r = CurrentFact, CurrentRecord
    at = func.coalesce(f.year, r.year)  # a role's or award's own year first
    facts = (
        select(
            f.article_id.label("aid"),
            f.field.label("field"),
            f.role.label("role"),
            f.award.label("award"),
            f.status.label("status"),
            f.issuer.label("issuer"),
            r.year.label("ry"),
            case((f.field == "member", r.year), else_=at).label("at"),
            _text(cast(r.bloc_names, Text)).label("blocs"),
        )
        .join(r, r.article_id == f.article_id)
        .where(f.name_key.in_(keys_with(session, key)), f.field.in_(UNIT_FIELDS))
        .cte("facts")
        .prefix_with("MATERIALIZED")
    )
    # the years an article names the unit in: its record's (a member or role holder), a role's
    # or award's own
    present = union(
        select(facts.c.ry.label("y"), facts.c.aid).where(facts.c.field != "award"),
        select(facts.c.at.label("y"), facts.c.aid).where(facts.c.field != "member"),
    ).subquery()
    blocs = (
        select(facts.c.ry, facts.c.blocs, func.count(func.distinct(facts.c.aid)))
        .where(facts.c.field != "award")
        .group_by(facts.c.ry, facts.c.blocs)
        .subquery()
    )
    none, no_id, is_role = _none(), cast(literal(None), Integer), facts.c.field == "role"
    rows = _rows(
        session,
        [
            _sampled("year", present, present.c.y, (None, None, None, None)),
            _part(
                "bloc",
                blocs.c.ry,
                (blocs.c.blocs, none, none, none),
                blocs.c[2],
                no_id,
            ),
            _sampled("role", facts, facts.c.at, (facts.c.role, facts.c.blocs, None, None), is_role),
            _sampled(
                "award",
                facts,
                facts.c.at,
                (facts.c.award, facts.c.status, facts.c.issuer, None),
                facts.c.field == "award",
            ),
        ],
    )
    # a record with several blocs counts under each: the bloc rows are per list of names
    per_bloc: Counter[tuple[int | None, str]] = Counter()
    for part, year, names, *_, n, _ in rows:
        if part == "bloc":
            for name in json.loads(names or "[]"):
                per_bloc[year, name] += n
    rows = [row for row in rows if row[0] != "bloc"]
    rows += [("bloc", year, name, None, None, None, n, None) for (year, name), n in per_bloc.items()]
    return _arrange(
        rows,
        {
            "bloc": ("blocs", "name"),
            "role": ("roles", "role", "blocs"),
            "award": ("awards", "award", "status", "issuer"),
        },
    )


def bloc_timeline(session: Session, bloc: str) -> list[dict[str, Any]]:
    """Return the members and leaders of a bloc, year by year, from current records, counted.

    `bloc` is a number ("6") or words of a bloc's name or alias, as `find_records` reads it.
    The year of a record is `record_year`; a role with its own year goes under that year.
    Each year gives ``records`` and ``articles`` (as `unit_timeline`), ``members``
    (``{"name", "records"}``) and ``leaders`` (``{"unit", "role", "records", "articles"}``),
    most records first.

    Raises:
        QueryError: the bloc cannot be used as written.
    """
    filters = _check_filters(province=None, year=None, bloc=bloc, unit=None, award=None, limit=None)
    f, r = CurrentFact, CurrentRecord
    matched = (
        select(r.article_id.label("aid"), r.year.label("ry"))
        .where(*filters.current_sql(session))
        .cte("matched")
        .prefix_with("MATERIALIZED")
    )
    facts = (
        select(
            matched.c.aid,
            matched.c.ry,
            f.field.label("field"),
            f.name.label("name"),
            f.role.label("role"),
            func.coalesce(f.year, matched.c.ry).label("at"),
        )
        .join(matched, matched.c.aid == f.article_id)
        .where(f.field.in_(("member", "role")))
        .cte("facts")
        .prefix_with("MATERIALIZED")
    )
    # a record counts in its own year, and in the own year of a role it names
    present = union(
        select(matched.c.ry.label("y"), matched.c.aid),
        select(facts.c.at.label("y"), facts.c.aid).where(facts.c.field == "role"),
    ).subquery()
    members = (
        select(facts.c.ry, facts.c.name, func.count(func.distinct(facts.c.aid)).label("n"))
        .where(facts.c.field == "member", facts.c.name != "")
        .group_by(facts.c.ry, facts.c.name)
        .subquery()
    )
    none, no_id, is_role = _none(), cast(literal(None), Integer), facts.c.field == "role"
    rows = _rows(
        session,
        [
            _sampled("year", present, present.c.y, (None, None, None, None)),
            _part(
                "member",
                members.c.ry,
                (members.c.name, none, none, none),
                members.c.n,
                no_id,
            ),
            _sampled("leader", facts, facts.c.at, (facts.c.name, facts.c.role, None, None), is_role),
        ],
    )
    return _arrange(rows, {"member": ("members", "name"), "leader": ("leaders", "unit", "role")})
