"""Per-portal health during a crawl: what answered, what failed, and which portal is down.

A portal whose last `down_after` download attempts (retries included) all failed at the server's
end (no connection, timeouts, 5xx, 429) is taken as down for the rest of the crawl: its
queued requests are not sent (`crawler.middlewares.PortalDownMiddleware` records each as a fetch
failure instead), so a dead server is not hammered and the crawl ends in seconds, not hours.
A page-level answer (404, a page over the size cap) says nothing about the server.

At the end a portal has *failed* when it went down or nothing it was asked for arrived; a crawl
with a failed portal ends with the status "failed" (and `thidua crawl`/`nightly` exit 1).
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.defer import CancelledError

# HTTP answers that say the server (not the page) is in trouble
_SERVER_TROUBLE = frozenset({408, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524})


def is_trouble_status(status: int) -> bool:
    """Tell whether an HTTP status says the server (not the page) is in trouble."""
    return status in _SERVER_TROUBLE


def is_server_trouble(exc: BaseException | None) -> bool:
    """Tell whether a failed attempt tells about the server's health rather than one page's.

    None stands for an HTTP answer whose status `is_trouble_status`.
    """
    if exc is None:
        return True
    if isinstance(exc, HttpError):
        return exc.response.status in _SERVER_TROUBLE
    # Scrapy cancels a download over DOWNLOAD_MAXSIZE: that page is too big, the server is fine
    return not (isinstance(exc, CancelledError) and "max size" in str(exc))


@dataclass
class PortalHealth:
    """Counters of one crawl, per portal name."""

    down_after: int = 5
    answered: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    streak: Counter[str] = field(default_factory=Counter)
    down: set[str] = field(default_factory=set)
    first: dict[str, float] = field(default_factory=dict)
    why: dict[str, str] = field(default_factory=dict)  # the last server trouble seen, per portal
    last: dict[str, float] = field(default_factory=dict)

    def _seen(self, portal: str) -> None:
        now = time.monotonic()
        self.first.setdefault(portal, now)
        self.last[portal] = now

    def started(self, portal: str) -> None:
        """Note the first request sent to `portal` (its duration starts here)."""
        self.first.setdefault(portal, time.monotonic())

    def success(self, portal: str) -> None:
        self._seen(portal)
        self.answered[portal] += 1
        self.streak[portal] = 0

    def failure(self, portal: str, exc: BaseException | None, *, status: int | None = None) -> None:
        """Count a failed attempt: an exception, or (`exc` None) a `status` 5xx/429 answer."""
        self._seen(portal)
        self.failed[portal] += 1
        if not is_server_trouble(exc):
            return
        self.why[portal] = f"HTTP {status}" if exc is None else type(exc).__name__
        self.streak[portal] += 1
        if self.down_after > 0 and self.streak[portal] >= self.down_after:
            self.down.add(portal)

    def is_down(self, portal: str) -> bool:
        return portal in self.down

    def has_failed(self, portal: str) -> bool:
        """Down, or asked for things and got none of them."""
        return portal in self.down or (self.failed[portal] > 0 and self.answered[portal] == 0)

    def seconds(self, portal: str) -> float:
        if portal not in self.first:
            return 0.0
        return max(0.0, self.last.get(portal, self.first[portal]) - self.first[portal])
