"""The life of one crawl run in the store: check the database, take the lock, open, close.

`begin_crawl` runs before the first request: it brings the database up to the schema and proves
it fit (`store.db.init_database`: integrity, schema, writable), takes the crawl lock
(crawler/runlock.py), marks crawl runs left "running" by a dead process as interrupted, and opens
this crawl's `ExtractionRun`. Any problem is a named error with one line, before any fetching.
`finish_crawl` closes the run with its final status and stats.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from crawler.errors import CrawlLockedError
from crawler.runlock import CrawlLock
from store import repository
from store.db import init_database, make_engine, session_factory, translate_errors
from store.models import ExtractionRun

SOURCE = "crawl"  # ExtractionRun.config["source"] of crawl runs


@dataclass
class CrawlRun:
    """An open crawl run and the lock it holds; `release()` when the run is closed."""

    run_id: int
    lock: CrawlLock
    dead_runs: list[int] = field(default_factory=list)

    def release(self) -> None:
        self.lock.release()


def _running_crawls(database_url: str) -> str:
    """Describe crawl runs marked running (for the message when the lock is taken)."""
    engine = make_engine(database_url)
    try:
        with translate_errors(database_url), session_factory(engine)() as session:
            runs = session.scalars(
                select(ExtractionRun).where(ExtractionRun.status == "running").order_by(ExtractionRun.id)
            ).all()
            shown = [
                f"run {r.id} started {r.started_at:%Y-%m-%d %H:%M} UTC"
                for r in runs
                if (r.config or {}).get("source") == SOURCE
            ]
    finally:
        engine.dispose()
    return ", ".join(shown)


def run_config(portals: Sequence[str], *, refresh: bool) -> dict[str, Any]:
    """Return what a crawl run records about itself: portals, refresh, the extractor's settings."""
    from extract.limits import MAX_ARTICLE_BYTES
    from store.reextract import extractor_settings

    return {
        "source": SOURCE,
        "portals": sorted(portals),
        "refresh": refresh,
        # ExtractPipeline calls the extractor with its default size cap
        "extractor": extractor_settings(max_article_bytes=MAX_ARTICLE_BYTES),
    }


def begin_crawl(
    database_url: str,
    *,
    portals: Sequence[str],
    refresh: bool = False,
    wait: float = 0.0,
    prepare: bool = True,
    busy_timeout: float = 30.0,
    shared: bool = False,
) -> CrawlRun:
    """Check the database, take the crawl lock, close dead runs and open this crawl's run.

    Args:
        database_url: the store.
        portals: registry names crawled (recorded in the run's config).
        refresh: whether stored articles are fetched again (recorded).
        wait: seconds to wait for another crawl on the same database.
        prepare: migrate and check the database first (`store.db.init_database`).
        busy_timeout: seconds a SQLite write waits for another connection.
        shared: a worker of a distributed crawl (crawler/distributed.py): the lock is taken
            shared with the other workers, and their running runs are not taken for dead.

    Raises:
        store.errors.DatabaseError: the database is damaged, read-only, unreachable or of another
            schema (its subclasses say which).
        CrawlLockedError: another crawl holds the lock after `wait` seconds.
        CrawlLockError: the lock cannot be taken at all.
    """
    from extract.api import EXTRACTOR_VERSION

    if prepare:
        init_database(database_url)
    lock = CrawlLock(database_url, shared=shared)
    try:
        lock.acquire(wait)
    except CrawlLockedError as exc:
        running = _running_crawls(database_url)
        raise CrawlLockedError(f"{exc}" + (f" [running: {running}]" if running else "")) from None
    try:
        engine = make_engine(database_url, writer=True, busy_timeout=busy_timeout)
        try:
            with translate_errors(database_url), session_factory(engine)() as session, session.begin():
                run = repository.start_run(
                    session, extractor_version=EXTRACTOR_VERSION, config=run_config(portals, refresh=refresh)
                )
                # a shared holder cannot tell a dead run from another worker's live one
                dead = [] if shared else repository.close_dead_runs(session, source=SOURCE, found_by=run.id)
                run_id = run.id
        finally:
            engine.dispose()
    except BaseException:
        lock.release()
        raise
    return CrawlRun(run_id=run_id, lock=lock, dead_runs=dead)


def finish_crawl(
    database_url: str, *, run_id: int, status: str, stats: dict[str, Any], busy_timeout: float = 30.0
) -> bool:
    """Close run `run_id` with `status` and `stats` unless it is closed already; True if closed now."""
    engine = make_engine(database_url, writer=True, busy_timeout=busy_timeout)
    try:
        with translate_errors(database_url), session_factory(engine)() as session, session.begin():
            run = session.get(ExtractionRun, run_id)
            if run is None or run.status != "running":
                return False
            repository.finish_run(session, run=run, status=status, stats=stats)
            return True
    finally:
        engine.dispose()
