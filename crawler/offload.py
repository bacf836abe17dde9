"""Database work of the crawl off the reactor thread, so downloading goes on meanwhile.

`StorePagePipeline._store` (SQLAlchemy, a SQLite or PostgreSQL commit per page) is the slowest
step of the crawl stage: run on Twisted's reactor it stalls every download and parse meanwhile
(bench/crawl_speed.py measured ~20 ms a page). `ThreadedStorePagePipeline` runs the same
method in a worker thread and awaits it: items still go through the pipelines one after the
other in order per item, each stage seeing what the store wrote (`page_id`, `known_page`).
SQLite serialises the writers itself (BEGIN IMMEDIATE with a busy timeout, store.db).
"""

from __future__ import annotations

import asyncio
from typing import Any

from scrapy import Request

from crawler.incremental import ConditionalRequestMiddleware
from crawler.middlewares import META_KIND
from crawler.pipelines import StorePagePipeline


class ThreadedStorePagePipeline(StorePagePipeline):
    """`StorePagePipeline`, with the database work in a worker thread."""

    async def process_item(self, item: Any) -> Any:
        return await asyncio.to_thread(super().process_item, item)


class ThreadedConditionalRequestMiddleware(ConditionalRequestMiddleware):
    """`ConditionalRequestMiddleware` (stored already? ask conditionally?), its query in a worker thread.

    One indexed SELECT per article request, but on the reactor it holds up every download and
    parse meanwhile; a second crawl over 5,000 stored articles spent 33 s on them. The request is
    only changed (validator headers, meta) by the thread while the reactor waits for it.
    """

    async def process_request(self, request: Request) -> None:  # type: ignore[override]
        if request.meta.get(META_KIND) != "article":
            return  # no query, no thread: listings and feeds pass at once
        await asyncio.to_thread(super().process_request, request)
