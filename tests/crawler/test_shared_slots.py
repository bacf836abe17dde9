"""The per-host limit shared by a distributed crawl's workers (crawler/shared_slots.py), on a real Redis.

Redis as in test_crawl_distributed.py (THIDUA_TEST_REDIS_URL; CI fails without it, locally it skips);
each test has its own key prefix (conftest.py `redis_prefix`), deleted afterwards.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from types import SimpleNamespace
from typing import Any, TypeVar
from urllib.parse import urlsplit

import pytest
import redis
import redis.asyncio
from crawlhelpers import REDIS_URL
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse

from crawler.shared_slots import META_LEASE, SharedSlotMiddleware, SlotLeases, lease_seconds

T = TypeVar("T")
CrawlerFactory = Callable[..., Crawler]  # the make_crawler fixture (conftest.py)


def with_leases(prefix: str, limit: int, lease: float, scenario: Callable[[SlotLeases], Awaitable[T]]) -> T:
    """Run `scenario` on a `SlotLeases` of its own (an asyncio client lives in one event loop)."""

    async def run() -> T:
        client = redis.asyncio.Redis.from_url(REDIS_URL)
        try:
            return await scenario(SlotLeases(client, prefix, limit, lease))
        finally:
            await client.aclose()

    return asyncio.run(run())


def test_no_more_leases_than_the_limit_on_a_slot(redis_prefix: str) -> None:
    async def scenario(leases: SlotLeases) -> list[bool]:
        return [
            await leases.acquire("a.gov.vn", "w1:0"),
            await leases.acquire("a.gov.vn", "w2:0"),
            await leases.acquire("a.gov.vn", "w1:1"),  # the third at once: refused
            await leases.acquire("b.gov.vn", "w1:2"),  # another host has its own slot
        ]

    assert with_leases(redis_prefix, 2, 60, scenario) == [True, True, False, True]
    client = redis.Redis.from_url(REDIS_URL)
    try:
        held = client.zrange(f"{redis_prefix}:slots:a.gov.vn", 0, -1, withscores=True)
        now_ms = client.time()[0] * 1000
        assert sorted(m for m, _ in held) == [b"w1:0", b"w2:0"]
        # scored by their expiry in Redis time, a lease length from now; the key lives as long
        assert all(now_ms + 55_000 <= score <= now_ms + 61_000 for _, score in held)
        assert 55_000 <= client.pttl(f"{redis_prefix}:slots:a.gov.vn") <= 60_000
    finally:
        client.close()


def test_an_expired_lease_frees_its_place(redis_prefix: str) -> None:
    async def scenario(leases: SlotLeases) -> list[bool]:
        out = [await leases.acquire("a.gov.vn", "dead:0"), await leases.acquire("a.gov.vn", "dead:1")]
        out.append(await leases.acquire("a.gov.vn", "w1:0"))
        await asyncio.sleep(0.4)  # a killed worker's leases (0.25 s) run out
        out.append(await leases.acquire("a.gov.vn", "w1:0"))
        out.append(await leases.release("a.gov.vn", "dead:0"))  # gone already: nothing freed
        return out

    assert with_leases(redis_prefix, 2, 0.25, scenario) == [True, True, False, True, False]
    client = redis.Redis.from_url(REDIS_URL)
    try:  # the expired ones were dropped, the new one alone is left
        assert client.zrange(f"{redis_prefix}:slots:a.gov.vn", 0, -1) == [b"w1:0"]
    finally:
        client.close()


def test_a_release_frees_exactly_one_place(redis_prefix: str) -> None:
    async def scenario(leases: SlotLeases) -> list[bool]:
        return [
            await leases.acquire("a.gov.vn", "l1"),
            await leases.acquire("a.gov.vn", "l2"),
            await leases.release("a.gov.vn", "l1"),
            await leases.release("a.gov.vn", "l1"),  # twice: nothing more to give back
            await leases.acquire("a.gov.vn", "l3"),
            await leases.acquire("a.gov.vn", "l4"),  # l2 and l3 are out: full again
            await leases.release("a.gov.vn", "l2"),
            await leases.release("a.gov.vn", "l3"),
        ]

    assert with_leases(redis_prefix, 2, 60, scenario) == [True, True, True, False, True, False, True, True]
    client = redis.Redis.from_url(REDIS_URL)
    try:  # an empty slot leaves no key behind
        assert client.exists(f"{redis_prefix}:slots:a.gov.vn") == 0
    finally:
        client.close()


def test_a_lease_outlasts_the_download_timeout_and_the_waits_before_it() -> None:
    from scrapy.settings import Settings

    s = Settings(
        {
            "DOWNLOAD_TIMEOUT": 60,
            "DOWNLOAD_DELAY": 0.5,
            "AUTOTHROTTLE_ENABLED": True,
            "AUTOTHROTTLE_MAX_DELAY": 60,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
        }
    )
    assert lease_seconds(s) == 60 + 2 * 1.5 * 60 + 30
    s.set("AUTOTHROTTLE_ENABLED", False)
    assert lease_seconds(s) == 60 + 2 * 1.5 * 0.5 + 30


def middleware(make_crawler: CrawlerFactory, prefix: str, **settings: Any) -> SharedSlotMiddleware:
    crawler = make_crawler(
        {
            "THIDUA_REDIS_PREFIX": prefix,
            "REDIS_URL": REDIS_URL,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
            "EXTENSIONS": {"crawler.distributed.SharedFrontier": None},  # the middleware alone
            **settings,
        }
    )
    crawler.stats.open_spider()
    # the downloader's slot key: the host (what Scrapy's Downloader.get_slot_key gives here)
    crawler.engine = SimpleNamespace(  # type: ignore[assignment]
        downloader=SimpleNamespace(get_slot_key=lambda r: urlsplit(r.url).hostname or "")
    )
    return SharedSlotMiddleware.from_crawler(crawler)


def test_the_middleware_is_off_outside_a_distributed_crawl(make_crawler: CrawlerFactory) -> None:
    with pytest.raises(NotConfigured):
        SharedSlotMiddleware.from_crawler(make_crawler())


def test_a_request_waits_for_a_place_and_every_path_gives_its_lease_back(
    make_crawler: CrawlerFactory, redis_prefix: str
) -> None:
    mw = middleware(make_crawler, redis_prefix)
    key = f"{redis_prefix}:slots:a.gov.vn"

    async def held() -> int:
        return int(await mw.leases.client.zcard(key))

    async def scenario() -> dict[str, Any]:
        out: dict[str, Any] = {}
        r1, r2, r3 = (Request(f"http://a.gov.vn/{n}") for n in range(3))
        await mw.process_request(r1)
        await mw.process_request(r2)
        out["two_out"] = await held()
        third = asyncio.ensure_future(mw.process_request(r3))
        await asyncio.sleep(0.6)
        out["third_waited"] = not third.done()
        # a retry is a copy of the request, its lease id in meta: it must not free r1's lease
        retry = r1.replace(dont_filter=True)
        await mw.process_exception(retry, IgnoreRequest("dropped before its download"))
        out["copy_freed_nothing"] = await held() == 2 and not third.done()
        await mw.process_response(r1, HtmlResponse(r1.url, body=b"<html></html>", request=r1))
        await asyncio.wait_for(third, 2)  # r1's place went to r3
        out["third_got_it"] = META_LEASE in r3.meta and await held() == 2
        await mw.process_exception(r2, TimeoutError("download timed out"))
        await mw.process_response(r2, HtmlResponse(r2.url, body=b"", request=r2))  # again: no-op
        out["after_r2"] = await held()
        out["unreleased_meta"] = [META_LEASE in r.meta for r in (r1, r2, r3)]
        await mw.spider_closed("shutdown")  # r3's download cut short: its lease goes back too
        return out

    out = asyncio.run(scenario())
    assert out == {
        "two_out": 2,
        "third_waited": True,
        "copy_freed_nothing": True,
        "third_got_it": True,
        "after_r2": 1,
        "unreleased_meta": [False, False, True],
    }
    client = redis.Redis.from_url(REDIS_URL)
    try:
        assert client.exists(key) == 0
    finally:
        client.close()
    stats = mw.crawler.stats
    assert stats is not None
    assert stats.get_value("thidua/shared_slots/acquired") == 3
    assert stats.get_value("thidua/shared_slots/waited") == 1


def test_without_redis_requests_go_on_after_one_warning(
    make_crawler: CrawlerFactory, caplog: pytest.LogCaptureFixture
) -> None:
    mw = middleware(make_crawler, "thidua-test-nowhere", REDIS_URL="redis://127.0.0.1:1/0")

    async def scenario() -> list[bool]:
        requests = [Request(f"http://a.gov.vn/{n}") for n in range(5)]
        for r in requests:
            await asyncio.wait_for(mw.process_request(r), 10)
        for r in requests:
            await mw.process_response(r, HtmlResponse(r.url, body=b"", request=r))
        return [META_LEASE in r.meta for r in requests]

    with caplog.at_level("WARNING", logger="crawler.shared_slots"):
        assert asyncio.run(scenario()) == [False] * 5  # all let through, no lease
    assert len([r for r in caplog.records if "Redis failed" in r.message]) == 1
    # the first request found Redis down; the others did not ask again during the pause
    assert mw.crawler.stats is not None
    assert mw.crawler.stats.get_value("thidua/shared_slots/redis_errors") == 1


def test_the_middleware_comes_after_every_other_downloader_middleware(make_crawler: CrawlerFactory) -> None:
    # last on the way down: requests dropped by PortalDown, TrapGuard, the conditional-request
    # middleware or robots.txt never take a lease; first on the way up: the lease is back before
    # RetryMiddleware or RedirectMiddleware make a new request
    mws = make_crawler().settings.get_component_priority_dict_with_base("DOWNLOADER_MIDDLEWARES")
    ours = mws.pop("crawler.shared_slots.SharedSlotMiddleware")
    assert ours > max(p for p in mws.values() if p is not None)
