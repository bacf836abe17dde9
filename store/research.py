"""Queries for researchers (issue 8, part 5): facet counts and timelines over current records.

Everything here reads *current* records (`store.current`: the newest machine facts with the
editors' corrections laid over them), selected by `store.queries.matching_article_ids`, so a
facet count, a timeline and `thidua query` always agree on what a record says. The SQL is
the parameterised SQLAlchemy of those two modules; what is added here (counting, grouping by
year, the 2025 province merge) is done in Python over the records, because corrections are
only known after the overlay.

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

from collections import Counter, defaultdict
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, date
from typing import Any, Final

from sqlalchemy import ColumnElement, and_, exists, extract, func, or_, select
from sqlalchemy.orm import Session

from extract.places import province_2025
from extract.record import schema_record
from store.current import current_records
from store.errors import QueryError
from store.keys import name_key
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
from store.queries import (
    _check_filters,
    _check_text,
    _corrected_candidates,
    _Filters,
    _iso_year,
    _key_or_error,
    batches,
    is_newest_record,
    matching_article_ids,
)

FACETS: Final = ("province", "province_2025", "year", "award", "award_status", "review_state")
REVIEW_STATES: Final = ("machine", "corrected", "review")


@dataclass(frozen=True, slots=True)
class _Extra:
    """The filters this module adds to `matching_article_ids`'s, checked."""

    year_from: int | None
    year_to: int | None
    award_status: str | None
    review_state: str | None

    def match(self, record: dict[str, Any], article_published: date | None) -> bool:
        if self.year_from is not None or self.year_to is not None:
            lo, hi = self.year_from or MINYEAR, self.year_to or MAXYEAR
            # the same years as `find_records`'s --year: event, record or article publication
            years = {_iso_year(record["event_date"]), _iso_year(record["published"])}
            years.add(article_published.year if article_published else None)
            if not any(y is not None and lo <= y <= hi for y in years):
                return False
        if self.award_status is not None and not any(
            a["status"] == self.award_status for a in record["awards"]
        ):
            return False
        return self.review_state is None or review_state(record) == self.review_state


def review_state(record: dict[str, Any]) -> str:
    """Return ``review``, ``corrected`` or ``machine`` for a current record (see module doc)."""
    if record["review"]:
        return "review"
    return "corrected" if record["corrected_facts"] else "machine"


def record_year(record: dict[str, Any], article_published: date | None) -> int | None:
    """Return the year of a record: event date, else published date, else the article's."""
    for value in (record["event_date"], record["published"]):
        year = _iso_year(value)
        if year is not None:
            return year
    return article_published.year if article_published else None


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
    with_facts: bool = False,
) -> Iterator[tuple[dict[str, Any], date | None]]:
    """Yield (current record, article publication date) for every record passing the filters.

    `within`, when given, keeps only those articles (a text search's hits, say). `with_facts` asks
    for whole current records (with their ``facts`` and fact keys, as entity linking needs) instead
    of the lighter machine records this module's own queries read.
    """
    extra = _check_extra(year_from=year_from, year_to=year_to, award_status=award_status, review=review)
    # a 2025 province takes in the old provinces merged into it (store.queries.province_keys)
    ids = matching_article_ids(session, province=province, year=year, bloc=bloc, unit=unit, award=award)
    if within is not None:
        keep = set(within)
        ids = [i for i in ids if i in keep]
    corrected = set(session.scalars(select(Correction.article_id).distinct()))
    for chunk in batches(ids):
        published = dict(
            session.execute(select(Article.id, Article.published).where(Article.id.in_(chunk))).tuples().all()
        )
        if with_facts:
            records = current_records(session, chunk)
        else:
            records = _machine_records(session, [a for a in chunk if a not in corrected])
            records += current_records(session, [a for a in chunk if a in corrected])
        for record in sorted(records, key=lambda r: int(r["article_id"])):
            when = published.get(record["article_id"])
            if extra.match(record, when):
                yield record, when


def _machine_records(session: Session, article_ids: list[int]) -> list[dict[str, Any]]:
    """Return the current records of uncorrected articles: their newest machine records.

    What `store.current.current_records` returns for an article without corrections, limited to
    the SCHEMA.md fields and ``article_id``, ``review`` and ``corrected_facts`` that this module
    reads, in six plain queries instead of the overlay's ORM objects (several times faster, which
    matters when a timeline reads thousands of records).
    """
    if not article_ids:
        return []
    newest = {
        record_id: (article_id, doc_id)
        for record_id, article_id, doc_id in session.execute(
            select(ExtractedRecord.id, ExtractedRecord.article_id, ExtractedRecord.doc_id).where(
                is_newest_record(), ExtractedRecord.article_id.in_(article_ids)
            )
        ).tuples()
    }
    ids = list(newest)
    facts: dict[str, dict[int, list[Any]]] = {}
    for name, table in (
        ("blocs", BlocFact),
        ("members", MemberFact),
        ("roles", RoleFact),
        ("awards", AwardFact),
    ):
        rows: dict[int, list[Any]] = {i: [] for i in ids}
        for row in session.execute(
            select(table.__table__).where(table.record_id.in_(ids)).order_by(table.record_id, table.position)
        ):
            rows[row.record_id].append(row)
        facts[name] = rows
    scalars: dict[int, dict[str, Any]] = {i: {"event_kind": []} for i in ids}
    for record_id, field, value in session.execute(
        select(ScalarFact.record_id, ScalarFact.field_name, ScalarFact.value)
        .where(ScalarFact.record_id.in_(ids))
        .order_by(ScalarFact.record_id, ScalarFact.position)
    ):
        if field == "event_kind":
            if value:
                scalars[record_id]["event_kind"].append(value)
        elif value is not None:
            scalars[record_id].setdefault(field, value)  # one per record (store.facts._rows)
    out = []
    for record_id, (article_id, doc_id) in newest.items():
        data = schema_record(
            doc_id=doc_id,
            published=scalars[record_id].get("published"),
            province=scalars[record_id].get("province"),
            event_date=scalars[record_id].get("event_date"),
            event_kinds=scalars[record_id]["event_kind"],
            blocs=facts["blocs"][record_id],
            members=facts["members"][record_id],
            roles=facts["roles"][record_id],
            awards=facts["awards"][record_id],
        )
        data.update(article_id=article_id, record_id=record_id, review=[], corrected_facts=0)
        out.append(data)
    return out


def _count_machine(
    session: Session, filters: _Filters, extra: _Extra, counts: dict[str, Counter[Any]]
) -> int:
    """Count the uncorrected records passing the filters into `counts`, in SQL; return how many."""
    where = [
        is_newest_record(),
        ExtractedRecord.article_id.not_in(select(Correction.article_id)),
        *filters.sql(),
    ]
    if extra.year_from is not None or extra.year_to is not None:
        lo, hi = extra.year_from or MINYEAR, extra.year_to or MAXYEAR
        where.append(
            or_(
                *(
                    _years_between(c, lo, hi)
                    for c in (ExtractedRecord.event_date, ExtractedRecord.published, Article.published)
                )
            )
        )
    if extra.award_status is not None:
        where.append(
            exists().where(AwardFact.record_id == ExtractedRecord.id, AwardFact.status == extra.award_status)
        )
    year = func.coalesce(ExtractedRecord.event_date, ExtractedRecord.published, Article.published)
    base = (
        select(
            ExtractedRecord.id.label("record_id"),
            ExtractedRecord.province.label("province"),
            extract("year", year).label("year"),
        )
        .join(Article, ExtractedRecord.article_id == Article.id)
        .where(*where)
        .subquery()
    )
    total = 0
    for prov, n in session.execute(select(base.c.province, func.count()).group_by(base.c.province)):
        counts["province"][prov] += n
        total += n
    for y, n in session.execute(select(base.c.year, func.count()).group_by(base.c.year)):
        counts["year"][None if y is None else int(y)] += n
    for facet, column in (("award", AwardFact.award), ("award_status", AwardFact.status)):
        stmt = (
            select(column, func.count(AwardFact.record_id.distinct()))
            .where(AwardFact.record_id.in_(select(base.c.record_id)))
            .group_by(column)
        )
        for value, n in session.execute(stmt):
            counts[facet][value] += n
    if total:
        counts["review_state"]["machine"] += total
    return total


def _years_between(column: Any, lo: int, hi: int) -> ColumnElement[bool]:
    # a range, not extract('year'), so an index on the date column can serve it
    since: ColumnElement[bool] = column >= date(lo, 1, 1)
    return since if hi == MAXYEAR else and_(since, column < date(hi + 1, 1, 1))


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
    counts: dict[str, Counter[Any]] = {f: Counter() for f in FACETS}
    # uncorrected records are counted in SQL: their current record is the machine's, review
    # state "machine"; a review filter of "corrected" or "review" can match none of them
    total = 0 if review in ("corrected", "review") else _count_machine(session, filters, extra, counts)
    # corrected ones are overlaid and counted in Python, as `find_records` reads them
    for chunk in batches(_corrected_candidates(session, filters)):
        published = dict(
            session.execute(select(Article.id, Article.published).where(Article.id.in_(chunk))).tuples().all()
        )
        for record in current_records(session, chunk):
            when = published.get(record["article_id"])
            if not (filters.match(record, when) and extra.match(record, when)):
                continue
            total += 1
            prov = record["province"]
            counts["province"][prov] += 1
            counts["year"][record_year(record, when)] += 1
            counts["award"].update({a["award"] for a in record["awards"]})
            counts["award_status"].update({a["status"] for a in record["awards"]})
            counts["review_state"][review_state(record)] += 1
    for prov, n in counts["province"].items():
        counts["province_2025"][province_2025(prov) if prov else None] += n
    return {"records": total, "facets": {f: dict(c.most_common()) for f, c in counts.items()}}


def _same_unit(key: str, name: str | None) -> bool:
    # whole words, as `store.queries` matches a unit: "so y te" is "Sở Y tế tỉnh Bắc Ninh"
    return bool(name) and f" {key} " in f" {name_key(name)} "


def _timeline(years: dict[int | None, dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the years as a list, oldest first, undated last, with sets made sorted lists."""
    out = []
    for year in sorted(years, key=lambda y: (y is None, y or 0)):
        entry: dict[str, Any] = {"year": year}
        for k, v in years[year].items():
            entry[k] = sorted(v) if isinstance(v, set) else v
        out.append(entry)
    return out


def unit_timeline(session: Session, unit_name: str) -> list[dict[str, Any]]:
    """Return what current records say about one unit, year by year.

    The unit is matched by name key as whole words (`store.queries`), so "Sở Y tế" also finds
    "Sở Y tế tỉnh Bắc Ninh". Each year (see `record_year`; a role or award with its own year
    goes under that year) lists ``blocs`` (names of the blocs of records where the unit is a
    member or holds a role), ``roles`` (role, bloc names, article id), ``awards`` (award,
    status, issuer, article id) and ``articles`` (ids).

    Raises:
        QueryError: the name cannot be used as written (no letters, not UTF-8, too long).
    """
    key = _key_or_error("unit", _check_text("unit", unit_name))
    years: dict[int | None, dict[str, Any]] = defaultdict(
        lambda: {"blocs": set(), "roles": [], "awards": [], "articles": set()}
    )
    for record, published in _current(session, unit=unit_name):
        year = record_year(record, published)
        aid = record["article_id"]
        blocs = [b["name"] for b in record["blocs"] if b["name"]]
        in_bloc = any(_same_unit(key, m) for m in record["members"])
        for role in record["roles"]:
            if _same_unit(key, role["unit"]):
                in_bloc = True
                at = role["year"] if role["year"] is not None else year
                years[at]["roles"].append({"role": role["role"], "blocs": blocs, "article_id": aid})
                years[at]["articles"].add(aid)
        if in_bloc:
            years[year]["blocs"].update(blocs)
            years[year]["articles"].add(aid)
        for award in record["awards"]:
            if _same_unit(key, award["recipient"]):
                at = award["year"] if award["year"] is not None else year
                years[at]["awards"].append(
                    {
                        "award": award["award"],
                        "status": award["status"],
                        "issuer": award["issuer"],
                        "article_id": aid,
                    }
                )
                years[at]["articles"].add(aid)
    return _timeline(years)


def bloc_timeline(session: Session, bloc: str) -> list[dict[str, Any]]:
    """Return the members and leaders of a bloc, year by year, from current records.

    `bloc` is a number ("6") or words of a bloc's name or alias, as `find_records` reads it.
    Each year (see `record_year`; a role with its own year goes under that year) lists
    ``members`` (unit names), ``leaders`` (unit and role) and ``articles`` (ids).

    Raises:
        QueryError: the bloc cannot be used as written.
    """
    years: dict[int | None, dict[str, Any]] = defaultdict(
        lambda: {"members": set(), "leaders": set(), "articles": set()}
    )
    for record, published in _current(session, bloc=bloc):
        year = record_year(record, published)
        years[year]["members"].update(m for m in record["members"] if m)
        years[year]["articles"].add(record["article_id"])
        for role in record["roles"]:
            at = role["year"] if role["year"] is not None else year
            years[at]["leaders"].add((role["unit"], role["role"]))
            years[at]["articles"].add(record["article_id"])
    timeline = _timeline(years)
    for entry in timeline:
        entry["leaders"] = [{"unit": u, "role": r} for u, r in entry["leaders"]]
    return timeline
