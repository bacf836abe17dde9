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
- **Timelines follow editors' merges** of units and blocs, as entity pages do: the keys a name's
  words match are extended with the spellings of every merged group one of whose spellings the
  words match (`store.merged_keys` says the rule and why only editors' merges), as the merges
  stand now. Facet counts and `thidua query` match the words only.
"""

from __future__ import annotations

import gc
import json
from collections import Counter
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, date
from typing import Any, Final

from sqlalchemy import (
    ColumnElement,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session

from extract.places import province_2025
from store import counts
from store.errors import QueryError
from store.merged_keys import merged_keys
from store.models import REVIEW_STATES, Article, CurrentDocument, CurrentFact, CurrentRecord
from store.queries import (
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
    # every record: the sums kept with every write (`store.counts`), not a scan
    per_column = counts.record_facets(session) if not where else _per_column(session, where)
    tally: dict[str, Counter[Any]] = {f: Counter() for f in FACETS}
    for facet in ("province", "year", "review_state"):
        for value, n in per_column.get(facet, []):
            tally[facet][value] += n
    # a record counts once under each award type and status it holds
    for facet, column in (("award", "award_kinds"), ("award_status", "award_statuses")):
        for value, n in per_column.get(column, []):
            for code in str(value or "").split():
                tally[facet][code] += n
    total = sum(tally["province"].values())
    for prov, n in tally["province"].items():
        tally["province_2025"][province_2025(prov) if prov else None] += n
    return {"records": total, "facets": {f: dict(c.most_common()) for f, c in tally.items()}}


def _per_column(session: Session, where: list[ColumnElement[bool]]) -> dict[str, list[tuple[Any, int]]]:
    """Count the records passing `where` per value of each column `store.counts.record_facets`
    counts, in the same shape: one scan, grouped by the few combinations records hold."""
    names = ("province", "year", "review_state", "award_kinds", "award_statuses")
    columns = [getattr(CurrentRecord, name) for name in names]
    out: dict[str, list[tuple[Any, int]]] = {name: [] for name in names}
    for *values, n in session.execute(select(*columns, func.count()).where(*where).group_by(*columns)):
        for name, value in zip(names, values, strict=True):
            out[name].append((value, n))
    return out


def _arrange(
    rows: list[tuple[int | None, str, str | None, str | None, str | None, str | None, int]],
    layout: dict[str, tuple[str, ...]],
) -> list[dict[str, Any]]:
    """Return the years of a timeline from `store.counts.sums` rows, oldest first, undated last.

    A ``year`` row gives the year's ``records``; every other part is a list of the entry
    (`layout`: part -> the entry's key and the names of the group's columns), each group with
    its count as ``records``, most first.
    """
    empty: list[str] = [target for target, *_ in layout.values()]
    specs = {part: (target, tuple(names)) for part, (target, *names) in layout.items()}
    years: dict[int | None, dict[str, Any]] = {}
    # (sort key, group) per entry's list: most records first, then by the group's values
    lists: dict[tuple[int | None, str], list[tuple[tuple[Any, ...], dict[str, Any]]]] = {}
    for year, part, k0, k1, k2, k3, n in rows:
        entry = years.get(year)
        if entry is None:
            entry = years[year] = {"year": year, "records": 0, **{t: [] for t in empty}}
        if part == "year":
            entry["records"] += n
            continue
        target, names = specs[part]
        keys = (k0, k1, k2, k3)[: len(names)]
        group: dict[str, Any] = dict(zip(names, keys, strict=True))
        if "blocs" in group:
            group["blocs"] = json.loads(group["blocs"] or "[]")
        group["records"] = n
        order = (-n, *("" if k is None else k for k in keys))
        lists.setdefault((year, target), []).append((order, group))
    for (year, target), groups in lists.items():
        groups.sort(key=lambda item: item[0])
        years[year][target] = [group for _, group in groups]
    return [years[year] for year in sorted(years, key=lambda y: (y is None, y or 0))]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a timeline is read and arranged.

    A bloc named across provinces has some 6,000 groups: the objects built for them set off full
    collections, each of which walks every object of the process, and one call in three took
    twice as long (45 → 120 ms at 100,000 records, bench/README.md). What is built here holds no
    cycles, so reference counting frees it; the collector resumes as it was when the block ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _keys_where(keys: list[str] | Any, merged: list[str], number: str | None = None) -> ColumnElement[bool]:
    """The count rows of the words' `keys` (`keys_with`: a list, or a subquery when there are
    very many), of the `merged` keys (`store.merged_keys`) or of the bloc `number`: one
    condition, so a row matching both is summed once."""
    if isinstance(keys, list):
        # one list of values, as before: the planner picks its plan by their frequency
        return counts.by_keys([*keys, *sorted(set(merged) - set(keys))], number=number)
    where = counts.by_keys(keys, number=number)
    return or_(where, counts.by_keys(merged)) if merged else where


def unit_timeline(session: Session, unit_name: str) -> list[dict[str, Any]]:
    """Return what current records say about one unit, year by year, counted.

    The unit is matched by name key as whole words (`store.queries`), so "Sở Y tế" also finds
    "Sở Y tế tỉnh Bắc Ninh". The year of a fact is its record's (`record_year`), or a role's
    or award's own year when it has one. Each year gives:

    - ``records``: how many records name the unit that year (`thidua query --unit … --year …`
      lists them);
    - ``blocs``: ``{"name", "records"}``, the blocs of the records where it is a member or holds
      a role, and in how many;
    - ``roles``: ``{"role", "blocs", "records"}``, one per role and the record's bloc names;
    - ``awards``: ``{"award", "status", "issuer", "records"}``.

    Lists are ordered by most records first. The answer is read from the yearly counts kept
    with every write (`store.counts`): a few hundred rows, however many records name the unit.
    A record naming two spellings the words match counts under each.

    Editors' merges apply (`store.merged_keys`): when the words match a spelling of a unit an
    editor merged with others, the spellings of the whole merged group count too, as merges
    stand now (after a split, the spellings of the unit split out no longer do). So the
    timeline may count more records than `thidua query --unit` lists, which follows the words
    only.

    Raises:
        QueryError: the name cannot be used as written (no letters, not UTF-8, too long).
    """
    key = _key_or_error("unit", _check_text("unit", unit_name))
    where = _keys_where(keys_with(session, key), merged_keys(session, "unit", key))
    with _collector_paused():
        rows = counts.sums(session, "unit", where)
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
    The year of a record is `record_year`; a role with its own year goes under that year too.
    Each year gives ``records``, ``members`` (``{"name", "records"}``) and ``leaders``
    (``{"unit", "role", "records"}``), most records first, from the yearly counts
    (`store.counts`); a record with two blocs the words match counts under each.

    Editors' merges apply as in `unit_timeline` (`store.merged_keys`): a merged group one of
    whose spellings the words match, or holding a bloc of the number asked for, adds the
    spellings of every bloc in it.

    Raises:
        QueryError: the bloc cannot be used as written.
    """
    filters = _check_filters(province=None, year=None, bloc=bloc, unit=None, award=None, limit=None)
    assert filters.bloc_key is not None  # a bloc was given, and checked
    where = _keys_where(
        keys_with(session, filters.bloc_key),
        merged_keys(session, "bloc", filters.bloc_key, number=filters.bloc_number),
        number=filters.bloc_number,
    )
    with _collector_paused():
        rows = counts.sums(session, "bloc", where)
        return _arrange(rows, {"member": ("members", "name"), "leader": ("leaders", "unit", "role")})
