"""Full-text search (store.search, store.fulltext) on both engines; texts written for these tests."""

from __future__ import annotations

import importlib.util
import unicodedata
from collections.abc import Callable
from datetime import date
from types import ModuleType

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.orm import Session

from extract.record import Record
from store import corrections, repository
from store.db import MIGRATIONS_DIR, alembic_config, make_engine, migrate, session_factory
from store.errors import QueryError
from store.fulltext import MAX_INDEXED_CHARS, fold, fold_words
from store.models import Article
from store.search import MAX_QUERY_CHARS, MAX_QUERY_WORDS, SearchQuery, search_articles, snippet
from store.types import utcnow

HN = "Sáng 12/3, Khối thi đua các quận của thành phố Hà Nội tổ chức hội nghị ký kết giao ước thi đua."
DN = "Cụm thi đua số 1 tỉnh Đồng Nai tổng kết phong trào; Sở Tài chính nhận Bằng khen."
BP = "Cụm thi đua số 3 tỉnh Bình Phước họp tại Đồng Xoài, trao Cờ thi đua cho Sở Y tế."
NOI = "Ở Nội Hà, không phải thủ đô: tin về hợp tác xã nông nghiệp."


def ids(hits: list[dict[str, object]]) -> list[object]:
    return [h["article_id"] for h in hits]


@pytest.fixture
def articles(make_article: Callable[..., Article]) -> dict[str, Article]:
    return {
        "hn": make_article(HN, title="Giao ước thi đua năm 2024", published=date(2024, 3, 12)),
        "dn": make_article(DN, title="Tổng kết Cụm 1", published=date(2023, 12, 20)),
        "bp": make_article(BP, title="Cụm 3 Bình Phước", published=date(2019, 5, 2)),
        "noi": make_article(NOI, title="Tin nông nghiệp", published=None),
    }


@pytest.mark.parametrize("query", ["Hà Nội", "Ha Noi", "ha noi", "HÀ NỘI", "hA nOi"])
def test_accents_and_case_are_optional(session: Session, articles: dict[str, Article], query: str) -> None:
    assert ids(search_articles(session, f'"{query}"')) == [articles["hn"].id]
    # unquoted, each word on its own: NOI has "Nội Hà"
    assert ids(search_articles(session, query)) == [articles["hn"].id, articles["noi"].id]


def test_d_with_stroke_folds_to_d(session: Session, articles: dict[str, Article]) -> None:
    assert ids(search_articles(session, "dong nai")) == [articles["dn"].id]
    # "Đồng" alone is in two articles, newest first
    assert ids(search_articles(session, "Dong")) == [articles["dn"].id, articles["bp"].id]
    assert ids(search_articles(session, "ĐỒNG XOÀI")) == [articles["bp"].id]


def test_every_word_must_occur_and_quotes_make_a_phrase(
    session: Session, articles: dict[str, Article]
) -> None:
    # "Hà" and "Nội" both occur in NOI too, as "Nội Hà": words match, the phrase does not
    assert ids(search_articles(session, "noi ha")) == [articles["hn"].id, articles["noi"].id]
    assert ids(search_articles(session, '"noi ha"')) == [articles["noi"].id]
    assert ids(search_articles(session, '"ha noi" hop tac')) == []
    assert search_articles(session, "ha noi bằng khen") == []


def test_title_words_are_found(session: Session, articles: dict[str, Article]) -> None:
    assert ids(search_articles(session, "giao uoc 2024")) == [articles["hn"].id]


def test_newest_first_undated_last_and_limit(session: Session, articles: dict[str, Article]) -> None:
    everyone = [articles[k].id for k in ("hn", "dn", "bp")]
    assert ids(search_articles(session, "thi dua")) == everyone
    assert ids(search_articles(session, "thi dua", limit=2)) == everyone[:2]
    assert ids(search_articles(session, "tin")) == [articles["noi"].id]
    with pytest.raises(QueryError, match="limit must be between 1"):
        search_articles(session, "thi dua", limit=0)


@pytest.mark.parametrize(
    "query",
    [
        "Hà OR Nội",  # FTS5 and tsquery operators are only words here
        "Hà NOT Nội",
        "NEAR(Hà Nội)",
        "title:Hà Nội",
        "Hà & Nội",
        "Hà | !Nội",
        "Hà* Nội",
        "'Hà' Nội",
        '"Hà Nội',  # an unclosed quote: a phrase to the end
        "Hà Nội ^ -- ; DROP TABLE article",
    ],
)
def test_query_syntax_is_never_passed_through(
    session: Session, articles: dict[str, Article], query: str
) -> None:
    hits = search_articles(session, query)  # no syntax error on either engine
    words = SearchQuery.parse(query).words()
    assert {"ha", "noi"} <= words
    # every word is required, operators included ("or", "not", "near", "title", "drop"…)
    expected = [articles["hn"].id, articles["noi"].id] if words == {"ha", "noi"} else []
    if query.startswith('"'):
        expected = expected[:1]  # a phrase: "Nội Hà" is not "Hà Nội"
    assert ids(hits) == expected
    assert session.scalar(text("SELECT count(*) FROM article")) >= 4


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "no letters or digits"),
        ("   ", "no letters or digits"),
        ('"" * - ^ ( )', "no letters or digits"),
        ("a" * (MAX_QUERY_CHARS + 1), f"give at most {MAX_QUERY_CHARS}"),
        (" ".join(f"w{i}" for i in range(MAX_QUERY_WORDS + 1)), "more than 16 words"),
        ("Hà \udcff Nội", "not UTF-8"),
        ("Hà\x00Nội", "NUL"),
    ],
)
def test_bad_queries_are_refused(
    session: Session, articles: dict[str, Article], query: str, message: str
) -> None:
    with pytest.raises(QueryError, match=message):
        search_articles(session, query)


def test_snippet_is_the_stored_text_around_the_match(session: Session, articles: dict[str, Article]) -> None:
    [hit] = search_articles(session, '"ha noi"')
    assert hit["title"] == "Giao ước thi đua năm 2024"
    assert hit["published"] == "2024-03-12"
    assert hit["url"] == articles["hn"].url
    marked = [hit["snippet"][s:e] for s, e in hit["marks"]]
    assert marked == ["Hà Nội"]
    assert "thành phố Hà Nội tổ chức" in hit["snippet"]


def test_snippet_cuts_long_text() -> None:
    body = " ".join(f"chữ{i}" for i in range(100)) + " Đồng Nai " + " ".join(f"từ{i}" for i in range(100))
    shown, marks = snippet(body, (("dong",),))
    assert shown.startswith("…chữ92 ") and shown.endswith(" từ13…")
    assert [shown[s:e] for s, e in marks] == ["Đồng"]
    # a phrase is marked whole; a word inside it too, joined with it; whitespace made one space
    shown, marks = snippet("Sở  Y tế\nvà Sở Tư pháp; số 6", (("so", "y", "te"), ("y",), ("so",)))
    assert shown == "Sở Y tế và Sở Tư pháp; số 6"
    assert [shown[s:e] for s, e in marks] == ["Sở Y tế", "Sở", "số"]
    assert snippet(" ;; ", (("a",),)) == ("", [])


def test_decomposed_text_is_found_and_shown_composed(
    session: Session, make_article: Callable[..., Article]
) -> None:
    nfd = unicodedata.normalize("NFD", "Hội nghị Khối thi đua tại Hà Nội")
    assert nfd != unicodedata.normalize("NFC", nfd)
    article = make_article(nfd, title="Bài viết dạng NFD")
    [hit] = search_articles(session, "Hà Nội")
    assert hit["article_id"] == article.id
    assert "Hà Nội" in hit["snippet"]


def test_filters_narrow_and_a_2025_province_takes_in_the_old_ones(
    session: Session, articles: dict[str, Article], build_record: Callable[..., Record]
) -> None:
    run = repository.start_run(session, extractor_version="0.1.0", config={})
    for key, province in (("dn", "Đồng Nai"), ("bp", "Bình Phước"), ("hn", "Hà Nội")):
        record = build_record(articles[key].text, doc_id=key, province=province)
        repository.save_record(session, run=run, article=articles[key], record=record)
    session.flush()
    assert ids(search_articles(session, "cum thi dua", province="Đồng Nai")) == [
        articles["dn"].id,
        articles["bp"].id,
    ]
    assert ids(search_articles(session, "cum thi dua", province="Binh Phuoc")) == [articles["bp"].id]
    assert ids(search_articles(session, "thi dua", province="Hà Nội")) == [articles["hn"].id]
    assert ids(search_articles(session, "thi dua", year=2019)) == [articles["bp"].id]
    assert search_articles(session, "thi dua", province="Cà Mau") == []
    with pytest.raises(QueryError, match="province"):
        search_articles(session, "thi dua", province="%%")

    # a corrected record is found by its current value, merged in date order with the others
    corrections.change_fact(
        session, article_id=articles["hn"].id, fact="province", value="Bình Phước", editor="Lan"
    )
    assert ids(search_articles(session, "thi dua", province="Đồng Nai")) == [
        articles["hn"].id,
        articles["dn"].id,
        articles["bp"].id,
    ]
    assert ids(search_articles(session, "thi dua", province="Đồng Nai", limit=1)) == [articles["hn"].id]
    assert search_articles(session, "thi dua", province="Hà Nội") == []


def test_a_duplicate_page_is_not_indexed_twice(
    session: Session, make_article: Callable[..., Article], make_page: Callable[..., object]
) -> None:
    first = make_article(HN, title="Giao ước", published=date(2024, 3, 12))
    again = make_article(HN, title="Giao ước", published=date(2024, 3, 12), page=make_page())
    assert again.id == first.id
    assert ids(search_articles(session, "ha noi")) == [first.id]


def test_a_huge_article_is_indexed_up_to_the_cap(
    session: Session, make_article: Callable[..., Article]
) -> None:
    # 40,000 distinct words: over PostgreSQL's 1 MB tsvector limit if nothing capped it
    body = "Hà Nội " + " ".join(f"từ{i:05d}x" for i in range(40_000)) + " cuối"
    assert len(fold_words(body)) > MAX_INDEXED_CHARS
    article = make_article(body, title="Bài rất dài")
    assert ids(search_articles(session, "ha noi")) == [article.id]
    assert ids(search_articles(session, "tu00001x")) == [article.id]
    assert search_articles(session, "cuoi") == []  # beyond the cap


def test_fold() -> None:
    assert fold("Đường Hồ Chí Minh, ĐỒNG THÁP; Ưu đãi") == "duong ho chi minh, dong thap; uu dai"
    assert fold_words("  Sở Nội vụ — (tỉnh) Bắc_Ninh 2024!") == "so noi vu tinh bac ninh 2024"
    assert fold(unicodedata.normalize("NFD", "Nguyễn Thị Lan")) == "nguyen thi lan"


def _migration() -> ModuleType:
    [path] = (MIGRATIONS_DIR / "versions").glob("*_80a52d3dd4bd_*.py")
    spec = importlib.util.spec_from_file_location("fts_migration", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_migration_folds_as_the_application_does() -> None:
    # the migration keeps a frozen copy of fold_words; they must agree until a new revision
    migration_fold = _migration()._fold_words
    every_letter = "".join(chr(c) for c in range(0x20, 0x2000) if chr(c).isprintable())
    for sample in (HN, DN, BP, NOI, every_letter, unicodedata.normalize("NFD", HN)):
        assert migration_fold(sample) == fold_words(sample)


def test_the_migration_indexes_articles_stored_before_it(empty_database_url: str) -> None:
    url = empty_database_url
    migrate(url, "25b893894a62")  # the revision before the search tables
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            page, _ = repository.save_page(
                session,
                portal=None,
                url="https://example.gov.vn/a",
                canonical_url="https://example.gov.vn/a",
                final_url="https://example.gov.vn/a",
                status=200,
                headers={},
                body=b"<html></html>",
                encoding="utf-8",
                fetched_at=utcnow(),
            )
            session.flush()
            # added by hand: save_article would index it, and the index does not exist yet; in
            # SQL, since the model has columns later revisions add
            session.execute(
                text(
                    "INSERT INTO article (page_id, url, canonical_url, title, text, published, content_key,"
                    " is_bloc_news, relevance_reason) VALUES (:page_id, :url, :canonical_url, :title, :text,"
                    " :published, :content_key, :is_bloc_news, :relevance_reason)"
                ),
                {
                    "page_id": page.id,
                    "url": page.url,
                    "canonical_url": page.canonical_url,
                    "title": "Tin cũ",
                    "text": DN,
                    "published": date(2020, 1, 1),
                    "content_key": "0" * 64,
                    "is_bloc_news": True,
                    "relevance_reason": "test",
                },
            )
            session.commit()
        migrate(url)
        with session_factory(engine)() as session:
            assert [h["title"] for h in search_articles(session, "dong nai")] == ["Tin cũ"]
        command.downgrade(alembic_config(url), "25b893894a62")
        with engine.connect() as conn:
            assert conn.scalar(text("SELECT count(*) FROM article")) == 1  # only the index went
    finally:
        engine.dispose()
