"""PortalSpider on hand-made responses: which links it requests, which items it yields."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import FormRequest, HtmlResponse, Response, TextResponse, XmlResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import DNSLookupError, TimeoutError
from twisted.python.failure import Failure

from crawler import registry
from crawler.items import FetchFailureItem, PageItem
from crawler.middlewares import META_KIND, META_PORTAL, AlreadyStored, OffsiteRedirect
from crawler.spiders import portal as portal_module
from crawler.spiders.portal import META_START, PortalRules, PortalSpider, declared_charset

HB = "http://hoabinh.gov.vn.test"
LISTING = f"{HB}/web/guest/tin-so-nganh"
PAGE2 = f"{LISTING}?p_p_id=101_INSTANCE_Ab12Cd34Ef56&p_p_auth=Zx81Qa02&_101_INSTANCE_Ab12Cd34Ef56_cur=2"
ART_A = (
    f"{HB}/web/guest/tin-so-nganh/-/asset_publisher/Ab12Cd34Ef56/content/hoi-nghi-khoi-thi-dua-so-3"
    "?redirect=http%3A%2F%2Fhoabinh.gov.vn.test%2Fweb%2Fguest%2Ftin-so-nganh&inheritRedirect=true"
)
ART_B = f"{HB}/web/guest/-/so-ket-cum-thi-dua"
ART_C = f"{HB}/tin-so-nganh/-/view_content/3600123-tong-ket-khoi-thi-dua"


def spider(make_crawler: Any, **kwargs: Any) -> PortalSpider:
    crawler = make_crawler()
    s = crawler._create_spider(**{"portal": "hoabinh", **kwargs})
    assert isinstance(s, PortalSpider)
    return s


def response(
    url: str,
    body: str,
    *,
    kind: str = "listing",
    start: bool = False,
    cls: type[TextResponse] = HtmlResponse,
    headers: dict[str, str] | None = None,
) -> TextResponse:
    request = Request(url, meta={META_PORTAL: "hoabinh", META_KIND: kind, META_START: start})
    return cls(url=url, body=body.encode("utf-8"), encoding="utf-8", request=request, headers=headers)


def requests_of(out: Any) -> list[Request]:
    return [r for r in out if isinstance(r, Request)]


LISTING_HTML = f"""<html><body>
<div class="asset-abstract"><h3 class="asset-title"><a href="{ART_A}">Hội nghị Khối số 3</a></h3></div>
<div class="asset-abstract"><h3>
<a href="/web/guest/-/so-ket-cum-thi-dua;jsessionid=ABCDEF0123">Sơ kết</a></h3></div>
<div class="asset-abstract"><h3><a href="{ART_C}">Tổng kết</a></h3></div>
<div class="asset-abstract"><h3><a href="{ART_B}">Sơ kết (again)</a></h3></div>
<a href="{ART_A}&amp;p_p_state=pop_up&amp;_101_INSTANCE_Ab12Cd34Ef56_viewMode=print">In bài viết</a>
<ul class="pager"><li><a href="{PAGE2}">2</a></li><li><a href="javascript:;">Cuối cùng</a></li></ul>
<a href="http://kuwin.example/viewspace-1.html">off-site</a>
<div style="display: none"><a href="{HB}/web/guest/-/casino-spam">hidden spam</a></div>
<a href="en/">English</a>
<a href="mailto:ban@hoabinh.gov.vn">mail</a>
</body></html>"""


def test_listing_requests_each_article_once_and_the_next_page(make_crawler: Any) -> None:
    s = spider(make_crawler)
    out = requests_of(s.parse(response(LISTING, LISTING_HTML, start=True)))
    by_kind = {(r.meta[META_KIND], r.url) for r in out}
    assert {u for k, u in by_kind if k == "article"} == {
        ART_A,
        f"{HB}/web/guest/-/so-ket-cum-thi-dua;jsessionid=ABCDEF0123",
        ART_C,
    }
    assert {u for k, u in by_kind if k == "listing"} == {PAGE2}
    urls = " ".join(r.url for r in out)
    for never in ("viewMode=print", "kuwin", "casino", "/en/", "javascript", "mailto"):
        assert never not in urls
    assert all(r.meta[META_PORTAL] == "hoabinh" and r.errback is not None for r in out)


def test_pagination_stops_when_a_page_brings_no_new_article(make_crawler: Any) -> None:
    s = spider(make_crawler)
    list(s.parse(response(LISTING, LISTING_HTML, start=True)))
    # Liferay answers an out-of-range _cur with page 1: same articles, a pager to page 3
    replay = LISTING_HTML.replace(PAGE2, PAGE2.replace("cur=2", "cur=3"))
    out = requests_of(s.parse(response(PAGE2.replace("cur=2", "cur=7"), replay)))
    assert out == []
    assert s.crawler.stats is not None
    assert s.crawler.stats.get_value("thidua/listing_dead_end") == 1


def test_a_page_with_a_new_article_keeps_paginating(make_crawler: Any) -> None:
    s = spider(make_crawler)
    list(s.parse(response(LISTING, LISTING_HTML, start=True)))
    page3 = PAGE2.replace("cur=2", "cur=3")
    html = f'<a href="{HB}/web/guest/-/mot-bai-moi">Mới</a> <a href="{page3}">3</a> <a href="{PAGE2}">2</a>'
    out = requests_of(s.parse(response(PAGE2, html)))
    assert [(r.meta[META_KIND], r.url) for r in out] == [
        ("article", f"{HB}/web/guest/-/mot-bai-moi"),
        ("listing", page3),
    ]


def test_article_page_yields_the_page_and_follows_only_related_articles(make_crawler: Any) -> None:
    s = spider(make_crawler)
    html = f"""<html><head><meta charset="utf-8"></head><body>
    <h3 class="asset-title">Hội nghị</h3><div class="journal-content-article"><p>Nội dung</p></div>
    <div class="asset-links"><a href="{ART_C}">Tin khác</a></div>
    <a href="{LISTING}">Tin sở ngành</a></body></html>"""
    resp = response(ART_B, html, kind="article", headers={"Content-Type": "text/html; charset=UTF-8"})
    out = list(s.parse(resp))
    items = [o for o in out if isinstance(o, PageItem)]
    assert len(items) == 1
    item = items[0]
    assert item.portal == "hoabinh"
    assert (item.url, item.final_url, item.canonical_url) == (ART_B, ART_B, ART_B)
    assert item.status == 200
    assert item.body == html.encode("utf-8")
    assert item.encoding == "utf-8"
    assert item.headers["Content-Type"] == "text/html; charset=UTF-8"
    assert item.fetched_at.tzinfo is not None
    assert [(r.meta[META_KIND], r.url) for r in requests_of(out)] == [("article", ART_C)]


def test_links_are_the_visible_ones_then_the_feeds_resolved_in_document_order(make_crawler: Any) -> None:
    s = spider(make_crawler)
    html = f"""<html><head>
    <link rel="alternate" type="application/rss+xml" href="/rss/tin-tuc">
    <link rel="stylesheet" href="/style.css"></head><body>
    <a href=" {ART_C} ">C</a><div style="display : none"><a href="/an">hidden</a></div>
    <a href="mailto:a@b.vn">mail</a><a href="/web/guest/-/b#top">B</a><a>no href</a><a href="en/">en</a>
    </body></html>"""
    expected = [
        ART_C,
        f"{HB}/web/guest/-/b",
        f"{HB}/web/guest/tin-so-nganh/en/",
        f"{HB}/rss/tin-tuc",
    ]
    assert s._html_links(response(f"{LISTING}/x", html)) == expected
    # a page served as text/plain is read the same way
    plain = response(f"{LISTING}/x", html, cls=TextResponse, headers={"Content-Type": "text/plain"})
    assert s._html_links(plain) == expected


def test_a_url_kind_is_the_same_when_remembered_and_after_the_memory_is_cleared(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(portal_module, "_KIND_CACHE", 2)
    rules = PortalRules.of(registry.by_name("hoabinh"))
    urls = [ART_A, PAGE2, "http://kuwin.example/viewspace-1.html", ART_B, f"{HB}/web/guest/-/print/a", ART_A]
    first = [rules.kind(u) for u in urls]
    assert first == ["article", "listing", None, "article", None, "article"]
    assert [rules.kind(u) for u in urls] == first
    assert len(rules._kinds) <= 2


def test_page_item_keeps_the_requested_url_after_a_redirect(make_crawler: Any) -> None:
    s = spider(make_crawler)
    old = f"{HB}/web/guest/-/bai-cu;jsessionid=XYZ"
    request = Request(ART_B, meta={META_PORTAL: "hoabinh", META_KIND: "article", "redirect_urls": [old]})
    resp = HtmlResponse(url=ART_B, body=b"<html><body>x</body></html>", request=request)
    (item,) = [o for o in s.parse(resp) if isinstance(o, PageItem)]
    assert item.url == old
    assert item.final_url == ART_B
    assert item.canonical_url == ART_B
    assert item.encoding is None  # no charset in the HTTP header


def test_sitemap_and_rss_feed_give_article_requests(make_crawler: Any) -> None:
    s = spider(make_crawler)
    sitemap = f"""<?xml version="1.0" encoding="UTF-8"?>
    <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <url><loc>{ART_B}</loc></url><url><loc>{LISTING}</loc></url>
      <url><loc>http://elsewhere.example/-/x</loc></url></urlset>"""
    out = requests_of(s.parse(response(f"{HB}/sitemap.xml", sitemap, kind="feed", cls=XmlResponse)))
    assert {(r.meta[META_KIND], r.url) for r in out} == {("article", ART_B), ("listing", LISTING)}
    rss = f"""<?xml version="1.0"?><rss version="2.0"><channel><item><title>T</title>
      <link>{ART_C}</link></item><item><link>{ART_B}</link></item></channel></rss>"""
    out = requests_of(s.parse(response(f"{HB}/rss", rss, kind="feed", cls=XmlResponse)))
    assert [r.url for r in out] == [ART_C]  # ART_B was requested from the sitemap


def test_sitemap_index_children_are_read_as_feeds(make_crawler: Any) -> None:
    s = spider(make_crawler)
    index = f"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sitemap><loc>{HB}/sitemap-news.xml</loc></sitemap></sitemapindex>"""
    out = requests_of(s.parse(response(f"{HB}/sitemap.xml", index, kind="feed", cls=XmlResponse)))
    assert [(r.meta[META_KIND], r.url) for r in out] == [("feed", f"{HB}/sitemap-news.xml")]


def test_start_requests_cover_start_urls_sitemaps_and_feeds(make_crawler: Any) -> None:
    s = spider(make_crawler)
    portal = s.rules["hoabinh"].portal

    async def collect() -> list[Request]:
        return [r async for r in s.start()]

    out = asyncio.run(collect())
    assert [r.url for r in out] == [*portal.start_urls, *portal.sitemaps, *portal.feeds]
    assert all(r.meta[META_START] for r in out)


def test_unknown_portal_names_the_known_ones(make_crawler: Any) -> None:
    with pytest.raises(KeyError, match="hoabinh"):
        spider(make_crawler, portal="nowhere")


def test_all_portals_by_default(make_crawler: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from crawler import registry

    monkeypatch.setenv("THIDUA_CRAWL_MOCK", "1")
    s = make_crawler()._create_spider()
    assert set(s.rules) == {p.name for p in registry.MOCKS}
    assert set(s.allowed_domains) >= {h for p in registry.MOCKS for h in p.hosts}
    monkeypatch.setenv("THIDUA_CRAWL_MOCK", "0")
    real = make_crawler()._create_spider()
    assert set(real.rules) == {p.name for p in registry.REAL} and not set(real.rules) & set(s.rules)


def test_page_budget_caps_requests_per_portal(make_crawler: Any) -> None:
    s = spider(make_crawler, max_pages="3")
    html = "".join(f'<a href="{HB}/web/guest/-/bai-{i}">{i}</a>' for i in range(10))
    out = requests_of(s.parse(response(LISTING, html, start=True)))
    assert len(out) == 3
    assert s.page_cap(s.rules["hoabinh"].portal) == 3


def test_postback_pager_is_submitted_as_a_form(make_crawler: Any) -> None:
    s = spider(make_crawler)
    html = f"""<html><body><form id="aspnetForm" method="post" action="/web/guest/tin-so-nganh">
    <input type="hidden" name="__VIEWSTATE" value="abc"/>
    <input type="hidden" name="__EVENTVALIDATION" value="def"/>
    <a href="{HB}/web/guest/-/bai-moi">Bài</a>
    <a href="javascript:__doPostBack('ctl00$pager','Page$2')">2</a>
    <a href="javascript:__doPostBack('ctl00$pager','Page$2')">&gt;&gt;</a>
    <a href="javascript:__doPostBack('ctl00$search','')">Tìm</a></form></body></html>"""
    out = requests_of(s.parse(response(LISTING, html, start=True)))
    forms = [r for r in out if isinstance(r, FormRequest)]
    assert len(forms) == 1
    body = forms[0].body.decode()
    assert forms[0].method == "POST"
    assert "__EVENTARGUMENT=Page%242" in body and "__VIEWSTATE=abc" in body
    assert "__EVENTTARGET=ctl00%24pager" in body


def _failure(exc: Exception, request: Request) -> Failure:
    f = Failure(exc)  # type: ignore[no-untyped-call]
    f.request = request  # type: ignore[attr-defined]
    return f


def test_fetch_errors_become_failure_items(make_crawler: Any) -> None:
    s = spider(make_crawler)
    req = Request(ART_B, meta={META_PORTAL: "hoabinh", META_KIND: "article"})
    bad = Response(ART_B, status=502, request=req)
    (item,) = list(s.on_error(_failure(HttpError(bad), req)))
    assert isinstance(item, FetchFailureItem)
    assert (item.portal, item.url, item.status, item.kind) == ("hoabinh", ART_B, 502, "article")
    assert "502" in item.message
    (dns,) = list(s.on_error(_failure(DNSLookupError("no such host"), req)))
    assert dns.error_type == "DNSLookupError" and dns.status is None
    timeout = TimeoutError("took 60 s")  # type: ignore[no-untyped-call]
    (slow,) = list(s.on_error(_failure(timeout, req)))
    assert slow.error_type == "TimeoutError"
    (off,) = list(s.on_error(_failure(OffsiteRedirect("to kuwin"), req)))
    assert off.error_type == "OffsiteRedirect"


def test_decisions_are_not_failures(make_crawler: Any) -> None:
    s = spider(make_crawler)
    req = Request(ART_B, meta={META_PORTAL: "hoabinh", META_KIND: "article"})
    assert list(s.on_error(_failure(IgnoreRequest("Forbidden by robots.txt"), req))) == []
    assert list(s.on_error(_failure(AlreadyStored("stored"), req))) == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("text/html; charset=windows-1258", "windows-1258"),
        ('text/html; charset="UTF-8"', "utf-8"),
        ("text/html", None),
        (None, None),
    ],
)
def test_declared_charset(value: str | None, expected: str | None) -> None:
    assert declared_charset(value) == expected


def test_sitemaps_listed_in_robots_txt_are_queued(make_crawler: Any) -> None:
    s = spider(make_crawler)
    queued: list[Request] = []

    class Engine:
        def crawl(self, request: Request) -> None:
            queued.append(request)

    class Robots:
        def sitemaps(self) -> list[str]:
            return [f"{HB}/sitemap-extra.xml", "http://elsewhere.example/sitemap.xml"]

    s.crawler.engine = Engine()  # type: ignore[assignment]
    s._robots_parsed(Robots(), Request(f"{HB}/", meta={META_PORTAL: "hoabinh"}))
    assert [(r.meta[META_KIND], r.url) for r in queued] == [("feed", f"{HB}/sitemap-extra.xml")]


class _Stored:
    """A stand-in for crawler.resume.KnownArticles: these canonical URLs are stored."""

    def __init__(self, stored: set[str], finished: bool = True) -> None:
        self.stored, self.finished = stored, finished

    def incremental(self, portal: str) -> bool:
        return self.finished

    def unseen(self, canonical_urls: list[str]) -> list[str]:
        return [u for u in canonical_urls if u not in self.stored]


def test_a_listing_page_of_stored_articles_ends_pagination_after_a_finished_crawl(make_crawler: Any) -> None:
    from crawler.urls import canonicalize

    all_stored = {canonicalize(u, family="liferay", detail=True) for u in (ART_A, ART_B, ART_C)}
    s = spider(make_crawler)
    s.known = _Stored(all_stored)
    out = requests_of(s.parse(response(PAGE2, LISTING_HTML)))
    assert not [r for r in out if r.meta[META_KIND] == "listing"], "walked on past a page of stored articles"
    assert s.crawler.stats.get_value("thidua/listing_known_end") == 1
    # one article not stored yet: the page is still news, the next page is asked for
    s = spider(make_crawler)
    s.known = _Stored(all_stored - {canonicalize(ART_C, family="liferay", detail=True)})
    assert [
        r.url for r in requests_of(s.parse(response(PAGE2, LISTING_HTML))) if r.meta[META_KIND] == "listing"
    ]
    # after a killed or failed crawl older pages may hold articles never fetched: walk on
    s = spider(make_crawler)
    s.known = _Stored(all_stored, finished=False)
    assert [
        r.url for r in requests_of(s.parse(response(PAGE2, LISTING_HTML))) if r.meta[META_KIND] == "listing"
    ]
