"""The materialised current records (store.current_table) on both engines: the table always holds
what `store.current.current_records` computes, for corrected and uncorrected articles, after a
correction, an undo and a re-extraction, and the migration backfills it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

import pytest
from alembic import command
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from extract.record import Record
from store import corrections, current_table, repository
from store.current import current_records
from store.db import alembic_config, make_engine, migrate, session_factory
from store.keys import content_key, province_key
from store.models import Article, CurrentDocument, CurrentFact, CurrentNameKey, CurrentRecord

T1 = (
    "Khối thi đua số 4 tỉnh Nghệ An tổng kết năm 2021: Sở Công Thương, Sở Xây dựng. "
    "Sở Xây dựng làm Khối trưởng."
)
FETCHED = datetime(2022, 1, 4, 9, 0, tzinfo=UTC)
T2 = "Cụm thi đua số 2 tỉnh Quảng Trị năm 2022: Sở Du lịch nhận Bằng khen của Bộ trưởng."
T3 = "Khối thi đua các cơ quan Đảng tỉnh Nghệ An họp mặt, Ban Tổ chức Tỉnh ủy dự."


def _records(build: Callable[..., Record]) -> dict[str, Record]:
    return {
        "na": build(
            T1,
            doc_id="na",
            province="Nghệ An",
            event_date="2021-12-20",
            blocs=(("Khối thi đua số 4", "4", ["Khối 4"]),),
            members=("Sở Công Thương", "Sở Xây dựng"),
            roles=(("Sở Xây dựng", "khoi_truong", 2021),),
            awards=(("Sở Công Thương", "co_thi_dua", "ubnd_tinh", None, "proposed"),),
        ),
        "qt": build(
            T2,
            doc_id="qt",
            province="Quảng Trị",
            blocs=(("Cụm thi đua số 2", "2", []),),
            members=("Sở Du lịch",),
            awards=(("Sở Du lịch", "bang_khen", None, 2022, "conferred"),),
        ),
        "dang": build(T3, doc_id="dang", province="Nghệ An", members=("Ban Tổ chức Tỉnh ủy",)),
    }


@pytest.fixture
def stored(
    session: Session, make_article: Callable[..., Article], build_record: Callable[..., Record]
) -> dict[str, Article]:
    articles = {
        "na": make_article(T1, title="Khối 4 Nghệ An", published=date(2021, 12, 22)),
        "qt": make_article(T2, title="Cụm 2 Quảng Trị", published=date(2022, 5, 2)),
        "dang": make_article(T3, title="Khối các cơ quan Đảng", published=None),
    }
    records = _records(build_record)
    run = repository.start_run(session, extractor_version="0.1.0", config={})
    for key, article in articles.items():
        repository.save_record(session, run=run, article=article, record=records[key])
    repository.finish_run(session, run=run, status="finished", stats={})
    session.flush()
    return articles


def _table(session: Session) -> dict[int, dict[str, Any]]:
    session.expire_all()
    return {r.article_id: r.document for r in session.scalars(select(CurrentDocument))}


def _computed(session: Session) -> dict[int, dict[str, Any]]:
    ids = list(session.scalars(select(Article.id).order_by(Article.id)))
    return {r["article_id"]: r for r in current_records(session, ids)}


def _assert_table_is_function(session: Session) -> dict[int, dict[str, Any]]:
    """The table holds exactly the function's records, and its columns and facts agree with them."""
    computed = _computed(session)
    assert _table(session) == computed
    for row in session.scalars(select(CurrentRecord)):
        article = session.get(Article, row.article_id)
        assert article is not None
        head, facts = current_table.rows_of(computed[row.article_id], article.published)
        assert {c: getattr(row, c) for c in head} == head
        stored_facts = session.scalars(
            select(CurrentFact)
            .where(CurrentFact.article_id == row.article_id)
            .order_by(CurrentFact.field, CurrentFact.position)
        )
        as_rows = [{c: getattr(f, c) for c in facts[0]} for f in stored_facts] if facts else []
        assert as_rows == sorted(facts, key=lambda f: (f["field"], f["position"]))
    keys = set(session.scalars(select(CurrentNameKey.key)))
    assert {f.name_key for f in session.scalars(select(CurrentFact))} <= keys
    return computed


def test_every_stored_record_is_materialised_as_computed(
    session: Session, stored: dict[str, Article]
) -> None:
    computed = _assert_table_is_function(session)
    assert set(computed) == {a.id for a in stored.values()}
    na = session.get(CurrentRecord, stored["na"].id)
    dang = session.get(CurrentRecord, stored["dang"].id)
    assert na is not None and dang is not None
    assert (na.province_key, na.year, na.event_year, na.article_year, na.review_state) == (
        "nghe an",
        2021,
        2021,
        2021,
        "machine",
    )
    assert na.sort_date == date(2021, 12, 20)
    assert dang.year is None and dang.sort_date == current_table.UNDATED  # undated sorts last
    bloc = session.scalars(
        select(CurrentFact).where(CurrentFact.article_id == na.article_id, CurrentFact.field == "bloc")
    ).one()
    assert (bloc.number, bloc.name_key) == ("4", "khoi thi dua so 4 | khoi 4")


def test_corrections_and_undo_rewrite_the_materialised_record(
    session: Session, stored: dict[str, Article]
) -> None:
    na, qt = stored["na"].id, stored["qt"].id
    corrections.change_fact(session, article_id=na, fact="province", value="Hà Tĩnh", editor="Mai")
    deleted = corrections.delete_fact(session, article_id=qt, fact="member#0", editor="Mai")
    corrections.add_fact(session, article_id=qt, field="member", value="Sở Ngoại vụ", editor="Mai")
    computed = _assert_table_is_function(session)
    assert computed[na]["province"] == "Hà Tĩnh"
    row = session.get(CurrentRecord, na)
    assert row is not None and (row.province_key, row.review_state) == (province_key("Hà Tĩnh"), "corrected")
    members = session.scalars(
        select(CurrentFact.name).where(CurrentFact.article_id == qt, CurrentFact.field == "member")
    )
    assert list(members) == ["Sở Ngoại vụ"]

    corrections.undo(session, correction_id=deleted.id, editor="Mai")
    computed = _assert_table_is_function(session)
    assert computed[qt]["members"] == ["Sở Du lịch", "Sở Ngoại vụ"]


def test_a_new_run_rewrites_it_and_a_changed_machine_value_shows_as_review(
    session: Session, stored: dict[str, Article], build_record: Callable[..., Record]
) -> None:
    na = stored["na"]
    corrections.change_fact(
        session,
        article_id=na.id,
        fact="award:so cong thuong|co_thi_dua|ubnd_tinh",
        value={"year": 2020},
        editor="Mai",
    )
    record = _records(build_record)["na"]
    again = build_record(
        T1,
        doc_id="na",
        province="Nghệ An",
        event_date="2021-12-20",
        members=("Sở Công Thương", "Sở Xây dựng"),
        awards=(("Sở Công Thương", "co_thi_dua", "ubnd_tinh", None, "conferred"),),
    )
    assert record != again
    run = repository.start_run(session, extractor_version="0.2.0", config={})
    repository.save_record(session, run=run, article=na, record=again)
    computed = _assert_table_is_function(session)
    assert computed[na.id]["extractor_version"] == "0.2.0"
    row = session.get(CurrentRecord, na.id)
    assert row is not None and row.review_state == "review"
    blocs = session.scalars(
        select(CurrentFact).where(CurrentFact.article_id == na.id, CurrentFact.field == "bloc")
    )
    assert list(blocs) == []  # the new run found no bloc, and the copy says so


def test_rebuild_writes_the_same_rows(session: Session, stored: dict[str, Article]) -> None:
    corrections.change_fact(session, article_id=stored["qt"].id, fact="province", value="Huế", editor="Mai")
    before = _table(session)
    for table in (CurrentFact, CurrentDocument, CurrentRecord):
        session.execute(delete(table))
    assert _table(session) == {}
    assert current_table.rebuild(session, batch=2) == 3
    assert _table(session) == before
    _assert_table_is_function(session)


def _one_article(s: Session, build_record: Callable[..., Record]) -> Article:
    """Store the Nghệ An article, its machine record (extractor 0.1.0) and nothing else."""
    page, _ = repository.save_page(
        s,
        portal=None,
        url="https://sct.nghean.example.gov.vn/khoi-4",
        canonical_url="https://sct.nghean.example.gov.vn/khoi-4",
        final_url="https://sct.nghean.example.gov.vn/khoi-4",
        status=200,
        headers={},
        body=b"<html></html>",
        encoding="utf-8",
        fetched_at=FETCHED,
    )
    article, _ = repository.save_article(
        s,
        page=page,
        url=page.url,
        canonical_url=page.canonical_url,
        title="Khối 4",
        text=T1,
        published=date(2021, 12, 22),
        content_key=content_key(title="Khối 4", published=date(2021, 12, 22), text=T1),
        is_bloc_news=True,
        relevance_reason="test",
    )
    run = repository.start_run(s, extractor_version="0.1.0", config={})
    repository.save_record(s, run=run, article=article, record=_records(build_record)["na"])
    return article


@contextmanager
def _migrated_again(
    url: str, build_record: Callable[..., Record], correct: Callable[[Session, int], object], down_to: str
) -> Iterator[tuple[Session, int]]:
    """Store one article with its record and a correction (`correct`), go down to revision
    `down_to` and up again; yield a session on the upgraded store and the article's id."""
    migrate(url)
    engine = make_engine(url)
    try:
        sessions = session_factory(engine)
        with sessions() as s, s.begin():
            article = _one_article(s, build_record)
            correct(s, article.id)
        engine.dispose()
        command.downgrade(alembic_config(url), down_to)
        migrate(url)
        with sessions() as s:
            yield s, article.id
    finally:
        engine.dispose()


def test_the_migration_backfills_a_store_extracted_before_it(
    empty_database_url: str, build_record: Callable[..., Record]
) -> None:
    def correct(s: Session, aid: int) -> object:
        return corrections.change_fact(s, article_id=aid, fact="province", value="Hà Tĩnh", editor="Mai")

    # down to the revision before the tables, and up again: the upgrade fills them
    with _migrated_again(empty_database_url, build_record, correct, "99dfb4338b8d") as (s, aid):
        assert list(_table(s)) == [aid]
        assert _table(s)[aid]["province"] == "Hà Tĩnh"
        _assert_table_is_function(s)


def test_the_row_columns_migration_fills_them_from_the_documents(
    empty_database_url: str, build_record: Callable[..., Record]
) -> None:
    def correct(s: Session, aid: int) -> object:
        return corrections.add_fact(s, article_id=aid, field="member", value="Sở Tư pháp", editor="Mai")

    # down to the revision before the columns, and up again: the upgrade fills them
    with _migrated_again(empty_database_url, build_record, correct, "f1f0a785860e") as (s, aid):
        row = s.get(CurrentRecord, aid)
        assert row is not None
        assert (row.row_date, row.first_bloc, row.members, row.roles, row.awards) == (
            "2021-12-20",  # the event date, not the publication date
            "Khối thi đua số 4",
            3,  # two machine members and the editor's
            1,
            1,
        )
        assert row.extractor_version == "0.1.0"
        _assert_table_is_function(s)
