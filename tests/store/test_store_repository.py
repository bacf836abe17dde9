"""The write API: pages, articles, runs and records, failures."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from extract.record import Evidence, MemberFact, Record
from store import repository
from store.errors import DuplicateRecordError, ImmutableRowError, RunClosedError, StoreError
from store.keys import content_key, name_key, province_key
from store.models import (
    Article,
    ArticleAlias,
    BlocFact,
    ExtractedRecord,
    FactColumns,
    Failure,
    Page,
    PageVersion,
)
from store.models import (
    MemberFact as MemberRow,
)
from store.queries import record_dict

T0 = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)

TEXT = (
    "Chiều 15/1, Khối thi đua số 6 tổ chức hội nghị tổng kết công tác thi đua năm 2017. "
    "Khối gồm Sở Y tế, Sở Lao động, Thương binh và Xã hội và Ban Dân tộc tỉnh. "
    "Hội nghị suy tôn Sở Y tế làm Khối trưởng năm 2018 và đề nghị UBND tỉnh tặng "
    "Cờ thi đua cho Ban Dân tộc tỉnh."
)


def count(session: Session, model: Any) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def page_kw(**over: Any) -> dict[str, Any]:
    kw: dict[str, Any] = {
        "portal": None,
        "url": "https://sobn.gov.vn/tin/hoi-nghi?utm=x",
        "canonical_url": "https://sobn.gov.vn/tin/hoi-nghi",
        "final_url": "https://sobn.gov.vn/tin/hoi-nghi",
        "status": 200,
        "headers": {"content-type": "text/html"},
        "body": "<html><p>Khối thi đua số 6</p></html>".encode(),
        "encoding": "utf-8",
        "fetched_at": T0,
    }
    kw.update(over)
    return kw


# --- portals and pages -------------------------------------------------------------------


def test_upsert_portal_creates_then_updates_the_same_row(session: Session) -> None:
    first = repository.upsert_portal(
        session, name="bacninh", province="Bắc Ninh", family="liferay", hosts=["bacninh.gov.vn"]
    )
    again = repository.upsert_portal(
        session,
        name="bacninh",
        province="Bắc Ninh",
        family="sharepoint",
        hosts=("bacninh.gov.vn", "sobn.gov.vn"),
    )
    session.flush()
    assert again.id == first.id
    assert again.family == "sharepoint"
    assert again.hosts == ["bacninh.gov.vn", "sobn.gov.vn"]


def test_save_page_dedups_by_canonical_url(session: Session) -> None:
    portal = repository.upsert_portal(
        session, name="bn", province="Bắc Ninh", family="liferay", hosts=["sobn.gov.vn"]
    )
    page, changed = repository.save_page(session, **page_kw(portal=portal))
    assert changed is True
    assert repository.page_seen(session, canonical_url="https://sobn.gov.vn/tin/hoi-nghi") is page

    later = T0 + timedelta(days=2)
    same, changed = repository.save_page(
        session, **page_kw(url="https://sobn.gov.vn/tin/hoi-nghi", fetched_at=later)
    )
    session.flush()
    assert same.id == page.id
    assert changed is False
    assert same.fetch_count == 2
    assert same.last_seen_at == later
    assert same.fetched_at == T0  # the body is still the one fetched first
    assert same.portal_id == portal.id
    assert count(session, Page) == 1
    assert count(session, PageVersion) == 0
    assert repository.page_seen(session, canonical_url="https://sobn.gov.vn/other") is None


def test_changed_body_keeps_the_old_html_as_a_version(session: Session) -> None:
    old_body = "<html><p>bản cũ</p></html>".encode()
    new_body = "<html><p>bản mới, đã sửa</p></html>".encode()
    page, _ = repository.save_page(session, **page_kw(body=old_body))
    later = T0 + timedelta(hours=5)
    same, changed = repository.save_page(session, **page_kw(body=new_body, fetched_at=later))
    session.flush()
    assert changed is True
    assert same.id == page.id
    assert same.body == new_body
    assert same.fetched_at == later
    versions = session.scalars(select(PageVersion)).all()
    assert [(v.body, v.fetched_at, v.replaced_at) for v in versions] == [(old_body, T0, later)]


def test_error_refetch_does_not_replace_a_good_body(session: Session) -> None:
    page, _ = repository.save_page(session, **page_kw())
    good = page.body
    same, changed = repository.save_page(
        session, **page_kw(status=503, body=b"Service Unavailable", fetched_at=T0 + timedelta(days=1))
    )
    assert changed is False
    assert same.body == good
    assert same.status == 200
    assert same.last_seen_at == T0
    assert same.fetch_count == 2


def test_save_page_refuses_naive_fetch_time(session: Session) -> None:
    with pytest.raises(StoreError, match="timezone"):
        repository.save_page(session, **page_kw(fetched_at=datetime(2024, 3, 1, 8, 0)))


def test_times_come_back_timezone_aware(session: Session) -> None:
    hanoi = datetime(2024, 3, 1, 22, 0, tzinfo=timezone(timedelta(hours=7)))
    page, _ = repository.save_page(session, **page_kw(fetched_at=hanoi))
    session.flush()
    session.expire_all()
    reread = session.get(Page, page.id)
    assert reread is not None
    assert reread.fetched_at == datetime(2024, 3, 1, 15, 0, tzinfo=UTC)
    assert reread.fetched_at.utcoffset() == timedelta(0)
    assert reread.created_at.tzinfo is not None


# --- articles ----------------------------------------------------------------------------


def test_content_key_ignores_spacing_and_case_but_not_the_date() -> None:
    a = content_key(
        title="Hội nghị  Khối thi đua", published=date(2018, 1, 10), text="Chiều 15/1,\n Khối ..."
    )
    b = content_key(title="hội nghị khối thi đua ", published=date(2018, 1, 10), text="Chiều 15/1, Khối ...")
    c = content_key(title="Hội nghị Khối thi đua", published=date(2018, 1, 11), text="Chiều 15/1, Khối ...")
    assert a == b
    assert a != c
    assert len(a) == 64


def test_print_view_and_syndicated_copy_are_stored_once(
    session: Session, make_page: Callable[..., Page], make_article: Callable[..., Article]
) -> None:
    original_page = make_page("https://sobn.gov.vn/tin/hoi-nghi-khoi-6")
    original = make_article(TEXT, title="Hội nghị Khối thi đua số 6", page=original_page)

    # the print view declares the original as canonical
    print_page = make_page("https://sobn.gov.vn/tin/hoi-nghi-khoi-6/print")
    from_print, created = repository.save_article(
        session,
        page=print_page,
        url=print_page.url,
        canonical_url="https://sobn.gov.vn/tin/hoi-nghi-khoi-6",
        title="Hội nghị Khối thi đua số 6",
        text=TEXT + "\nIn bài viết",
        published=date(2018, 1, 10),
        content_key=content_key(title="x", published=None, text="print"),
        is_bloc_news=True,
        relevance_reason="bloc words",
    )
    assert (from_print.id, created) == (original.id, False)

    # a syndicated copy on another portal: its own URL, same words with other spacing
    copy_page = make_page("https://baobacninh.vn/khoi-6-tong-ket")
    copy_text = TEXT.replace(". ", ".  ")
    copy, created = repository.save_article(
        session,
        page=copy_page,
        url=copy_page.url,
        canonical_url=copy_page.canonical_url,
        title="HỘI NGHỊ KHỐI THI ĐUA SỐ 6",
        text=copy_text,
        published=date(2018, 1, 10),
        content_key=content_key(
            title="HỘI NGHỊ KHỐI THI ĐUA SỐ 6", published=date(2018, 1, 10), text=copy_text
        ),
        is_bloc_news=True,
        relevance_reason="bloc words",
    )
    assert (copy.id, created) == (original.id, False)

    # the same print page saved again adds no second link
    repository.save_article(
        session,
        page=print_page,
        url=print_page.url,
        canonical_url="https://sobn.gov.vn/tin/hoi-nghi-khoi-6",
        title=None,
        text="",
        published=None,
        content_key="0" * 64,
        is_bloc_news=False,
        relevance_reason="",
    )
    session.flush()
    assert count(session, Article) == 1
    assert original.text == TEXT  # evidence offsets of old runs still point into it
    links = session.scalars(select(ArticleAlias).order_by(ArticleAlias.id)).all()
    assert [(a.page_id, a.matched_by) for a in links] == [
        (original_page.id, "first"),
        (print_page.id, "canonical_url"),
        (copy_page.id, "content_key"),
    ]
    assert repository.article_for_canonical_url(session, canonical_url=copy_page.canonical_url) is original


def test_different_articles_are_kept_apart(make_article: Callable[..., Article]) -> None:
    a = make_article(TEXT)
    b = make_article("Cụm thi đua số 3 ký kết giao ước thi đua năm 2019.", title="Ký giao ước")
    assert a.id != b.id


# --- runs and records --------------------------------------------------------------------


def sample_record(build_record: Callable[..., Record], doc_id: str = "bn-2018-khoi6") -> Record:
    return build_record(
        TEXT,
        doc_id=doc_id,
        province="Bắc Ninh",
        published="2018-01-16",
        event_date="2018-01-15",
        event_kinds=("tong_ket",),
        blocs=(("Khối thi đua số 6", "6", ["Khối 6"]),),
        members=("Sở Y tế", "Sở Lao động, Thương binh và Xã hội", "Ban Dân tộc tỉnh"),
        roles=(("Sở Y tế", "khoi_truong", 2018),),
        awards=(("Ban Dân tộc tỉnh", "co_thi_dua", "ubnd_tinh", 2017, "proposed"),),
    )


def test_save_record_round_trip(
    session: Session, make_article: Callable[..., Article], build_record: Callable[..., Record]
) -> None:
    article = make_article(TEXT)
    run = repository.start_run(session, extractor_version="0.1.0", config={"rules": "v1"})
    record = sample_record(build_record)
    saved = repository.save_record(session, run=run, article=article, record=record)
    repository.finish_run(session, run=run, status="finished", stats={"articles": 1})
    session.commit()
    session.expire_all()

    [back] = repository.latest_records(session)
    assert back.id == saved.id
    assert back.published == date(2018, 1, 16)
    assert back.event_date == date(2018, 1, 15)
    assert back.province_key == province_key("Bắc Ninh")
    assert back.flags == []
    shaped = record_dict(back, article)
    assert {k: v for k, v in shaped.items() if k in record.to_schema()} == record.to_schema()

    # every fact keeps its evidence, confidence and rule, with evidence inside the stored text
    members = back.members
    assert [m.unit_key for m in members] == [
        name_key(m) for m in ("Sở Y tế", record.members[1].unit, "Ban Dân tộc")
    ]
    rows: list[FactColumns] = [*back.scalars, *back.blocs, *members, *back.roles, *back.awards]
    spans = [
        (r.evidence_start, r.evidence_end, r.evidence_text) for r in rows if r.evidence_start is not None
    ]
    assert len(spans) == 6  # bloc, 3 members, role, award; the scalars are not words of TEXT
    for start, end, words in spans:
        assert end is not None
        assert article.text[start:end] == words
    assert (back.roles[0].confidence, back.roles[0].rule) == (0.85, "test.role")
    assert back.blocs[0].names_key == "khoi thi dua so 6 | khoi 6"
    assert [(s.field_name, s.value) for s in back.scalars] == [
        ("published", "2018-01-16"),
        ("province", "Bắc Ninh"),
        ("event_date", "2018-01-15"),
        ("event_kind", "tong_ket"),
    ]
    assert back.run.status == "finished"
    assert back.run.stats == {"articles": 1}
    assert back.run.finished_at is not None


def test_evidence_that_misses_the_text_is_kept_and_flagged(
    session: Session, make_article: Callable[..., Article]
) -> None:
    article = make_article(TEXT)
    run = repository.start_run(session, extractor_version="0.1.0", config={})
    wrong = Record(
        doc_id="d",
        members=[MemberFact(Evidence(0, 7, "Sở Y tế"), 0.5, "test", unit="Sở Y tế", surface="Sở Y tế")],
        flags=["low_confidence"],
    )
    saved = repository.save_record(session, run=run, article=article, record=wrong)
    assert saved.flags == ["low_confidence", "evidence_mismatch:member:0"]
    assert saved.members[0].evidence_text == "Sở Y tế"


def test_unparseable_date_keeps_the_raw_value(
    session: Session, make_article: Callable[..., Article], build_record: Callable[..., Record]
) -> None:
    article = make_article(TEXT)
    run = repository.start_run(session, extractor_version="0.1.0", config={})
    saved = repository.save_record(
        session, run=run, article=article, record=build_record(TEXT, published="15/01/2018")
    )
    assert saved.published is None
    assert [(s.field_name, s.value) for s in saved.scalars] == [("published", "15/01/2018")]


def test_rerun_adds_rows_and_leaves_the_old_run_untouched(
    session: Session, make_article: Callable[..., Article], build_record: Callable[..., Record]
) -> None:
    article = make_article(TEXT)
    run1 = repository.start_run(session, extractor_version="0.1.0", config={})
    old = repository.save_record(session, run=run1, article=article, record=sample_record(build_record))
    repository.finish_run(session, run=run1, status="finished", stats={})
    session.commit()

    def snapshot() -> list[tuple[Any, ...]]:
        rows = session.execute(
            select(MemberRow.id, MemberRow.unit, MemberRow.evidence_start, MemberRow.confidence)
            .where(MemberRow.record_id == old.id)
            .order_by(MemberRow.id)
        ).all()
        return [tuple(r) for r in rows]

    before = snapshot()
    run2 = repository.start_run(session, extractor_version="0.2.0", config={"better": True})
    better = build_record(TEXT, doc_id="bn-2018-khoi6", province="Bắc Ninh", members=("Sở Y tế",))
    new = repository.save_record(session, run=run2, article=article, record=better)
    session.commit()
    session.expire_all()

    assert new.id != old.id
    assert snapshot() == before
    assert [r.id for r in repository.latest_records(session)] == [new.id]
    assert [r.id for r in repository.latest_records(session, run_id=run1.id)] == [old.id]
    assert count(session, ExtractedRecord) == 2
    assert session.scalar(select(func.count()).select_from(BlocFact).where(BlocFact.record_id == old.id)) == 1


def test_machine_rows_refuse_updates(
    session: Session, make_article: Callable[..., Article], build_record: Callable[..., Record]
) -> None:
    article = make_article(TEXT)
    run = repository.start_run(session, extractor_version="0.1.0", config={})
    saved = repository.save_record(session, run=run, article=article, record=sample_record(build_record))
    saved.members[0].unit = "Sở Nội vụ"
    with pytest.raises(ImmutableRowError, match="new ExtractionRun"):
        session.flush()


def test_a_run_takes_one_record_per_article_and_none_after_it_ends(
    session: Session, make_article: Callable[..., Article], build_record: Callable[..., Record]
) -> None:
    article = make_article(TEXT)
    run = repository.start_run(session, extractor_version="0.1.0", config={})
    repository.save_record(session, run=run, article=article, record=sample_record(build_record))
    with pytest.raises(DuplicateRecordError, match="new run"):
        repository.save_record(session, run=run, article=article, record=sample_record(build_record))
    repository.finish_run(session, run=run, status="interrupted", stats={"done": 1})
    other = make_article("Cụm thi đua số 3 ký kết giao ước thi đua năm 2019.", title="Ký giao ước")
    with pytest.raises(RunClosedError):
        repository.save_record(session, run=run, article=other, record=build_record("x"))
    with pytest.raises(RunClosedError):
        repository.finish_run(session, run=run, status="finished", stats={})
    with pytest.raises(StoreError, match="one of"):
        repository.finish_run(
            session,
            run=repository.start_run(session, extractor_version="x", config={}),
            status="done",
            stats={},
        )


def test_articles_to_extract_lists_what_a_run_has_not_reached(
    session: Session, make_article: Callable[..., Article], build_record: Callable[..., Record]
) -> None:
    done = make_article(TEXT)
    todo = make_article("Cụm thi đua số 3 ký kết giao ước thi đua năm 2019.", title="Ký giao ước")
    make_article("Giá lúa tăng nhẹ trong tuần.", title="Thị trường", is_bloc_news=False)
    run = repository.start_run(session, extractor_version="0.1.0", config={})
    repository.save_record(session, run=run, article=done, record=build_record(TEXT))
    assert [a.id for a in repository.articles_to_extract(session, run=run)] == [todo.id]
    assert len(repository.articles_to_extract(session, run=run, bloc_news_only=False)) == 2


# --- failures ----------------------------------------------------------------------------


def test_record_failure_keeps_type_message_and_traceback(session: Session) -> None:
    try:
        raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")
    except UnicodeDecodeError as exc:
        failure = repository.record_failure(
            session, stage="decode", url="https://sobn.gov.vn/a", portal="bn", error=exc
        )
    assert failure.error_type == "UnicodeDecodeError"
    assert "invalid start byte" in failure.message
    assert failure.detail is not None and "Traceback" in failure.detail
    assert failure.resolved is False

    plain = repository.record_failure(
        session, stage="fetch", url="https://sobn.gov.vn/b", portal=None, error="HTTP 404"
    )
    assert (plain.error_type, plain.message, plain.detail) == (None, "HTTP 404", None)
    assert count(session, Failure) == 2


def test_record_failure_rejects_unknown_stage(session: Session) -> None:
    with pytest.raises(StoreError, match="fetch, decode"):
        repository.record_failure(session, stage="parse", url="u", portal=None, error="x")


def test_resolve_failures_closes_only_that_url_and_stage(session: Session) -> None:
    repository.record_failure(session, stage="fetch", url="https://a", portal=None, error="timeout")
    repository.record_failure(session, stage="clean", url="https://a", portal=None, error="empty")
    repository.record_failure(session, stage="fetch", url="https://b", portal=None, error="timeout")
    assert repository.resolve_failures(session, url="https://a", stages=["fetch"]) == 1
    session.flush()
    open_ = session.execute(
        select(Failure.url, Failure.stage).where(Failure.resolved.is_(False)).order_by(Failure.id)
    ).all()
    assert [tuple(r) for r in open_] == [("https://a", "clean"), ("https://b", "fetch")]
