"""Helpers for crawl tests against the mock portals: run a crawl, map stored rows to mock articles.

`stored_records_by_mock_id` is the entry point for scoring a crawl against the mock gold
(crawler/mockportals/corpus/gold/<id>.json): it returns SCHEMA.md dicts keyed by mock article id.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.mockportals.server import MockPortalServer
from crawler.urls import canonicalize
from store.db import make_engine
from store.models import Article, ArticleAlias, Page
from store.queries import record_dict
from store.repository import latest_records

REPO = Path(__file__).resolve().parents[2]
# the Redis of the distributed crawl tests (test_crawl_distributed.py, test_shared_slots.py)
REDIS_URL = os.environ.get("THIDUA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SCHEMA_KEYS = (
    "doc_id",
    "published",
    "province",
    "event_date",
    "event_kinds",
    "blocs",
    "members",
    "roles",
    "awards",
)


@dataclass(frozen=True, slots=True)
class MockArticle:
    id: str  # corpus id, the gold file stem
    relevant: bool
    portal: str  # the mock portal serving this copy


def mock_url_map(server: MockPortalServer) -> dict[str, MockArticle]:
    """Map the canonical form of every URL a mock site serves an article under to that article."""
    out: dict[str, MockArticle] = {}
    for site in server.sites.values():
        for entry in site.entries:
            art = MockArticle(entry.article.id, entry.article.relevant, site.portal.name)
            for url in (site.article_url(entry), *site.variant_urls(entry)):
                out[canonicalize(url)] = art
    return out


def mock_ids_by_article(session: Session, server: MockPortalServer) -> dict[int, set[str]]:
    """Return, for each stored article, the mock article ids of all pages linked to it."""
    urls = mock_url_map(server)
    out: dict[int, set[str]] = defaultdict(set)
    rows = session.execute(
        select(ArticleAlias.article_id, Page.canonical_url, Page.final_url).join(
            Page, Page.id == ArticleAlias.page_id
        )
    ).tuples()
    for article_id, canonical_url, final_url in rows:
        art = urls.get(canonical_url) or urls.get(canonicalize(final_url))
        out[article_id].add(art.id if art else f"unknown:{canonical_url}")
    return dict(out)


def stored_records_by_mock_id(database_url: str, server: MockPortalServer) -> dict[str, dict[str, Any]]:
    """Load each article's newest stored record as a SCHEMA.md dict keyed (and doc_id'd) by mock id.

    Articles whose pages map to no mock article, or to several, are left out: the crawl tests
    report those separately.
    """
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            ids = mock_ids_by_article(session, server)
            out: dict[str, dict[str, Any]] = {}
            for record in latest_records(session):
                article = session.get(Article, record.article_id)
                mock = ids.get(record.article_id, set())
                if article is None or len(mock) != 1:
                    continue
                (mock_id,) = mock
                data = {k: v for k, v in record_dict(record, article).items() if k in SCHEMA_KEYS}
                data["doc_id"] = mock_id
                out[mock_id] = data
            return out
    finally:
        engine.dispose()


def crawl_env(database_url: str, proxy: str, **extra: str) -> dict[str, str]:
    """The environment of a crawl subprocess: this one's without THIDUA_*, plus the crawl's."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("THIDUA_")},
        "THIDUA_DATABASE_URL": database_url,
        "THIDUA_HTTP_PROXY": proxy,
        "THIDUA_CRAWL_DOWNLOAD_DELAY": "0",  # the mock is local; politeness is tested on settings
        "THIDUA_LOG_LEVEL": "WARNING",
        "THIDUA_CRAWL_MOCK": "1",  # no portal named: the mock ones
        **extra,
    }


def crawl_command(portals: list[str] | None = None, *extra: str) -> list[str]:
    """The command line of a crawl subprocess (`python -m crawler.run`)."""
    cmd = [sys.executable, "-m", "crawler.run", *extra]
    for name in portals or ():
        cmd += ["-p", name]
    return cmd


def start_crawl(
    database_url: str, proxy: str, *, portals: list[str] | None = None, **env: str
) -> subprocess.Popen[str]:
    """Start a crawl subprocess without waiting for it (to kill it, or run another beside it)."""
    return subprocess.Popen(
        crawl_command(portals),
        cwd=REPO,
        env=crawl_env(database_url, proxy, **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_crawl_subprocess(
    database_url: str,
    proxy: str,
    *,
    portals: list[str] | None = None,
    timeout: float = 300,
    returncode: int = 0,
) -> dict[str, Any]:
    """Crawl in a fresh interpreter (Twisted's reactor cannot restart) and return its CrawlStats.

    `returncode`: the exit status expected (1: the run ended "failed", a portal failed).
    """
    env = crawl_env(database_url, proxy)
    done = subprocess.run(
        crawl_command(portals),
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != returncode:
        raise AssertionError(f"crawl exited {done.returncode}, not {returncode}:\n{done.stderr[-4000:]}")
    stats: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return stats


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def unavailable(message: str) -> NoReturn:
    """Skip a test whose server (Redis, PostgreSQL) does not answer; fail instead under CI=true."""
    if in_ci():
        pytest.fail(f"{message}. CI=true: the distributed crawl tests must run", pytrace=False)
    pytest.skip(message)
