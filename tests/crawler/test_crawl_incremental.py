"""Incremental crawls across runs, against the mock portals (issue 10, items 2 and 3).

One database, three crawls in subprocesses over the same portals:
1. the first crawl stores everything;
2. the second, with nothing changed, downloads no article page (conditional requests answered
   304, or not sent at all) and extracts nothing;
3. after the mock changes one article on each of four portals, the third re-fetches exactly the
   changed articles of the portals that send validators (ETag+Last-Modified on Liferay and
   SharePoint, Last-Modified only on NukeViet), stores each as version 2 and extracts it again;
   the ASP.NET portal sends no validator and no sitemap, so its change is not seen (the
   documented policy).
The same database then shows one article per mock article with every URL kept: URL forms
(www., tracking parameters, a cookieless session id, case, :80), print views and an edited
syndicated copy on another site.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from crawlhelpers import mock_ids_by_article, run_crawl_subprocess, stored_records_by_mock_id
from sqlalchemy import select
from sqlalchemy.orm import Session
from test_crawl_resume import db_path

from crawler.mockportals import start_server
from crawler.mockportals.server import MockPortalServer
from crawler.mockportals.sites import HB_LEAD, republished_edited
from crawler.urls import canonicalize
from store.db import make_engine
from store.models import (
    Article,
    ArticleAlias,
    ArticleVersion,
    ExtractedRecord,
    ExtractionRun,
    Page,
    SeenUrl,
)
from store.seen import article_urls
from store.versions import record_text

TODAY = dt.date(2024, 3, 28)
PORTALS = ["hoabinh", "tayninh-stc", "binhphuoc-stttt", "quangninh", "thidua-tw"]
# the portal whose article is changed -> does the third crawl see the change?
REVISED = {"hoabinh": True, "tayninh-stc": True, "quangninh": True, "binhphuoc-stttt": False}


def served(server: MockPortalServer) -> Counter[str]:
    """Article bodies served so far, per portal."""
    return Counter({site.portal.name: sum(site.served.values()) for site in server.sites.values()})


def not_modified(server: MockPortalServer) -> Counter[str]:
    return Counter({site.portal.name: sum(site.not_modified.values()) for site in server.sites.values()})


def article_of(session: Session, server: MockPortalServer, mock_id: str) -> Article:
    """The stored article holding the mock article `mock_id`."""
    ids = mock_ids_by_article(session, server)
    (article_id,) = [a for a, m in ids.items() if m == {mock_id}]
    article = session.get(Article, article_id)
    assert article is not None
    return article


@dataclass
class Crawls:
    server: MockPortalServer
    url: str
    stats: list[dict[str, Any]]
    served: list[Counter[str]]  # article bodies served by each crawl, per portal
    not_modified: list[Counter[str]]  # 304 answers in each crawl, per portal
    revised: dict[str, tuple[str, int]]  # portal -> (mock article id, local id)
    texts_before: dict[str, str]  # mock article id -> stored text before the change
    third_by_id: dict[str, Counter[int]]  # article bodies served by the third crawl, per portal and local id


@pytest.fixture(scope="module")
def crawls(migrated_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawls]:
    _, url = db_path(tmp_path_factory.mktemp("incremental"), migrated_template)
    with start_server(today=TODAY) as server:
        stats, served_by, unchanged_by = [], [], []

        def crawl() -> None:
            before, before_304 = served(server), not_modified(server)
            stats.append(run_crawl_subprocess(url, server.url, portals=PORTALS))
            served_by.append(served(server) - before)
            unchanged_by.append(not_modified(server) - before_304)

        crawl()
        crawl()
        engine = make_engine(url)
        revised: dict[str, tuple[str, int]] = {}
        texts: dict[str, str] = {}
        try:
            with Session(engine) as session:
                recorded = set(session.scalars(select(ExtractedRecord.article_id)))
                ids = mock_ids_by_article(session, server)
                for portal in REVISED:
                    site = server.site(portal)
                    for entry in site.entries:
                        mock_id = entry.article.id
                        stored = [a for a, m in ids.items() if m == {mock_id}]
                        if entry.source_line is None and stored and stored[0] in recorded:
                            break
                    else:
                        raise AssertionError(f"no extracted article of {portal} to change")
                    revised[portal] = (mock_id, entry.local_id)
                    texts[mock_id] = article_of(session, server, mock_id).text
        finally:
            engine.dispose()
        for portal, (mock_id, _) in revised.items():
            server.revise(portal, mock_id)
        by_id = {s.portal.name: Counter(s.served) for s in server.sites.values()}
        crawl()
        third = {s.portal.name: Counter(s.served) - by_id[s.portal.name] for s in server.sites.values()}
        yield Crawls(server, url, stats, served_by, unchanged_by, revised, texts, third)


def test_a_second_crawl_over_unchanged_portals_downloads_no_article_and_extracts_nothing(
    crawls: Crawls,
) -> None:
    first, second = crawls.stats[0], crawls.stats[1]
    assert first["records"] > 10 and sum(crawls.served[0].values()) > 40
    # not one article body: conditional requests answered 304, other articles not asked for
    assert sum(crawls.served[1].values()) == 0, crawls.served[1]
    assert crawls.not_modified[1]["hoabinh"] > 0 and crawls.not_modified[1]["tayninh-stc"] > 0
    assert crawls.not_modified[1]["binhphuoc-stttt"] == 0  # no validators: not asked again
    assert second["records"] == 0 and second["status"] == "finished"
    report = second["report"]
    assert sum(p["new"] for p in report.values()) == 0
    assert sum(p["changed"] for p in report.values()) == 0
    assert report["hoabinh"]["unchanged"] == crawls.not_modified[1]["hoabinh"]
    assert report["tayninh-stc"]["unchanged"] == crawls.not_modified[1]["tayninh-stc"]


def test_after_a_change_exactly_that_article_is_fetched_versioned_and_extracted_again(
    crawls: Crawls,
) -> None:
    third = crawls.stats[2]
    seen = {p: local for p, (_, local) in crawls.revised.items() if REVISED[p]}
    fetched = {p: n for p, n in crawls.served[2].items() if n}
    # exactly the changed articles of the portals with validators, once each
    assert fetched == dict.fromkeys(seen, 1), fetched
    for portal, local_id in seen.items():
        assert crawls.third_by_id[portal] == {local_id: 1}
    assert third["records"] == len(seen)
    assert {p: r["changed"] for p, r in third["report"].items() if r["changed"]} == dict.fromkeys(seen, 1)
    engine = make_engine(crawls.url)
    try:
        with Session(engine) as session:
            run = session.scalars(select(ExtractionRun).order_by(ExtractionRun.id.desc())).first()
            assert run is not None
            new_records = list(
                session.scalars(select(ExtractedRecord).where(ExtractedRecord.run_id == run.id))
            )
            assert len(new_records) == len(seen)
            for portal, (mock_id, local_id) in crawls.revised.items():
                article = article_of(session, crawls.server, mock_id)
                versions = list(
                    session.scalars(select(ArticleVersion).where(ArticleVersion.article_id == article.id))
                )
                records = list(
                    session.scalars(
                        select(ExtractedRecord)
                        .where(ExtractedRecord.article_id == article.id)
                        .order_by(ExtractedRecord.id)
                    )
                )
                if not REVISED[portal]:
                    assert article.version == 1 and not versions and len(records) == 1
                    continue
                # the old text is kept, never overwritten; the new one has the added sentence
                assert article.version == 2 and [v.version for v in versions] == [1]
                assert versions[0].text == crawls.texts_before[mock_id]
                assert "Cập nhật lần 1" in article.text and "Cập nhật lần 1" not in versions[0].text
                # one record per version, each pointing into its own text
                assert [(r.run_id, r.article_version) for r in records][-1] == (run.id, 2)
                assert [r.article_version for r in records] == [1, 2]
                assert record_text(session, records[0]) == versions[0].text
                assert record_text(session, records[1]) == article.text
                # one of the article's pages changed once, after 304s in crawl 2 (the article may
                # have been stored from a copy first: then the original's page is the one)
                pages = select(Page.canonical_url).join(ArticleAlias, ArticleAlias.page_id == Page.id)
                pages = pages.where(ArticleAlias.article_id == article.id)
                rows = list(session.scalars(select(SeenUrl).where(SeenUrl.canonical_url.in_(pages))))
                changed = [r for r in rows if r.changes]
                assert len(changed) == 1 and changed[0].changes == 1 and changed[0].not_modified >= 1
                site = crawls.server.site(portal)
                entry = site.entry_by_id(local_id)
                assert entry is not None
                forms = {canonicalize(u) for u in (site.article_url(entry), *site.variant_urls(entry))}
                assert changed[0].canonical_url in forms  # the changed entry's page, not a copy's
    finally:
        engine.dispose()


def test_url_forms_print_views_and_an_edited_copy_elsewhere_make_one_article_with_every_url(
    crawls: Crawls,
) -> None:
    server = crawls.server
    relevant = {a.id for a in server.corpus.articles if a.relevant and a.portal in PORTALS}
    assert relevant <= set(stored_records_by_mock_id(crawls.url, server))
    engine = make_engine(crawls.url)
    try:
        with Session(engine) as session:
            # every page of a stored article is one mock article, and no mock article is stored twice
            ids = mock_ids_by_article(session, server)
            assert all(len(m) == 1 for m in ids.values()), {a: m for a, m in ids.items() if len(m) != 1}
            per_mock = Counter(next(iter(m)) for m in ids.values())
            assert not [m for m, n in per_mock.items() if n > 1]
            # an edited copy on thidua-tw (another site) joins its Hòa Bình original
            copies = [a for a in server.corpus.articles if republished_edited(a)]
            assert copies
            tw = server.site("thidua-tw")
            for original in copies:
                article = article_of(session, server, original.id)
                (copy,) = [e for e in tw.entries if e.article.id == original.id]
                copy_url = canonicalize(tw.article_url(copy))
                links = session.execute(
                    select(ArticleAlias.canonical_url, ArticleAlias.matched_by).where(
                        ArticleAlias.article_id == article.id
                    )
                ).all()
                assert (copy_url, "near_duplicate") in [tuple(r) for r in links] or (
                    article.canonical_url == copy_url
                ), links
                urls = article_urls(session, article_id=article.id)
                assert copy_url in urls
                hb = server.site("hoabinh")
                (own,) = [e for e in hb.entries if e.article.id == original.id]
                assert canonicalize(hb.article_url(own)) in {canonicalize(u) for u in urls}
                assert HB_LEAD.strip() not in article.text.split("\n")[0] or article.canonical_url == copy_url
            # Quảng Ninh links its articles under several forms: all kept with the one article
            qn = server.site("quangninh")
            kept_forms = 0
            for entry in qn.entries:
                if entry.source_line or not entry.article.relevant:
                    continue
                article = article_of(session, server, entry.article.id)
                urls = set(article_urls(session, article_id=article.id))
                forms = {u.split("#")[0] for u in qn.variant_urls(entry)} & urls
                assert {canonicalize(u) for u in forms} <= {article.canonical_url, *map(canonicalize, urls)}
                kept_forms += len(forms)
            assert kept_forms >= 3
            # print views linked from Hòa Bình articles are kept as URLs of their article
            hb = server.site("hoabinh")
            printed = 0
            for entry in hb.entries:
                if entry.source_line or not entry.article.relevant:
                    continue
                urls = set(article_urls(session, article_id=article_of(session, server, entry.article.id).id))
                printed += hb.print_url(entry) in urls  # type: ignore[attr-defined]
            assert printed >= 1
    finally:
        engine.dispose()
