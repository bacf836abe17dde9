"""The store at scale (issue 8, "Done means"): 100,000 synthetic records on SQLite and PostgreSQL.

Prints, in one run:

1. records/s into each engine, through the real write path (`store.repository.save_page`,
   `save_article` with its full-text indexing, `save_record`), committed every `COMMIT_EVERY`;
2. p50/p95 of every researcher query (`store.queries.find_records`, `store.research`,
   `store.search`) on each engine at that volume, beside a bare ``SELECT count(*)`` on the
   records table, with how many records each query matched;
3. the current-record overlay time per record (`store.current.current_records`), for
   uncorrected and corrected articles;
4. `reextract` articles/s with 1 and 2 worker processes (`store.reextract`) over full-length
   generated articles (`bench.generate`), on SQLite.

The records are made from the project's 64 mock articles (`crawler/mockportals/corpus`: text and
gold record), each copy moved to another of the 63 provinces (its name replaced in text and
record), another year (every year and date shifted) and another bloc number, with a member now
and then left out, so filters by province, year, bloc, unit and award select realistic shares.
One article in `CORRECTED_EVERY` gets editor corrections (a province changed, a member deleted,
a member added) so the overlay path of every query runs too.

Run: ``make bench-store`` (= ``python -m bench.store_scale --json bench/results/store_scale.json``);
``--records 2000 --repeats 5`` for a quick look. PostgreSQL: a schema of its own in the database
at ``--postgres-url`` (default ``THIDUA_TEST_POSTGRES_URL`` or the local server), dropped at the
end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import re
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from extract import record as data
from extract.places import places
from extract.record import Evidence, Record
from store import corrections, current_table, repository
from store.current import build_overlay, current_records
from store.db import make_engine, migrate, session_factory
from store.errors import CorrectionError
from store.fulltext import index_articles
from store.models import (
    Article,
    ArticleAlias,
    AwardFact,
    BlocFact,
    Correction,
    ExtractedRecord,
    ExtractionRun,
    MemberFact,
    Page,
    RoleFact,
    ScalarFact,
)
from store.queries import find_records
from store.reextract import Selection, reextract, select_articles
from store.research import bloc_timeline, facet_counts, unit_timeline
from store.search import search_articles

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "crawler" / "mockportals" / "corpus"
COMMIT_EVERY = 500
BULK_BATCH = 1000
FACT_TABLES = (ScalarFact, BlocFact, MemberFact, RoleFact, AwardFact)
PAGE_BODY = b"<html><body>bench</body></html>"
CORRECTED_EVERY = 100  # 1 % of the articles carry corrections
TARGET_P95_MS = 100.0
YEARS = range(2012, 2026)
FETCHED = datetime(2025, 1, 1, tzinfo=UTC)
_YEAR = re.compile(r"(?<!\d)(20[0-3]\d)(?!\d)")
_BLOC_NO = re.compile(r"\b((?:Khối|Cụm) thi đua số )(\d{1,2}|[IVX]{1,4})\b")


# --- synthetic records -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Base:
    name: str
    text: str
    gold: dict[str, Any]
    year: int


def load_bases() -> list[Base]:
    """The 64 mock articles with their gold records."""
    out = []
    for gold_path in sorted((CORPUS / "gold").glob("*.json")):
        text_path = CORPUS / "text" / f"{gold_path.stem}.txt"
        if not text_path.is_file():
            continue
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        when = gold.get("event_date") or gold.get("published")
        year = int(when[:4]) if when else 2020
        out.append(Base(gold_path.stem, text_path.read_text(encoding="utf-8"), gold, year))
    return out


@dataclass(frozen=True, slots=True)
class Synthetic:
    i: int
    url: str
    title: str
    text: str
    published: date | None
    record: Record


def _shift_years(value: str, delta: int) -> str:
    return _YEAR.sub(lambda m: str(int(m.group(1)) + delta), value)


def _ev(text: str, words: str | None) -> Evidence | None:
    if not words:
        return None
    at = text.find(words)
    return Evidence(at, at + len(words), words) if at >= 0 else None


def synthesize(bases: list[Base], provinces: list[str], i: int, seed: int) -> Synthetic:
    """Return synthetic article `i`: depends only on (seed, i)."""
    rng = random.Random(f"{seed}:{i}")
    base = bases[i % len(bases)]
    old_province = base.gold.get("province") or ""
    province = rng.choice(provinces)
    delta = rng.choice(YEARS) - base.year
    number = str(rng.randint(1, 12))

    def move(value: str | list[str]) -> str:
        if isinstance(value, list):  # gold lists the accepted spellings; the first is the name
            value = value[0]
        if old_province:
            value = value.replace(old_province, province)
        return _BLOC_NO.sub(lambda m: m.group(1) + number, _shift_years(value, delta))

    body = move(base.text)
    title = body.split("\n", 1)[0].strip()[:300]
    g = base.gold

    def scalar(name: str) -> data.ScalarFact | None:
        value = g.get(name)
        if not value:
            return None
        value = move(value) if name != "province" else province
        if name in ("published", "event_date") and value.endswith("-02-29"):
            try:
                date.fromisoformat(value)
            except ValueError:  # 29 February moved into a common year
                value = value[:-2] + "28"
        return data.ScalarFact(_ev(body, value), 0.9, "bench", field_name=name, value=value)

    members = [move(m) for m in g.get("members", []) if rng.random() > 0.1]
    record = Record(
        doc_id=f"bench-{i}",
        published=scalar("published"),
        province=scalar("province"),
        event_date=scalar("event_date"),
        event_kinds=[
            data.ScalarFact(None, 0.8, "bench", field_name="event_kind", value=k) for k in g["event_kinds"]
        ],
        blocs=[
            data.BlocFact(
                _ev(body, move(b["name"])),
                0.95,
                "bench",
                name=move(b["name"]),
                number=number if b.get("number") else None,
                aliases=[move(a) for a in b.get("aliases", [])],
            )
            for b in g.get("blocs", [])
        ],
        members=[data.MemberFact(_ev(body, m), 0.8, "bench", unit=m, surface=m) for m in members],
        roles=[
            data.RoleFact(
                _ev(body, move(r["unit"])),
                0.85,
                "bench",
                unit=move(r["unit"]),
                role=r["role"],
                year=r["year"] + delta if r.get("year") else None,
            )
            for r in g.get("roles", [])
        ],
        awards=[
            data.AwardFact(
                _ev(body, move(a["recipient"])),
                0.7,
                "bench",
                recipient=move(a["recipient"]),
                award=a["award"],
                issuer=a.get("issuer"),
                year=a["year"] + delta if a.get("year") else None,
                status=a["status"],
            )
            for a in g.get("awards", [])
        ],
    )
    published = record.published.value if record.published else None
    return Synthetic(
        i=i,
        url=f"https://bench.example.gov.vn/tin-tuc/{base.name}-{i}",
        title=title,
        text=body,
        published=date.fromisoformat(published) if published else None,
        record=record,
    )


def _save_one(session: Session, run: ExtractionRun, s: Synthetic, seed: int) -> None:
    """Store one synthetic record through the repository, as a crawl does."""
    page, _ = repository.save_page(
        session,
        portal=None,
        url=s.url,
        canonical_url=s.url,
        final_url=s.url,
        status=200,
        headers={},
        body=PAGE_BODY,
        encoding="utf-8",
        fetched_at=FETCHED,
    )
    article, _ = repository.save_article(
        session,
        page=page,
        url=s.url,
        canonical_url=s.url,
        title=s.title,
        text=s.text,
        published=s.published,
        content_key=_content_key(seed, s.i),
        is_bloc_news=True,
        relevance_reason="bench",
    )
    repository.save_record(session, run=run, article=article, record=s.record)


def _content_key(seed: int, i: int) -> str:
    # unique per record: two copies may share their text, and must stay two articles
    return hashlib.sha256(f"bench:{seed}:{i}".encode()).hexdigest()


def _columns(obj: Any) -> dict[str, Any]:
    """Return the column values of an unsaved ORM row, for a Core INSERT (server defaults left out)."""
    return {
        c.key: getattr(obj, c.key)
        for c in obj.__table__.columns
        if getattr(obj, c.key, None) is not None or c.nullable
    }


class _Ids:
    """The next free id of each table: batches insert with ids of their own, in one statement each."""

    def __init__(self, session: Session) -> None:
        self.next = {
            t: (session.scalar(select(func.max(t.id))) or 0) + 1
            for t in (Page, Article, ArticleAlias, ExtractedRecord, *FACT_TABLES)
        }

    def take(self, table: Any) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value


def _bulk(session: Session, run: ExtractionRun, batch: list[Synthetic], seed: int, ids: _Ids) -> None:
    """Store a batch with one multi-row INSERT per table, without the repository's per-row
    savepoints and look-ups: the rows `save_page`/`save_article` (page, article, its "first"
    alias, its search entry) and `save_record` (`repository.record_row`, then
    `store.current_table.refresh`) would write."""
    rows: dict[Any, list[dict[str, Any]]] = {t: [] for t in ids.next}
    articles: list[Article] = []
    records: list[ExtractedRecord] = []
    for s in batch:
        page_id, article_id = ids.take(Page), ids.take(Article)
        rows[Page].append(
            {
                "id": page_id,
                "portal_id": None,
                "url": s.url,
                "canonical_url": s.url,
                "final_url": s.url,
                "status": 200,
                "headers": {},
                "body": PAGE_BODY,
                "encoding": "utf-8",
                "content_hash": hashlib.sha256(PAGE_BODY).hexdigest(),
                "fetched_at": FETCHED,
                "last_seen_at": FETCHED,
                "fetch_count": 1,
            }
        )
        article = Article(
            id=article_id,
            page_id=page_id,
            url=s.url,
            canonical_url=s.url,
            title=s.title,
            text=s.text,
            published=s.published,
            content_key=_content_key(seed, s.i),
            is_bloc_news=True,
            relevance_reason="bench",
        )
        articles.append(article)
        rows[Article].append(_columns(article))
        rows[ArticleAlias].append(
            {
                "id": ids.take(ArticleAlias),
                "article_id": article_id,
                "page_id": page_id,
                "url": s.url,
                "canonical_url": s.url,
                "matched_by": "first",
            }
        )
        problems = repository.record_problems(s.record)
        if problems:
            raise SystemExit(f"synthetic record {s.i} breaks SCHEMA.md: {problems[:3]}")
        record = repository.record_row(run=run, article=article, record=s.record)
        record.id = ids.take(ExtractedRecord)
        record.run = run
        records.append(record)
        rows[ExtractedRecord].append(_columns(record))
        facts: tuple[list[Any], ...] = (
            record.scalars,
            record.blocs,
            record.members,
            record.roles,
            record.awards,
        )
        for table, rows_of_kind in zip(FACT_TABLES, facts, strict=True):
            for fact in rows_of_kind:
                fact.id, fact.record_id = ids.take(table), record.id
                rows[table].append(_columns(fact))
    for table, values in rows.items():
        if values:
            session.execute(insert(table.__table__), values)  # Core: no ORM bulk machinery
    index_articles(session, articles)
    # what save_record does after its rows: the materialised current records, in one batch, from
    # the rows in hand (the same `build_overlay` the store runs; no one has corrected them yet)
    current_table.write(
        session,
        [a.id for a in articles],
        [build_overlay(a, r, []) for a, r in zip(articles, records, strict=True)],
    )


def store_records(
    url: str, n: int, seed: int, through_repository: int, report: Callable[[str], None]
) -> dict[str, Any]:
    """Store `n` synthetic records at `url` (migrated): the first `through_repository` one by
    one through `store.repository` (timed: the records/s a crawl gets), the rest in batches
    (`_bulk`, timed apart), then the corrections. Return the figures."""
    bases = load_bases()
    provinces = [p.name for p in places().provinces]
    engine = make_engine(url)
    out: dict[str, Any] = {}
    try:
        sessions = session_factory(engine)
        with sessions() as session:
            run = repository.start_run(session, extractor_version="bench", config={"bench": "store_scale"})
            session.commit()
            first = min(n, through_repository)
            started = time.perf_counter()
            for i in range(first):
                _save_one(session, run, synthesize(bases, provinces, i, seed), seed)
                if (i + 1) % COMMIT_EVERY == 0:
                    session.commit()
                    session.expunge_all()  # keep the identity map small, as a long crawl would
                    session.add(run)
            session.commit()
            seconds = time.perf_counter() - started
            out["repository"] = {
                "records": first,
                "seconds": round(seconds, 2),
                "records_per_s": round(first / seconds, 1),
            }
            report(f"  {first:,} records through store.repository: {first / seconds:,.1f} records/s")
            started = time.perf_counter()
            ids = _Ids(session)
            for start in range(first, n, BULK_BATCH):
                batch = [
                    synthesize(bases, provinces, i, seed) for i in range(start, min(n, start + BULK_BATCH))
                ]
                _bulk(session, run, batch, seed, ids)
                session.commit()
                if (start // BULK_BATCH) % 20 == 0:
                    report(f"  {start + len(batch):,} records")
            seconds = time.perf_counter() - started
            out["bulk"] = {
                "records": n - first,
                "seconds": round(seconds, 2),
                "records_per_s": round((n - first) / seconds, 1) if n > first else None,
            }
            repository.finish_run(session, run=run, status="finished", stats={})
            if session.get_bind().dialect.name == "postgresql":
                # the batches chose their ids: move the sequences past them
                for table in ids.next:
                    name = table.__tablename__
                    sequence = f"pg_get_serial_sequence('{name}', 'id')"
                    session.execute(text(f"SELECT setval({sequence}, (SELECT max(id) FROM {name}))"))
            session.commit()
        with sessions() as session:
            out["corrected_articles"] = add_corrections(session, n)
            session.commit()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            # Planner statistics, and on PostgreSQL the visibility map that lets index-only scans
            # skip the table: what autovacuum does soon after a load (its insert threshold is
            # 20 % of a table), done at once so every query is timed against the settled store.
            # SQLite has no autovacuum of statistics: `thidua init-db` could run it (README).
            postgres = conn.dialect.name == "postgresql"
            conn.exec_driver_sql("VACUUM ANALYZE" if postgres else "ANALYZE")
    finally:
        engine.dispose()
    return out


def add_corrections(session: Session, n: int) -> int:
    """Correct one article in `CORRECTED_EVERY`: a province changed, a member deleted or added.

    Returns how many were corrected; a correction the store refuses (the record already says
    so, or has no member to delete) writes nothing and is skipped.
    """
    done = 0
    ids = list(session.scalars(select(Article.id).order_by(Article.id)))[::CORRECTED_EVERY]
    editor = "Bench Editor"
    for k, article_id in enumerate(ids):
        try:
            if k % 3 == 0:
                corrections.change_fact(
                    session, article_id=article_id, fact="province", value="Hà Nội", editor=editor
                )
            elif k % 3 == 1:
                corrections.delete_fact(session, article_id=article_id, fact="member#0", editor=editor)
            else:
                corrections.add_fact(
                    session, article_id=article_id, field="member", value="Sở Ngoại vụ", editor=editor
                )
        except CorrectionError:
            continue
        done += 1
    return done


# --- timing --------------------------------------------------------------------------------


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def time_call(call: Callable[[], Any], repeats: int, budget_s: float) -> dict[str, Any]:
    """Run `call` once to warm up, then up to `repeats` times (at least 3, within `budget_s`)."""
    result = call()
    times: list[float] = []
    spent = 0.0
    while len(times) < repeats and (len(times) < 3 or spent < budget_s):
        t0 = time.perf_counter()
        call()
        dt = time.perf_counter() - t0
        times.append(dt * 1000)
        spent += dt
    return {
        "runs": len(times),
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(_percentile(times, 0.95), 2),
        "matched": _size(result),
    }


def _size(result: Any) -> int:
    if isinstance(result, dict) and "records" in result:
        return int(result["records"])
    if isinstance(result, list) and result and isinstance(result[0], dict) and "articles" in result[0]:
        return len({a for y in result for a in y["articles"]})
    return len(result) if isinstance(result, list) else 1


def researcher_queries() -> dict[str, Callable[[Session], Any]]:
    """The queries of issue 8, item 5, as a researcher would ask them."""
    return {
        "query --province 'Đồng Nai' (2025: + Bình Phước)": lambda s: find_records(
            s, province="Đồng Nai", limit=50
        ),
        "query --province 'Bình Phước' (old name)": lambda s: find_records(
            s, province="Bình Phước", limit=50
        ),
        "query --year 2020": lambda s: find_records(s, year=2020, limit=50),
        "query --bloc 'Khối thi đua số 6'": lambda s: find_records(s, bloc="Khối thi đua số 6", limit=50),
        "query --unit 'Sở Tư pháp'": lambda s: find_records(s, unit="Sở Tư pháp", limit=50),
        "query --award co_thi_dua --province 'Bắc Ninh'": lambda s: find_records(
            s, award="co_thi_dua", province="Bắc Ninh", limit=50
        ),
        "facets --province 'Bắc Ninh' --year-from 2018 --year-to 2020": lambda s: facet_counts(
            s, province="Bắc Ninh", year_from=2018, year_to=2020
        ),
        "facets --award bang_khen --award-status conferred --province 'Nghệ An'": lambda s: facet_counts(
            s, award="bang_khen", award_status="conferred", province="Nghệ An"
        ),
        "facets --review corrected": lambda s: facet_counts(s, review="corrected"),
        "facets (every record)": lambda s: facet_counts(s),
        "timeline --unit 'Sở Tư pháp'": lambda s: unit_timeline(s, "Sở Tư pháp"),
        "timeline --bloc 6": lambda s: bloc_timeline(s, "6"),
        "search '\"Hà Nội\"'": lambda s: search_articles(s, '"Hà Nội"', limit=20),
        "search 'giao uoc thi dua' --province 'Huế'": lambda s: search_articles(
            s, "giao uoc thi dua", province="Huế", limit=20
        ),
    }


def time_queries(url: str, repeats: int, budget_s: float, report: Callable[[str], None]) -> dict[str, Any]:
    engine = make_engine(url)
    out: dict[str, Any] = {}
    try:
        with session_factory(engine)() as session:
            out["SELECT count(*) FROM extracted_record"] = time_call(
                lambda: session.scalar(select(func.count()).select_from(ExtractedRecord)), repeats, budget_s
            )
            for name, query in researcher_queries().items():
                out[name] = time_call(lambda q=query: q(session), repeats, budget_s)  # type: ignore[misc]
                report(f"  {name}: p50 {out[name]['p50_ms']} ms, p95 {out[name]['p95_ms']} ms")
                session.rollback()  # nothing written; do not keep a snapshot open between queries
    finally:
        engine.dispose()
    return out


def time_overlay(url: str, sample: int) -> dict[str, float]:
    """Milliseconds per record of `current_records` over `sample` uncorrected / corrected articles."""
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            corrected = list(session.scalars(select(Correction.article_id).distinct().limit(sample)))
            plain = list(
                session.scalars(
                    select(Article.id).where(Article.id.not_in(select(Correction.article_id))).limit(sample)
                )
            )
            out = {}
            for what, ids in (("uncorrected", plain), ("corrected", corrected)):
                current_records(session, ids[:20])  # warm up
                t0 = time.perf_counter()
                for start in range(0, len(ids), 500):
                    current_records(session, ids[start : start + 500])
                out[f"{what}_ms_per_record"] = round((time.perf_counter() - t0) * 1000 / max(1, len(ids)), 3)
                out[f"{what}_records"] = len(ids)
    finally:
        engine.dispose()
    return out


# --- reextract -----------------------------------------------------------------------------


def _stamp(stamps: list[float], _done: int) -> None:
    stamps.append(time.perf_counter())


def time_reextract(n: int, seed: int, workdir: Path, report: Callable[[str], None]) -> dict[str, Any]:
    """Store `n` generated full-length articles in SQLite, then re-extract them with 1 and 2 workers."""
    from bench.generate import generate

    url = f"sqlite:///{workdir / 'reextract.sqlite'}"
    migrate(url)
    engine = make_engine(url)
    try:
        sessions = session_factory(engine)
        with sessions() as session:
            for i, body in enumerate(generate(n, seed)):
                page_url = f"https://bench.example.gov.vn/dai/{i}"
                page, _ = repository.save_page(
                    session,
                    portal=None,
                    url=page_url,
                    canonical_url=page_url,
                    final_url=page_url,
                    status=200,
                    headers={},
                    body=b"<html></html>",
                    encoding="utf-8",
                    fetched_at=FETCHED,
                )
                repository.save_article(
                    session,
                    page=page,
                    url=page_url,
                    canonical_url=page_url,
                    title=body.split("\n", 1)[0][:300],
                    text=body,
                    published=None,
                    content_key=hashlib.sha256(f"dai:{i}".encode()).hexdigest(),
                    is_bloc_news=True,
                    relevance_reason="bench",
                )
            session.commit()
            ids = select_articles(session, selection=Selection(all=True))
        out: dict[str, Any] = {"articles": len(ids), "words": sum(len(t.split()) for t in generate(n, seed))}
        for workers in (1, 2):
            stamps: list[float] = []  # when each article was stored
            stats = reextract(
                sessions,
                article_ids=ids,
                selection=Selection(all=True),
                workers=workers,
                max_article_bytes=2**20,
                progress=partial(_stamp, stamps),
            )
            # after the first article is stored, every worker has loaded the extractor: the rate
            # from there on leaves the one-off start-up (spawning, loading spaCy and the model) out
            steady = (len(stamps) - 1) / (stamps[-1] - stamps[0]) if len(stamps) > 1 else 0.0
            out[f"workers_{workers}"] = {
                "articles_per_s": round(stats.per_second, 2),
                "steady_articles_per_s": round(steady, 2),
                "first_article_after_s": round(stats.seconds - (stamps[-1] - stamps[0]), 2)
                if stamps
                else None,
                "seconds": round(stats.seconds, 2),
                "records": stats.records,
                "failures": stats.failures,
            }
            report(
                f"  reextract, {workers} worker(s): {stats.per_second:.1f} articles/s "
                f"({stats.seconds:.1f} s), {steady:.1f} articles/s after the first"
            )
        for key in ("articles_per_s", "steady_articles_per_s"):
            ratio = out["workers_2"][key] / max(out["workers_1"][key], 1e-9)
            out["speedup_2_over_1" + ("_steady" if key.startswith("steady") else "")] = round(ratio, 3)
    finally:
        engine.dispose()
    return out


# --- engines -------------------------------------------------------------------------------


@contextmanager
def postgres_schema(admin_url: str, keep: bool) -> Iterator[str]:
    """Yield the URL of a fresh schema in `admin_url`'s database; drop it afterwards unless `keep`."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    name = f"thidua_bench_{os.getpid()}_{secrets.token_hex(3)}"  # [a-z0-9_] only
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    try:
        yield (
            make_url(admin_url)
            .update_query_dict({"options": f"-csearch_path={name}"})
            .render_as_string(hide_password=False)
        )
    finally:
        if not keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        admin.dispose()


def run(args: argparse.Namespace, report: Callable[[str], None] = print) -> dict[str, Any]:
    """Run the whole bench; return every figure (also what --json writes)."""
    results: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "records": args.records,
        "seed": args.seed,
        "repeats": args.repeats,
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "affinity": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
            # the machine is shared: the load average says how many CPUs others were using
            "load_average_at_start": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        },
        "engines": {},
    }
    with tempfile.TemporaryDirectory(prefix="thidua-bench-") as tmp:
        workdir = Path(tmp)
        for engine_name in [e for e in args.engines.split(",") if e]:  # "": the reextract timing only
            report(f"{engine_name}: storing {args.records:,} records")
            with _database(engine_name, workdir, args) as url:
                migrate(url)
                stored = store_records(url, args.records, args.seed, args.through_repository, report)
                queries = time_queries(url, args.repeats, args.budget, report)
                overlay = time_overlay(url, args.overlay_sample)
                report(f"{engine_name}: overlay {overlay}")
                results["engines"][engine_name] = {
                    "stored": stored,
                    "queries": queries,
                    "overlay": overlay,
                }
        if args.reextract_articles:
            report(f"reextract: {args.reextract_articles} generated articles on SQLite")
            results["reextract"] = time_reextract(args.reextract_articles, args.seed, workdir, report)
    results["machine"]["load_average_at_end"] = list(os.getloadavg()) if hasattr(os, "getloadavg") else None
    return results


@contextmanager
def _database(engine_name: str, workdir: Path, args: argparse.Namespace) -> Iterator[str]:
    if engine_name == "sqlite":
        yield f"sqlite:///{workdir / 'store.sqlite'}"
    elif engine_name == "postgresql":
        with postgres_schema(args.postgres_url, args.keep) as url:
            yield url
    else:
        raise SystemExit(f"unknown engine {engine_name!r}; use sqlite and/or postgresql")


def table(results: dict[str, Any]) -> str:
    """Return the query timings of every engine side by side, as a Markdown table."""
    engines = list(results["engines"])
    names = list(next(iter(results["engines"].values()))["queries"]) if engines else []
    head = "| query | " + " | ".join(f"{e} p50 / p95 ms (matched)" for e in engines) + " |"
    lines = [head, "| --- |" + " ---: |" * len(engines)]
    for name in names:
        cells: list[str] = []
        for e in engines:
            q = results["engines"][e]["queries"][name]
            flag = "" if q["p95_ms"] < TARGET_P95_MS or name.startswith("SELECT") else " MISS"
            cells.append(f"{q['p50_ms']:.1f} / {q['p95_ms']:.1f}{flag} ({q['matched']:,})")
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--through-repository",
        type=int,
        default=5000,
        help="records stored one by one through store.repository (timed); the rest in batches",
    )
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--repeats", type=int, default=20, help="timed runs per query (after one warm-up)")
    parser.add_argument("--budget", type=float, default=30.0, help="seconds per query after 3 runs")
    parser.add_argument("--overlay-sample", type=int, default=1000)
    parser.add_argument("--reextract-articles", type=int, default=300, help="0: skip the reextract timing")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "THIDUA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL schema afterwards")
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    args = parser.parse_args(argv)
    results = run(args, lambda line: print(line, file=sys.stderr, flush=True))
    if results["engines"]:
        print(table(results))
    for e, r in results["engines"].items():
        st = r["stored"]
        print(
            f"{e}: {st['repository']['records_per_s']:,.1f} records/s through store.repository "
            f"({st['repository']['records']:,} records), {st['bulk']['records_per_s'] or 0:,.1f} records/s "
            f"in batches ({st['bulk']['records']:,}); {st['corrected_articles']:,} articles corrected; "
            f"overlay {r['overlay']}"
        )
    if "reextract" in results:
        print(f"reextract: {json.dumps(results['reextract'])}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
