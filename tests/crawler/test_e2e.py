"""End to end: crawl every registered portal on the mock server into a temporary SQLite database.

The crawl runs in a subprocess (`python -m crawler.run`), since Twisted's reactor cannot be
restarted inside the test process; the mock server runs in this process so the test can see
every request that reached it. Scoring the stored records against the mock gold belongs to the
extractor's tests: `crawlhelpers.stored_records_by_mock_id` gives them the records.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from crawlhelpers import mock_ids_by_article, run_crawl_subprocess, stored_records_by_mock_id
from protego import Protego
from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler import registry
from crawler.mockportals import FaultConfig, HostFaults, start_server
from crawler.mockportals.families.base import Request as MockRequest
from crawler.mockportals.portals import mock_portal
from crawler.mockportals.server import MockPortalServer
from crawler.urls import is_variant
from store.db import make_engine
from store.models import Article, ExtractedRecord, ExtractionRun, Failure, Page

TODAY = dt.date(2024, 3, 28)


@dataclass
class Crawl:
    server: MockPortalServer
    database_url: str
    stats: dict[str, Any]
    requests: list[tuple[str, str]]  # (host, path?query) of every request a mock site answered

    def session(self) -> Session:
        return Session(make_engine(self.database_url))


def _record_requests(server: MockPortalServer) -> list[tuple[str, str]]:
    """Wrap each mock site's handler to log the requests that reach it."""
    seen: list[tuple[str, str]] = []
    lock = threading.Lock()
    for site in server.sites.values():
        handle = site.handle

        def logged(req: MockRequest, _handle: Any = handle) -> Any:
            with lock:
                seen.append((req.host, req.path + ("?" + req.query if req.query else "")))
            return _handle(req)

        site.handle = logged  # type: ignore[method-assign]
    return seen


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawl]:
    database_url = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'crawl.sqlite'}"
    with start_server(today=TODAY) as server:
        requests = _record_requests(server)
        stats = run_crawl_subprocess(database_url, server.url)
        yield Crawl(server, database_url, stats, requests)


def _bloc_status(crawl: Crawl) -> tuple[dict[str, list[int]], dict[int, bool], dict[int, set[str]]]:
    with crawl.session() as session:
        ids = mock_ids_by_article(session, crawl.server)
        bloc = {a.id: a.is_bloc_news for a in session.scalars(select(Article))}
    articles_of: dict[str, list[int]] = {}
    for article_id, mock_ids in ids.items():
        for mock_id in mock_ids:
            articles_of.setdefault(mock_id, []).append(article_id)
    return articles_of, bloc, ids


def test_every_relevant_article_is_stored_once_as_bloc_news(crawl: Crawl) -> None:
    articles_of, bloc, _ = _bloc_status(crawl)
    relevant = {a.id for a in crawl.server.corpus.articles if a.relevant}
    assert relevant, "the mock corpus has no relevant article"
    missing = sorted(relevant - set(articles_of))
    assert not missing, f"relevant mock articles never stored: {missing}"
    twice = {m: ids for m, ids in articles_of.items() if m in relevant and len(ids) != 1}
    assert not twice, f"relevant mock articles stored more than once: {twice}"
    not_bloc = sorted(m for m in relevant if not bloc[articles_of[m][0]])
    assert not not_bloc, f"relevant mock articles stored as non-bloc: {not_bloc}"


def test_distractors_are_never_bloc_news(crawl: Crawl) -> None:
    articles_of, bloc, _ = _bloc_status(crawl)
    distractors = {a.id for a in crawl.server.corpus.articles if not a.relevant}
    assert distractors, "the mock corpus has no distractor"
    wrongly = sorted(m for m in distractors for a in articles_of.get(m, []) if bloc[a])
    assert not wrongly, f"distractors stored as bloc news: {wrongly}"


def test_url_variants_and_syndicated_copies_make_no_duplicate_articles(crawl: Crawl) -> None:
    articles_of, _, ids = _bloc_status(crawl)
    merged = {a: m for a, m in ids.items() if len(m) != 1}
    assert not merged, f"stored articles mixing several mock articles (or unknown pages): {merged}"
    duplicated = {m: a for m, a in articles_of.items() if len(a) > 1}
    assert not duplicated, f"mock articles stored as several articles: {duplicated}"
    with crawl.session() as session:
        pages = session.scalars(select(Page.final_url)).all()
    # several pages per article were fetched (URL forms, sub-site copies) and folded into one
    assert len(pages) > len(articles_of)
    assert crawl.stats["duplicates"] > 0


def test_robots_disallowed_and_variant_pages_are_never_requested(crawl: Crawl) -> None:
    robots = {}
    for host, site in crawl.server.sites.items():
        resp = site.handle(MockRequest("GET", host, "/robots.txt", ""))
        robots[host] = Protego.parse(resp.text if resp.status == 200 else "")
    ua = "thidua-crawler"
    forbidden = [(h, p) for h, p in crawl.requests if not robots[h].can_fetch(f"http://{h}{p}", ua)]
    assert not forbidden, f"robots.txt-disallowed requests: {forbidden}"
    variants = [(h, p) for h, p in crawl.requests if is_variant(f"http://{h}{p}")]
    assert not variants, f"print/savefile/sendmail/pop-up views requested: {variants}"
    assert all(h in crawl.server.sites for h, _ in crawl.requests)
    # the hacked WordPress pages exist and are disallowed, so the check above had work to do
    wp = mock_portal("quangnam-toaan").host
    assert not robots[wp].can_fetch(f"http://{wp}/viewspace-123.html", ua)
    with crawl.session() as session:
        stored = session.scalars(select(Page.final_url)).all()
    assert not [u for u in stored if "viewspace" in u or "?p=" in u]


def test_each_portal_stays_within_its_page_budget(crawl: Crawl) -> None:
    per_host = Counter(h for h, _ in crawl.requests)
    for portal in registry.MOCKS:
        assert 0 < sum(per_host[h] for h in portal.hosts) <= portal.max_pages + 5  # + robots.txt, retries


def test_one_finished_run_holds_a_record_per_bloc_article(crawl: Crawl) -> None:
    with crawl.session() as session:
        (run,) = session.scalars(select(ExtractionRun)).all()
        bloc = session.scalars(select(Article.id).where(Article.is_bloc_news.is_(True))).all()
        recorded = session.scalars(select(ExtractedRecord.article_id)).all()
    assert run.id == crawl.stats["run_id"] and run.status == "finished"
    assert sorted(recorded) == sorted(bloc)
    assert crawl.stats["bloc_news"] == len(bloc) == crawl.stats["records"]
    records = stored_records_by_mock_id(crawl.database_url, crawl.server)
    relevant = {a.id for a in crawl.server.corpus.articles if a.relevant}
    assert set(records) == relevant
    assert all(r["doc_id"] == k and set(r) >= {"blocs", "members", "awards"} for k, r in records.items())


# ---- faults ----------------------------------------------------------------------------


def test_fetch_faults_are_recorded(tmp_path: Path) -> None:
    """503 on every request, resets on every request, and a host the proxy cannot resolve."""
    unavailable, resetting, unknown = "hoabinh", "bacgiang", "binhdinh-stp"
    faults = FaultConfig(
        hosts={
            mock_portal(unavailable).host: HostFaults(error_rate=1.0, error_status=503),
            mock_portal(resetting).host: HostFaults(reset_rate=1.0),
        }
    )
    served = [mock_portal(unavailable), mock_portal(resetting)]  # `unknown` is not served: 502
    database_url = f"sqlite:///{tmp_path / 'faults.sqlite'}"
    with start_server(faults=faults, portals=served, today=TODAY) as server:
        stats = run_crawl_subprocess(
            database_url, server.url, portals=[unavailable, resetting, unknown], returncode=1
        )
    with Session(make_engine(database_url)) as session:
        failures = session.scalars(select(Failure)).all()
        pages = session.scalars(select(Page)).all()
    assert pages == []
    assert {f.stage for f in failures} == {"fetch"}
    by_portal: dict[str | None, list[Failure]] = {}
    for f in failures:
        by_portal.setdefault(f.portal, []).append(f)
    assert set(by_portal) == {unavailable, resetting, unknown}
    for name in (unavailable, resetting, unknown):
        # every start point failed, each once (after its retries)
        portal = registry.by_name(name)
        assert sorted(f.url for f in by_portal[name]) == sorted(
            {*portal.start_urls, *portal.sitemaps, *portal.feeds}
        )
    assert all("503" in f.message for f in by_portal[unavailable])
    assert all("502" in f.message for f in by_portal[unknown])
    assert all(f.error_type != "HttpError" for f in by_portal[resetting])
    assert stats["failures"] == len(failures)
    # every portal failed entirely, so the run did: it is not "finished"
    assert stats["status"] == "failed"
    assert {name for name, p in stats["report"].items() if p["failed"]} == {unavailable, resetting, unknown}


def test_stored_records_match_the_mock_gold(crawl: Crawl) -> None:
    """Facts found and none invented: the crawled records score like the extractor on the corpus."""
    import json

    from extract.scoring import score

    corpus = Path(__file__).resolve().parents[2] / "crawler" / "mockportals" / "corpus"
    golds = {
        p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted((corpus / "gold").glob("*.json"))
    }
    stored = stored_records_by_mock_id(crawl.database_url, crawl.server)
    assert set(golds) <= set(stored), sorted(set(golds) - set(stored))
    result = score(golds, stored)
    floor = json.loads((corpus.parents[2] / "bench" / "quality_floor.json").read_text())["mock"]
    p, r, f1 = result.overall.prf()
    assert f1 >= floor and p >= floor - 0.05, (p, r, f1)
    for field in ("published", "event_date", "event_kinds"):
        assert result.fields[field].prf()[2] >= 0.95, field
