"""Crawl progress reporting (pages fetched, articles found and kept) for the CLI and the log.

See documentation in https://docs.scrapy.org/en/latest/topics/extensions.html
`crawler.run.run_crawl` passes its `progress` callback in the THIDUA_PROGRESS_CALLBACK setting;
without one, progress goes to the log every THIDUA_PROGRESS_INTERVAL seconds. A live display
(`thidua nightly`) sets THIDUA_PROGRESS_STATS, called with all the counters each time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

log = logging.getLogger(__name__)


def progress_line(stats: dict[str, Any]) -> str:
    """Format crawl counters as one human-readable line."""
    return (
        f"{stats.get('response_received_count', 0)} pages fetched, "
        f"{stats.get('thidua/articles_found', 0)} new articles, "
        f"{stats.get('thidua/articles_bloc', 0)} bloc news kept, "
        f"{stats.get('thidua/articles_duplicate', 0)} duplicates, "
        f"{sum(v for k, v in stats.items() if k.startswith('thidua/failures/'))} failures"
    )


class ProgressReporter:
    """Report progress periodically and once more when the crawl ends."""

    def __init__(
        self,
        stats: StatsCollector,
        interval: float,
        callback: Callable[[str], None] | None,
        on_stats: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self.stats = stats
        self.interval = interval
        self.callback = callback
        self.on_stats = on_stats  # a live display: gets every counter, per portal included
        self.task: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        interval = crawler.settings.getfloat("THIDUA_PROGRESS_INTERVAL", 30.0)
        if interval <= 0 or crawler.stats is None:
            raise NotConfigured
        callback = crawler.settings.get("THIDUA_PROGRESS_CALLBACK")
        if callback is not None and not callable(callback):
            raise NotConfigured("THIDUA_PROGRESS_CALLBACK must be a callable taking one str")
        on_stats = crawler.settings.get("THIDUA_PROGRESS_STATS")
        if on_stats is not None and not callable(on_stats):
            raise NotConfigured("THIDUA_PROGRESS_STATS must be a callable taking the stats dict")
        ext = cls(crawler.stats, interval, callback, on_stats)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def report(self) -> None:
        """Send the current counters to the callback, or to the log."""
        stats = self.stats.get_stats()
        if self.on_stats is not None:
            self.on_stats(dict(stats))
        line = progress_line(stats)
        if self.callback is not None:
            self.callback(line)
        elif self.on_stats is None:  # a live display shows it; the log gets the final line only
            log.info("progress: %s", line)

    def spider_opened(self) -> None:
        self.task = create_looping_call(self.report)
        self.task.start(self.interval, now=False)

    def spider_closed(self) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
        self.report()
        if self.on_stats is not None:
            log.info("progress: %s", progress_line(self.stats.get_stats()))
