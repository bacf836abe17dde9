"""Yearly counts kept with every write: what timelines and the unfiltered facet counts read.

A unit's timeline sums, year by year, every record that names it; for a unit named in a fifth
of 100,000 records that is some 47,000 fact rows to group at query time (half a second on
PostgreSQL, bench/README.md "store_scale"). Instead, every write of a materialised current
record (`store.current_table.write`) also appends here what the article adds to those sums and
what its previous version took away: rows ``(scope, key, number, year, part, k0…k3, n)`` with
``n`` = +1 or −1 (summed per batch). A timeline then sums the few hundred rows of its keys.

Scopes and parts (one article's contribution):

- ``unit``, key = a unit's name key (`CurrentFact.name_key` of a member, role holder or award
  recipient): ``year`` once per year the article names it in (its record's year as a member or
  role holder; a role's or award's own year, else the record's); ``bloc`` (k0 = bloc name) once
  per bloc of the record, in the record's year, when the unit is a member or holds a role;
  ``role`` (k0 = role, k1 = the record's bloc names as JSON) and ``award`` (k0 award, k1 status,
  k2 issuer) once per fact, in its own year or the record's.
- ``bloc``, key = a bloc fact's names key, number = its number: ``year`` (the record's year, and
  the own year of each role it names), ``member`` (k0 = name) once per distinct member, ``leader``
  (k0 = unit, k1 = role) once per role fact.
- ``record``, key "": one ``facet`` row per record (year = the record's year, k0 province, k1
  review state, k2 award kinds, k3 award statuses): the facet counts over every record.

Decisions:

- **Append, never update.** Writers only insert, so a crawler storing and an editor correcting
  at once never wait on a shared counter row, and no lock order can deadlock them. Readers sum
  (``GROUP BY … HAVING sum(n) <> 0``); `compact` folds the rows into one per group, once per
  finished run (`store.repository.finish_run`), so reads stay a few hundred rows per key; only the keys with
  rows appended since their last fold are rewritten.
- **Per key, summed at read time.** A timeline by words sums the keys its words match, and
  the spellings editors' merges join to them (`store.merged_keys`); a record
  naming two matching spellings ("Sở Tư pháp" and "Sở Tư pháp tỉnh Gia Lai") counts under
  each. Exact per key; a mention count across keys.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any, Final, cast

from sqlalchemy import (
    ColumnElement,
    String,
    Table,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session

from store.models import CurrentCount, CurrentFact, CurrentRecord

# (scope, key, number, year, part, k0, k1, k2, k3): one group of a sum
Group = tuple[str, str, str | None, int | None, str, str | None, str | None, str | None, str | None]
GROUP_COLUMNS: Final = ("scope", "key", "number", "year", "part", "k0", "k1", "k2", "k3")
COUNT_TABLE: Final = cast(Table, CurrentCount.__table__)
# articles read back per statement by `recount`
BATCH: Final = 2000


def contributions(head: dict[str, Any], facts: Sequence[dict[str, Any]]) -> Counter[Group]:
    """Return what one current record adds to the sums: its groups, each with its count.

    `head` and `facts` are `store.current_table.rows_of`'s rows (or the same columns read back
    from `CurrentRecord` and `CurrentFact`).
    """
    out: Counter[Group] = Counter()
    ry: int | None = head["year"]
    blocs_json = json.dumps(head["bloc_names"], ensure_ascii=False)
    out["record", "", None, ry, "facet", head["province"], head["review_state"], head["award_kinds"],
        head["award_statuses"]] += 1  # fmt: skip
    present: set[tuple[str, int | None]] = set()
    in_blocs: set[str] = set()
    for f in facts:
        key, field = f["name_key"], f["field"]
        if field == "bloc" or not key:
            continue
        at = f["year"] if f["year"] is not None else ry
        if field != "award":  # a member or role holder: in the record's blocs that year
            present.add((key, ry))
            in_blocs.add(key)
        if field == "member":
            continue
        present.add((key, at))
        if field == "role":
            out["unit", key, None, at, "role", f["role"], blocs_json, None, None] += 1
        else:
            out["unit", key, None, at, "award", f["award"], f["status"], f["issuer"], None] += 1
    for key, year in present:
        out["unit", key, None, year, "year", None, None, None, None] += 1
    for key in in_blocs:
        for name in set(head["bloc_names"]):
            out["unit", key, None, ry, "bloc", name, None, None, None] += 1
    members = {f["name"] for f in facts if f["field"] == "member" and f["name"]}
    roles = [f for f in facts if f["field"] == "role"]
    years = {ry} | {f["year"] if f["year"] is not None else ry for f in roles}
    for b in facts:
        if b["field"] != "bloc":
            continue
        identity = ("bloc", b["name_key"], b["number"])
        for year in years:
            out[(*identity, year, "year", None, None, None, None)] += 1
        for name in members:
            out[(*identity, ry, "member", name, None, None, None)] += 1
        for r in roles:
            at = r["year"] if r["year"] is not None else ry
            out[(*identity, at, "leader", r["name"], r["role"], None, None)] += 1
    return out


Rows = tuple[dict[str, Any], list[dict[str, Any]]]  # a current record's head and facts


def stored_rows(session: Session, article_ids: Sequence[int]) -> dict[int, Rows]:
    """Return the materialised rows of `article_ids` as they are now: (head, facts) per article,
    with the columns `contributions` reads."""
    heads = {
        row.article_id: dict(row._mapping)
        for row in session.execute(
            select(
                CurrentRecord.article_id,
                CurrentRecord.year,
                CurrentRecord.province,
                CurrentRecord.review_state,
                CurrentRecord.award_kinds,
                CurrentRecord.award_statuses,
                CurrentRecord.bloc_names,
            ).where(CurrentRecord.article_id.in_(article_ids))
        )
    }
    out: dict[int, Rows] = {aid: (h, []) for aid, h in heads.items()}
    facts = session.execute(
        select(
            CurrentFact.article_id,
            CurrentFact.field,
            CurrentFact.name,
            CurrentFact.name_key,
            CurrentFact.number,
            CurrentFact.role,
            CurrentFact.award,
            CurrentFact.status,
            CurrentFact.issuer,
            CurrentFact.year,
        )
        .where(CurrentFact.article_id.in_(article_ids))
        .order_by(CurrentFact.article_id, CurrentFact.field, CurrentFact.position)
    )
    for row in facts:
        if row.article_id in out:
            out[row.article_id][1].append(dict(row._mapping))
    return out


def append(session: Session, delta: Counter[Group], *, folded: bool = False) -> int:
    """Insert the non-zero groups of `delta` (a write's additions minus what it replaced).

    `folded`: the rows are whole sums, one per group (`recount`), so `compact` leaves them be.
    """
    rows = [
        dict(zip(GROUP_COLUMNS, group, strict=True)) | {"n": n, "folded": folded}
        for group, n in delta.items()
        if n
    ]
    if rows:
        # Core, not the ORM's bulk path: a few dozen rows per article, written on every save
        session.connection().execute(insert(COUNT_TABLE), rows)
    return len(rows)


def compact(session: Session) -> int:
    """Fold the rows of every key that has rows appended since it was last folded into one per
    group (its sum; groups summing to 0 are dropped); the other keys' rows are not touched.

    Run in the caller's transaction. Rows a concurrent writer has not committed yet are left as
    they are (PostgreSQL: one statement deletes the rows it sees and inserts their sums; SQLite
    has one writer at a time). Returns how many folded rows it wrote.
    """
    top = session.scalar(select(func.max(CurrentCount.id)).where(CurrentCount.folded.is_(False)))
    if top is None:  # nothing appended since the last fold
        return 0
    columns = ", ".join(GROUP_COLUMNS)
    touched = "SELECT DISTINCT scope, key FROM current_count WHERE NOT folded AND id <= :top"
    fold = f"SELECT {columns}, sum(n), true FROM {{rows}} GROUP BY {columns} HAVING sum(n) <> 0"
    if session.get_bind().dialect.name == "postgresql":
        statements = [
            f"WITH touched AS ({touched}), gone AS (DELETE FROM current_count AS c USING touched AS t "
            f"WHERE c.scope = t.scope AND c.key = t.key AND c.id <= :top RETURNING c.*) "
            f"INSERT INTO current_count ({columns}, n, folded) " + fold.format(rows="gone")
        ]
    else:
        rows = f"(SELECT * FROM current_count WHERE id <= :top AND (scope, key) IN ({touched}))"
        statements = [
            f"INSERT INTO current_count ({columns}, n, folded) " + fold.format(rows=rows),
            f"DELETE FROM current_count WHERE id <= :top AND (scope, key) IN ({touched})",
        ]
    written = session.execute(text(statements[0]), {"top": top})
    for statement in statements[1:]:
        session.execute(text(statement), {"top": top})
    return int(getattr(written, "rowcount", 0) or 0)


def recount(session: Session, *, batch: int = BATCH) -> int:
    """Rebuild every count from the materialised current records (a migration's backfill, or a
    repair). Returns how many rows it wrote, folded."""
    session.execute(delete(CurrentCount))
    ids = list(session.scalars(select(CurrentRecord.article_id).order_by(CurrentRecord.article_id)))
    total: Counter[Group] = Counter()
    for start in range(0, len(ids), batch):
        for head, facts in stored_rows(session, ids[start : start + batch]).values():
            total.update(contributions(head, facts))
    return append(session, total, folded=True)


def totals(session: Session) -> Counter[Group]:
    """Return every group's sum (zeros left out): what `recount` must reproduce."""
    c = CurrentCount
    columns = [getattr(c, name) for name in GROUP_COLUMNS]
    total = func.sum(c.n)
    rows = session.execute(select(*columns, total).group_by(*columns).having(total != 0))
    return Counter({tuple(r[:-1]): int(r[-1]) for r in rows})


def sums(
    session: Session, scope: str, where: ColumnElement[bool]
) -> list[tuple[int | None, str, str | None, str | None, str | None, str | None, int]]:
    """Return (year, part, k0, k1, k2, k3, count) of the groups of `scope` passing `where`."""
    c = CurrentCount
    columns = (c.year, c.part, c.k0, c.k1, c.k2, c.k3)
    total = func.sum(c.n)
    stmt = select(*columns, total).where(c.scope == scope, where).group_by(*columns).having(total != 0)
    # Core rows (`Session.connection`): thousands of groups for a bloc named across provinces
    return session.connection().execute(stmt).tuples().all()  # type: ignore[return-value]


def record_facets(session: Session) -> dict[str, list[tuple[str | int | None, int]]]:
    """Return the record scope's counts per value of each of its columns: ``year``,
    ``province`` (k0), ``review_state`` (k1), ``award_kinds`` (k2), ``award_statuses`` (k3).

    One statement, each column summed apart, so a few hundred rows come back instead of every
    combination (17,000 at 100,000 records).
    """
    c = CurrentCount
    rows = select(c.year, c.k0, c.k1, c.k2, c.k3, c.n).where(c.scope == "record", c.key == "").cte("rows")
    parts = [
        select(literal(name), sql_cast(column, String), func.sum(rows.c.n)).group_by(column)
        for name, column in (
            ("year", rows.c.year),
            ("province", rows.c.k0),
            ("review_state", rows.c.k1),
            ("award_kinds", rows.c.k2),
            ("award_statuses", rows.c.k3),
        )
    ]
    out: dict[str, list[tuple[str | int | None, int]]] = {}
    for name, value, n in session.connection().execute(union_all(*parts)):
        if n:
            if name == "year" and value is not None:
                value = int(value)
            out.setdefault(name, []).append((value, int(n)))
    return out


def by_keys(keys: Iterable[str] | Any, number: str | None = None) -> ColumnElement[bool]:
    """The condition on count rows of these keys (a list, or a subquery of keys), or this bloc
    number."""
    condition: ColumnElement[bool] = CurrentCount.key.in_(keys)
    if number is not None:
        condition = or_(condition, CurrentCount.number == number)
    return condition
