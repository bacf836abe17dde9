"""Database work of the crawl off the reactor thread, and in batches, so downloading goes on meanwhile.

`StorePagePipeline._store` (SQLAlchemy, a SQLite or PostgreSQL commit per page) is the slowest
step of the crawl stage: run on Twisted's reactor it stalls every download and parse meanwhile
(bench/crawl_speed.py measured ~20 ms a page). `ThreadedStorePagePipeline` runs the same
method in a worker thread and awaits it; `BatchedStorePagePipeline` (the crawl's default since
the thread alone left ~9 ms of ORM work a page, GIL-bound) also writes many pages in one
transaction. Either way items still go through the pipelines one after the other in order per
item, each stage seeing what the store wrote (`page_id`, `known_page`). SQLite serialises the
writers itself (BEGIN IMMEDIATE with a busy timeout, store.db).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Self

from scrapy import Request
from scrapy.exceptions import DropItem

from crawler import registry
from crawler.incremental import ConditionalRequestMiddleware
from crawler.items import PageItem
from crawler.middlewares import META_KIND
from crawler.pipelines import StorePagePipeline
from store import repository, seen
from store.models import Page

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

# What a batch hands back for each item: the item to pass on, or the exception to raise for it
Outcome = PageItem | BaseException


class ThreadedStorePagePipeline(StorePagePipeline):
    """`StorePagePipeline`, with the database work in a worker thread."""

    async def process_item(self, item: Any) -> Any:
        return await asyncio.to_thread(super().process_item, item)


class BatchedStorePagePipeline(StorePagePipeline):
    """`StorePagePipeline` writing up to THIDUA_STORE_BATCH pages in one transaction, in a worker thread.

    Why: the per-page cost of the store is SQLAlchemy's (ORM flushes, a dozen statements and a
    commit a page), not the disk's. A batch stores its new pages with one multi-row INSERT each
    into `page`, `seen_url` and `url_alias`, and resolves their fetch failures with one UPDATE.
    A page stored already (a refetch) or named twice in a batch goes through `save_page` as
    before, in the same transaction.

    An item waits until its batch is committed (THIDUA_STORE_BATCH pages, or
    THIDUA_STORE_BATCH_MS after the first one came, whichever is first; batches one after the
    other, never two at a time), then goes on with its `page_id`: nothing downstream sees a
    page that is not stored.
    A crawl killed meanwhile loses the pages of the open batch, which are not stored, so not
    seen: the next crawl fetches them again. A batch whose transaction fails is stored again one
    page at a time, so the failure is recorded for the page that caused it and the rest are kept.
    """

    def __init__(self, crawler: Crawler, database_url: str, batch: int = 100, linger: float = 0.2) -> None:
        super().__init__(crawler, database_url)
        self.batch = max(1, batch)
        self.linger = max(0.0, linger)
        # each waiting item, its outcome to come and when it came (the event loop's clock)
        self._pending: list[tuple[PageItem, asyncio.Future[Outcome], float]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._writer: asyncio.Task[None] | None = None
        self._portal_ids: dict[str, int] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        pipeline = super().from_crawler(crawler)
        pipeline.batch = max(1, crawler.settings.getint("THIDUA_STORE_BATCH", 100))
        pipeline.linger = max(0.0, crawler.settings.getfloat("THIDUA_STORE_BATCH_MS", 200.0) / 1000)
        return pipeline

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem) or item.resume:
            return item  # a resumed page or article is stored already
        loop = asyncio.get_running_loop()
        done: asyncio.Future[Outcome] = loop.create_future()
        self._pending.append((item, done, loop.time()))
        if len(self._pending) >= self.batch:
            self._write_soon()
        elif self._timer is None:
            self._timer = loop.call_later(self.linger, self._write_soon)
        outcome = await done
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    def _write_soon(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._writer is None or self._writer.done():
            self._writer = asyncio.ensure_future(self._write_pending())

    def _due(self, now: float) -> bool:
        """Whether a batch is full, or its first item has waited the linger (1 ms early is on
        time: the event loop runs a timer up to its clock's resolution early)."""
        return len(self._pending) >= self.batch or now - self._pending[0][2] >= self.linger - 0.001

    async def _write_pending(self) -> None:
        """Write the waiting items batch after batch (one writer: SQLite has one anyway).

        Each batch waits to be full or for the linger of its first item, also when it gathered
        while the batch before it was written: written at once instead, batches were only what
        came during one write (a dozen pages at the crawl's pace), and each costs the same
        statements whatever its size.
        """
        loop = asyncio.get_running_loop()
        while self._pending and self._due(loop.time()):
            batch, self._pending = self._pending[: self.batch], self._pending[self.batch :]
            try:
                outcomes = await asyncio.to_thread(self.store_batch, [item for item, _, _ in batch])
            except BaseException as exc:  # store_batch hands errors back; this is a bug's way out
                outcomes = [exc] * len(batch)
            for (_, done, _), outcome in zip(batch, outcomes, strict=True):
                if not done.done():
                    done.set_result(outcome)
        if self._pending and self._timer is None:
            # the rest waits for its first item's linger
            wait = self._pending[0][2] + self.linger - loop.time()
            self._timer = loop.call_later(max(0.0, wait), self._write_soon)
        elif self._timer is not None and not self._pending:
            self._timer.cancel()
            self._timer = None

    def close_spider(self) -> None:
        """Write what still waits (Scrapy waits for items in progress, so normally nothing)."""
        try:
            left, self._pending = self._pending, []
            if left:
                outcomes = self.store_batch([i for i, _, _ in left])
                for (_, done, _), outcome in zip(left, outcomes, strict=True):
                    if not done.done():
                        done.set_result(outcome)
        finally:
            super().close_spider()

    # ---- in the worker thread ----------------------------------------------------------------
    def store_batch(self, items: Sequence[PageItem]) -> list[Outcome]:
        """Store `items` in one transaction; on failure, one transaction each (failures recorded)."""
        try:
            with self.session() as session, session.begin():
                changed = self._store_many(session, items)
        except Exception as exc:  # SQLAlchemyError, StoreError: each page again, on its own
            self._portal_ids.clear()  # a portal row made in the rolled-back transaction is gone
            if len(items) > 1:
                log.info("a batch of %s pages failed (%s); storing them one at a time", len(items), exc)
            return [self._store_alone(item) for item in items]
        outcomes: list[Outcome] = []
        for item, new in zip(items, changed, strict=True):
            try:
                outcomes.append(self._stored(item, new))
            except DropItem as exc:
                outcomes.append(exc)
        return outcomes

    def _store_alone(self, item: PageItem) -> Outcome:
        item.page_id = None
        item.known_page = False
        try:
            return StorePagePipeline.process_item(self, item)  # type: ignore[no-any-return]
        except Exception as exc:  # DropItem with the failure recorded, or what the store raised
            return exc

    def _portal_id(self, session: Session, name: str) -> int:
        """The portal's row, brought up to the registry once per crawl (as `_store_in` does)."""
        if name not in self._portal_ids:
            p = registry.by_name(name)
            row = repository.upsert_portal(
                session, name=p.name, province=p.province, family=p.family, hosts=p.hosts
            )
            session.flush()
            self._portal_ids[name] = row.id
        return self._portal_ids[name]

    def _store_many(self, session: Session, items: Sequence[PageItem]) -> list[bool]:
        """Write `items` in the caller's transaction; return, per item, whether its content is new."""
        from sqlalchemy import select

        urls = list(dict.fromkeys(item.canonical_url for item in items))
        stored: set[str] = set()
        for i in range(0, len(urls), 500):
            chunk = urls[i : i + 500]
            stored.update(session.scalars(select(Page.canonical_url).where(Page.canonical_url.in_(chunk))))
        fresh: list[PageItem] = []
        again: list[PageItem] = []
        for item in items:
            if item.canonical_url in stored:
                again.append(item)  # a refetch, or a second item for one page: save_page decides
            else:
                stored.add(item.canonical_url)
                fresh.append(item)
        ids = repository.insert_pages(
            session,
            pages=[
                {
                    "portal_id": self._portal_id(session, item.portal),
                    "url": item.url,
                    "canonical_url": item.canonical_url,
                    "final_url": item.final_url,
                    "status": item.status,
                    "headers": item.headers,
                    "body": item.body,
                    "encoding": item.encoding,
                    "fetched_at": item.fetched_at,
                }
                for item in fresh
            ],
        )
        for item, page_id in zip(fresh, ids, strict=True):
            item.page_id = page_id
            item.known_page = False  # a page inserted just now has no article yet
        repository.resolve_failures_of(session, urls=[item.url for item in fresh], stages=["fetch"])
        seen.note_responses(
            session,
            [
                seen.Response(
                    item.canonical_url, item.portal, "article", item.status, item.headers, item.fetched_at
                )
                for item in fresh
            ],
        )
        by_portal: dict[str, list[tuple[str, str, str]]] = {}
        for item in fresh:
            forms = by_portal.setdefault(item.portal, [])
            forms.append((item.url, item.canonical_url, "requested"))
            if item.final_url != item.url:
                forms.append((item.final_url, item.canonical_url, "redirect"))
        for portal, forms in by_portal.items():
            # the first item's time, as each page's own would be within this batch's few seconds
            at = next(item.fetched_at for item in fresh if item.portal == portal)
            seen.add_aliases(session, aliases=forms, portal=portal, at=at)
        changed = {id(item): True for item in fresh}
        for item in again:
            changed[id(item)] = self._store_in(session, item)
        return [changed[id(item)] for item in items]


class ThreadedConditionalRequestMiddleware(ConditionalRequestMiddleware):
    """`ConditionalRequestMiddleware` (stored already? ask conditionally?), its one query in a worker thread.

    What is stored is loaded once, at the first article request (`known_many`, one query per
    crawl instead of one per article request); on the reactor that query would hold up every
    download and parse meanwhile. After it, each request is answered from memory.
    """

    def __init__(self, crawler: Crawler, database_url: str, recheck_days: float) -> None:
        super().__init__(crawler, database_url, recheck_days)
        self._loading: asyncio.Lock | None = None

    async def process_request(self, request: Request) -> None:  # type: ignore[override]
        if request.meta.get(META_KIND) != "article":
            return  # no query, no thread: listings and feeds pass at once
        if not self.loaded:
            if self._loading is None:
                self._loading = asyncio.Lock()
            async with self._loading:
                if not self.loaded:
                    await asyncio.to_thread(self.load)
        super().process_request(request)
