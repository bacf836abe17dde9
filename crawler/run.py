"""Run a crawl from Python (the `thidua crawl` command wraps `run_crawl`).

    python -m crawler.run                      # every registered portal
    python -m crawler.run -p hoabinh -p bacgiang --refresh

Settings come from thidua.settings.Settings (THIDUA_* environment variables); the Scrapy
project settings are crawler/settings.py. Twisted's reactor cannot be restarted, so
`run_crawl` can be called once per process: run a second crawl in a new process.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from scrapy.crawler import AsyncCrawlerProcess
from scrapy.settings import Settings as ScrapySettings

from crawler import registry
from crawler.spiders.portal import PortalSpider
from thidua.settings import Settings


@dataclass(frozen=True, slots=True)
class CrawlStats:
    """What a crawl did, from the crawler's stats."""

    requests: int  # HTTP requests sent, retries and robots.txt included
    pages: int  # responses received
    pages_stored: int  # article pages saved raw
    articles_found: int  # new articles stored (bloc news or not)
    bloc_news: int  # new articles kept as bloc news (and extracted)
    duplicates: int  # pages that duplicated a stored article (print views, copies, URL forms)
    records: int  # extraction records stored
    failures: int  # failures recorded, all stages
    skipped_seen: int  # article requests skipped because already stored
    run_id: int | None  # the ExtractionRun of this crawl
    finish_reason: str

    @classmethod
    def from_stats(cls, stats: dict[str, Any]) -> CrawlStats:
        """Build the summary from a Scrapy stats dict."""

        def n(key: str) -> int:
            return int(stats.get(key, 0) or 0)

        run_id = stats.get("thidua/run_id")
        return cls(
            requests=n("downloader/request_count"),
            pages=n("response_received_count"),
            pages_stored=n("thidua/pages_stored"),
            articles_found=n("thidua/articles_found"),
            bloc_news=n("thidua/articles_bloc"),
            duplicates=n("thidua/articles_duplicate"),
            records=n("thidua/records_stored"),
            failures=sum(int(v) for k, v in stats.items() if k.startswith("thidua/failures/")),
            skipped_seen=n("thidua/skipped_seen"),
            run_id=int(run_id) if run_id is not None else None,
            finish_reason=str(stats.get("finish_reason", "")),
        )


def scrapy_settings(
    settings: Settings,
    *,
    portals: Sequence[str] | None = None,
    progress: Callable[[str], None] | None = None,
    refresh: bool = False,
) -> ScrapySettings:
    """Return crawler/settings.py with the values of `settings` applied on top.

    Args:
        settings: the thidua settings (database, proxy, delays, budgets, JOBDIR).
        portals: the portals to crawl (for the page budget); all registered ones when None.
        progress: called with a progress line periodically and at the end.
        refresh: re-fetch articles already stored.

    Returns:
        The Scrapy settings for one crawl.
    """
    count = len(portals) if portals else len(registry.PORTALS)
    s = ScrapySettings()
    s.setmodule("crawler.settings", priority="project")
    overrides: dict[str, Any] = {
        "THIDUA_DATABASE_URL": settings.database_url,
        "THIDUA_HTTP_PROXY": settings.http_proxy,
        "THIDUA_MAX_PAGES_PER_PORTAL": settings.crawl_max_pages_per_portal,
        "THIDUA_REFRESH": refresh,
        "CLOSESPIDER_PAGECOUNT": settings.crawl_max_pages_per_portal * max(1, count),
        "DOWNLOAD_DELAY": settings.crawl_download_delay,
        "AUTOTHROTTLE_START_DELAY": settings.crawl_download_delay,
        "DOWNLOAD_TIMEOUT": max(60.0, settings.crawl_timeout),
        "RETRY_TIMES": max(3, settings.crawl_retry_times),
        "JOBDIR": str(settings.crawl_jobdir) if settings.crawl_jobdir else None,
        "LOG_LEVEL": settings.log_level,
    }
    if progress is not None:
        overrides["THIDUA_PROGRESS_CALLBACK"] = progress
    s.setdict(overrides, priority="cmdline")
    return s


def run_crawl(
    settings: Settings,
    *,
    portals: list[str] | None = None,
    progress: Callable[[str], None] | None = None,
    refresh: bool = False,
) -> CrawlStats:
    """Crawl the given portals (all registered ones by default) into the database.

    Pages, articles, records and failures are committed as they come, so an interrupted
    crawl keeps what it fetched; with `Settings.crawl_jobdir` set it also resumes its queue.

    Args:
        settings: the thidua settings; `database_url` is migrated to the latest schema first.
        portals: registry names; None crawls every portal in crawler/registry.py.
        progress: called with a one-line progress report periodically and at the end.
        refresh: re-fetch articles whose canonical URL is already stored.

    Returns:
        The crawl's counters and the id of its extraction run.

    Raises:
        KeyError: a portal name is not in the registry (the message lists the known ones).
    """
    for name in portals or ():
        registry.by_name(name)  # fail before starting a reactor
    process = AsyncCrawlerProcess(
        scrapy_settings(settings, portals=portals, progress=progress, refresh=refresh)
    )
    crawler = process.create_crawler(PortalSpider)
    process.crawl(crawler, portal=",".join(portals) if portals else None, refresh=refresh)
    process.start()
    stats = CrawlStats.from_stats(crawler.stats.get_stats() if crawler.stats else {})
    if settings.crawl_jobdir and stats.finish_reason in _COMPLETE:
        _clear_jobdir(settings.crawl_jobdir)
    return stats


# close reasons after which nothing is left to resume
_COMPLETE = frozenset({"finished", "closespider_pagecount"})


def _clear_jobdir(jobdir: Path) -> None:
    """Remove Scrapy's job state after a complete crawl.

    Otherwise the next crawl would find every start URL in `requests.seen` and fetch nothing.
    Only the files Scrapy writes are removed, never the directory's other contents.
    """
    for name in ("requests.queue", "requests.seen", "spider.state"):
        path = jobdir / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry: crawl, then print the CrawlStats as JSON on stdout."""
    parser = argparse.ArgumentParser(prog="python -m crawler.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("-p", "--portal", action="append", dest="portals", help="registry name (repeatable)")
    parser.add_argument("--refresh", action="store_true", help="re-fetch articles already stored")
    args = parser.parse_args(argv)
    stats = run_crawl(
        Settings(),
        portals=args.portals,
        progress=lambda line: print(f"progress: {line}", file=sys.stderr),
        refresh=args.refresh,
    )
    print(json.dumps(asdict(stats), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
