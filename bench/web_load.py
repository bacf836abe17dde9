"""Load benchmark of the web app (issue 9): the search page and the API with three facets under
concurrent clients, on SQLite and on PostgreSQL, over a store of N generated records.

    .venv/bin/python -m bench.web_load                       # 100,000 records, both engines
    .venv/bin/python -m bench.web_load --records 10000 --engine sqlite --requests 200 --json out.json

What it does, per engine:

1. Makes a fresh store (a SQLite file in a temporary folder; a PostgreSQL schema at
   ``THIDUA_TEST_POSTGRES_URL``, dropped afterwards; with ``--keep NAME`` a file and a schema of
   that name, written once and reused by later runs) and writes N bloc articles with one machine
   record each — province, event kind, bloc, 3–8 members, a role, 0–2 awards, every fact with its
   evidence span — in bulk (Core inserts with the key columns `store.repository` would write).
   The texts are made here from a few Vietnamese templates written for the bench. A hundred of the
   records get an editor's correction. The articles are indexed for full-text search and their
   current records materialised (`store.current_table.rebuild`), as the store does on every write.
   On PostgreSQL the loaded tables are then vacuumed and analysed, as autovacuum would soon do.
2. Starts the app as an operator does, ``thidua serve --workers N`` (default 2: one listening
   socket per worker, one cache folder shared by the workers), in a child process on a loopback
   port: once with its results cache (thidua/web/cache.py) and once without
   (``THIDUA_WEB_CACHE_SIZE=0``: every request computes, the cold latency); ``--cache`` picks.
3. For each scenario, runs ``--clients`` threads (default 20), each with its own keep-alive
   connection (``http.client``: a tenth of httpx's CPU a request, on CPUs the app shares),
   sending ``--requests`` requests in all (``--cold-requests`` without the cache), parameters drawn
   at random from the generated data, after 20 warm-up requests drawn the same way:
   - ``search page``: ``GET /search?q=<a unit's words>`` (HTML, 50 rows, facets): one of the 16
     unit names, so at most 16 distinct queries, each matching a third of the records;
   - ``search page, one province``: the same words and ``&province=…``: 16 x 20 = 320 distinct
     queries of ~1,700 matches each, most asked once;
   - ``API, 3 facets``: ``GET /api/records?province=…&year=…&award=…``: 20 provinces x 14 years
     x 3 awards, 840 distinct queries, most requests ask one not asked before.
4. Prints, side by side per engine, p50, p95 and max latency, requests/s, how many distinct
   queries were sent, the cache's hit rate (from the app's ``X-Thidua-Cache`` header) and the p95
   of the misses; the target is p95 < 200 ms. A
   measurement, not a gate: the exit status is 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Final

import httpx
from sqlalchemy import create_engine, func, insert, select
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from store import corrections, current_table
from store.db import make_engine, migrate, session_factory
from store.errors import StoreError
from store.fulltext import index_articles
from store.keys import NAMES_KEY_SEPARATOR, name_key, province_key
from store.models import (
    Article,
    AwardFact,
    BlocFact,
    ExtractedRecord,
    ExtractionRun,
    MemberFact,
    Page,
    RoleFact,
    ScalarFact,
)
from thidua.web.cache import HEADER as CACHE_HEADER

POSTGRES_URL = os.environ.get(
    "THIDUA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
PROVINCES = (
    "Bắc Ninh",
    "Hòa Bình",
    "Lạng Sơn",
    "Hà Giang",
    "Lào Cai",
    "Yên Bái",
    "Thái Bình",
    "Nam Định",
    "Ninh Bình",
    "Thanh Hóa",
    "Nghệ An",
    "Quảng Bình",
    "Quảng Nam",
    "Bình Định",
    "Gia Lai",
    "Đắk Lắk",
    "Bình Phước",
    "Tây Ninh",
    "Long An",
    "Cà Mau",
)
UNITS = (
    "Sở Y tế",
    "Sở Tư pháp",
    "Sở Nội vụ",
    "Sở Tài chính",
    "Sở Xây dựng",
    "Sở Công Thương",
    "Sở Giáo dục và Đào tạo",
    "Sở Nông nghiệp và Phát triển nông thôn",
    "Sở Giao thông vận tải",
    "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Khoa học và Công nghệ",
    "Sở Tài nguyên và Môi trường",
    "Thanh tra tỉnh",
    "Ban Dân tộc",
    "Sở Lao động - Thương binh và Xã hội",
    "Sở Ngoại vụ",
)
AWARDS = (("co_thi_dua", "Cờ thi đua"), ("bang_khen", "Bằng khen"), ("giay_khen", "Giấy khen"))
YEARS = range(2012, 2026)
BATCH = 2000


def _texts(rng: random.Random, i: int) -> dict[str, Any]:
    """One generated article and its record's facts, with evidence spans into its text."""
    province = rng.choice(PROVINCES)
    year = rng.choice(YEARS)
    number = rng.randint(1, 12)
    members = rng.sample(UNITS, rng.randint(3, 8))
    leader = members[0]
    awarded = rng.sample(members, rng.randint(0, 2))
    bloc = f"Khối thi đua số {number}"
    parts = [
        f"{bloc} tỉnh {province} tổng kết công tác thi đua, khen thưởng năm {year}. ",
        f"Khối gồm {', '.join(members)}. ",
        f"{leader} làm Khối trưởng năm {year + 1}. ",
    ]
    awards = []
    for unit in awarded:
        code, words = rng.choice(AWARDS)
        awards.append((unit, code, f"tặng {words} cho {unit}"))
        parts.append(f"Hội nghị đề nghị UBND tỉnh tặng {words} cho {unit}. ")
    parts.append(f"Bài số {i} của bộ dữ liệu đo tải.")
    text = "".join(parts)

    def span(words: str) -> dict[str, Any]:
        start = text.index(words)
        return {"evidence_start": start, "evidence_end": start + len(words), "evidence_text": words}

    return {
        "province": province,
        "year": year,
        "title": f"{bloc} tỉnh {province} tổng kết năm {year}",
        "text": text,
        "bloc": (bloc, str(number), span(bloc)),
        "members": [(u, span(u)) for u in members],
        "role": (leader, year + 1, span(f"{leader} làm Khối trưởng")),
        "awards": [(u, code, year, span(words)) for u, code, words in awards],
        "kind": span("tổng kết"),
        "province_span": span(province),
    }


def populate(url: str, n: int, *, seed: int = 7, corrected: int = 100) -> dict[str, Any]:
    """Write `n` articles with one machine record each (and `corrected` corrections); return what
    the clients will ask for."""
    migrate(url)
    rng = random.Random(seed)
    engine = make_engine(url)
    now = datetime.now(UTC)
    ids = {"fact": 0}
    seen: dict[str, set[Any]] = {"province": set(), "year": set(), "unit": set()}
    with engine.begin() as conn:
        run_id = conn.execute(
            insert(ExtractionRun).returning(ExtractionRun.id),
            {
                "started_at": now,
                "status": "finished",
                "extractor_version": "0.4.1",
                "config": {},
                "stats": {},
            },
        ).scalar_one()
        for start in range(1, n + 1, BATCH):
            rows: dict[str, list[dict[str, Any]]] = {
                k: [] for k in ("page", "article", "record", "scalar", "bloc", "member", "role", "award")
            }
            for i in range(start, min(start + BATCH, n + 1)):
                a = _texts(rng, i)
                seen["province"].add(a["province"])
                seen["year"].add(a["year"])
                seen["unit"].update(u for u, _ in a["members"])
                url_i = f"https://bench.example.gov.vn/tin/{i}"
                published = date(a["year"], rng.randint(1, 12), rng.randint(1, 28))
                rows["page"].append(
                    {
                        "id": i,
                        "url": url_i,
                        "canonical_url": url_i,
                        "final_url": url_i,
                        "status": 200,
                        "headers": {},
                        "body": b"<html></html>",
                        "encoding": "utf-8",
                        "content_hash": f"{i:064x}",
                        "fetched_at": now,
                        "last_seen_at": now,
                        "fetch_count": 1,
                    }
                )
                rows["article"].append(
                    {
                        "id": i,
                        "page_id": i,
                        "url": url_i,
                        "canonical_url": url_i,
                        "title": a["title"],
                        "text": a["text"],
                        "published": published,
                        "content_key": f"{i:064x}",
                        "is_bloc_news": True,
                        "relevance_reason": "bench",
                    }
                )
                rows["record"].append(
                    {
                        "id": i,
                        "run_id": run_id,
                        "article_id": i,
                        "doc_id": f"article-{i}",
                        "published": published,
                        "province": a["province"],
                        "province_key": province_key(a["province"]),
                        "event_date": None,
                        "event_kinds": ["tong_ket"],
                        "flags": [],
                    }
                )

                def fact(
                    position: int, confidence: float, ev: dict[str, Any], record_id: int = i, **kw: Any
                ) -> dict[str, Any]:
                    ids["fact"] += 1
                    return {
                        "id": ids["fact"],
                        "record_id": record_id,
                        "position": position,
                        "confidence": confidence,
                        "rule": "bench",
                        **ev,
                        **kw,
                    }

                rows["scalar"].append(
                    fact(0, 0.9, a["province_span"], field_name="province", value=a["province"])
                )
                rows["scalar"].append(fact(0, 0.9, a["kind"], field_name="event_kind", value="tong_ket"))
                name, number, ev = a["bloc"]
                rows["bloc"].append(
                    fact(
                        0,
                        0.95,
                        ev,
                        name=name,
                        number=number,
                        aliases=[],
                        names_key=NAMES_KEY_SEPARATOR.join([name_key(name)]),
                    )
                )
                for p, (unit, ev) in enumerate(a["members"]):
                    conf = round(rng.uniform(0.55, 0.95), 2)
                    rows["member"].append(fact(p, conf, ev, unit=unit, surface=unit, unit_key=name_key(unit)))
                unit, year, ev = a["role"]
                rows["role"].append(
                    fact(0, 0.85, ev, unit=unit, role="khoi_truong", year=year, unit_key=name_key(unit))
                )
                for p, (unit, code, year, ev) in enumerate(a["awards"]):
                    rows["award"].append(
                        fact(
                            p,
                            0.7,
                            ev,
                            recipient=unit,
                            award=code,
                            issuer="ubnd_tinh",
                            year=year,
                            status="proposed",
                            recipient_key=name_key(unit),
                        )
                    )
            for table, model in (
                ("page", Page),
                ("article", Article),
                ("record", ExtractedRecord),
                ("scalar", ScalarFact),
                ("bloc", BlocFact),
                ("member", MemberFact),
                ("role", RoleFact),
                ("award", AwardFact),
            ):
                if rows[table]:
                    conn.execute(insert(model), rows[table])
        if conn.dialect.name == "postgresql":  # explicit ids: move the sequences past them
            for table in (
                "page",
                "article",
                "extracted_record",
                "scalar_fact",
                "bloc_fact",
                "member_fact",
                "role_fact",
                "award_fact",
            ):
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
    # what `store.repository` writes beside the rows: the full-text index of each article and the
    # materialised current records (`store.current_table`), which the search page and the API read
    with session_factory(engine)() as s, s.begin():
        for first in range(1, n + 1, BATCH):
            chunk = s.scalars(select(Article).where(Article.id.between(first, first + BATCH - 1)))
            index_articles(s, list(chunk))
            s.expunge_all()
        current_table.rebuild(s)
    if engine.dialect.name == "postgresql":
        # what autovacuum does on a server soon after a bulk load (the test server runs without
        # it): planner statistics, and the visibility map index-only scans need
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in ("article", "article_search", "current_record", "current_fact", "current_document"):
                conn.exec_driver_sql(f"VACUUM ANALYZE {table}")
    # a few editors' corrections, through the store (which refreshes their current records)
    from store import corrections

    with session_factory(engine)() as s, s.begin():
        for article_id in rng.sample(range(1, n + 1), min(corrected, n)):
            corrections.delete_fact(s, article_id=article_id, fact="member#1", editor="Bench Editor")
    engine.dispose()
    return {k: sorted(v) for k, v in seen.items()}


def kept_url(engine_name: str, keep: str) -> str:
    """The URL of a store kept between runs (``--keep``): a SQLite file named `keep` in the
    system's temporary folder, or a PostgreSQL schema of that name, created when missing."""
    if not keep.replace("_", "").isalnum():  # used as a file name and an SQL identifier
        raise SystemExit(f"--keep must be letters, digits and _, not {keep!r}")
    if engine_name == "sqlite":
        return f"sqlite:///{Path(tempfile.gettempdir()) / (keep + '.sqlite')}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{keep}"')
    admin.dispose()
    return (
        make_url(POSTGRES_URL)
        .update_query_dict({"options": f"-csearch_path={keep}"})
        .render_as_string(hide_password=False)
    )


def stored_values(url: str) -> dict[str, Any] | None:
    """What the clients ask for, read from a kept store; None when it holds no records yet."""
    migrate(url)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            provinces = sorted(p for p in conn.scalars(select(ExtractedRecord.province).distinct()) if p)
            years = sorted(conn.scalars(select(func.extract("year", Article.published)).distinct()))
    finally:
        engine.dispose()
    if not provinces:
        return None
    return {"province": provinces, "year": [int(y) for y in years if y is not None], "unit": sorted(UNITS)}


@contextmanager
def database(engine_name: str, keep: str | None = None) -> Iterator[str]:
    if keep:  # a store kept between runs: not dropped
        yield kept_url(engine_name, keep)
        return
    if engine_name == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="thidua-web-load-"))
        try:
            yield f"sqlite:///{folder / 'thidua.sqlite'}"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    name = f"thidua_web_load_{os.getpid()}_{secrets.token_hex(4)}"  # [a-z0-9_]: safe as an identifier
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{name}"')
    try:
        yield (
            make_url(POSTGRES_URL)
            .update_query_dict({"options": f"-csearch_path={name}"})
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        admin.dispose()


@contextmanager
def server(url: str, workers: int, *, cache: bool = True, facet_index: bool = True) -> Iterator[str]:
    """Run the app in a child process; `cache` False turns its results cache off
    (``THIDUA_WEB_CACHE_SIZE=0``), so every request computes its result; `facet_index` False
    makes it count facets in SQL (``THIDUA_WEB_FACET_INDEX=0``)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "THIDUA_DATABASE_URL": url,
        "THIDUA_WEB_SECRET": secrets.token_urlsafe(48),
        "THIDUA_WEB_CACHE_SIZE": os.environ.get("THIDUA_WEB_CACHE_SIZE", "512") if cache else "0",
        "THIDUA_WEB_FACET_INDEX": "1" if facet_index else "0",
    }
    # what an operator runs: `thidua serve`, which also gives its workers one shared cache folder
    cmd = [
        str(Path(sys.executable).with_name("thidua")),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    proc = subprocess.Popen(cmd, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/static/app.css", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("the web app did not start")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def wait_for_index(base: str, *, deadline: float, in_a_row: int = 12) -> float:
    """Wait until `in_a_row` answers of ``/api/status``, each on a new connection (so from any
    worker), say the facet index is current; return the seconds waited.

    Raises:
        RuntimeError: not by `deadline` (time.monotonic()).
    """
    started = time.monotonic()
    streak = 0
    while streak < in_a_row:
        state = httpx.get(base + "/api/status", timeout=30).json()["facet_index"]["state"]
        streak = streak + 1 if state == "current" else 0
        if time.monotonic() > deadline:
            raise RuntimeError(f"the facet index is still {state!r}")
        if not streak:
            time.sleep(0.2)
    return time.monotonic() - started


def _percentiles(latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    if not ordered:
        return {}
    return {
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 1),
        "max_ms": round(ordered[-1], 1),
    }


def load(base: str, paths: list[str], clients: int) -> dict[str, Any]:
    """Send `paths` from `clients` threads at once; return latency percentiles (ms), throughput,
    and what the app's results cache did (its ``X-Thidua-Cache`` header: hit or miss)."""
    queue = list(paths)
    lock = threading.Lock()
    latencies: list[float] = []
    by_cache: dict[str, list[float]] = {"hit": [], "miss": []}
    errors = [0]

    parsed = httpx.URL(base)

    def worker() -> None:
        # the standard library's client: about a tenth of httpx's CPU a request, and the clients
        # share the two CPUs with the app and the database (remote browsers would not)
        conn = http.client.HTTPConnection(parsed.host, parsed.port, timeout=120)
        try:
            while True:
                with lock:
                    if not queue:
                        return
                    path = queue.pop()
                t0 = time.perf_counter()
                cached = None
                try:
                    conn.request("GET", path)
                    response = conn.getresponse()
                    response.read()
                    ok = response.status == 200
                    cached = response.getheader(CACHE_HEADER)
                except (OSError, http.client.HTTPException):  # a reset or a timeout is an error
                    ok = False
                    conn.close()  # the next request opens a new connection
                elapsed = (time.perf_counter() - t0) * 1000
                with lock:
                    latencies.append(elapsed)
                    errors[0] += not ok
                    if cached in by_cache:
                        by_cache[cached].append(elapsed)
        finally:
            conn.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    hits, misses = len(by_cache["hit"]), len(by_cache["miss"])
    return {
        "requests": len(latencies),
        "distinct": len(set(paths)),
        "errors": errors[0],
        **_percentiles(latencies),
        "requests_per_s": round(len(latencies) / wall, 1),
        "cache_hit_rate": round(hits / (hits + misses), 3) if hits + misses else None,
        "hits": _percentiles(by_cache["hit"]),
        "misses": _percentiles(by_cache["miss"]),
    }


def scenarios(seen: dict[str, Any], n_requests: int, seed: int) -> dict[str, list[str]]:
    rng = random.Random(seed)
    words = [u.split(" ", 1)[1].lower() for u in seen["unit"]]  # "y tế", "tư pháp", …
    search = [str(httpx.URL("/search", params={"q": rng.choice(words)})) for _ in range(n_requests)]
    api = [
        str(
            httpx.URL(
                "/api/records",
                params={
                    "province": rng.choice(seen["province"]),
                    "year": rng.choice(seen["year"]),
                    "award": rng.choice([a for a, _ in AWARDS]),
                },
            )
        )
        for _ in range(n_requests)
    ]

    def within_province(rng: random.Random) -> list[str]:
        # the same words within one province: 16 x 20 searches of ~1,700 matches each, most asked once
        return [
            str(
                httpx.URL(
                    "/search", params={"q": rng.choice(words), "province": rng.choice(seen["province"])}
                )
            )
            for _ in range(n_requests)
        ]

    # seeds of their own, so the two scenarios above stay what they were; the searches while
    # editors write (`editors_writing`) drawn apart from the others
    narrow = within_province(random.Random(seed + 1))
    writing = within_province(random.Random(seed + 2))
    return {
        "search page": search,
        "search page, one province": narrow,
        "API, 3 facets": api,
        WRITING: writing,
    }


WRITING: Final = "search page, one province, editors writing"


@contextmanager
def editors_writing(url: str, every: float, seed: int) -> Iterator[dict[str, int]]:
    """While the block runs, write an editor's correction every `every` seconds (a verify of a
    record drawn at random, through `store.corrections`, as the app's editors write): each one
    moves the store's data version, so the app's caches and facet index must follow. Yields the
    counts of corrections written and refused."""
    engine = make_engine(url)
    done = {"written": 0, "refused": 0}
    stop = threading.Event()
    with session_factory(engine)() as s:
        ids = list(s.scalars(select(Article.id).where(Article.is_bloc_news.is_(True))))
    rng = random.Random(seed)

    def write() -> None:
        # the first correction at once, the stop looked at after each: the block always spans one
        while True:
            try:
                with session_factory(engine)() as s, s.begin():
                    corrections.verify(s, article_id=rng.choice(ids), editor="bench editor")
                done["written"] += 1
            except StoreError:
                done["refused"] += 1
            if stop.wait(every):
                return

    thread = threading.Thread(target=write, name="editor")
    thread.start()
    try:
        yield done
    finally:
        stop.set()
        thread.join()
        engine.dispose()


# --scenario's words, and the scenarios they name
SCENARIOS: Final = {
    "search": "search page",
    "narrow": "search page, one province",
    "api": "API, 3 facets",
    "writing": WRITING,
}


# each run's server: (results cache, in-memory facet index)
RUNS: Final = {"cached": (True, True), "no cache": (False, True), "no cache, SQL facets": (False, False)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument(
        "--requests", type=int, default=400, help="Requests per scenario (after 20 warm-up ones)."
    )
    ap.add_argument(
        "--cache",
        choices=["on", "off", "both"],
        default="both",
        help="Run with the app's results cache (on), without it (off: every request computes, the "
        "cold latency), or both, each with its own server.",
    )
    ap.add_argument(
        "--cold-requests",
        type=int,
        default=400,
        help="Requests per scenario of the runs without the cache (as many as with it by default; "
        "fewer make the first search of each word, whose articles a worker reads from the full-text "
        "index once, weigh more).",
    )
    ap.add_argument(
        "--facet-index",
        choices=["on", "off", "both"],
        default="on",
        help="Count facets from the workers' in-memory index (on, what `thidua serve` does), in SQL "
        "(off), or both: a third run without the cache and without the index, beside the second.",
    )
    ap.add_argument("--workers", type=int, default=2, help="uvicorn worker processes.")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", type=Path, help="Also write the figures here.")
    ap.add_argument(
        "--scenario",
        choices=[*SCENARIOS, "all"],
        default="all",
        help="The search page (16 broad searches), the search page within one province (320 "
        "narrower ones), the 3-facet API, the narrower searches while editors write a correction "
        "every --write-every seconds, or all four.",
    )
    ap.add_argument(
        "--write-every",
        type=float,
        default=0.05,
        help="Seconds between two editors' corrections during the 'editors writing' scenario (20 a "
        "second by default: a busy desk or a re-extraction, about one for every 20 searches).",
    )
    ap.add_argument(
        "--keep",
        metavar="NAME",
        help="Keep the store between runs: a SQLite file NAME.sqlite in the temporary folder and a "
        "PostgreSQL schema NAME, written on the first run and reused (not dropped) afterwards.",
    )
    args = ap.parse_args()
    engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    runs = [
        r
        for r, (cache, index) in RUNS.items()
        if (args.cache == "both" or (args.cache == "on") == cache)
        and (args.facet_index == "both" or (args.facet_index == "on") == index)
    ]
    results: dict[str, Any] = {
        "records": args.records,
        "clients": args.clients,
        "requests": args.requests,
        "cold_requests": args.cold_requests,
        "workers": args.workers,
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "loadavg_start": _loadavg(),
        "engines": {},
    }
    for engine_name in engines:
        with database(engine_name, args.keep) as url:
            t0 = time.perf_counter()
            kept = stored_values(url) if args.keep else None
            seen = kept or populate(url, args.records, seed=args.seed)
            loaded = time.perf_counter() - t0
            print(
                f"{engine_name}: {'reused the kept store' if kept else f'{args.records:,} records written'}"
                f" in {loaded:.1f} s",
                file=sys.stderr,
            )
            out: dict[str, Any] = {"load_seconds": None if kept else round(loaded, 1)}
            for run in runs:
                cache, index = RUNS[run]
                n = args.requests if cache else args.cold_requests
                with server(url, args.workers, cache=cache, facet_index=index) as base:
                    if index:  # the clients start once every worker's index is current
                        ready = wait_for_index(base, deadline=time.monotonic() + 300)
                        out[f"index ready seconds, {run}"] = round(ready, 1)
                        print(
                            f"  facet index current in every worker {ready:.1f} s after start",
                            file=sys.stderr,
                        )
                    for name, paths in scenarios(seen, n + 20, args.seed).items():
                        if args.scenario != "all" and name != SCENARIOS[args.scenario]:
                            continue
                        load(base, paths[:20], args.clients)  # warm-up: connections, caches
                        if name == WRITING:
                            with editors_writing(url, args.write_every, args.seed) as writes:
                                out[f"{name}, {run}"] = load(base, paths[20:], args.clients)
                            out[f"{name}, {run}"]["corrections"] = dict(writes)
                        else:
                            out[f"{name}, {run}"] = load(base, paths[20:], args.clients)
                        print(f"  {name}, {run}: {out[f'{name}, {run}']}", file=sys.stderr)
            results["engines"][engine_name] = out
    results["loadavg_end"] = _loadavg()
    print(
        f"\nweb load: {args.records:,} records, {args.clients} concurrent clients, {args.workers} workers, "
        f"{os.cpu_count()} CPUs; load average {results['loadavg_start']} at the start, "
        f"{results['loadavg_end']} at the end; target p95 < 200 ms"
    )
    print(
        f"{'engine':<11} {'scenario':<46} {'requests':>8} {'distinct':>8} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'max ms':>8} {'req/s':>7} {'errors':>6} {'hits':>6} {'miss p95':>9}  target"
    )
    for engine_name, out in results["engines"].items():
        for key, r in out.items():
            if not isinstance(r, dict):
                continue
            verdict = "PASS" if r["p95_ms"] < 200 and not r["errors"] else "MISS"
            hits = "" if r["cache_hit_rate"] is None else f"{r['cache_hit_rate']:.0%}"
            print(
                f"{engine_name:<11} {key:<46} {r['requests']:>8} {r['distinct']:>8} {r['p50_ms']:>8} "
                f"{r['p95_ms']:>8} {r['max_ms']:>8} {r['requests_per_s']:>7} {r['errors']:>6} {hits:>6} "
                f"{r['misses'].get('p95_ms', ''):>9}  {verdict}"
            )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


def _loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text(encoding="utf-8").split()[:3])
    except OSError:
        return "?"


if __name__ == "__main__":
    main()
