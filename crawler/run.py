"""Run a crawl from Python (the `thidua crawl` command wraps `run_crawl`).

    python -m crawler.run                      # every registered portal
    python -m crawler.run -p hoabinh -p bacgiang --refresh

Settings come from thidua.settings.Settings (THIDUA_* environment variables); the Scrapy
project settings are crawler/settings.py. Twisted's reactor cannot be restarted, so
`run_crawl` can be called once per process: run a second crawl in a new process.
"""

from __future__ import annotations

import argparse
import gc
import json
import shutil
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from scrapy.crawler import AsyncCrawlerProcess
from scrapy.settings import Settings as ScrapySettings

from crawler import registry
from crawler.errors import ContactMissingError
from crawler.settings import user_agent
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
    status: str = ""  # the run's final status: finished, failed (a portal failed) or interrupted
    resumed_pages: int = 0  # stored pages without article, cleaned from the store
    resumed_articles: int = 0  # stored articles without record, extracted
    dead_runs: tuple[int, ...] = ()  # crawl runs found "running" by a dead process, now interrupted
    conditional: int = 0  # stored articles asked for again with If-None-Match/If-Modified-Since
    not_modified: int = 0  # of those, answered 304 (unchanged, no body)
    changed: int = 0  # stored articles whose clean text changed: a new version, extracted again
    report: dict[str, Any] | None = None  # per portal (crawler/report.py)

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
            status=str(stats.get("thidua/status", "")),
            resumed_pages=n("thidua/resumed_pages"),
            resumed_articles=n("thidua/resumed_articles"),
            conditional=n("thidua/conditional_requests"),
            not_modified=n("thidua/not_modified"),
            changed=n("thidua/articles_changed"),
        )


def scrapy_settings(
    settings: Settings,
    *,
    portals: Sequence[str] | None = None,
    progress: Callable[[str], None] | None = None,
    refresh: bool = False,
    run_id: int | None = None,
) -> ScrapySettings:
    """Return crawler/settings.py with the values of `settings` applied on top.

    Args:
        settings: the thidua settings (database, proxy, delays, budgets, JOBDIR).
        portals: the portals to crawl (for the page budget); all registered ones when None.
        progress: called with a progress line periodically and at the end.
        refresh: re-fetch articles already stored.
        run_id: the crawl run opened by `crawler.session.begin_crawl` (the database is then
            migrated and locked already).

    Returns:
        The Scrapy settings for one crawl.
    """
    count = len(portals) if portals else len(registry.default_portals(settings.crawl_mock))
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
        "USER_AGENT": user_agent(settings.crawl_contact),
        "CONCURRENT_REQUESTS_PER_DOMAIN": settings.crawl_concurrency_per_domain,
        "THIDUA_PORTAL_DOWN_AFTER": settings.crawl_portal_down_after,
        "THIDUA_RECHECK_DAYS": settings.crawl_recheck_days,
        "DOWNLOAD_MAXSIZE": settings.crawl_max_page_bytes,
        "DOWNLOAD_WARNSIZE": min(settings.crawl_max_page_bytes, 2 * 1024 * 1024),
        "THIDUA_MAX_PAGE_BYTES": settings.crawl_max_page_bytes,
        "THIDUA_CRAWL_LOCK_WAIT": settings.crawl_lock_wait,
        "THIDUA_DB_BUSY_TIMEOUT": settings.db_busy_timeout,
        "THIDUA_CRAWL_CA_BUNDLE": str(settings.crawl_ca_bundle) if settings.crawl_ca_bundle else None,
        "THIDUA_CRAWL_MAX_DEPTH": settings.crawl_max_depth,
        "THIDUA_CRAWL_MAX_DATES": settings.crawl_max_dates,
        "THIDUA_CRAWL_BACKOFF_AFTER": settings.crawl_backoff_after,
        "THIDUA_CRAWL_BACKOFF_HOURS": settings.crawl_backoff_hours,
        "THIDUA_STORE_BATCH": settings.crawl_store_batch,
        "THIDUA_STORE_BATCH_MS": settings.crawl_store_batch_ms,
    }
    from crawler.distributed import scrapy_overrides

    overrides.update(scrapy_overrides(settings))  # a shared Redis frontier (crawler/distributed.py)
    if run_id is not None:
        overrides["THIDUA_RUN_ID"] = run_id
        overrides["THIDUA_MIGRATE"] = False
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
    wait: float | None = None,
    extra_settings: dict[str, Any] | None = None,
) -> CrawlStats:
    """Crawl the given portals (all registered ones by default) into the database.

    Before the first request the database is migrated and checked, the crawl lock is taken and
    runs left "running" by a dead crawl are marked interrupted (crawler/session.py). Pages,
    articles, records and failures are committed as they come, so a crawl killed at any moment
    keeps what it stored, and the next crawl finishes what it left half-done (crawler/resume.py).

    Args:
        settings: the thidua settings; `database_url` is migrated to the latest schema first.
        portals: registry names; None crawls every portal in crawler/registry.py.
        progress: called with a one-line progress report periodically and at the end.
        refresh: re-fetch articles whose canonical URL is already stored.
        wait: seconds to wait for another crawl on the same database (default
            `settings.crawl_lock_wait`).
        extra_settings: Scrapy settings on top (e.g. the nightly's progress display).

    Returns:
        The crawl's counters, its run's id and final status, and the per-portal report.

    Raises:
        KeyError: a portal name is not in the registry (the message lists the known ones).
        ContactMissingError: real portals to crawl and no `settings.crawl_contact`.
        store.errors.DatabaseError: the database is damaged, read-only, unreachable or of
            another schema.
        CrawlLockedError: another crawl is writing into the same database.
        RedisUnavailableError: THIDUA_CRAWL_REDIS_URL is set and no Redis answers there.
    """
    from crawler.session import begin_crawl, finish_crawl

    for name in portals or ():
        registry.by_name(name)  # fail before starting a reactor
    names = list(portals) if portals else [p.name for p in registry.default_portals(settings.crawl_mock)]
    real = [n for n in names if not registry.by_name(n).mock]
    if real and not settings.crawl_contact:
        raise ContactMissingError(
            f"set THIDUA_CRAWL_CONTACT to an e-mail or URL where the webmasters of {real[0]}"
            f"{f' and {len(real) - 1} more' if len(real) > 1 else ''} can reach you: it goes in the "
            "User-Agent of every request"
        )
    from crawler.distributed import claim, setup_lock

    distributed = bool(settings.crawl_redis_url)
    with setup_lock(settings):  # workers of a distributed crawl migrate one at a time
        crawl = begin_crawl(
            settings.database_url,
            portals=names,
            refresh=refresh,
            wait=settings.crawl_lock_wait if wait is None else wait,
            busy_timeout=settings.db_busy_timeout,
            shared=distributed,
        )
    try:
        scrapy = scrapy_settings(
            settings, portals=portals, progress=progress, refresh=refresh, run_id=crawl.run_id
        )
        if extra_settings:
            scrapy.setdict(extra_settings, priority="cmdline")
        if distributed and not claim(settings, "resume"):
            scrapy.set("THIDUA_RESUME", False, priority="cmdline")  # another worker takes up pending work
        process = AsyncCrawlerProcess(scrapy)
        crawler = process.create_crawler(PortalSpider)
        process.crawl(crawler, portal=",".join(names), refresh=refresh)
        with collector_frozen():
            process.start()
        raw = crawler.stats.get_stats() if crawler.stats else {}
    finally:
        # a crawler that ended without closing its run (an exception in Scrapy) leaves it failed
        closed_now = finish_crawl(
            settings.database_url,
            run_id=crawl.run_id,
            status="failed",
            stats={"close_reason": "crawler_ended_without_closing"},
            busy_timeout=settings.db_busy_timeout,
        )
        crawl.release()
    stats = CrawlStats.from_stats(raw)
    report = _stored_report(settings.database_url, crawl.run_id)
    stats = replace(
        stats,
        run_id=crawl.run_id,
        status="failed" if closed_now else stats.status or str(report.get("status", "")),
        dead_runs=tuple(crawl.dead_runs),
        report=report.get("report"),
    )
    if settings.crawl_jobdir and stats.finish_reason in _COMPLETE:
        _clear_jobdir(settings.crawl_jobdir)
    return stats


@contextmanager
def collector_frozen() -> Iterator[None]:
    """Keep what exists now out of the cyclic garbage collector's sight until the block ends.

    Before the crawl the heap holds the imported modules, SQLAlchemy's and pydantic's metadata,
    the registry: some 235,000 objects that live as long as the process, yet each full
    collection walked all of them again (14 times, 1.6 s, in bench/crawl_speed.py's 5,100 pages:
    a sixth of the crawl stage's CPU). `gc.freeze` sets them aside and `gc.unfreeze` gives them
    back afterwards, so garbage among them is still collected, later; nothing else changes.
    A heap frozen already (by the caller) is left as it is.
    """
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _stored_report(database_url: str, run_id: int) -> dict[str, Any]:
    """Return the status and report the run was closed with."""
    from store.db import make_engine, session_factory
    from store.models import ExtractionRun

    engine = make_engine(database_url)
    try:
        with session_factory(engine)() as session:
            run = session.get(ExtractionRun, run_id)
            if run is None:
                return {}
            return {"status": run.status, "report": (run.stats or {}).get("report")}
    finally:
        engine.dispose()


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
    parser.add_argument("--wait", type=float, default=None, help="seconds to wait for another crawl")
    args = parser.parse_args(argv)
    from crawler.errors import CrawlError
    from store.errors import DatabaseError

    try:
        stats = run_crawl(
            Settings(),
            portals=args.portals,
            progress=lambda line: print(f"progress: {line}", file=sys.stderr),
            refresh=args.refresh,
            wait=args.wait,
        )
    except (CrawlError, DatabaseError, KeyError) as exc:
        print(f"error: {exc.args[0] if isinstance(exc, KeyError) else exc}", file=sys.stderr)
        return 2
    print(json.dumps(asdict(stats), ensure_ascii=False))
    return 1 if stats.status == "failed" else 0


if __name__ == "__main__":
    raise SystemExit(main())
