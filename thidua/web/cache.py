"""The results cache of researchers' read pages: search, records API, home (issue 9's load target).

A search page over 100,000 records costs tens to hundreds of milliseconds of CPU (the facet counts
over every match); twenty clients on two CPUs need a typical request to cost a few. Researchers ask
the same questions again and again, and the data changes only when a crawl, a re-extraction or an
editor writes, so results are kept per worker process:

- **keyed** by the endpoint, its normalised parameters and the store's data version
  (`store.data_version`): any write that changes what the pages show changes the key, so the next
  request computes afresh; entries of older versions are never read again and age out;
- **bounded** in entries (least recently used dropped first, `Settings.web_cache_size`; 0 turns
  the cache off) and in age (`Settings.web_cache_seconds`), because the data version can miss a
  PostgreSQL writer that commits an earlier id after a later one (see `store.data_version`);
- **single-flight**: concurrent requests missing the same key wait for the one computing it
  rather than each computing it (twenty clients asking the same search at once cost one query).

What is cached is data (a `SearchResult`, an `Overview`, or a JSON body), never a rendered page:
pages carry the viewer's name and CSRF token.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Final

HEADER: Final = "X-Thidua-Cache"  # "hit" or "miss" on cached endpoints (the load bench counts them)


@dataclass(slots=True)
class CacheStats:
    """What the cache did since it was made (per worker process)."""

    hits: int = 0
    misses: int = 0
    evictions: int = 0


class ResultCache:
    """A bounded, expiring, single-flight map from keys to computed results (thread-safe).

    Args:
        size: the most entries kept; 0 keeps none (every call computes).
        ttl: seconds an entry is served after it was computed.
        clock: the time source (tests pass a fake one).
    """

    def __init__(self, size: int, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.size = size
        self.ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._pending: dict[Hashable, Future[Any]] = {}
        self.stats = CacheStats()

    def __len__(self) -> int:
        return len(self._entries)

    def get_or_compute(self, key: Hashable, compute: Callable[[], Any]) -> tuple[Any, bool]:
        """Return (the result for `key`, whether it came from the cache).

        A miss calls `compute` once, however many threads miss the same key at once; the others
        wait for it and count as hits. An exception from `compute` reaches every waiting caller and
        is not cached.
        """
        if self.size <= 0:
            with self._lock:
                self.stats.misses += 1
            return compute(), False
        with self._lock:
            now = self._clock()
            entry = self._entries.get(key)
            if entry is not None and now - entry[0] < self.ttl:
                self._entries.move_to_end(key)
                self.stats.hits += 1
                return entry[1], True
            if entry is not None:  # expired
                del self._entries[key]
            waiting = self._pending.get(key)
            if waiting is None:
                mine: Future[Any] = Future()
                self._pending[key] = mine
                self.stats.misses += 1
            else:
                self.stats.hits += 1
        if waiting is not None:
            return waiting.result(), True
        started = self._clock()  # the entry's age counts from before the data was read
        try:
            value = compute()
        except BaseException as exc:
            with self._lock:
                del self._pending[key]
            mine.set_exception(exc)
            raise
        with self._lock:
            del self._pending[key]
            self._entries[key] = (started, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
                self.stats.evictions += 1
        mine.set_result(value)
        return value, False
