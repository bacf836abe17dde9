"""Store test fixtures: every store test runs on SQLite and on PostgreSQL.

`database_url` is parametrised over both engines (ids ``sqlite`` and ``postgresql``): a fresh
SQLite file, or a fresh PostgreSQL schema created for the session in the database at
``THIDUA_TEST_POSTGRES_URL`` (default: the local server's ``postgres`` database, user postgres,
trust auth) and dropped with everything in it at the end. Migrations run once per engine and
session; each test gets a session whose commits are savepoints inside a transaction rolled back
afterwards (STYLE.md habit 11). Tests that need an empty database of their own (migrations,
init-db) take `empty_database_url`.

An unreachable PostgreSQL skips its half of the suite with the reason on a developer's machine,
and fails it in CI (``CI=true``), so CI can never pass on SQLite alone.

Row builders (`make_page`, `make_article`, `make_record`) stand in for factories; the
Vietnamese samples are written for these tests.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from itertools import count
from pathlib import Path
from typing import Any, NoReturn

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from extract.record import AwardFact, BlocFact, Evidence, MemberFact, Record, RoleFact, ScalarFact
from store import repository
from store.db import describe_url, make_engine, migrate
from store.keys import content_key
from store.models import Article, Page

FETCHED = datetime(2024, 3, 1, 8, 30, tzinfo=UTC)

ENGINES = ("sqlite", "postgresql")
POSTGRES_ADMIN_URL = os.environ.get(
    "THIDUA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def in_ci() -> bool:
    """Return True under CI (CI=true), where nothing may be skipped for want of a server."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def postgres_unreachable(reason: str) -> NoReturn:
    """Skip the PostgreSQL half of a test locally; fail it in CI."""
    message = (
        f"PostgreSQL at {describe_url(POSTGRES_ADMIN_URL)} is unreachable ({reason}); start it "
        "(.ci/run does) or point THIDUA_TEST_POSTGRES_URL at a database where this user may CREATE SCHEMA"
    )
    if in_ci():
        pytest.fail(f"{message}. CI=true: the PostgreSQL tests must run", pytrace=False)
    pytest.skip(message)


def _admin_engine() -> Engine:
    return create_engine(
        POSTGRES_ADMIN_URL,
        isolation_level="AUTOCOMMIT",
        poolclass=NullPool,
        connect_args={"connect_timeout": 10},  # a server that never answers fails, not hangs
    )


@contextmanager
def fresh_postgres_schema() -> Iterator[str]:
    """Yield the URL of a new, empty PostgreSQL schema; drop it and everything in it afterwards.

    A schema instead of a database: CREATE DATABASE copies a template and takes about 0.5 s,
    CREATE SCHEMA a few milliseconds. The URL sets ``search_path`` to the schema, so the
    migrations, the models and `alembic_version` all live in it.
    """
    admin = _admin_engine()
    # an identifier cannot be a bound parameter; this one is made here of [a-z0-9_] only
    name = f"thidua_test_{os.getpid()}_{secrets.token_hex(4)}"
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{name}"')
    except OperationalError as exc:
        admin.dispose()
        postgres_unreachable(str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc))
    try:
        url = make_url(POSTGRES_ADMIN_URL).update_query_dict(
            # synchronous_commit off: a test database need not survive a crash, and commits of
            # the migrations' DDL stop waiting for the disk
            {"options": f"-csearch_path={name} -csynchronous_commit=off"}
        )
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    """The PostgreSQL server's URL, once it answered (skipped locally, failed in CI if not)."""
    with fresh_postgres_schema():
        pass
    return POSTGRES_ADMIN_URL


@contextmanager
def fresh_database(engine_name: str, folder: Path) -> Iterator[str]:
    """Yield the URL of an empty database of `engine_name` ("sqlite" files go in `folder`)."""
    if engine_name == "sqlite":
        yield f"sqlite:///{folder / 'test.sqlite'}"
    else:
        with fresh_postgres_schema() as url:
            yield url


@pytest.fixture(scope="session", params=ENGINES)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of each engine, migrated to head once per session."""
    with fresh_database(request.param, tmp_path_factory.mktemp("store")) as url:
        migrate(url)
        yield url


@pytest.fixture(params=ENGINES)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each engine, for one test."""
    with fresh_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A migrated PostgreSQL schema of its own, for tests whose writers must really commit."""
    with fresh_postgres_schema() as url:
        migrate(url)
        yield url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session whose commits are savepoints inside a transaction rolled back after the test."""
    with engine.connect() as connection:
        outer = connection.begin()
        db = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
        try:
            yield db
        finally:
            db.close()
            outer.rollback()


def ev(text: str, fragment: str) -> Evidence:
    """Return the evidence span of the first `fragment` in `text`."""
    start = text.index(fragment)
    return Evidence(start, start + len(fragment), fragment)


_seq = count(1)


@pytest.fixture
def make_page(session: Session) -> Callable[..., Page]:
    def build(canonical_url: str | None = None, body: bytes | None = None, **kw: Any) -> Page:
        n = next(_seq)
        canonical_url = canonical_url or f"https://example.gov.vn/tin-tuc/bai-{n}"
        page, _ = repository.save_page(
            session,
            portal=kw.pop("portal", None),
            url=kw.pop("url", canonical_url),
            canonical_url=canonical_url,
            final_url=kw.pop("final_url", canonical_url),
            status=kw.pop("status", 200),
            headers=kw.pop("headers", {"content-type": "text/html; charset=utf-8"}),
            body=body if body is not None else f"<html><body>trang {n}</body></html>".encode(),
            encoding=kw.pop("encoding", "utf-8"),
            fetched_at=kw.pop("fetched_at", FETCHED),
        )
        assert not kw, f"unknown arguments {kw}"
        return page

    return build


@pytest.fixture
def make_article(session: Session, make_page: Callable[..., Page]) -> Callable[..., Article]:
    def build(
        text: str, title: str = "Tin thi đua", published: date | None = date(2018, 1, 10), **kw: Any
    ) -> Article:
        page = kw.pop("page", None) or make_page()
        article, _ = repository.save_article(
            session,
            page=page,
            url=kw.pop("url", page.url),
            canonical_url=kw.pop("canonical_url", page.canonical_url),
            title=title,
            text=text,
            published=published,
            content_key=content_key(title=title, published=published, text=text),
            is_bloc_news=kw.pop("is_bloc_news", True),
            relevance_reason=kw.pop("relevance_reason", "bloc words in title"),
        )
        assert not kw, f"unknown arguments {kw}"
        return article

    return build


@pytest.fixture
def build_record() -> Callable[..., Record]:
    return make_record


@pytest.fixture
def evidence() -> Callable[[str, str], Evidence]:
    return ev


def make_record(
    text: str,
    *,
    doc_id: str = "doc",
    province: str | None = None,
    published: str | None = None,
    event_date: str | None = None,
    event_kinds: tuple[str, ...] = (),
    blocs: tuple[tuple[str, str | None, list[str]], ...] = (),
    members: tuple[str, ...] = (),
    roles: tuple[tuple[str, str, int | None], ...] = (),
    awards: tuple[tuple[str, str, str | None, int | None, str], ...] = (),
) -> Record:
    """Build a Record whose facts carry evidence wherever their words occur in `text`."""

    def span(words: str) -> Evidence | None:
        return ev(text, words) if words in text else None

    def scalar(name: str, value: str | None) -> ScalarFact | None:
        if value is None:
            return None
        return ScalarFact(span(value), 0.9, f"test.{name}", field_name=name, value=value)

    return Record(
        doc_id=doc_id,
        published=scalar("published", published),
        province=scalar("province", province),
        event_date=scalar("event_date", event_date),
        event_kinds=[
            ScalarFact(None, 0.8, "test.kind", field_name="event_kind", value=k) for k in event_kinds
        ],
        blocs=[BlocFact(span(n), 0.95, "test.bloc", name=n, number=num, aliases=a) for n, num, a in blocs],
        members=[MemberFact(span(u), 0.7, "test.member", unit=u, surface=u) for u in members],
        roles=[
            RoleFact(span(u), 0.85, "test.role", unit=u, role=r, year=y)  # type: ignore[arg-type]
            for u, r, y in roles
        ],
        awards=[
            AwardFact(span(u), 0.6, "test.award", recipient=u, award=a, issuer=i, year=y, status=s)  # type: ignore[arg-type]
            for u, a, i, y, s in awards
        ],
    )
