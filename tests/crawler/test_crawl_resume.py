"""Resume and idempotence (issue 10, item 6): killed, concurrent, locked and broken crawls.

Every crawl runs in a subprocess (Twisted's reactor cannot restart); the mock server runs here.
What must hold after any of these: every relevant mock article stored once with one record, no
stored page left without its article or a failure saying why, and runs whose status tells the
truth (a killed run "interrupted" with `process_died`, a crawl whose server vanished "failed").
"""

from __future__ import annotations

import datetime as dt
import json
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from crawlhelpers import (
    mock_ids_by_article,
    mock_url_map,
    run_crawl_subprocess,
    start_crawl,
    stored_records_by_mock_id,
)
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crawler.mockportals import FaultConfig, HostFaults, start_server
from crawler.mockportals.portals import mock_portal
from crawler.mockportals.server import MockPortalServer
from crawler.urls import canonicalize
from store.db import make_engine
from store.models import Article, ArticleAlias, ExtractedRecord, ExtractionRun, Failure, Page

TODAY = dt.date(2024, 3, 28)
# three families, syndicated copies (the /So/snv/ sub-site) and legacy encodings, in a few seconds
SOME = ["hoabinh", "quangninh", "binhphuoc-stttt"]


def db_path(tmp_path: Path, template: Path | None = None) -> tuple[Path, str]:
    """A database file for one test: a copy of `template` (a migrated or crawled one) if given."""
    path = tmp_path / "crawl.sqlite"
    if template is not None:
        # SQLite's backup, not a file copy: what is still in the -wal file comes along
        src, dst = sqlite3.connect(template), sqlite3.connect(path)
        try:
            src.backup(dst)
        finally:
            src.close()
            dst.close()
    return path, f"sqlite:///{path}"


def count_rows(path: Path, table: str) -> int:
    """Count rows with a plain sqlite3 reader (the crawl in the other process keeps writing)."""
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as conn:
            return int(conn.execute(f"select count(*) from {table}").fetchone()[0])
    except sqlite3.OperationalError:  # not migrated yet
        return 0


def wait_for(
    condition: Callable[[], bool], proc: subprocess.Popen[str], what: str, timeout: float = 120
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if proc.poll() is not None:
            raise AssertionError(
                f"the crawl ended before {what}:\n{proc.stderr.read() if proc.stderr else ''}"
            )
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def kill_when(path: Path, proc: subprocess.Popen[str], *, pages: int) -> None:
    """SIGKILL the crawl once `pages` pages are stored in total."""
    wait_for(lambda: count_rows(path, "page") >= pages, proc, f"{pages} pages")
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def assert_complete(url: str, server: MockPortalServer, portals: list[str] | None = None) -> None:
    """Every relevant mock article of `portals` once, with exactly one record; no stranded page."""
    relevant = {
        a.id for a in server.corpus.articles if a.relevant and (portals is None or a.portal in portals)
    }
    records = stored_records_by_mock_id(url, server)
    assert relevant <= set(records), sorted(relevant - set(records))
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            ids = mock_ids_by_article(session, server)
            mixed = {a: m for a, m in ids.items() if len(m) != 1}
            assert not mixed, f"articles mixing mock articles: {mixed}"
            per_mock: dict[str, int] = {}
            for m in ids.values():
                (mock_id,) = m
                per_mock[mock_id] = per_mock.get(mock_id, 0) + 1
            assert not {m: n for m, n in per_mock.items() if n > 1}, "a mock article stored twice"
            bloc = set(session.scalars(select(Article.id).where(Article.is_bloc_news.is_(True))))
            recorded = list(session.scalars(select(ExtractedRecord.article_id)))
            assert sorted(recorded) == sorted(bloc), "each bloc article needs exactly one record"
            linked = set(session.scalars(select(ArticleAlias.page_id)))
            explained = set(session.scalars(select(Failure.url).where(Failure.resolved.is_(False))))
            stranded = [
                p.final_url
                for p in session.scalars(select(Page))
                if p.id not in linked and p.final_url not in explained
            ]
            assert not stranded, f"pages with neither article nor failure: {stranded}"
            store_failures = session.scalar(
                select(func.count()).select_from(Failure).where(Failure.stage == "store")
            )
            assert store_failures == 0
    finally:
        engine.dispose()


def runs(url: str) -> list[ExtractionRun]:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return list(session.scalars(select(ExtractionRun).order_by(ExtractionRun.id)))
    finally:
        engine.dispose()


@dataclass
class Killed:
    path: Path  # the database after two killed crawls and a complete one
    stats: dict[str, Any]  # the complete crawl's
    runs: list[ExtractionRun]


@pytest.fixture(scope="module")
def killed(migrated_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Killed:
    """Crawl, SIGKILL after 8 pages; crawl again, SIGKILL after 25; crawl to the end."""
    path, url = db_path(tmp_path_factory.mktemp("killed"), migrated_template)
    with start_server(today=TODAY) as server:
        # batches of 5 pages (still one transaction each): a default batch (100 pages, or 200 ms of
        # them) could store more than 25 before the first kill, and the second would find it done
        small = {"THIDUA_CRAWL_STORE_BATCH": "5"}
        kill_when(path, start_crawl(url, server.url, portals=SOME, **small), pages=8)
        kill_when(path, start_crawl(url, server.url, portals=SOME, **small), pages=25)
        stats = run_crawl_subprocess(url, server.url, portals=SOME)
        assert_complete(url, server, SOME)
    return Killed(path, stats, runs(url))


def test_a_crawl_killed_twice_with_sigkill_is_finished_by_the_next_with_no_duplicate(killed: Killed) -> None:
    # assert_complete held in the fixture: every record once, nothing stranded, nothing failed
    first, second, last = killed.runs
    for dead in (first, second):
        assert dead.status == "interrupted" and dead.stats["close_reason"] == "process_died"
    assert first.stats["found_dead_by_run"] == second.id  # noted by the run that took the lock next
    assert last.status == "finished" and killed.stats["status"] == "finished"
    assert killed.stats["dead_runs"] == [second.id]


def test_pages_without_article_and_articles_without_record_are_finished_from_the_store(
    killed: Killed, tmp_path: Path
) -> None:
    path, url = db_path(tmp_path, killed.path)
    with start_server(today=TODAY) as server:
        # undo the last steps of four bloc articles, as a kill between two commits leaves them
        with sqlite3.connect(path) as conn:
            conn.execute("pragma foreign_keys=on")
            bloc = [r[0] for r in conn.execute("select id from article where is_bloc_news order by id")]
            no_record, no_article = bloc[:2], bloc[2:4]
            for article_id in bloc[:4]:
                # a kill before the record's commit leaves neither the record nor its entity links,
                # nor its current record (written in the same transaction, store.current_table)
                conn.execute("delete from fact_entity where article_id = ?", (article_id,))
                for table in ("current_fact", "current_document", "current_record", "extracted_record"):
                    conn.execute(f"delete from {table} where article_id = ?", (article_id,))
            for article_id in no_article:
                conn.execute("delete from article_alias where article_id = ?", (article_id,))
                # the near-duplicate bands are written in the article's own transaction
                conn.execute("delete from article_band where article_id = ?", (article_id,))
                conn.execute("delete from article where id = ?", (article_id,))
            pages_bare = conn.execute(
                "select count(*) from page where id not in (select page_id from article_alias)"
            ).fetchone()[0]
        requests: list[str] = []
        for site in server.sites.values():
            handle = site.handle

            def logged(req: Any, _handle: Any = handle) -> Any:
                requests.append(f"http://{req.host}{req.path}" + ("?" + req.query if req.query else ""))
                return _handle(req)

            site.handle = logged  # type: ignore[method-assign]
        bodies_before = sum(sum(site.served.values()) for site in server.sites.values())
        stats = run_crawl_subprocess(url, server.url, portals=SOME)
        bodies = sum(sum(site.served.values()) for site in server.sites.values()) - bodies_before
        assert_complete(url, server, SOME)
        articles = mock_url_map(server)
    assert stats["resumed_articles"] == len(no_record)
    assert stats["resumed_pages"] == pages_bare >= len(no_article)
    assert stats["records"] == 4
    # the work came from the store: no article page was downloaded again for it (stored articles
    # are asked for conditionally and answered 304, crawler/incremental.py), and with the last
    # crawl finished, listings stopped at a page of stored articles (incremental walk)
    assert requests and [r for r in requests if canonicalize(r) in articles]
    assert bodies == 0 and stats["not_modified"] > 0
    assert runs(url)[-1].stats["listing_known_end"] > 0


def test_two_crawls_started_at_once_on_one_database_take_turns(
    migrated_template: Path, tmp_path: Path
) -> None:
    """Measured before: both exited 0 "finished" with 45 of 64 records and 122 `database is locked`."""
    _, url = db_path(tmp_path, migrated_template)
    with start_server(today=TODAY) as server:
        both = [start_crawl(url, server.url, portals=SOME, THIDUA_CRAWL_LOCK_WAIT="300") for _ in range(2)]
        outs = [p.communicate(timeout=300) for p in both]
        for p, (_, err) in zip(both, outs, strict=True):
            assert p.returncode == 0, err[-3000:]
            assert "database is locked" not in err and "Traceback" not in err
        assert_complete(url, server, SOME)
    stats = sorted((json.loads(out.strip().splitlines()[-1]) for out, _ in outs), key=lambda s: s["run_id"])
    assert [r.status for r in runs(url)] == ["finished", "finished"]
    assert stats[0]["bloc_news"] > 0 and stats[1]["bloc_news"] == 0  # the second found it all done


def test_a_server_that_dies_mid_crawl_fails_the_run_and_the_next_crawl_completes(
    migrated_template: Path, tmp_path: Path
) -> None:
    path, url = db_path(tmp_path, migrated_template)
    server = start_server(today=TODAY)
    port = server.port
    # batches of 5 pages: the server must die while most of the crawl is still to come
    proc = start_crawl(
        url, server.url, portals=SOME, THIDUA_CRAWL_PORTAL_DOWN_AFTER="3", THIDUA_CRAWL_STORE_BATCH="5"
    )
    try:
        wait_for(lambda: count_rows(path, "page") >= 10, proc, "10 pages")
    finally:
        server.stop()
    out, _err = proc.communicate(timeout=300)
    stats = json.loads(out.strip().splitlines()[-1])
    assert proc.returncode == 1 and stats["status"] == "failed"
    failed = {name for name, p in stats["report"].items() if p["failed"]}
    assert failed, stats["report"]
    # requests of a dead portal are held back, each recorded, not sent to it again and again
    assert sum(p["held_back"] for p in stats["report"].values()) > 0
    (run,) = runs(url)
    assert run.status == "failed" and run.stats["report"] == stats["report"]
    with start_server(port, today=TODAY) as again:
        # and while it runs, another program holds SQLite's write lock for 3 s (what `thidua
        # correct` or a reextract does briefly): the crawl waits for it, it loses nothing
        proc = start_crawl(url, again.url, portals=SOME)
        wait_for(lambda: count_rows(path, "extraction_run") >= 2, proc, "the second run")
        with sqlite3.connect(path, timeout=30, isolation_level=None) as other:
            other.execute("begin immediate")
            time.sleep(3)
            other.execute("commit")
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err[-3000:]
        assert "database is locked" not in err and "Traceback" not in err
        assert json.loads(out.strip().splitlines()[-1])["status"] == "finished"
        assert_complete(url, again, SOME)


def test_a_50_mb_page_is_refused_while_downloading_before_any_cleaning(tmp_path: Path) -> None:
    portal = "hoabinh"
    _path, url = db_path(tmp_path)
    # every answer of the portal padded to 50 MB; the default cap (5 MiB) applies
    faults = FaultConfig(hosts={mock_portal(portal).host: HostFaults(oversize_rate=1.0)})
    with start_server(today=TODAY, faults=faults) as server:
        started = time.monotonic()
        proc = start_crawl(url, server.url, portals=[portal])
        out, _err = proc.communicate(timeout=300)
        seconds = time.monotonic() - started
    stats = json.loads(out.strip().splitlines()[-1])
    engine = make_engine(url)
    with Session(engine) as session:
        failures = session.scalars(select(Failure)).all()
        pages = session.scalar(select(func.count()).select_from(Page))
    engine.dispose()
    assert pages == 0
    assert failures and {f.stage for f in failures} == {"fetch"}
    assert all("max size" in f.message for f in failures)
    # a page too big says nothing about the server: the portal is not "down", nothing held back
    assert stats["report"][portal]["held_back"] == 0
    assert seconds < 60, "refused from the Content-Length, not read and cleaned"
