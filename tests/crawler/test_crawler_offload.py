"""Batched page store and the once-per-crawl stored-page snapshot (crawler/offload.py, store.seen).

The batched store must leave the database exactly as storing the pages one by one would, hand
each item its own outcome, and never let an item go on before its page is committed: a crawl
killed before a batch is written has not stored (so not "seen") those pages, and fetches them
again next time.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.misc import build_from_crawler
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from crawler.items import FetchFailureItem, PageItem
from crawler.middlewares import META_KIND, META_PORTAL, AlreadyStored
from crawler.offload import BatchedStorePagePipeline, ThreadedConditionalRequestMiddleware
from crawler.pipelines import FetchFailurePipeline, RelevancePipeline, StorePagePipeline, _StorePipeline
from store import repository, seen
from store.db import make_engine
from store.models import Failure, Page, SeenUrl, UrlAlias

HB = "http://hoabinh.gov.vn.test"
FETCHED = dt.datetime(2024, 3, 1, 8, 30, tzinfo=dt.UTC)
TITLE = "Khối thi đua số 3 tổng kết công tác thi đua năm 2023"
TEXT = (
    "Chiều 12/1, Khối thi đua số 3 của tỉnh tổ chức hội nghị tổng kết công tác thi đua, khen thưởng "
    "năm 2023 và ký kết giao ước thi đua năm 2024. Các đơn vị trong Khối gồm: Sở Tư pháp, Sở Y tế."
)


def page_item(path: str, body: bytes = b"<html><body>x</body></html>", **fields: Any) -> PageItem:
    url = f"{HB}/web/guest/-/{path}"
    item = PageItem(
        portal="hoabinh", url=url, canonical_url=url, final_url=url, status=200,
        headers={"Content-Type": "text/html", "ETag": f'"{path}"'}, body=body, encoding="utf-8",
        fetched_at=FETCHED,
    )  # fmt: skip
    for k, v in fields.items():
        setattr(item, k, v)
    return item


@pytest.fixture
def crawler(make_crawler: Any, db_url: str) -> Crawler:
    c: Crawler = make_crawler({"THIDUA_DATABASE_URL": db_url, "THIDUA_STORE_BATCH": 3})
    return c


@pytest.fixture
def batched(crawler: Crawler) -> Iterator[BatchedStorePagePipeline]:
    p = build_from_crawler(BatchedStorePagePipeline, crawler)
    p.open_spider()
    yield p
    p.close_spider()


def store_all(pipeline: BatchedStorePagePipeline, items: list[PageItem]) -> list[Any]:
    """Send `items` through the pipeline at once, as Scrapy does; return each outcome."""

    async def run() -> list[Any]:
        return await asyncio.gather(*(pipeline.process_item(i) for i in items), return_exceptions=True)

    return asyncio.run(run())


def rows(read: Session, model: Any) -> int:
    return int(read.scalar(select(func.count()).select_from(model)) or 0)


def test_a_batch_stores_what_one_page_at_a_time_stores(
    batched: BatchedStorePagePipeline, crawler: Crawler, read: Session
) -> None:
    redirected = page_item("moi", final_url=f"{HB}/web/guest/-/moi?x=1")
    items = [page_item("a"), page_item("b"), redirected, page_item("c"), page_item("d")]
    _fail_fetch(crawler, items[0].url)  # an earlier failed fetch of "a"
    out = store_all(batched, items)
    assert out == items  # every item passed on, in its own order, once its batch was committed
    assert all(i.page_id is not None and i.known_page is False for i in items)
    assert len({i.page_id for i in items}) == 5 and rows(read, Page) == 5
    page = read.get(Page, redirected.page_id)
    assert page is not None and page.portal is not None and page.portal.name == "hoabinh"
    assert (page.fetch_count, page.final_url, page.last_seen_at) == (1, redirected.final_url, FETCHED)
    row = read.scalars(select(SeenUrl).where(SeenUrl.canonical_url == items[1].canonical_url)).one()
    assert (row.etag, row.checks, row.status, row.kind, row.last_fetched_at) == (
        '"b"',
        1,
        200,
        "article",
        FETCHED,
    )
    assert set(read.scalars(select(UrlAlias.how))) == {"requested", "redirect"} and rows(read, UrlAlias) == 6
    (failure,) = read.scalars(select(Failure)).all()
    assert failure.resolved is True
    assert crawler.stats is not None and crawler.stats.get_value("thidua/pages_stored") == 5


def _fail_fetch(crawler: Crawler, url: str) -> None:
    p = build_from_crawler(FetchFailurePipeline, crawler)
    p.open_spider()
    try:
        with pytest.raises(DropItem):
            p.process_item(FetchFailureItem("hoabinh", url, "TimeoutError", "took 60 s"))
    finally:
        _StorePipeline.close_spider(p)


def test_refetches_and_a_page_named_twice_go_through_save_page_in_the_batch(
    batched: BatchedStorePagePipeline, crawler: Crawler, read: Session
) -> None:
    plain = build_from_crawler(StorePagePipeline, crawler)
    plain.open_spider()
    relevance = build_from_crawler(RelevancePipeline, crawler)
    relevance.open_spider()
    try:
        first = plain.process_item(page_item("cu", title=TITLE, text=TEXT, published=dt.date(2024, 1, 12)))
        relevance.process_item(first)  # the page now has its article
    finally:
        _StorePipeline.close_spider(plain)
        _StorePipeline.close_spider(relevance)
    same, twice_a, twice_b = page_item("cu"), page_item("hai"), page_item("hai", body=b"<html>2</html>")
    out = store_all(batched, [same, twice_a, twice_b])
    assert isinstance(out[0], DropItem) and "unchanged" in str(out[0])  # same bytes, article known
    assert out[1] is twice_a and out[2] is twice_b and twice_a.page_id == twice_b.page_id
    page = read.get(Page, twice_a.page_id)
    assert page is not None and page.fetch_count == 2 and page.body == b"<html>2</html>"
    assert rows(read, Page) == 2
    row = read.scalars(select(SeenUrl).where(SeenUrl.canonical_url == twice_a.canonical_url)).one()
    assert row.checks == 2


def test_a_failed_batch_is_stored_page_by_page_and_the_failure_is_the_bad_pages_own(
    batched: BatchedStorePagePipeline, read: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_batch(*_: Any, **__: Any) -> Any:
        raise OperationalError("INSERT INTO page", {}, Exception("database is locked"))

    real_save = repository.save_page

    def save(session: Session, **kw: Any) -> Any:
        if kw["url"].endswith("/xau"):
            raise OperationalError("INSERT INTO page", {}, Exception("disk I/O error"))
        return real_save(session, **kw)

    monkeypatch.setattr("store.repository.insert_pages", no_batch)
    monkeypatch.setattr("store.repository.save_page", save)
    good, bad = page_item("tot"), page_item("xau")
    out = store_all(batched, [good, bad])
    assert out[0] is good and good.page_id is not None
    assert isinstance(out[1], DropItem) and "cannot store the page" in str(out[1])
    assert read.scalars(select(Page.canonical_url)).all() == [good.canonical_url]
    (failure,) = read.scalars(select(Failure)).all()
    assert (failure.stage, failure.url) == ("store", bad.final_url) and "disk I/O" in failure.message


def test_an_item_waits_for_its_batch_and_an_unwritten_page_is_not_seen(
    crawler: Crawler, make_crawler: Any, db_url: str, read: Session
) -> None:
    pipeline = build_from_crawler(BatchedStorePagePipeline, crawler)
    pipeline.linger = 60.0  # nothing is written before the batch fills (3) or the spider closes
    pipeline.open_spider()
    item = page_item("dang-cho")

    async def until_pending() -> asyncio.Task[Any]:
        task = asyncio.ensure_future(pipeline.process_item(item))
        await asyncio.sleep(0.05)
        return task

    async def scenario() -> Any:
        task = await until_pending()
        assert not task.done() and item.page_id is None
        # killed now, the page is not stored: the next crawl's check says "never stored"
        assert rows(read, Page) == 0
        read.rollback()  # end the read snapshot
        mw = build_from_crawler(
            ThreadedConditionalRequestMiddleware, make_crawler({"THIDUA_DATABASE_URL": db_url})
        )
        request = Request(item.url, meta={META_KIND: "article", META_PORTAL: "hoabinh"})
        await mw.process_request(request)  # no AlreadyStored: a plain download
        assert b"If-None-Match" not in request.headers
        mw.close()
        pipeline.close_spider()  # the spider closes: what waits is written
        return await task

    assert asyncio.run(scenario()) is item
    assert item.page_id is not None and rows(read, Page) == 1


def test_a_single_item_is_written_after_the_linger(batched: BatchedStorePagePipeline, read: Session) -> None:
    batched.linger = 0.01
    (out,) = store_all(batched, [page_item("mot")])
    assert isinstance(out, PageItem) and out.page_id is not None and rows(read, Page) == 1


def test_pages_that_come_while_a_batch_is_written_wait_for_a_batch_of_their_own(
    crawler: Crawler, read: Session
) -> None:
    # written at once, the pages that came during one write made batches of a dozen at the
    # crawl's pace, each costing a batch's statements
    pipeline = build_from_crawler(BatchedStorePagePipeline, crawler)  # batches of 3
    pipeline.linger = 60.0
    pipeline.open_spider()
    sizes: list[int] = []
    release = threading.Event()
    store = pipeline.store_batch

    def slow_store(items: Any) -> Any:
        sizes.append(len(items))
        if len(sizes) == 1:
            release.wait(10)
        return store(items)

    pipeline.store_batch = slow_store  # type: ignore[method-assign]

    async def scenario() -> list[Any]:
        first = [asyncio.ensure_future(pipeline.process_item(page_item(f"a{i}"))) for i in range(3)]
        while not sizes:  # the full batch is being written
            await asyncio.sleep(0.01)
        late = asyncio.ensure_future(pipeline.process_item(page_item("b0")))
        await asyncio.sleep(0.05)
        release.set()
        await asyncio.gather(*first)
        await asyncio.sleep(0.3)
        assert not late.done()  # not written alone: it waits for a full batch or its linger
        return await asyncio.gather(late, *(pipeline.process_item(page_item(f"b{i}")) for i in (1, 2)))

    out = asyncio.run(scenario())
    pipeline.close_spider()
    assert sizes == [3, 3]
    assert all(isinstance(o, PageItem) and o.page_id is not None for o in out)
    assert rows(read, Page) == 6


def test_the_snapshot_of_stored_pages_answers_as_the_query_per_url_did(
    make_crawler: Any, db_url: str
) -> None:
    now = dt.datetime.now(dt.UTC)
    engine = make_engine(db_url)
    urls = {name: f"{HB}/web/guest/-/{name}" for name in ("etag", "legacy", "none")}
    with Session(engine) as session, session.begin():
        portal = repository.upsert_portal(session, name="hoabinh", province=None, family="liferay", hosts=[])
        for name, url in urls.items():
            headers = {"ETag": '"v1"'} if name != "none" else {}
            repository.save_page(
                session, portal=portal, url=url, canonical_url=url, final_url=url, status=200,
                headers=headers, body=name.encode(), encoding=None, fetched_at=now,
            )  # fmt: skip
            if name != "legacy":  # a page stored before seen_url existed has no row there
                seen.note_response(
                    session, canonical_url=url, portal="hoabinh", kind="article", status=200,
                    headers=headers, at=now,
                )  # fmt: skip
        snapshot = seen.known_many(session, portals=["hoabinh"])
        for url in urls.values():
            assert snapshot[url] == seen.known(session, canonical_url=url)
        assert seen.known_many(session, portals=["bacgiang"]) == {}
    engine.dispose()
    mw = build_from_crawler(
        ThreadedConditionalRequestMiddleware, make_crawler({"THIDUA_DATABASE_URL": db_url})
    )

    async def ask(url: str) -> Request:
        request = Request(url, meta={META_KIND: "article", META_PORTAL: "hoabinh"})
        await mw.process_request(request)
        return request

    assert asyncio.run(ask(urls["legacy"])).headers[b"If-None-Match"] == b'"v1"'  # young, validator
    with pytest.raises(AlreadyStored):
        asyncio.run(ask(urls["none"]))  # no validator, no newer date
    assert mw.loaded
    mw.close()
