"""Writes are whole or nothing: bad records are refused, concurrent writers lose no update."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from extract.record import AwardFact, BlocFact, Evidence, MemberFact, Record, RoleFact, ScalarFact
from store import repository
from store.db import make_engine, session_factory
from store.errors import InvalidRecordError
from store.models import Article, ExtractedRecord, Page, PageVersion
from store.models import MemberFact as MemberRow

TEXT = "Khối thi đua số 6 gồm Sở Y tế và Sở Tư pháp; Sở Y tế được tặng Cờ thi đua năm 2018."


def _member(unit: Any = "Sở Y tế", **kw: Any) -> MemberFact:
    fields: dict[str, Any] = {"evidence": None, "confidence": 0.9, "rule": "test.member"} | kw
    return MemberFact(unit=unit, surface=str(unit), **fields)


def _award(**kw: Any) -> AwardFact:
    fields: dict[str, Any] = {
        "evidence": None,
        "confidence": 0.8,
        "rule": "test.award",
        "recipient": "Sở Y tế",
        "award": "co_thi_dua",
        "issuer": "ubnd_tinh",
        "year": 2018,
        "status": "conferred",
    } | kw
    return AwardFact(**fields)


BAD_RECORDS: list[tuple[str, Record, str]] = [
    (
        "award code",
        Record("d", awards=[_award(award="huy_chuong")]),
        "award #0: award is 'huy_chuong', not one of",
    ),
    ("issuer", Record("d", awards=[_award(issuer="ubnd")]), "award #0: issuer is 'ubnd'"),
    ("status", Record("d", awards=[_award(status="given")]), "award #0: status is 'given'"),
    ("year as text", Record("d", awards=[_award(year="2018")]), "award #0: year is '2018', not a year"),
    ("year 0", Record("d", awards=[_award(year=0)]), "award #0: year is 0"),
    ("year bool", Record("d", awards=[_award(year=True)]), "award #0: year is True"),
    (
        "role",
        Record("d", roles=[RoleFact(None, 0.9, "test.role", unit="Sở Y tế", role="truong_khoi")]),  # type: ignore[arg-type]
        "role #0: role is 'truong_khoi'",
    ),
    (
        "event kind",
        Record("d", event_kinds=[ScalarFact(None, 0.9, "test.kind", field_name="event_kind", value="hop")]),
        "event_kind #0: value is 'hop'",
    ),
    ("confidence", Record("d", members=[_member(confidence=1.5)]), "member #0: confidence is 1.5"),
    ("NaN confidence", Record("d", members=[_member(confidence=float("nan"))]), "confidence is nan"),
    ("empty unit", Record("d", members=[_member(unit=" ")]), "member #0: unit is empty"),
    ("unit not text", Record("d", members=[_member(unit=6)]), "member #0: unit must be text, not int"),
    ("NUL", Record("d", members=[_member(unit="Sở Y\x00 tế")]), "member #0: unit holds a NUL character"),
    (
        "surrogate",
        Record("d", members=[_member(unit="S\udcc6 Y tế")]),
        "unit holds characters that are not UTF-8",
    ),
    (
        "bloc number too long",
        Record("d", blocs=[BlocFact(None, 0.9, "test.bloc", name="Khối thi đua số 6", number="6" * 17)]),
        "bloc #0: number is 17 characters long; the column holds 16",
    ),
    (
        "rule too long",
        Record("d", members=[_member(rule="r" * 129)]),
        "member #0: rule is 129 characters long",
    ),
    (
        "reversed evidence",
        Record("d", members=[_member(evidence=Evidence(30, 20, "Sở Y tế"))]),
        "member #0: evidence offsets 30:20 are not 0 <= start <= end",
    ),
    ("empty doc_id", Record(""), "doc_id is empty"),
]


def _stored_records(session: Session, article: Article) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(ExtractedRecord).where(ExtractedRecord.article_id == article.id)
        )
        or 0
    )


@pytest.mark.parametrize(
    ("record", "message"), [(r, m) for _, r, m in BAD_RECORDS], ids=[i for i, _, _ in BAD_RECORDS]
)
def test_a_record_that_breaks_the_schema_is_refused_logged_and_not_stored(
    session: Session,
    make_article: Callable[..., Article],
    caplog: pytest.LogCaptureFixture,
    record: Record,
    message: str,
) -> None:
    article = make_article(TEXT)
    run = repository.start_run(session, extractor_version="0.1.0", config={})
    with (
        caplog.at_level(logging.WARNING, logger="store.repository"),
        pytest.raises(InvalidRecordError, match=message),
    ):
        repository.save_record(session, run=run, article=article, record=record)
    assert "refused" in caplog.text
    assert _stored_records(session, article) == 0
    # the session is still usable, and a good record of the same article goes in
    repository.save_record(session, run=run, article=article, record=Record("d", members=[_member()]))
    assert _stored_records(session, article) == 1


def test_every_problem_is_named_at_once(session: Session, make_article: Callable[..., Article]) -> None:
    article = make_article(TEXT)
    run = repository.start_run(session, extractor_version="0.1.0", config={})
    record = Record(
        "d", members=[_member(unit=""), _member(confidence=-1)], awards=[_award(award="x", status="y")]
    )
    with pytest.raises(InvalidRecordError) as caught:
        repository.save_record(session, run=run, article=article, record=record)
    text = str(caught.value)
    for fragment in (
        "member #0: unit is empty",
        "member #1: confidence is -1",
        "award #0: award is 'x'",
        "award #0: status is 'y'",
    ):
        assert fragment in text


def test_a_row_the_database_refuses_leaves_no_half_record(
    session: Session, make_article: Callable[..., Article], monkeypatch: pytest.MonkeyPatch
) -> None:
    # past validation (switched off here), a row the database refuses (NOT NULL) must take the
    # record row and the facts flushed before it along when it fails
    monkeypatch.setattr(repository, "record_problems", lambda record: [])
    article = make_article(TEXT)
    run = repository.start_run(session, extractor_version="0.1.0", config={})
    broken = Record("d", members=[_member(), _member(unit=None)])
    with pytest.raises(IntegrityError):
        repository.save_record(session, run=run, article=article, record=broken)
    assert _stored_records(session, article) == 0
    assert session.scalar(select(func.count()).select_from(MemberRow)) == 0
    repository.save_record(session, run=run, article=article, record=Record("d", members=[_member()]))
    assert _stored_records(session, article) == 1


@pytest.mark.parametrize(
    ("stored_before", "fetch_count", "versions"),
    [
        # a refetch with a new body: without a row lock both writers read fetch_count 1 and the
        # old body, both write 2, and both copy the old body into a PageVersion
        (b"<html>ban cu</html>", 3, [b"<html>ban cu</html>"]),
        # a page neither has seen: both insert; the loser's unique-key error must turn into a
        # refetch of the winner's row, not an error or a second row
        (None, 2, []),
    ],
    ids=["refetch", "first-fetch"],
)
def test_two_crawlers_storing_one_page_at_once_lose_no_update(
    postgres_url: str, stored_before: bytes | None, fetch_count: int, versions: list[bytes]
) -> None:
    """Two connections store the same page at the same moment, on PostgreSQL."""
    engine = make_engine(postgres_url)
    sessions = session_factory(engine)
    url = "https://sonoivu.example.gov.vn/tin-tuc/khoi-thi-dua-so-6"
    t0 = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)
    new_body = b"<html>ban moi</html>"

    def fetch(session: Session, body: bytes, at: datetime) -> None:
        repository.save_page(
            session,
            portal=None,
            url=url,
            canonical_url=url,
            final_url=url,
            status=200,
            headers={},
            body=body,
            encoding="utf-8",
            fetched_at=at,
        )

    first_wrote = threading.Event()
    errors: list[BaseException] = []
    waited: list[float] = []

    def crawler_a() -> None:
        try:
            with sessions() as s, s.begin():
                fetch(s, new_body, t0 + timedelta(hours=1))
                first_wrote.set()
                time.sleep(0.5)  # hold the transaction open while B stores the same page
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
            first_wrote.set()

    def crawler_b() -> None:
        try:
            first_wrote.wait(10)
            started = time.monotonic()
            with sessions() as s, s.begin():
                fetch(s, new_body, t0 + timedelta(hours=1, minutes=1))
            waited.append(time.monotonic() - started)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    try:
        if stored_before is not None:
            with sessions() as s, s.begin():
                fetch(s, stored_before, t0)
        threads = [threading.Thread(target=crawler_a), threading.Thread(target=crawler_b)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert errors == []
        with sessions() as s:
            page = s.scalars(select(Page).where(Page.canonical_url == url)).one()
            stored_versions = s.scalars(select(PageVersion).where(PageVersion.page_id == page.id)).all()
            assert page.fetch_count == fetch_count
            assert page.body == new_body
            assert page.last_seen_at == t0 + timedelta(hours=1, minutes=1)
            assert [v.body for v in stored_versions] == versions
        assert waited and waited[0] > 0.2  # B waited for A instead of reading stale values
    finally:
        engine.dispose()
