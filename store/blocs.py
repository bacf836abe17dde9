"""Blocs per province and year, with their members, leaders and awards, from linked current records.

Where `store.research.bloc_timeline` follows a bloc by the words of its name, these follow the
bloc *entity* (`store.entities`): every record whose bloc fact is linked to it, or to a bloc an
editor merged with it, whatever the article called it ("Khối thi đua số 6", "Khối 6", "Khối
các cơ quan Nội chính" once merged). Members, leaders and award recipients are shown as unit
entities too, so one unit spelled three ways is listed once. Records are read through
`store.research` (current records, province old or new, the record's year), so these agree with
`thidua facets` and `thidua query`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.current import current_records
from store.current_table import record_year
from store.entities import (
    LinkedRecord,
    check_province,
    describe,
    entities_by_id,
    find_entities,
    linked_records,
    names_of,
)
from store.entity_corrections import groups
from store.models import Article, FactEntity
from store.queries import batches
from store.research import _current

CHUNK: Final = 500


def linked_current(session: Session, **filters: Any) -> Iterator[LinkedRecord]:
    """Yield the current records passing `store.research`'s filters, linked to their entities."""
    merged = groups(session)
    chunk: list[tuple[dict[str, Any], int | None]] = []
    for record, published in _current(session, with_facts=True, **filters):
        chunk.append((record, record_year(record, published)))
        if len(chunk) == CHUNK:
            yield from linked_records(session, chunk, merged)
            chunk = []
    if chunk:
        yield from linked_records(session, chunk, merged)


def _unit(eid: int | None, name: str, names: dict[int, str]) -> dict[str, Any]:
    return {"id": eid, "name": names.get(eid, name) if eid is not None else name}


def _year_entry(records: list[LinkedRecord], names: dict[int, str]) -> dict[str, Any]:
    """Members, leaders, awards and articles of the records of one bloc and year."""
    members: dict[Any, dict[str, Any]] = {}
    leaders: dict[Any, dict[str, Any]] = {}
    awards: list[dict[str, Any]] = []
    for r in records:
        for f in r.facts["member"]:
            members.setdefault(f.entity_id or f.value, _unit(f.entity_id, f.value, names))
        for f in r.facts["role"]:
            v = f.value
            leaders.setdefault(
                (f.entity_id or v["unit"], v["role"], v["year"]),
                {"role": v["role"], "year": v["year"], "unit": _unit(f.entity_id, v["unit"], names)},
            )
        for f in r.facts["award"]:
            v = f.value
            awards.append(
                {
                    "recipient": _unit(f.entity_id, v["recipient"], names),
                    "award": v["award"],
                    "issuer": v["issuer"],
                    "year": v["year"],
                    "status": v["status"],
                    "article_id": r.article_id,
                }
            )
    return {
        "members": sorted(members.values(), key=lambda m: m["name"]),
        "leaders": list(leaders.values()),
        "awards": awards,
        "articles": sorted({r.article_id for r in records}),
    }


def _all_ids(records: list[LinkedRecord]) -> set[int | None]:
    return {f.entity_id for r in records for facts in r.facts.values() for f in facts}


def blocs_by_year(
    session: Session, *, province: str | None = None, year: int | None = None
) -> list[dict[str, Any]]:
    """Return the blocs of a province (old or new name) and year with what their records say.

    Args:
        session: an open session.
        province: a province of before or since 2025; a province of 2025 takes in the old
            provinces merged into it (as `store.research`). None: every province.
        year: the year of the records (meeting, else publication); None: every year.

    Returns:
        One dict per bloc entity and year, ordered by province, bloc name and year: ``bloc``
        (id, name, province), ``year``, ``members`` (unit id and name), ``leaders`` (role, year,
        unit), ``awards`` (recipient, award, issuer, year, status, article id) and
        ``articles``. Records whose blocs are not linked yet (`thidua link-entities`) are left out.

    Raises:
        QueryError: an unknown province or a year that cannot be used.
    """
    check_province(province)
    by_bloc: dict[tuple[int, int | None], list[LinkedRecord]] = {}
    for r in linked_current(session, province=province, year=year):
        for bid in dict.fromkeys(r.bloc_ids()):
            by_bloc.setdefault((bid, r.year), []).append(r)
    everything = [r for rs in by_bloc.values() for r in rs]
    names = names_of(session, _all_ids(everything) | {b for b, _ in by_bloc})
    blocs = entities_by_id(session, {b for b, _ in by_bloc})
    out = []
    for (bid, y), records in by_bloc.items():
        bloc = blocs[bid]
        out.append(
            {"bloc": {"id": bid, "name": names[bid], "province": bloc.province or None}, "year": y}
            | _year_entry(records, names)
        )
    return sorted(out, key=lambda b: (b["bloc"]["province"] or "", b["bloc"]["name"], b["year"] or 0))


def bloc_history(session: Session, name: str, *, province: str | None = None) -> list[dict[str, Any]]:
    """Return each bloc entity `name` stands for, with its members, leaders and awards year by year.

    Args:
        session: an open session.
        name: a bloc's number ("6") or name, as `store.entities.find_entities` reads it.
        province: old or new name of its province; None: blocs of every province.

    Returns:
        One dict per bloc (merged blocs once, under the kept one): ``bloc`` (`describe`) and
        ``years`` (``year``, ``members``, ``leaders``, ``awards``, ``articles``; undated last).

    Raises:
        QueryError: an unknown province or a name that cannot be used.
    """
    merged = groups(session)
    found = [
        e for e in find_entities(session, name, province=province, kind="bloc") if e["match"] != "successor"
    ]
    reps = list(dict.fromkeys(merged.of(e["id"]) for e in found))
    out = []
    for rep in reps:
        members = merged.group(rep)
        article_ids = list(
            session.scalars(select(FactEntity.article_id).where(FactEntity.entity_id.in_(members)).distinct())
        )
        rows: list[tuple[dict[str, Any], int | None]] = []
        for chunk in batches(article_ids):
            published = dict(
                session.execute(select(Article.id, Article.published).where(Article.id.in_(chunk)))
                .tuples()
                .all()
            )
            rows += [
                (r, record_year(r, published.get(r["article_id"]))) for r in current_records(session, chunk)
            ]
        records = [r for r in linked_records(session, rows, merged) if rep in r.bloc_ids()]
        names = names_of(session, _all_ids(records))
        years: dict[int | None, list[LinkedRecord]] = {}
        for r in records:
            years.setdefault(r.year, []).append(r)
        entity = entities_by_id(session, [rep])[rep]
        out.append(
            {
                "bloc": describe(session, entity, merged),
                "years": [
                    {"year": y} | _year_entry(years[y], names)
                    for y in sorted(years, key=lambda y: (y is None, y or 0))
                ],
            }
        )
    return out
