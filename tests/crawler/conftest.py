"""Crawler test fixtures: a migrated SQLite file per test, crawlers built with get_crawler.

Migrating takes about a second, so one database is migrated per session and copied for each
test that writes (pipelines commit for real, as they do in a crawl).
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from crawlhelpers import REDIS_URL, unavailable
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from crawler.spiders.portal import PortalSpider
from store.db import make_engine, migrate


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("crawler-db") / "template.sqlite"
    migrate(f"sqlite:///{path}")
    return path


@pytest.fixture
def db_url(migrated_template: Path, tmp_path: Path) -> str:
    """A fresh, migrated SQLite database for one test."""
    path = tmp_path / "thidua.sqlite"
    shutil.copyfile(migrated_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def db(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def read(db: Engine) -> Iterator[Session]:
    """A session for assertions on what the pipelines committed."""
    with Session(bind=db, expire_on_commit=False) as session:
        yield session


CrawlerFactory = Callable[..., Crawler]


@pytest.fixture
def make_crawler() -> CrawlerFactory:
    """Return `make(settings=None, spidercls=PortalSpider)`: the project's settings under overrides."""

    def make(settings: dict[str, Any] | None = None, spidercls: type[Spider] = PortalSpider) -> Crawler:
        from crawler import settings as project

        base = {k: getattr(project, k) for k in dir(project) if k.isupper()}
        base.update(
            {
                "THIDUA_HTTP_PROXY": None,
                "THIDUA_MIGRATE": False,
                "THIDUA_RESUME": False,
                "THIDUA_INCREMENTAL": False,
                "JOBDIR": None,
            }
        )
        base.update(settings or {})
        return get_crawler(spidercls, base)

    return make


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A Redis key prefix of this test's own (at REDIS_URL); its keys are deleted afterwards."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=5)
    try:
        client.ping()
    except redis.RedisError as exc:
        unavailable(f"Redis at {REDIS_URL} does not answer ({exc}); start redis-server (.ci/run does)")
    prefix = f"thidua-test-{os.getpid()}-{secrets.token_hex(4)}"
    yield prefix
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)
    client.close()
