"""Two crawler processes over one Redis frontier and one PostgreSQL store (issue 10, item 8).

Redis (THIDUA_TEST_REDIS_URL, default 127.0.0.1:6379) and PostgreSQL (THIDUA_TEST_POSTGRES_URL)
must answer: locally a missing server skips, under CI=true it fails (.ci/run starts both).
Each test uses its own Redis key prefix (conftest.py `redis_prefix`) and its own PostgreSQL schema,
so runs never collide.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from crawlhelpers import REDIS_URL, REPO, crawl_command, crawl_env, mock_url_map, unavailable
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from crawler import registry
from crawler.mockportals import FaultConfig, HostFaults, start_server
from crawler.mockportals.server import MockPortalServer
from crawler.urls import canonicalize
from store.db import make_engine
from store.models import ExtractionRun, Page

POSTGRES_ADMIN_URL = os.environ.get(
    "THIDUA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
PORTALS = ["hoabinh", "quangninh", "binhphuoc-stttt", "rehearsal-postback"]


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A fresh PostgreSQL schema (as tests/store/conftest.py makes them), dropped afterwards."""
    admin = create_engine(
        POSTGRES_ADMIN_URL,
        isolation_level="AUTOCOMMIT",
        poolclass=NullPool,
        connect_args={"connect_timeout": 10},
    )
    name = f"thidua_test_{os.getpid()}_{secrets.token_hex(4)}"  # [a-z0-9_] only: safe as an identifier
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{name}"')
    except OperationalError as exc:
        admin.dispose()
        unavailable(f"PostgreSQL at {POSTGRES_ADMIN_URL} is unreachable ({str(exc.orig).strip()[:200]})")
    try:
        url = make_url(POSTGRES_ADMIN_URL).update_query_dict({"options": f"-csearch_path={name}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        admin.dispose()


def run_workers(server: MockPortalServer, url: str, n: int, **env: str) -> list[dict[str, Any]]:
    """Start `n` crawl processes at once on the same database; return their CrawlStats."""
    environ = crawl_env(url, server.url, **env)
    procs = [
        subprocess.Popen(
            crawl_command(PORTALS),
            cwd=REPO,
            env=environ,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(n)
    ]
    out = []
    for proc in procs:
        stdout, stderr = proc.communicate(timeout=400)
        assert proc.returncode == 0, stderr[-4000:]
        out.append(json.loads(stdout.strip().splitlines()[-1]))
    return out


def run_distributed(
    server: MockPortalServer, url: str, redis_prefix: str, **env: str
) -> list[dict[str, Any]]:
    """Two workers of the distributed crawl ``night-1`` over Redis keys under `redis_prefix`."""
    return run_workers(
        server,
        url,
        2,
        THIDUA_CRAWL_REDIS_URL=REDIS_URL,
        THIDUA_CRAWL_REDIS_KEY=redis_prefix,
        THIDUA_CRAWL_ID="night-1",
        **env,
    )


def fetched_pages(server: MockPortalServer) -> dict[str, int]:
    """Requests answered, robots.txt left out (each process reads it once, by design)."""
    return {k: n for k, n in server.hits.items() if not k.endswith("/robots.txt")}


def articles_reached(server: MockPortalServer) -> set[str]:
    """The mock articles (corpus ids, or rehearsal URLs) whose page was fetched in any URL form.

    A URL set would differ between runs that reach one article by another link (a syndicated
    copy's URL, a case variant): what must not differ is which articles were reached.
    """
    urls = mock_url_map(server)
    postback = set(server.rehearsal("rehearsal-postback").article_urls())
    out: set[str] = set()
    for key in fetched_pages(server):
        method, _, target = key.partition(" ")
        url = "http://" + target.split("#", 1)[0]
        if method == "GET" and url in postback:
            out.add(url)
        elif (art := urls.get(canonicalize(url))) is not None:
            out.add(art.id)
    return out


def test_two_workers_fetch_each_page_exactly_once_between_them(redis_prefix: str) -> None:
    # the reference: one ordinary crawl of the same portals
    with start_server(0, bench_articles=10) as alone, postgres_schema() as url:
        run_workers(alone, url, 1)
        expected = articles_reached(alone)
    assert len(expected) >= 40  # 20 postback articles and the corpus articles of three portals

    # each answer takes 0.2 s, so the crawl outlasts a worker's start-up (imports, migration):
    # without it the first worker to start drained the frontier before the other asked
    slow = FaultConfig(default=HostFaults(latency=0.2))
    with start_server(0, bench_articles=10, faults=slow) as server, postgres_schema() as url:
        stats = run_distributed(server, url, redis_prefix)
        hits = fetched_pages(server)
        assert {k: n for k, n in hits.items() if n > 1} == {}  # nothing fetched twice
        assert articles_reached(server) == expected  # and no article left out
        assert all(s["pages"] > 0 for s in stats), stats  # both did part of the work
        # responses: the pages plus each worker's robots.txt of the portals it made requests to
        assert len(hits) < sum(s["pages"] for s in stats) <= len(hits) + 2 * len(PORTALS)

        engine = make_engine(url)
        try:
            with Session(engine) as session:
                pages = session.scalar(select(func.count()).select_from(Page))
                distinct = session.scalar(select(func.count(func.distinct(Page.url))))
                runs = session.scalars(select(ExtractionRun.status)).all()
        finally:
            engine.dispose()
        assert pages == distinct == sum(s["pages_stored"] for s in stats)
        assert sorted(runs) == ["finished", "finished"]  # one run per worker, neither taken for dead

    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:  # a complete crawl clears its frontier: tomorrow's crawl with this id starts afresh
        assert list(client.scan_iter(match=f"{redis_prefix}:night-1:*")) == []
    finally:
        client.close()


def test_two_workers_keep_together_to_the_per_host_limit(redis_prefix: str) -> None:
    # answers take 0.25-0.3 s: each worker alone would keep two requests in flight on a portal,
    # so two workers without the shared limit send up to four at once (crawler/shared_slots.py)
    slow = FaultConfig(default=HostFaults(latency=0.25, latency_jitter=0.05))
    with start_server(0, bench_articles=10, faults=slow) as server, postgres_schema() as url:
        stats = run_distributed(server, url, redis_prefix, THIDUA_CRAWL_CONCURRENCY_PER_DOMAIN="2")
        peak = server.max_in_flight
    assert all(s["pages"] > 0 for s in stats), stats  # both did part of the work
    assert set(peak) >= {registry.by_name(name).hosts[0] for name in PORTALS}, peak
    # the limit was reached (the portals were busy enough to need it) and never passed
    assert max(peak.values()) == 2, peak

    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:  # every lease was given back: no slot is left behind with the frontier cleared
        assert list(client.scan_iter(match=f"{redis_prefix}:night-1:*")) == []
    finally:
        client.close()


def test_a_worker_refuses_when_redis_does_not_answer(tmp_path: Any) -> None:
    with start_server(0, bench_articles=10) as server:
        env = crawl_env(
            f"sqlite:///{tmp_path / 'x.sqlite'}", server.url, THIDUA_CRAWL_REDIS_URL="redis://127.0.0.1:1/0"
        )
        done = subprocess.run(
            crawl_command(["hoabinh"]),
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 2
    assert "THIDUA_CRAWL_REDIS_URL=redis://127.0.0.1:1/0: no Redis answers" in done.stderr
    assert not server.hits
