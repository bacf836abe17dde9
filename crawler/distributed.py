"""One crawl on several processes or machines: a shared Redis frontier and duplicate filter (scrapy-redis).

Set THIDUA_CRAWL_REDIS_URL (``redis://host:6379/0``) on every worker and start the same
`thidua crawl` (or `python -m crawler.run`) on each, with the same database URL (PostgreSQL: one
store for all) and the same crawl id (THIDUA_CRAWL_ID, default today's UTC date). Then:

* every request goes through one Redis priority queue, ``<prefix>:<crawl id>:portal:requests``,
  and one set of fingerprints, ``…:dupefilter``, computed on thidua's canonical URLs
  (`CanonicalRedisDupeFilter`), so a page is fetched by exactly one worker;
* the workers hold the crawl lock *shared* (crawler/runlock.py): an ordinary crawl on the same
  database waits for them or refuses; each worker records its own crawl run and report;
* pending work left by a killed crawl (crawler/resume.py) is taken up by one worker only: the
  first to claim ``…:resume``;
* a worker whose queue runs dry waits while another worker is still busy (its heartbeat key
  ``…:busy:<worker>`` lives `BUSY_TTL` seconds), since that one may still add pages;
* the queue and fingerprints persist if workers die, so starting them again with the same crawl
  id resumes the frontier; the last worker to finish a complete crawl deletes them, and every
  key expires after `KEY_TTL` in any case, so the next night's crawl starts afresh.

Per-portal politeness (one or two requests at a time per host) holds across all the workers:
each download takes a lease on its host in Redis first (crawler/shared_slots.py).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy_redis.dupefilter import RFPDupeFilter

from crawler.errors import CrawlError
from crawler.middlewares import CanonicalRequestFingerprinter

if TYPE_CHECKING:
    from redis import Redis
    from scrapy import Request
    from scrapy.crawler import Crawler

    from thidua.settings import Settings

log = logging.getLogger(__name__)

BUSY_TTL = 6  # seconds a worker counts as busy after its last request or response
KEY_TTL = 3 * 24 * 3600  # a forgotten crawl's keys vanish after three days
_SPIDER = "portal"


class RedisUnavailableError(CrawlError):
    """THIDUA_CRAWL_REDIS_URL is set but no Redis answers there; the message says where."""


def crawl_id(settings: Settings) -> str:
    """The id that names one distributed crawl: THIDUA_CRAWL_ID or today's UTC date."""
    return settings.crawl_id or dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")


def key_prefix(settings: Settings) -> str:
    """Return ``<THIDUA_CRAWL_REDIS_KEY>:<crawl id>``, the prefix of every key of this crawl."""
    return f"{settings.crawl_redis_key}:{crawl_id(settings)}"


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def connect(url: str) -> Redis:
    """Connect to Redis and check that it answers.

    Raises:
        RedisUnavailableError: nothing answers at `url`.
    """
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=30)
    try:
        client.ping()
    except redis.RedisError as exc:
        raise RedisUnavailableError(
            f"THIDUA_CRAWL_REDIS_URL={url}: no Redis answers ({exc}); start one or unset the variable "
            "for a crawl on this machine alone"
        ) from exc
    return client


def scrapy_overrides(settings: Settings) -> dict[str, Any]:
    """Return the Scrapy settings of a distributed worker (empty when THIDUA_CRAWL_REDIS_URL is unset)."""
    if not settings.crawl_redis_url:
        return {}
    prefix = key_prefix(settings)
    return {
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "SCHEDULER_PERSIST": True,  # a worker that finishes must not flush the others' frontier
        "SCHEDULER_QUEUE_KEY": f"{prefix}:%(spider)s:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"{prefix}:%(spider)s:dupefilter",
        "SCHEDULER_DUPEFILTER_CLASS": "crawler.distributed.CanonicalRedisDupeFilter",
        "DUPEFILTER_CLASS": "crawler.distributed.CanonicalRedisDupeFilter",
        "REDIS_URL": settings.crawl_redis_url,
        "JOBDIR": None,  # the frontier lives in Redis
        "THIDUA_REDIS_PREFIX": prefix,  # read by SharedFrontier (crawler/settings.py EXTENSIONS)
    }


def redis_settings(crawler: Crawler) -> tuple[str, str]:
    """The Redis URL and key prefix of a distributed crawl (`scrapy_overrides`).

    Raises:
        NotConfigured: not a distributed crawl (the component that asked stays off).
    """
    prefix = crawler.settings.get("THIDUA_REDIS_PREFIX")
    url = crawler.settings.get("REDIS_URL")
    if not prefix or not url:
        raise NotConfigured("not a distributed crawl")
    return str(url), str(prefix)


@contextmanager
def setup_lock(settings: Settings) -> Iterator[None]:
    """Let one worker at a time migrate and check the database (two migrating at once collide)."""
    if not settings.crawl_redis_url:
        yield
        return
    client = connect(settings.crawl_redis_url)
    try:
        with client.lock(f"{key_prefix(settings)}:setup", timeout=600, blocking_timeout=600):
            yield
    finally:
        client.close()


def claim(settings: Settings, what: str) -> bool:
    """Claim a once-per-crawl job (`what`) for this worker; False when another worker has it."""
    if not settings.crawl_redis_url:
        return True
    client = connect(settings.crawl_redis_url)
    try:
        return bool(client.set(f"{key_prefix(settings)}:{what}", worker_name(), nx=True, ex=KEY_TTL))
    finally:
        client.close()


class CanonicalRedisDupeFilter(RFPDupeFilter):  # type: ignore[misc]  # scrapy-redis has no types
    """scrapy-redis's shared duplicate filter on thidua's canonical fingerprints (crawler/urls.py)."""

    _fingerprinter = CanonicalRequestFingerprinter()

    def request_fingerprint(self, request: Request) -> str:
        return self._fingerprinter.fingerprint(request).hex()


class SharedFrontier:
    """Extension of a worker: heartbeat, wait for busy peers when idle, clean up a complete crawl."""

    def __init__(self, crawler: Crawler, client: Redis, prefix: str) -> None:
        self.crawler = crawler
        self.client = client
        self.prefix = prefix
        self.worker = worker_name()
        self._beat = 0.0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        url, prefix = redis_settings(crawler)
        ext = cls(crawler, connect(url), prefix)
        crawler.signals.connect(ext.busy, signal=signals.request_scheduled)
        crawler.signals.connect(ext.busy, signal=signals.response_received)
        crawler.signals.connect(ext.idle, signal=signals.spider_idle)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def _key(self, name: str) -> str:
        return f"{self.prefix}:{_SPIDER}:{name}"

    def busy(self) -> None:
        """Refresh this worker's heartbeat (at most once a second)."""
        now = time.monotonic()
        if now - self._beat >= 1.0:
            self._beat = now
            self.client.set(self._key(f"busy:{self.worker}"), "1", ex=BUSY_TTL)

    def _others_busy(self) -> bool:
        mine = self._key(f"busy:{self.worker}")
        return any(k.decode() != mine for k in self.client.scan_iter(match=self._key("busy:*"), count=100))

    def idle(self) -> None:
        """Keep the worker open while the frontier has work or a peer may still add some."""
        if self.client.zcard(self._key("requests")) > 0 or self._others_busy():
            raise DontCloseSpider

    def closed(self, reason: str) -> None:
        self.client.delete(self._key(f"busy:{self.worker}"))
        queue, seen = self._key("requests"), self._key("dupefilter")
        if reason == "finished" and self.client.zcard(queue) == 0 and not self._others_busy():
            # the crawl is complete: the next one with this id starts afresh
            self.client.delete(queue, seen, f"{self.prefix}:resume")
            log.info("distributed crawl %s complete; its frontier is cleared", self.prefix)
        else:
            for key in (queue, seen):
                self.client.expire(key, KEY_TTL)
        self.client.close()
