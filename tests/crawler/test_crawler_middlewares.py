"""Downloader middlewares, the canonical fingerprinter and the Scrapy settings module."""

from __future__ import annotations

import gc
import weakref
from typing import Any

import pytest
from scrapy import FormRequest, Request
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, Response
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.request import fingerprint

from crawler import run as run_module
from crawler.middlewares import (
    META_KIND,
    META_PORTAL,
    CanonicalRequestFingerprinter,
    OffsiteRedirect,
    OffsiteRedirectMiddleware,
    ThiduaProxyMiddleware,
)
from crawler.run import CrawlStats, collector_frozen, run_crawl, scrapy_settings
from crawler.urls import canonicalize
from thidua.settings import Settings

HB = "http://hoabinh.gov.vn.test"


# ---- proxy -----------------------------------------------------------------------------


def test_proxy_is_set_on_every_request_including_robots(make_crawler: Any) -> None:
    mw = build_from_crawler(
        ThiduaProxyMiddleware, make_crawler({"THIDUA_HTTP_PROXY": "http://127.0.0.1:8765"})
    )
    page = Request(f"{HB}/web/guest/tin-so-nganh")
    robots = Request(f"{HB}/robots.txt", meta={"dont_obey_robotstxt": True})
    for req in (page, robots):
        mw.process_request(req)
        assert req.meta["proxy"] == "http://127.0.0.1:8765"


def test_an_explicit_proxy_on_a_request_wins(make_crawler: Any) -> None:
    mw = build_from_crawler(
        ThiduaProxyMiddleware, make_crawler({"THIDUA_HTTP_PROXY": "http://127.0.0.1:8765"})
    )
    direct = Request(f"{HB}/", meta={"proxy": None})
    mw.process_request(direct)
    assert direct.meta["proxy"] is None


def test_proxy_middleware_is_off_without_a_proxy(make_crawler: Any) -> None:
    with pytest.raises(NotConfigured):
        build_from_crawler(ThiduaProxyMiddleware, make_crawler({"THIDUA_HTTP_PROXY": None}))


def test_proxy_middleware_runs_before_robots_and_httpproxy(make_crawler: Any) -> None:
    mws = make_crawler().settings.getdict("DOWNLOADER_MIDDLEWARES")
    assert mws["crawler.middlewares.ThiduaProxyMiddleware"] < 100  # RobotsTxtMiddleware
    assert mws["crawler.middlewares.OffsiteRedirectMiddleware"] > 600  # sees 3xx before RedirectMiddleware


# ---- fingerprints ----------------------------------------------------------------------


def test_fingerprints_collapse_url_variants_of_one_page() -> None:
    fp = CanonicalRequestFingerprinter()
    a = Request("http://quangninh.gov.vn.test/Trang/ChiTietTinTuc.aspx?nid=5")
    b = Request("http://quangninh.gov.vn.test:80/trang/chitiettintuc.aspx?NID=5")
    c = Request("http://quangninh.gov.vn.test/Trang/ChiTietTinTuc.aspx?nid=6")
    assert fp.fingerprint(a) == fp.fingerprint(b)
    assert fp.fingerprint(a) != fp.fingerprint(c)
    listing = f"{HB}/web/guest/tin-so-nganh?_101_INSTANCE_X_cur=2"
    assert fp.fingerprint(Request(listing + "&p_p_auth=AAAA")) == fp.fingerprint(
        Request(listing + "&p_p_auth=BBBB")
    )
    post = Request(listing, method="POST", body=b"__EVENTARGUMENT=Page%243")
    assert fp.fingerprint(post) != fp.fingerprint(Request(listing))


@pytest.mark.parametrize(
    "url",
    [
        f"{HB}/web/guest/-/a;jsessionid=X?p_p_auth=1&b=2&a=%C3%A1",
        "http://www.quangninh.gov.vn.test:80/Trang/ChiTietTinTuc.aspx?NID=1&utm_source=x#frag",
        "http://h.vn.test/a b/ç?q=ü&x=1&x=2",
        "http://lon.gov.vn.test/tin/trang-2.html",
    ],
)
def test_fingerprints_are_scrapys_of_the_request_at_its_canonical_url(url: str) -> None:
    # the bytes the duplicate filter, JOBDIR and the shared Redis frontier keep: unchanged
    fp = CanonicalRequestFingerprinter()
    for request in (
        Request(url, meta={META_PORTAL: "hoabinh"}, headers={"X-A": "1"}, cookies={"s": "1"}),
        Request(url, method="POST", body=b"__EVENTARGUMENT=Page%243"),
        FormRequest(url, formdata={"__EVENTTARGET": "p", "ô": "ế"}),
        Request(url, encoding="cp1252"),
        Request(url, meta={"verbatim_url": True}),
    ):
        assert fp.fingerprint(request) == fingerprint(request.replace(url=canonicalize(request.url)))


def test_settings_use_the_canonical_fingerprinter(make_crawler: Any) -> None:
    crawler = make_crawler()
    crawler._apply_settings()
    assert isinstance(crawler.request_fingerprinter, CanonicalRequestFingerprinter)


# ---- off-site redirects ----------------------------------------------------------------


def _redirect(location: str, status: int = 302) -> tuple[Request, Response]:
    req = Request(f"{HB}/web/guest/-/trang-bi-hack", meta={META_PORTAL: "hoabinh", META_KIND: "article"})
    return req, Response(req.url, status=status, headers={"Location": location}, request=req)


def test_offsite_redirect_is_refused(make_crawler: Any) -> None:
    crawler = make_crawler()
    mw = build_from_crawler(OffsiteRedirectMiddleware, crawler)
    req, resp = _redirect("http://kuwin.example/")
    with pytest.raises(OffsiteRedirect, match=r"kuwin\.example"):
        mw.process_response(req, resp)
    assert crawler.stats is not None and crawler.stats.get_value("thidua/offsite_redirect") == 1


@pytest.mark.parametrize("location", ["/web/guest/-/bai-moi", f"{HB}/web/guest/-/bai-moi", "bai-moi"])
def test_onsite_redirect_passes(make_crawler: Any, location: str) -> None:
    mw = build_from_crawler(OffsiteRedirectMiddleware, make_crawler())
    req, resp = _redirect(location, 301)
    assert mw.process_response(req, resp) is resp


def test_non_redirects_pass(make_crawler: Any) -> None:
    mw = build_from_crawler(OffsiteRedirectMiddleware, make_crawler())
    req = Request(f"{HB}/")
    resp = HtmlResponse(req.url, body=b"<html></html>", request=req)
    assert mw.process_response(req, resp) is resp


# ---- settings --------------------------------------------------------------------------


def test_project_settings_are_polite(make_crawler: Any) -> None:
    s = make_crawler().settings
    assert s.getbool("ROBOTSTXT_OBEY")
    assert 1 <= s.getint("CONCURRENT_REQUESTS_PER_DOMAIN") <= 2
    assert s.getfloat("DOWNLOAD_TIMEOUT") >= 60
    assert s.getint("RETRY_TIMES") >= 3
    assert {500, 502, 503, 504, 522, 524, 408, 429} <= set(s.getlist("RETRY_HTTP_CODES"))
    assert s.getbool("AUTOTHROTTLE_ENABLED")
    assert not s.getbool("HTTPCACHE_ENABLED")
    # depth is limited by crawler/traps.py, which records what it refuses (Scrapy's would not)
    assert s.getint("DEPTH_LIMIT") == 0 and s.getint("THIDUA_CRAWL_MAX_DEPTH") > 0
    assert s.getint("CLOSESPIDER_PAGECOUNT") > 0
    assert "thidua" in s.get("USER_AGENT")


def test_the_user_agent_carries_the_contact_and_concurrency_stays_at_most_two() -> None:
    from pydantic import ValidationError

    from crawler.run import scrapy_settings
    from thidua.settings import Settings

    s = scrapy_settings(Settings(crawl_contact="mailto:ops@example.org", crawl_concurrency_per_domain=2))
    assert s.get("USER_AGENT").startswith("thidua-crawler/") and "+mailto:ops@example.org" in s.get(
        "USER_AGENT"
    )
    assert s.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 2 and s.getbool("ROBOTSTXT_OBEY")
    assert s.getbool("AUTOTHROTTLE_ENABLED") and s.getfloat("AUTOTHROTTLE_TARGET_CONCURRENCY") <= 2
    with pytest.raises(ValidationError):
        Settings(crawl_concurrency_per_domain=3)
    order = s.getdict("ITEM_PIPELINES")
    names = [k.rsplit(".", 1)[1] for k, _ in sorted(order.items(), key=lambda kv: kv[1])]
    assert names == [
        "FetchFailurePipeline", "NotModifiedPipeline", "BatchedStorePagePipeline", "CleanPipeline",
        "RelevancePipeline", "ExtractPipeline", "StoreRecordPipeline",
    ]  # fmt: skip


def test_scrapy_settings_take_thidua_settings(tmp_path: Any) -> None:
    calls: list[str] = []
    thidua = Settings(
        database_url=f"sqlite:///{tmp_path}/x.sqlite",
        http_proxy="http://127.0.0.1:9",
        crawl_download_delay=2.5,
        crawl_timeout=90,
        crawl_retry_times=5,
        crawl_max_pages_per_portal=7,
        crawl_jobdir=tmp_path / "job",
    )
    s = scrapy_settings(thidua, portals=["hoabinh", "bacgiang"], progress=calls.append, refresh=True)
    assert s.get("THIDUA_DATABASE_URL") == thidua.database_url
    assert s.get("THIDUA_HTTP_PROXY") == "http://127.0.0.1:9"
    assert s.getfloat("DOWNLOAD_DELAY") == 2.5
    assert s.getfloat("DOWNLOAD_TIMEOUT") == 90
    assert s.getint("RETRY_TIMES") == 5
    assert s.getint("THIDUA_MAX_PAGES_PER_PORTAL") == 7
    assert s.getint("CLOSESPIDER_PAGECOUNT") == 14
    assert s.get("JOBDIR") == str(tmp_path / "job")
    assert s.getbool("THIDUA_REFRESH")
    s.get("THIDUA_PROGRESS_CALLBACK")("x")
    assert calls == ["x"]


def test_crawl_stats_from_scrapy_stats() -> None:
    stats = CrawlStats.from_stats(
        {
            "downloader/request_count": 40,
            "response_received_count": 37,
            "thidua/pages_stored": 20,
            "thidua/articles_found": 12,
            "thidua/articles_bloc": 7,
            "thidua/articles_duplicate": 8,
            "thidua/records_stored": 7,
            "thidua/failures/fetch": 2,
            "thidua/failures/clean": 1,
            "thidua/run_id": 3,
            "finish_reason": "finished",
        }
    )
    assert (stats.requests, stats.pages, stats.articles_found, stats.bloc_news) == (40, 37, 12, 7)
    assert (stats.duplicates, stats.failures, stats.run_id, stats.records) == (8, 3, 3, 7)


# ---- the collector during a crawl ------------------------------------------------------


class _Garbage:
    """An object in a reference cycle, gone only when the cyclic collector runs."""

    def __init__(self) -> None:
        self.me = self


def test_the_heap_is_set_aside_during_the_crawl_and_given_back() -> None:
    assert gc.get_freeze_count() == 0
    with collector_frozen():
        frozen = gc.get_freeze_count()
        made = _Garbage()
        gone = weakref.ref(made)
        del made
        gc.collect()
        assert gone() is None  # what the crawl makes is collected as before
    assert frozen > 1000 and gc.get_freeze_count() == 0
    with pytest.raises(RuntimeError), collector_frozen():
        raise RuntimeError("the crawl failed")
    assert gc.get_freeze_count() == 0
    gc.freeze()  # a caller's own frozen heap is theirs
    try:
        mine = gc.get_freeze_count()
        with collector_frozen():
            pass
        assert gc.get_freeze_count() == mine
    finally:
        gc.unfreeze()


def test_run_crawl_runs_the_reactor_with_the_heap_set_aside(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[int] = []

    class Process:
        def __init__(self, settings: Any) -> None:
            pass

        def create_crawler(self, spidercls: Any) -> Any:
            return type("FakeCrawler", (), {"stats": None})()

        def crawl(self, crawler: Any, **kwargs: Any) -> None:
            pass

        def start(self) -> None:
            seen.append(gc.get_freeze_count())

    monkeypatch.setattr(run_module, "AsyncCrawlerProcess", Process)
    stats = run_crawl(Settings(database_url=db_url), portals=["hoabinh"])
    assert seen and seen[0] > 1000 and gc.get_freeze_count() == 0
    assert stats.status == "failed"  # the fake closed no run: run_crawl marks it failed, as before
