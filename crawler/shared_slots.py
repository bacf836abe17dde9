"""Per-host concurrency shared by every worker of a distributed crawl (crawler/distributed.py).

Scrapy's CONCURRENT_REQUESTS_PER_DOMAIN holds inside one process: N workers of one crawl could
send N times the limit to one portal at once. `SharedSlotMiddleware` makes the limit hold across
all of them. Before a request is downloaded it takes a *lease* on the request's download slot
(the host, as Scrapy's downloader names slots) in Redis:

* the leases of a slot are a sorted set, ``<prefix>:<crawl id>:slots:<host>``, each member a
  lease id scored by its expiry in Redis server time (so the workers' clocks do not matter);
* one Lua script (`ACQUIRE`, one round trip) drops the expired leases and adds this one if fewer
  than the limit remain; a worker that gets no lease waits a short random while (Scrapy's
  `sleep`: asyncio.sleep, or deferLater off asyncio; the reactor goes on) and asks again;
* the lease is given back (ZREM, one round trip) as soon as the download ends, with a response
  or an exception, and every lease still held when the spider closes is given back then;
* a lease lasts `lease_seconds`: longer than the download timeout plus the local download delays
  a request can wait behind, so a live request never loses its lease, and a SIGKILLed worker's
  leases free themselves after it. The set's key expires with its newest lease.

Where it sits (crawler/settings.py DOWNLOADER_MIDDLEWARES, 950): after every middleware whose
process_request may drop or answer a request (PortalDown 60, robots.txt 100, TrapGuard 110,
ThreadedConditionalRequest 120), so a dropped request never takes a lease, and a request never
holds one while it waits for its portal's robots.txt (which needs a lease of its own). Being last
on the way down, it is the first to see the response or the exception on the way up, before
RetryMiddleware or RedirectMiddleware turn it into a new request (which takes a lease of its own),
or OffsiteRedirect / DOWNLOAD_MAXSIZE raise IgnoreRequest.

A request waiting for a lease counts among the worker's CONCURRENT_REQUESTS, as one waiting in
Scrapy's own slot queue does: when the frontier's next requests all go to one host that other
workers keep full, this worker's other hosts wait too. The sleep between two asks holds up nothing.

Redis failing while a lease is asked for does not stop the crawl: one warning is logged, the
request goes on under the local limit only, and the shared limit is skipped for `OUTAGE_PAUSE`
seconds before Redis is asked again (so a dead Redis does not cost a timeout per request).
The stat ``thidua/shared_slots/redis_errors`` counts these.
"""

from __future__ import annotations

import itertools
import logging
import random
import time
from typing import TYPE_CHECKING, Self

from scrapy import signals
from scrapy.utils.asyncio import sleep

from crawler.distributed import redis_settings, worker_name

if TYPE_CHECKING:
    from redis.asyncio import Redis
    from redis.commands.core import AsyncScript
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings

log = logging.getLogger(__name__)

META_LEASE = "thidua_slot_lease"  # request.meta key: the lease id this request holds
OUTAGE_PAUSE = 30.0  # seconds the shared limit is skipped after a Redis error
WAIT_MIN, WAIT_MAX = 0.05, 0.25  # seconds between two asks for a lease (random, so workers interleave)
LEASE_MARGIN = 30.0  # seconds on top of the longest a live request can hold its lease

# KEYS[1]: the slot's sorted set; ARGV: limit, lease length (ms), lease id. Returns 1 if acquired.
# TIME is Redis's clock (allowed before writes since Redis 5: scripts replicate their effects).
ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
"""


def lease_seconds(settings: BaseSettings) -> float:
    """How long a lease lasts: the download timeout, plus the download delays a request may wait
    behind in its local slot after taking the lease (up to `limit` of them, randomized up to
    1.5 times), plus a margin."""
    delay = settings.getfloat("DOWNLOAD_DELAY")
    if settings.getbool("AUTOTHROTTLE_ENABLED"):
        delay = max(delay, settings.getfloat("AUTOTHROTTLE_MAX_DELAY"))
    limit = settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
    return settings.getfloat("DOWNLOAD_TIMEOUT") + limit * 1.5 * delay + LEASE_MARGIN


class SlotLeases:
    """The leases of one distributed crawl's download slots in Redis (`ACQUIRE`, ZREM)."""

    def __init__(self, client: Redis, prefix: str, limit: int, lease: float) -> None:
        self.client = client
        self.prefix = prefix
        self.limit = limit
        self.lease_ms = max(1, int(lease * 1000))
        self._acquire: AsyncScript = client.register_script(ACQUIRE)

    def key(self, slot: str) -> str:
        return f"{self.prefix}:slots:{slot}"

    async def acquire(self, slot: str, lease_id: str) -> bool:
        """Take a lease on `slot` unless `limit` unexpired leases are out; True if taken."""
        return bool(await self._acquire(keys=[self.key(slot)], args=[self.limit, self.lease_ms, lease_id]))

    async def release(self, slot: str, lease_id: str) -> bool:
        """Give the lease back; False when it was gone already (expired, or given back)."""
        return bool(await self.client.zrem(self.key(slot), lease_id))


class SharedSlotMiddleware:
    """Downloader middleware of a distributed worker: a Redis lease per request on its host."""

    def __init__(self, crawler: Crawler, leases: SlotLeases) -> None:
        self.crawler = crawler
        self.leases = leases
        self._ids = (f"{worker_name()}:{n}" for n in itertools.count())
        # lease id -> (slot, id() of the request holding it): only the holder gives it back, so a
        # copy of the request carrying the same meta cannot free a lease still in use
        self._held: dict[str, tuple[str, int]] = {}
        self._outage_until = 0.0
        self._closed = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        url, prefix = redis_settings(crawler)
        import redis.asyncio

        # redis.asyncio, on the reactor's asyncio loop: a round trip never holds up the reactor
        client = redis.asyncio.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=10)
        limit = crawler.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
        mw = cls(crawler, SlotLeases(client, prefix, limit, lease_seconds(crawler.settings)))
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    def _inc(self, name: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"thidua/shared_slots/{name}")

    def _redis_failed(self, doing: str, exc: Exception) -> None:
        self._inc("redis_errors")
        if time.monotonic() >= self._outage_until:
            log.warning(
                "shared per-host limit: Redis failed while %s (%s); requests go on under this worker's "
                "own limit for %.0f s",
                doing,
                exc,
                OUTAGE_PAUSE,
            )
        self._outage_until = time.monotonic() + OUTAGE_PAUSE

    async def process_request(self, request: Request) -> None:
        import redis

        assert self.crawler.engine is not None  # downloads happen only while the engine runs
        slot = self.crawler.engine.downloader.get_slot_key(request)
        request.meta.pop(META_LEASE, None)  # a copy of an earlier request: that lease is not ours
        lease_id = next(self._ids)
        waited = False
        while not self._closed and time.monotonic() >= self._outage_until:
            try:
                acquired = await self.leases.acquire(slot, lease_id)
            except redis.RedisError as exc:
                self._redis_failed("taking a lease", exc)
                return
            if acquired:
                self._held[lease_id] = (slot, id(request))
                request.meta[META_LEASE] = lease_id
                self._inc("acquired")
                return
            if not waited:
                waited = True
                self._inc("waited")
            # another worker (or this one) has the slot full: ask again shortly, without blocking
            await sleep(random.uniform(WAIT_MIN, WAIT_MAX))  # asyncio.sleep, or deferLater off asyncio

    async def _release(self, request: Request) -> None:
        import redis

        lease_id = request.meta.pop(META_LEASE, None)
        held = self._held.get(lease_id) if lease_id else None
        if held is None or held[1] != id(request):
            return
        del self._held[lease_id]
        try:
            await self.leases.release(held[0], lease_id)
        except redis.RedisError as exc:  # the lease frees itself when it expires
            self._redis_failed("giving a lease back", exc)

    async def process_response(self, request: Request, response: Response) -> Response:
        await self._release(request)
        return response

    async def process_exception(self, request: Request, exception: Exception) -> None:
        await self._release(request)

    async def spider_closed(self, reason: str) -> None:
        """Give back every lease still held (downloads cut short by a shutdown), close Redis."""
        import redis

        self._closed = True
        held, self._held = self._held, {}
        try:
            for lease_id, (slot, _) in held.items():
                await self.leases.release(slot, lease_id)
        except redis.RedisError as exc:
            log.warning("shared per-host limit: %d leases not given back (%s); they expire", len(held), exc)
        await self.leases.client.aclose()
