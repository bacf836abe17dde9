"""Item pipelines against a real (temporary, migrated) SQLite database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.misc import build_from_crawler
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crawler.items import FetchFailureItem, PageItem
from crawler.pipelines import (
    CleanPipeline,
    ExtractPipeline,
    FetchFailurePipeline,
    RelevancePipeline,
    StorePagePipeline,
    StoreRecordPipeline,
    _StorePipeline,
    doc_id,
    duplicate_key,
)
from extract.record import Record, ScalarFact
from store.models import Article, ArticleAlias, ExtractedRecord, ExtractionRun, Failure, Page

HB = "http://hoabinh.gov.vn.test"
TITLE = "Khối thi đua số 3 tổng kết công tác thi đua năm 2023"
TEXT = (
    "Chiều 12/1, Khối thi đua số 3 của tỉnh tổ chức hội nghị tổng kết công tác thi đua, khen thưởng "
    "năm 2023 và ký kết giao ước thi đua năm 2024. Các đơn vị trong Khối gồm: Sở Tư pháp, Sở Y tế."
)
OTHER_TITLE = "Thông báo lịch tiếp công dân tháng 3"
OTHER_TEXT = "Ủy ban nhân dân tỉnh thông báo lịch tiếp công dân định kỳ trong tháng 3 năm 2024 tại trụ sở."
FETCHED = dt.datetime(2024, 3, 1, 8, 30, tzinfo=dt.UTC)


def page_item(url: str, body: bytes = b"<html><body>x</body></html>", **fields: Any) -> PageItem:
    item = PageItem(
        portal="hoabinh", url=url, canonical_url=url, final_url=url, status=200,
        headers={"Content-Type": "text/html; charset=utf-8"}, body=body, encoding="utf-8", fetched_at=FETCHED,
    )  # fmt: skip
    for k, v in fields.items():
        setattr(item, k, v)
    return item


@pytest.fixture
def crawler(make_crawler: Any, db_url: str) -> Crawler:
    c: Crawler = make_crawler({"THIDUA_DATABASE_URL": db_url})
    return c


@pytest.fixture
def opened(crawler: Crawler) -> Iterator[Any]:
    """Return `open(Cls)`: a pipeline built from the crawler and opened; all closed after the test."""
    made: list[_StorePipeline] = []

    def open_(cls: type[_StorePipeline]) -> Any:
        p = build_from_crawler(cls, crawler)
        p.open_spider()
        made.append(p)
        return p

    yield open_
    for p in made:
        _StorePipeline.close_spider(p)
        if isinstance(p, StoreRecordPipeline):
            p.release()  # the crawl lock it took, as spider_closed would


def stored_page(opened: Any, url: str, **fields: Any) -> PageItem:
    item: PageItem = opened(StorePagePipeline).process_item(page_item(url, **fields))
    return item


def count(read: Session, model: Any) -> int:
    return int(read.scalar(select(func.count()).select_from(model)) or 0)


# ---- fetch failures --------------------------------------------------------------------


def test_fetch_failures_are_recorded_and_dropped(opened: Any, read: Session) -> None:
    p = opened(FetchFailurePipeline)
    item = FetchFailureItem(
        portal="hoabinh", url=f"{HB}/x", error_type="HttpError", message="HTTP 502", status=502
    )
    with pytest.raises(DropItem, match="HTTP 502"):
        p.process_item(item)
    (failure,) = read.scalars(select(Failure)).all()
    assert (failure.stage, failure.url, failure.portal) == ("fetch", f"{HB}/x", "hoabinh")
    assert "HTTP 502" in failure.message
    page = page_item(f"{HB}/y")
    assert p.process_item(page) is page  # other items pass untouched


# ---- raw pages -------------------------------------------------------------------------


def test_page_is_stored_raw(opened: Any, read: Session) -> None:
    body = b"<html><body>Kh\xf4\xec thi \xf0ua</body></html>"  # "Khối thi đua" in windows-1258
    item = stored_page(opened, f"{HB}/web/guest/-/a", body=body, encoding="windows-1258")
    page = read.get(Page, item.page_id)
    assert page is not None
    assert (page.url, page.canonical_url, page.status, page.body) == (item.url, item.canonical_url, 200, body)
    assert page.encoding == "windows-1258"
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert page.portal is not None and page.portal.name == "hoabinh"


def test_unchanged_page_with_an_article_goes_no_further(opened: Any, read: Session) -> None:
    url = f"{HB}/web/guest/-/a"
    first = stored_page(opened, url, title=TITLE, text=TEXT, published=dt.date(2024, 1, 12))
    opened(RelevancePipeline).process_item(first)
    with pytest.raises(DropItem, match="unchanged"):
        stored_page(opened, url)
    # a changed body goes on to be cleaned again
    assert stored_page(opened, url, body=b"<html>new</html>").page_id == first.page_id
    assert count(read, Page) == 1


def test_unchanged_page_without_an_article_is_cleaned_again(opened: Any) -> None:
    url = f"{HB}/web/guest/-/b"
    stored_page(opened, url)
    assert stored_page(opened, url).page_id is not None


def test_a_successful_fetch_resolves_earlier_fetch_failures(opened: Any, read: Session) -> None:
    url = f"{HB}/web/guest/-/cham"
    with pytest.raises(DropItem):
        opened(FetchFailurePipeline).process_item(
            FetchFailureItem("hoabinh", url, "TimeoutError", "took 60 s")
        )
    stored_page(opened, url)
    (failure,) = read.scalars(select(Failure)).all()
    assert failure.resolved is True


def test_a_refetched_article_with_a_new_counter_is_not_a_duplicate(crawler: Crawler, opened: Any) -> None:
    url = f"{HB}/web/guest/-/tong-ket"
    relevance = opened(RelevancePipeline)
    relevance.process_item(stored_page(opened, url, title=TITLE, text=TEXT, body=b"<html>visits 1</html>"))
    again = stored_page(opened, url, title=TITLE, text=TEXT, body=b"<html>visits 2</html>")
    with pytest.raises(DropItem, match="already stored"):
        relevance.process_item(again)
    assert crawler.stats is not None
    assert crawler.stats.get_value("thidua/articles_refetched") == 1
    assert crawler.stats.get_value("thidua/articles_duplicate") is None


# ---- relevance and articles ------------------------------------------------------------


def test_bloc_news_is_stored_and_passed_on(opened: Any, read: Session) -> None:
    url = f"{HB}/web/guest/-/tong-ket"
    item = stored_page(opened, url, title=TITLE, text=TEXT, published=dt.date(2024, 1, 12))
    out = opened(RelevancePipeline).process_item(item)
    assert out is item and item.is_bloc_news is True
    article = read.get(Article, item.article_id)
    assert article is not None
    assert (article.title, article.text, article.published) == (TITLE, TEXT, dt.date(2024, 1, 12))
    assert article.is_bloc_news and article.relevance_reason
    assert article.canonical_url == url


def test_non_bloc_news_is_stored_then_dropped_with_the_reason(opened: Any, read: Session) -> None:
    item = stored_page(opened, f"{HB}/web/guest/-/tiep-dan", title=OTHER_TITLE, text=OTHER_TEXT)
    with pytest.raises(DropItem, match="not bloc news"):
        opened(RelevancePipeline).process_item(item)
    (article,) = read.scalars(select(Article)).all()
    assert article.is_bloc_news is False
    assert article.relevance_reason


def test_print_view_and_syndicated_copy_become_aliases(opened: Any, read: Session) -> None:
    relevance = opened(RelevancePipeline)
    original = stored_page(
        opened, f"{HB}/web/guest/-/tong-ket", title=TITLE, text=TEXT, published=dt.date(2024, 1, 12)
    )
    relevance.process_item(original)
    # other URL forms of the same article: same content key, no second article
    for url in (
        f"{HB}/tin-so-nganh/-/view_content/3600001-tong-ket",
        f"{HB}/web/guest/x/-/asset_publisher/A/content/t",
    ):
        copy = stored_page(opened, url, title=TITLE, text=TEXT, published=dt.date(2024, 1, 12))
        with pytest.raises(DropItem, match=f"duplicate of article {original.article_id}"):
            relevance.process_item(copy)
    # a page whose <link rel=canonical> names the stored article
    canon = stored_page(
        opened, f"{HB}/web/guest/-/tong-ket;jsessionid=1", title=TITLE + " (bản in)", text=TEXT,
        article_url=f"{HB}/web/guest/-/tong-ket",
    )  # fmt: skip
    with pytest.raises(DropItem, match="duplicate"):
        relevance.process_item(canon)
    assert count(read, Article) == 1
    assert count(read, ArticleAlias) == 4


def test_relevance_needs_clean_text(opened: Any) -> None:
    with pytest.raises(DropItem, match="CleanPipeline"):
        opened(RelevancePipeline).process_item(page_item(f"{HB}/z", page_id=1))


# ---- extraction ------------------------------------------------------------------------


def _id(item: PageItem) -> int:
    assert item.article_id is not None
    return item.article_id


def _bloc_item(opened: Any, url: str = f"{HB}/web/guest/-/tong-ket") -> PageItem:
    item = stored_page(opened, url, title=TITLE, text=TEXT, published=dt.date(2024, 1, 12))
    out: PageItem = opened(RelevancePipeline).process_item(item)
    return out


def test_extract_runs_on_the_stored_text(opened: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def fake_extract(**kwargs: Any) -> Record:
        seen.update(kwargs)
        return Record(doc_id=kwargs["doc_id"])

    monkeypatch.setattr("extract.api.extract_article", fake_extract)
    item = _bloc_item(opened)
    out = opened(ExtractPipeline).process_item(item)
    assert out.record is not None and out.record.doc_id == doc_id(_id(item))
    assert seen == {
        "doc_id": doc_id(_id(item)), "text": TEXT, "url": f"{HB}/web/guest/-/tong-ket",
        "published": "2024-01-12", "province_hint": "Hòa Bình",
    }  # fmt: skip


def test_extract_errors_are_recorded(opened: Any, read: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(**kwargs: Any) -> Record:
        raise ValueError("rule table missing")

    monkeypatch.setattr("extract.api.extract_article", broken)
    with pytest.raises(DropItem, match="extraction failed"):
        opened(ExtractPipeline).process_item(_bloc_item(opened))
    (failure,) = read.scalars(select(Failure)).all()
    assert failure.stage == "extract" and failure.error_type == "ValueError"
    assert "rule table missing" in failure.message


# ---- records and the run ---------------------------------------------------------------


def test_records_are_stored_under_one_run(crawler: Crawler, opened: Any, read: Session) -> None:
    store = opened(StoreRecordPipeline)
    run = read.get(ExtractionRun, store.run_id)
    assert run is not None and run.status == "running"
    # two articles: the second is another bloc's meeting, not a near-duplicate of the first
    texts = (TEXT, TEXT.replace("Khối thi đua số 3", "Cụm thi đua số 5").replace("Sở Y tế", "Sở Xây dựng"))
    for n, url in enumerate((f"{HB}/web/guest/-/a", f"{HB}/web/guest/-/b")):
        item = stored_page(opened, url, title=f"{TITLE} {n}", text=texts[n], published=dt.date(2024, 1, 12))
        item = opened(RelevancePipeline).process_item(item)
        record = Record(doc_id=doc_id(_id(item)))
        record.published = ScalarFact(
            evidence=None, confidence=0.9, rule="test", field_name="published", value="2024-01-12"
        )
        item.record = record
        assert store.process_item(item) is item
    assert crawler.stats is not None
    crawler.stats.set_value("thidua/articles_bloc", 2)
    store.spider_closed("finished")
    read.rollback()  # end the read snapshot taken above
    run = read.get(ExtractionRun, store.run_id)
    assert run is not None and run.status == "finished" and run.finished_at is not None
    assert run.stats["articles_bloc"] == 2 and run.stats["close_reason"] == "finished"
    records = read.scalars(select(ExtractedRecord)).all()
    assert len(records) == 2 and {r.run_id for r in records} == {store.run_id}
    assert {r.published for r in records} == {dt.date(2024, 1, 12)}


def test_an_interrupted_crawl_leaves_an_interrupted_run(opened: Any, read: Session) -> None:
    store = opened(StoreRecordPipeline)
    store.spider_closed("shutdown")
    run = read.get(ExtractionRun, store.run_id)
    assert run is not None and run.status == "interrupted"


def test_a_second_record_for_one_article_is_a_store_failure(opened: Any, read: Session) -> None:
    store = opened(StoreRecordPipeline)
    item = _bloc_item(opened)
    item.record = Record(doc_id=doc_id(_id(item)))
    store.process_item(item)
    with pytest.raises(DropItem, match="cannot store the record"):
        store.process_item(item)
    (failure,) = read.scalars(select(Failure)).all()
    assert failure.stage == "store"


# ---- cleaning -------------------------------------------------------------------------


def test_clean_fills_title_text_and_date(opened: Any) -> None:
    body = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{TITLE}</title>
    <link rel="canonical" href="{HB}/web/guest/-/tong-ket"/></head><body>
    <div class="asset-full-content"><h3 class="asset-title">{TITLE}</h3>
    <div class="assetPublishDate">Ngày đăng 12/01/2024 | 03:46 PM | Lượt xem: 536</div>
    <div class="journal-content-article"><p>{TEXT}</p><p>{TEXT}</p></div></div></body></html>"""
    item = page_item(f"{HB}/web/guest/-/tong-ket;jsessionid=AB", body=body.encode("utf-8"))
    out = opened(CleanPipeline).process_item(item)
    assert out.title and "Khối thi đua số 3" in out.title
    assert out.text and TEXT[:60] in out.text
    assert out.article_url == f"{HB}/web/guest/-/tong-ket"


def test_clean_failures_are_recorded(opened: Any, read: Session) -> None:
    item = page_item(f"{HB}/web/guest/-/trong", body=b"<html><body></body></html>")
    with pytest.raises(DropItem, match="cannot"):
        opened(CleanPipeline).process_item(item)
    (failure,) = read.scalars(select(Failure)).all()
    assert failure.stage in {"clean", "decode"} and failure.url == item.final_url


def _tcvn3(text: str) -> str:
    """Write `text` as a TCVN3 (.VnTime) page types it: each letter as its Latin-1 code point."""
    from extract.legacy import TCVN3

    back = {uni: legacy for legacy, uni in TCVN3.items()}
    return "".join(back.get(ch, ch) for ch in text)


@pytest.mark.parametrize("control", ["\x0b", "\x0c", "\x1f"])
def test_a_tcvn3_page_with_a_control_character_is_cleaned(opened: Any, read: Session, control: str) -> None:
    """Measured before: a ValueError from lxml, and the page stored with no article and no failure."""
    words = TEXT.split(" ")
    typed = _tcvn3(" ".join([*words[:6], control, *words[6:]]))
    html = f"<html><head><title>{_tcvn3(TITLE)}</title></head><body><div class='journal-content-article'>"
    html += f"<p>{typed}</p><p>{typed}</p></div></body></html>"
    item = page_item(f"{HB}/web/guest/-/vntime", body=html.encode("latin-1"), encoding="iso-8859-1")
    out = opened(CleanPipeline).process_item(item)
    assert out.text is not None and "Khối thi đua số 3" in out.text and control not in out.text
    assert count(read, Failure) == 0


def test_a_cleaner_bug_is_a_failure_row_not_a_lost_page(
    opened: Any, read: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: Any, **__: Any) -> Any:
        raise ValueError("All strings must be XML compatible")

    monkeypatch.setattr("extract.clean.clean_html", broken)
    item = stored_page(opened, f"{HB}/web/guest/-/loi", body=b"<html><body>x</body></html>")
    with pytest.raises(DropItem, match="cannot clean"):
        opened(CleanPipeline).process_item(item)
    (failure,) = read.scalars(select(Failure)).all()
    assert (failure.stage, failure.error_type, failure.url) == ("clean", "ValueError", item.final_url)
    assert "XML compatible" in failure.message and failure.detail  # the traceback is kept


def test_a_page_over_the_size_cap_is_refused_before_cleaning(
    make_crawler: Any, db_url: str, read: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    def never(*_: Any, **__: Any) -> Any:
        raise AssertionError("a page over the cap must not be decoded or cleaned")

    monkeypatch.setattr("extract.clean.decode_html", never)
    monkeypatch.setattr("extract.clean.clean_html", never)
    crawler = make_crawler({"THIDUA_DATABASE_URL": db_url, "THIDUA_MAX_PAGE_BYTES": 4096})
    pipeline = build_from_crawler(CleanPipeline, crawler)
    pipeline.open_spider()
    try:
        item = page_item(f"{HB}/web/guest/-/to", body=b"<html><body>" + b"x" * 5000 + b"</body></html>")
        with pytest.raises(DropItem, match="size cap"):
            pipeline.process_item(item)
    finally:
        _StorePipeline.close_spider(pipeline)
    (failure,) = read.scalars(select(Failure)).all()
    assert failure.error_type == "PageTooLargeError" and "over the cap of 4,096" in failure.message


def test_a_database_error_while_storing_a_page_is_a_failure_row(
    opened: Any, read: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import OperationalError

    def locked(*_: Any, **__: Any) -> Any:
        raise OperationalError("INSERT INTO page", {}, Exception("database is locked"))

    monkeypatch.setattr("store.repository.save_page", locked)
    with pytest.raises(DropItem, match="cannot store the page"):
        stored_page(opened, f"{HB}/web/guest/-/khoa")
    (failure,) = read.scalars(select(Failure)).all()
    assert failure.stage == "store" and "database is locked" in failure.message
    assert count(read, Page) == 0  # not stored, so not "seen": the next crawl fetches it again


# ---- duplicate key ---------------------------------------------------------------------


def test_syndicated_copies_share_a_key_despite_title_prefix_and_date() -> None:
    body = TEXT + "\n\n" + TEXT
    original = duplicate_key(title=TITLE, published=dt.date(2024, 1, 12), text=f"{TITLE}\n\n{body}")
    copy_title = "Sở Nội vụ: " + TITLE
    copy = duplicate_key(title=copy_title, published=dt.date(2024, 1, 13), text=f"{copy_title}\n\n{body}")
    assert original == copy
    other = duplicate_key(title=TITLE, published=dt.date(2024, 1, 12), text=f"{TITLE}\n\n{OTHER_TEXT * 3}")
    assert other != original


def test_short_bodies_are_keyed_with_their_title() -> None:
    a = duplicate_key(title="Ảnh hội nghị", published=None, text="Ảnh hội nghị\n\nẢnh: Minh Anh")
    b = duplicate_key(title="Ảnh lễ ký kết", published=None, text="Ảnh lễ ký kết\n\nẢnh: Minh Anh")
    assert a != b
