"""Store test fixtures: migrations once per session, a rolled-back session per test.

The database is a temporary SQLite file unless THIDUA_TEST_DATABASE_URL names another (an
empty PostgreSQL database, e.g. ``postgresql+psycopg://thidua@127.0.0.1/thidua_test``).
Row builders (`make_page`, `make_article`, `make_record`) stand in for factories; the
Vietnamese samples are written for these tests.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from itertools import count
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from extract.record import AwardFact, BlocFact, Evidence, MemberFact, Record, RoleFact, ScalarFact
from store import repository
from store.db import make_engine, migrate
from store.keys import content_key
from store.models import Article, Page

FETCHED = datetime(2024, 3, 1, 8, 30, tzinfo=UTC)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("THIDUA_TEST_DATABASE_URL")
    if not url:
        url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'test.sqlite'}"
    migrate(url)
    return url


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
