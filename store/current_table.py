"""The current record, materialised: `store.current`'s output kept in tables the queries read.

`store.current.current_records` stays the one definition of a current record (newest machine
facts with the editors' corrections laid over them); this module keeps its output in
`CurrentRecord` (one row per article: the columns a researcher filters, sorts and counts by),
`CurrentDocument` (the record itself, as JSON), `CurrentFact` (its blocs, members, roles and
awards with their name keys) and `CurrentNameKey` (every name key once), so `store.queries`,
`store.research` and `store.search` answer with plain indexed SQL instead of overlaying
corrections on every query (bench/README.md, "store_scale").

`write` is the only writer, called by `refresh` (any articles, read back from the store) and
`refresh_article` (one article whose newest record is in hand) inside the writer's transaction
wherever what the overlay reads changes: `store.repository.save_record` (a new newest record, from
a crawl or a re-extraction) and `store.corrections` (every correction and undo). Entity merges and splits do
not change a current record (queries match names, not entities; timelines read the merges when
asked, `store.merged_keys`), so they do not refresh.

Decision: **the article row is locked before the overlay is read** (PostgreSQL ``FOR NO KEY
UPDATE``, as `store.corrections.lock_article` takes it). Two writers of one article (a crawler
storing a new run, an editor correcting) otherwise each compute the record without the other's
uncommitted write, and whichever commits last would leave a cache missing the other's. With the
lock the second waits until the first commits, then reads both (READ COMMITTED reads afresh at
every statement). The wait is one writer's transaction on one article; SQLite has one writer
at a time anyway.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, Final

from sqlalchemy import delete, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from store.counts import Group, append, contributions, stored_rows
from store.current import Overlay, build_overlay, current_overlays
from store.keys import NAMES_KEY_SEPARATOR, name_key, province_key
from store.models import (
    Article,
    Correction,
    CurrentDocument,
    CurrentFact,
    CurrentNameKey,
    CurrentRecord,
    ExtractedRecord,
)

# the sort date of an undated record: before every real date, so it comes last newest-first
UNDATED: Final = date.min
# articles refreshed per batch by `rebuild`: a handful of overlay queries and writes each
BATCH: Final = 500


def iso_year(value: object) -> int | None:
    """Return the year of an ISO date string, or None (not a string, not a date)."""
    try:
        return date.fromisoformat(value).year if isinstance(value, str) else None
    except ValueError:
        return None


def review_state(record: dict[str, Any]) -> str:
    """Return ``review``, ``corrected`` or ``machine`` for a current record.

    ``review``: a machine value changed under a correction; ``corrected``: an editor changed,
    added or removed a fact; else ``machine``.
    """
    if record["review"]:
        return "review"
    return "corrected" if record["corrected_facts"] else "machine"


def record_year(record: dict[str, Any], article_published: date | None) -> int | None:
    """Return the year of a record: event date, else published date, else the article's."""
    for value in (record["event_date"], record["published"]):
        year = iso_year(value)
        if year is not None:
            return year
    return article_published.year if article_published else None


def sort_date(record: dict[str, Any], article_published: date | None) -> date:
    """Return the date `store.queries.find_records` sorts by: event, published, the article's."""
    for value in (record["event_date"], record["published"]):
        if iso_year(value) is not None:
            return date.fromisoformat(value)
    return article_published or UNDATED


def bloc_names_key(bloc: dict[str, Any]) -> str:
    """Return the key of a bloc's name and aliases, as `BlocFact.names_key` holds it."""
    return NAMES_KEY_SEPARATOR.join(k for k in map(name_key, [bloc["name"], *bloc["aliases"]]) if k)


def table_row(record: dict[str, Any], article_published: date | None) -> dict[str, Any]:
    """Return what the results table shows of a record beyond the other columns (`CurrentRecord`'s
    ``row_date``, ``first_bloc``, counts and extractor version)."""
    shown = record["event_date"] or record["published"] or article_published
    return {
        "row_date": shown.isoformat() if isinstance(shown, date) else shown,
        "first_bloc": record["blocs"][0]["name"] if record["blocs"] else None,
        "members": len(record["members"]),
        "roles": len(record["roles"]),
        "awards": len(record["awards"]),
        "extractor_version": record["extractor_version"],
    }


def rows_of(
    record: dict[str, Any], article_published: date | None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Return the `CurrentRecord` row and the `CurrentFact` rows of one current record."""
    aid = record["article_id"]
    province = record["province"]
    head = {
        "article_id": aid,
        "record_id": record["record_id"],
        "province": province,
        "province_key": province_key(province) or None,
        "year": record_year(record, article_published),
        "event_year": iso_year(record["event_date"]),
        "published_year": iso_year(record["published"]),
        "article_year": article_published.year if article_published else None,
        "sort_date": sort_date(record, article_published),
        "review_state": review_state(record),
        "corrected_facts": record["corrected_facts"],
        "bloc_names": [b["name"] for b in record["blocs"] if b["name"]],
        "award_kinds": " ".join(sorted({a["award"] for a in record["awards"]})),
        "award_statuses": " ".join(sorted({a["status"] for a in record["awards"]})),
        **table_row(record, article_published),
    }
    blank = {"name": None, "number": None, "role": None, "award": None, "status": None, "issuer": None}
    facts: list[dict[str, Any]] = []

    def add(field: str, position: int, name: str | None, key: str, **values: Any) -> None:
        facts.append(
            {**blank, "year": None, "article_id": aid, "field": field, "position": position}
            | {"name": name, "name_key": key, **values}
        )

    for i, b in enumerate(record["blocs"]):
        add("bloc", i, b["name"], bloc_names_key(b), number=b["number"])
    for i, m in enumerate(record["members"]):
        add("member", i, m, name_key(m))
    for i, r in enumerate(record["roles"]):
        add("role", i, r["unit"], name_key(r["unit"]), role=r["role"], year=r["year"])
    for i, a in enumerate(record["awards"]):
        add(
            "award",
            i,
            a["recipient"],
            name_key(a["recipient"]),
            award=a["award"],
            status=a["status"],
            issuer=a["issuer"],
            year=a["year"],
        )
    return head, facts


def _lock(session: Session, article_ids: Sequence[int]) -> None:
    """Lock the articles' rows until the transaction ends (see the module docstring)."""
    if session.get_bind().dialect.name == "postgresql":
        # in id order, so two writers of several articles cannot deadlock on each other
        session.execute(
            select(Article.id)
            .where(Article.id.in_(sorted(article_ids)))
            .order_by(Article.id)
            .with_for_update(key_share=True)
        ).all()


def _add_keys(session: Session, keys: Iterable[str]) -> None:
    params = [{"key": k} for k in sorted(set(keys))]
    if not params:
        return
    insert_ = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert_(CurrentNameKey).on_conflict_do_nothing(index_elements=["key"]), params)


def refresh(
    session: Session, article_ids: Sequence[int], *, counts: bool = True, table_rows: bool = True
) -> int:
    """Rewrite the materialised current records of `article_ids` from `current_overlays`.

    In the caller's transaction (nothing is committed); flushes the session first, so the
    caller's pending records and corrections are read. An article without an extracted record
    has no row. Returns how many rows were written.
    """
    ids = sorted(set(article_ids))
    if not ids:
        return 0
    session.flush()
    _lock(session, ids)
    return write(session, ids, current_overlays(session, ids), counts=counts, table_rows=table_rows)


def refresh_article(session: Session, article: Article, record: ExtractedRecord) -> None:
    """Rewrite one article's materialised current record after a write that left `record` (its
    facts loaded or just built) as the article's newest: what `refresh` does, without reading
    the record back (`store.repository.save_record` and `store.corrections` call this).
    """
    session.flush()
    _lock(session, [article.id])
    newer = select(ExtractedRecord.id).where(
        ExtractedRecord.article_id == article.id, ExtractedRecord.run_id > record.run_id
    )
    if session.scalars(newer.limit(1)).first() is not None:  # a later run's record is the current one
        refresh(session, [article.id])
        return
    corrections = session.scalars(
        select(Correction).where(Correction.article_id == article.id).order_by(Correction.id)
    )
    write(session, [article.id], [build_overlay(article, record, list(corrections))])


def write(
    session: Session,
    ids: Sequence[int],
    overlays: Sequence[Overlay],
    *,
    counts: bool = True,
    table_rows: bool = True,
) -> int:
    """Replace the rows of articles `ids` with those of `overlays` (a subset of them).

    `refresh` and `refresh_article` call this after locking and overlaying; a bulk loader that
    built its overlays itself with `store.current.build_overlay` may call it directly
    (bench/store_scale.py does, for records it has just inserted and that no one has corrected).
    With `counts` (the default) the yearly counts (`store.counts`) take the difference between
    the articles' old rows and their new ones; False only for a migration older than the counts'
    table, whose own migration recounts. `table_rows` False leaves out the columns of
    `table_row`, for a migration older than them (5b7d2c91e0a4 fills them).
    """
    heads, documents, facts = [], [], []
    delta: Counter[Group] = Counter()
    if counts:
        for old_head, old_facts in stored_rows(session, ids).values():
            delta.subtract(contributions(old_head, old_facts))
    for overlay in overlays:
        record = overlay.to_dict()
        head, rows = rows_of(record, overlay.article.published)
        if not table_rows:
            for column in table_row(record, overlay.article.published):
                del head[column]
        heads.append(head)
        documents.append({"article_id": head["article_id"], "document": record})
        facts += rows
        if counts:
            delta.update(contributions(head, rows))
    for table in (CurrentFact, CurrentDocument, CurrentRecord):  # children first
        session.execute(delete(table).where(table.article_id.in_(ids)))
    if heads:
        session.execute(insert(CurrentRecord), heads)
        session.execute(insert(CurrentDocument), documents)
    if facts:
        _add_keys(session, (f["name_key"] for f in facts))
        session.execute(insert(CurrentFact), facts)
    append(session, delta)
    return len(heads)


def rebuild(session: Session, *, batch: int = BATCH, counts: bool = True, table_rows: bool = True) -> int:
    """Refresh every article with an extracted record, `batch` at a time (a migration's backfill,
    or after the overlay's rules changed). Returns how many current records there are.
    `counts`, `table_rows`: as `write`."""
    ids = list(
        session.scalars(select(ExtractedRecord.article_id).distinct().order_by(ExtractedRecord.article_id))
    )
    written = 0
    for start in range(0, len(ids), batch):
        written += refresh(session, ids[start : start + batch], counts=counts, table_rows=table_rows)
    return written
