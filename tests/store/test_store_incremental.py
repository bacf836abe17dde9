"""Incremental crawling in the store, on SQLite and PostgreSQL: seen URLs with validators, article
versions, near-duplicates, every URL of an article (store.seen, store.versions, store.duplicates)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from extract.record import Record
from store import repository, seen
from store.errors import ImmutableRowError, StoreError
from store.keys import content_key
from store.models import Article, ArticleAlias, ArticleBand, ArticleVersion, Page, SeenUrl
from store.neardup import fingerprint, near_duplicate, numbers
from store.search import search_articles
from store.versions import article_text, record_text, save_or_revise

AT = datetime(2024, 3, 1, 8, 30, tzinfo=UTC)
# three paragraphs of the project's own words, long enough for near-duplicate detection
LEAD = (
    "Sáng 14/3, Cụm thi đua các huyện miền núi phía Tây tổ chức hội nghị sơ kết công tác thi đua, "
    "khen thưởng sáu tháng đầu năm 2024 tại hội trường Ủy ban nhân dân huyện Lạc Sơn."
)
BODY = (
    "Tham dự hội nghị có đại diện Ban Thi đua - Khen thưởng tỉnh, lãnh đạo các huyện Lạc Sơn, "
    "Tân Lạc, Kim Bôi, Lạc Thủy và Yên Thủy cùng trưởng các phòng Nội vụ trong Cụm.\n"
    "Theo báo cáo, các huyện trong Cụm đã triển khai 146 phong trào thi đua chuyên đề, tập trung "
    "vào xây dựng nông thôn mới, chuyển đổi số và cải cách hành chính; nhiều mô hình hay được "
    "nhân rộng như tổ hợp tác trồng cây ăn quả có múi, chợ phiên vùng cao không dùng tiền mặt.\n"
    "Hội nghị thống nhất đề nghị Ủy ban nhân dân tỉnh tặng Bằng khen cho huyện Tân Lạc và huyện "
    "Kim Bôi vì đã dẫn đầu phong trào; huyện Lạc Sơn giữ vai trò Cụm trưởng năm 2024."
)
TEXT = f"{LEAD}\n{BODY}"
TITLE = "Cụm thi đua các huyện miền núi sơ kết sáu tháng"


def store(
    session: Session,
    page: Page,
    text: str = TEXT,
    *,
    title: str = TITLE,
    at: datetime = AT,
    url: str | None = None,
) -> tuple[Article, str]:
    return save_or_revise(
        session,
        page=page,
        url=url or page.url,
        canonical_url=url or page.canonical_url,
        title=title,
        text=text,
        published=date(2024, 3, 14),
        content_key=content_key(title=title, published=date(2024, 3, 14), text=text),
        is_bloc_news=True,
        relevance_reason="bloc words",
        at=at,
    )


# ---- seen URLs -----------------------------------------------------------------------------


def test_validators_are_kept_per_url_and_a_304_counts_unchanged(
    session: Session, make_page: Callable[..., Page]
) -> None:
    page = make_page(headers={"ETag": '"v1"', "Last-Modified": "Fri, 01 Mar 2024 08:00:00 GMT"})
    # a page stored before seen_url existed: its stored headers give the validators
    legacy = seen.known(session, canonical_url=page.canonical_url)
    assert legacy is not None and legacy.etag == '"v1"' and legacy.has_validators and not legacy.duplicate
    assert seen.known(session, canonical_url="https://example.gov.vn/never") is None

    seen.note_response(
        session,
        canonical_url=page.canonical_url,
        portal="hoabinh",
        kind="article",
        status=200,
        headers={"etag": '"v2"'},  # header names in any case; no Last-Modified any more
        at=AT,
    )
    state = seen.known(session, canonical_url=page.canonical_url)
    assert state is not None and (state.etag, state.last_modified) == ('"v2"', None)
    seen.note_not_modified(session, canonical_url=page.canonical_url, portal="hoabinh", kind="article", at=AT)
    row = session.scalars(select(SeenUrl).where(SeenUrl.canonical_url == page.canonical_url)).one()
    assert (row.checks, row.not_modified, row.status, row.etag) == (2, 1, 304, '"v2"')
    # an error answer keeps the validators of the stored body
    seen.note_response(
        session,
        canonical_url=page.canonical_url,
        portal="hoabinh",
        kind="article",
        status=503,
        headers={},
        at=AT,
    )
    assert row.etag == '"v2"' and row.status == 503
    with pytest.raises(StoreError, match="kind must be one of"):
        seen.note_not_modified(session, canonical_url="x", portal=None, kind="image", at=AT)


def test_the_clean_text_hash_tells_new_changed_and_unchanged(session: Session) -> None:
    url = "https://example.gov.vn/tin/1"
    assert seen.note_text(session, canonical_url=url, portal=None, text=TEXT, at=AT) == "new"
    # whitespace is not a change: the same HTML can be cleaned into other line breaks
    spaced = TEXT.replace(" ", "  ").replace("\n", "\n\n")
    assert seen.note_text(session, canonical_url=url, portal=None, text=spaced, at=AT) == "unchanged"
    assert seen.note_text(session, canonical_url=url, portal=None, text=TEXT + " Thêm.", at=AT) == "changed"
    row = session.scalars(select(SeenUrl).where(SeenUrl.canonical_url == url)).one()
    assert row.changes == 1 and row.last_changed_at == AT


# ---- versions ------------------------------------------------------------------------------


def test_a_changed_article_becomes_version_2_and_keeps_version_1_with_its_record(
    session: Session, make_page: Callable[..., Page], build_record: Callable[..., Record]
) -> None:
    page = make_page()
    article, outcome = store(session, page)
    assert outcome == "new" and article.version == 1
    run = repository.start_run(session, extractor_version="t", config={"source": "test"})
    first = repository.save_record(session, run=run, article=article, record=build_record(TEXT, doc_id="a"))
    repository.finish_run(session, run=run, status="finished", stats={})
    assert first.article_version == 1

    # the same text again (a refetch whose raw HTML changed): nothing changes
    assert store(session, page)[1] == "unchanged"
    assert repository.articles_without_record(session) == []

    changed = TEXT.replace("146 phong trào", "152 phong trào") + "\nCập nhật: bổ sung huyện Cao Phong."
    later = AT + timedelta(days=2)
    same, outcome = store(session, page, changed, at=later)
    assert outcome == "changed" and same.id == article.id and same.version == 2
    (old,) = session.scalars(select(ArticleVersion).where(ArticleVersion.article_id == article.id)).all()
    assert (old.version, old.text, old.replaced_at) == (1, TEXT, later)
    assert same.text == changed
    # the earlier record still reads its own text; the article waits for its new extraction
    assert record_text(session, first) == TEXT
    assert article_text(session, article=same, version=2) == changed
    with pytest.raises(StoreError, match="no version 3"):
        article_text(session, article=same, version=3)
    assert [a.id for a in repository.articles_without_record(session)] == [article.id]
    run2 = repository.start_run(session, extractor_version="t", config={"source": "test"})
    second = repository.save_record(session, run=run2, article=same, record=build_record(changed, doc_id="a"))
    assert second.article_version == 2 and repository.articles_without_record(session) == []
    # the search index follows the new text (SQLite's contentless table: delete, then insert)
    hits = search_articles(session, "Cao Phong")
    assert [h["article_id"] for h in hits] == [article.id]
    assert search_articles(session, "146 phong trao") == []
    # kept versions are never changed
    old.text = "sửa tay"
    with pytest.raises(ImmutableRowError):
        session.flush()
    session.rollback()


def test_a_url_form_never_changes_its_article_and_is_not_checked_again(
    session: Session, make_page: Callable[..., Page]
) -> None:
    article, _ = store(session, make_page())
    # another page naming the same canonical URL (a print view, another URL form): it cleans into
    # slightly other text; linked, the article untouched, then or when it changes
    view = make_page()
    other, outcome = store(session, view, TEXT + "\nIn bài viết", url=article.canonical_url)
    assert outcome == "duplicate" and other.id == article.id
    assert store(session, view, TEXT + "\nIn bài viết này", url=article.canonical_url)[1] == "unchanged"
    assert article.version == 1 and article.text == TEXT
    known = seen.known(session, canonical_url=view.canonical_url)
    assert known is not None and known.duplicate  # the crawler does not ask for it again


def test_an_original_stored_after_its_copy_still_brings_its_changes(
    session: Session, make_page: Callable[..., Page]
) -> None:
    copy_text = TEXT + "\nNguồn: Sở Nội vụ"  # the sub-site's copy, crawled first
    copy_page, original_page = make_page(), make_page()
    article, _ = store(session, copy_page, copy_text)
    assert store(session, original_page)[1] == "duplicate"  # the same body lead: an exact copy
    known = seen.known(session, canonical_url=original_page.canonical_url)
    assert known is not None and not known.duplicate  # asked for again: its changes count
    changed = TEXT + "\nCập nhật: bổ sung huyện Cao Phong."
    assert store(session, original_page, changed, at=AT + timedelta(days=1))[1] == "changed"
    assert article.version == 2 and article.text == changed
    # the copy has not changed: it does not take the article back
    assert store(session, copy_page, copy_text, at=AT + timedelta(days=2))[1] == "unchanged"
    assert store(session, original_page, changed, at=AT + timedelta(days=2))[1] == "unchanged"
    assert article.version == 2 and article.text == changed


# ---- near-duplicates -----------------------------------------------------------------------


def test_an_edited_copy_on_another_site_is_linked_as_a_near_duplicate(
    session: Session, make_page: Callable[..., Page]
) -> None:
    article, _ = store(session, make_page())
    bands = session.scalar(
        select(func.count()).select_from(ArticleBand).where(ArticleBand.article_id == article.id)
    )
    assert bands == len(fingerprint(TEXT).bands) == 20
    # republished elsewhere: a lead, a source line, another date line; the exact key differs
    copy_text = f"(TĐKT) - {LEAD}\n{BODY}\nNguồn: Cổng thông tin điện tử tỉnh Hòa Bình, 15/3/2024"
    copy_page = make_page("https://thiduakhenthuong.vn/tin/cum-mien-nui")
    copy, outcome = store(session, copy_page, copy_text, title="Hòa Bình: " + TITLE)
    assert outcome == "duplicate" and copy.id == article.id
    link = session.scalars(select(ArticleAlias).where(ArticleAlias.page_id == copy_page.id)).one()
    assert link.matched_by == "near_duplicate"
    assert copy_page.canonical_url in seen.article_urls(session, article_id=article.id)


def test_a_template_with_other_numbers_is_another_article(
    session: Session, make_page: Callable[..., Page]
) -> None:
    article, _ = store(session, make_page())
    # next year's meeting written from the same template: shingles mostly shared, numbers not
    next_year = TEXT.replace("2024", "2025").replace("146", "171")
    assert not near_duplicate(TEXT, next_year) and numbers(TEXT) != numbers(next_year)
    other, outcome = store(session, make_page(), next_year)
    assert outcome == "new" and other.id != article.id
    # a text too short to judge is never a near-duplicate
    assert not fingerprint("Cụm thi đua số 3 họp.").usable


def test_every_url_of_an_article_is_kept(session: Session, make_page: Callable[..., Page]) -> None:
    page = make_page(
        "https://hoabinh.gov.vn/tin/cum-mien-nui",
        url="https://www.hoabinh.gov.vn/tin/cum-mien-nui?utm_source=zalo",
        final_url="https://hoabinh.gov.vn/tin/cum-mien-nui",
    )
    article, _ = store(session, page)
    added = seen.add_aliases(
        session,
        aliases=[
            ("https://hoabinh.gov.vn/print/tin/cum-mien-nui", page.canonical_url, "print"),
            ("https://HOABINH.gov.vn:443/tin/cum-mien-nui#top", page.canonical_url, "link"),
            ("https://hoabinh.gov.vn/print/tin/cum-mien-nui", page.canonical_url, "print"),  # twice
        ],
        portal="hoabinh",
        at=AT,
    )
    assert added == 2
    assert seen.add_aliases(session, aliases=[], portal=None, at=AT) == 0
    huge = "https://hoabinh.gov.vn/tin/cum-mien-nui?x=" + "a" * seen.MAX_ALIAS_CHARS
    assert seen.add_aliases(session, aliases=[(huge, page.canonical_url, "link")], portal=None, at=AT) == 0
    with pytest.raises(StoreError, match="how must be one of"):
        seen.add_aliases(session, aliases=[("u", "c", "guess")], portal=None, at=AT)
    assert seen.article_urls(session, article_id=article.id) == sorted(
        {
            "https://hoabinh.gov.vn/tin/cum-mien-nui",
            "https://www.hoabinh.gov.vn/tin/cum-mien-nui?utm_source=zalo",
            "https://hoabinh.gov.vn/print/tin/cum-mien-nui",
            "https://HOABINH.gov.vn:443/tin/cum-mien-nui#top",
        }
    )
    with pytest.raises(StoreError, match="no article"):
        seen.article_urls(session, article_id=10**9)
