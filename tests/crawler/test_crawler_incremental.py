"""Conditional requests, feed dates, 304 answers and canonical URLs (crawler/incremental.py,
crawler/canonical.py, crawler/urls.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.http import Response, TextResponse
from scrapy.utils.misc import build_from_crawler
from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler import registry
from crawler.canonical import article_url, variant_original
from crawler.incremental import (
    META_CONDITIONAL,
    META_LASTMOD,
    ConditionalRequestMiddleware,
    NotModifiedPipeline,
    feed_entries,
    not_modified_item,
    parse_date,
)
from crawler.middlewares import META_KIND, META_PORTAL, AlreadyStored
from crawler.urls import canonicalize, host_in, strip_session
from store import repository, seen
from store.db import make_engine
from store.models import SeenUrl

HB = "http://hoabinh.gov.vn.test"
FETCHED = dt.datetime(2024, 3, 1, 8, 30, tzinfo=dt.UTC)


def store_page(db_url: str, url: str, *, headers: dict[str, str], fetched: dt.datetime = FETCHED) -> None:
    engine = make_engine(db_url)
    with Session(engine) as session, session.begin():
        repository.save_page(
            session, portal=None, url=url, canonical_url=canonicalize(url), final_url=url, status=200,
            headers=headers, body=b"<html></html>", encoding=None, fetched_at=fetched,
        )  # fmt: skip
        seen.note_response(
            session, canonical_url=canonicalize(url), portal="hoabinh", kind="article", status=200,
            headers=headers, at=fetched,
        )  # fmt: skip
    engine.dispose()


def article(url: str, **meta: Any) -> Request:
    return Request(url, meta={META_KIND: "article", META_PORTAL: "hoabinh", **meta})


def test_stored_articles_are_asked_for_conditionally_while_young(make_crawler: Any, db_url: str) -> None:
    url = f"{HB}/web/guest/-/da-luu"
    now = dt.datetime.now(dt.UTC)
    store_page(
        db_url, url, headers={"ETag": '"a1"', "Last-Modified": "Fri, 01 Mar 2024 08:00:00 GMT"}, fetched=now
    )
    crawler = make_crawler({"THIDUA_DATABASE_URL": db_url, "THIDUA_RECHECK_DAYS": 30})
    mw = build_from_crawler(ConditionalRequestMiddleware, crawler)
    req = article(url + ";jsessionid=ABC")  # another form of the same page
    assert mw.process_request(req) is None
    assert req.headers[b"If-None-Match"] == b'"a1"'
    assert req.headers[b"If-Modified-Since"] == b"Fri, 01 Mar 2024 08:00:00 GMT"
    assert 304 in req.meta["handle_httpstatus_list"] and req.meta[META_CONDITIONAL] is True
    # a new article and a listing go out untouched
    new = article(f"{HB}/web/guest/-/bai-moi")
    mw.process_request(new)
    assert b"If-None-Match" not in new.headers and META_CONDITIONAL not in new.meta
    listing = Request(url, meta={META_KIND: "listing"})
    mw.process_request(listing)
    assert b"If-None-Match" not in listing.headers
    mw.close()
    with pytest.raises(NotConfigured):
        build_from_crawler(
            ConditionalRequestMiddleware,
            make_crawler({"THIDUA_DATABASE_URL": db_url, "THIDUA_REFRESH": True}),
        )


def test_old_articles_are_asked_for_only_when_a_sitemap_dates_them_later(
    make_crawler: Any, db_url: str
) -> None:
    with_validator, without = f"{HB}/web/guest/-/co-etag", f"{HB}/web/guest/-/khong-etag"
    store_page(db_url, with_validator, headers={"ETag": '"a1"'})  # fetched 2024-03-01: not young
    store_page(db_url, without, headers={})
    crawler = make_crawler({"THIDUA_DATABASE_URL": db_url, "THIDUA_RECHECK_DAYS": 30})
    mw = build_from_crawler(ConditionalRequestMiddleware, crawler)
    for url in (with_validator, without):
        with pytest.raises(AlreadyStored, match="--refresh"):
            mw.process_request(article(url))
        # a sitemap date before our fetch changes nothing
        with pytest.raises(AlreadyStored):
            mw.process_request(article(url, **{META_LASTMOD: FETCHED - dt.timedelta(days=1)}))
    later = FETCHED + dt.timedelta(days=3)
    dated = article(with_validator, **{META_LASTMOD: later})
    mw.process_request(dated)
    assert dated.headers[b"If-None-Match"] == b'"a1"'
    # no validator to ask with: the date is reason enough for a full download
    full = article(without, **{META_LASTMOD: later})
    mw.process_request(full)
    assert b"If-None-Match" not in full.headers and full.meta[META_CONDITIONAL] is False
    stats = crawler.stats.get_stats() if crawler.stats else {}
    assert stats["thidua/skipped_seen"] == 4 and stats["thidua/conditional_requests"] == 1
    assert stats["thidua/refetched_dated"] == 1
    mw.close()


def test_a_304_is_recorded_and_counted_unchanged(make_crawler: Any, db_url: str, read: Session) -> None:
    url = f"{HB}/web/guest/-/da-luu"
    store_page(db_url, url, headers={"ETag": '"a1"'})
    crawler = make_crawler({"THIDUA_DATABASE_URL": db_url})
    pipeline = build_from_crawler(NotModifiedPipeline, crawler)
    pipeline.open_spider()
    request = article(url)
    item = not_modified_item(Response(url, status=304, request=request))
    assert (item.portal, item.canonical_url, item.kind) == ("hoabinh", canonicalize(url), "article")
    with pytest.raises(DropItem, match="not modified"):
        pipeline.process_item(item)
    assert pipeline.process_item("something else") == "something else"
    pipeline.close_spider()
    row = read.scalars(select(SeenUrl).where(SeenUrl.canonical_url == canonicalize(url))).one()
    assert (row.not_modified, row.status, row.checks) == (1, 304, 2)
    assert crawler.stats is not None and crawler.stats.get_value("thidua/portal/hoabinh/unchanged") == 1


def test_feed_entries_carry_their_dates() -> None:
    body = (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>/web/guest/-/a</loc><lastmod>2024-03-14T09:30:00+07:00</lastmod></url>"
        "<url><loc>http://hoabinh.gov.vn.test/web/guest/-/b</loc></url></urlset>"
    )
    sitemap = TextResponse(f"{HB}/sitemap.xml", body=body.encode(), encoding="utf-8")
    assert feed_entries(sitemap) == [
        (f"{HB}/web/guest/-/a", dt.datetime(2024, 3, 14, 2, 30, tzinfo=dt.UTC)),
        (f"{HB}/web/guest/-/b", None),
    ]
    rss = (
        "<rss><channel><item><link>http://x.vn/1</link><pubDate>Thu, 14 Mar 2024 08:00:00 +0700</pubDate>"
        "</item></channel></rss>"
    )
    assert feed_entries(TextResponse("http://x.vn/rss", body=rss.encode(), encoding="utf-8")) == [
        ("http://x.vn/1", dt.datetime(2024, 3, 14, 1, 0, tzinfo=dt.UTC))
    ]
    # a bare date is the end of that day in Vietnam; nonsense is no date
    assert parse_date("2024-03-14") == dt.datetime(2024, 3, 14, 16, 59, 59, tzinfo=dt.UTC)
    assert parse_date("hôm qua") is None and parse_date("") is None and parse_date(None) is None


# ---- canonical URLs -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variant", "family"),
    [
        ("http://WWW.Hoabinh.gov.vn.test:80/web/guest/-/tong-ket#binh-luan", "liferay"),
        ("http://hoabinh.gov.vn.test/web/guest/-/tong-ket;jsessionid=0A1B2C3D4E5F", "liferay"),
        ("http://hoabinh.gov.vn.test/web/guest/-/tong-ket?utm_source=zalo&zarsrc=30&gidzl=Ab-1", "liferay"),
        ("http://hoabinh.gov.vn.test/web/guest/-/tong-ket?fbclid=IwAR0x&_ga=2.1", "liferay"),
        ("http://hoabinh.gov.vn.test/web/guest/-/tong-ket?sid=a8f3c9d2e1b4f6a7c8d9", "liferay"),
    ],
)
def test_url_forms_of_one_article_have_one_canonical_url(variant: str, family: str) -> None:
    assert canonicalize(variant, family=family, detail=True) == f"{HB}/web/guest/-/tong-ket"


def test_session_ids_in_aspnet_paths_and_queries_are_dropped_but_a_numeric_sid_is_kept() -> None:
    aspx = "http://stttt.binhphuoc.gov.vn.test/vn/newsdetail.aspx?news_id=5"
    for form in (
        "http://stttt.binhphuoc.gov.vn.test/(S(abcdefghij12345))/vn/newsdetail.aspx?news_id=5",
        "http://stttt.binhphuoc.gov.vn.test/(X(1)S(abcdefghij12345))/vn/NewsDetail.aspx?News_ID=5",
        "http://stttt.binhphuoc.gov.vn.test/vn/newsdetail.aspx?news_id=5&ASP.NET_SessionId=zz",
    ):
        assert canonicalize(form, family="aspnet", detail=True) == aspx
    # sid=12 selects a section on some CMSs: kept
    assert canonicalize("http://x.vn/a.php?sid=12&id=3", family="joomla", detail=True) == (
        "http://x.vn/a.php?id=3&sid=12"
    )
    assert (
        strip_session("http://x.vn/(S(abc123))/a.aspx?PHPSESSID=9&id=3#top") == "http://x.vn/a.aspx?id=3#top"
    )
    assert strip_session("http://x.vn/a.aspx?id=3") == "http://x.vn/a.aspx?id=3"
    assert host_in("http://www.hoabinh.gov.vn.test/a", ["hoabinh.gov.vn.test"])
    assert host_in("http://hoabinh.gov.vn.test/a", ["www.hoabinh.gov.vn.test"])
    assert not host_in("http://hoabinh.gov.vn.test.evil.vn/a", ["hoabinh.gov.vn.test"])


def test_print_views_map_back_to_their_article() -> None:
    assert variant_original("http://stp.binhdinh.gov.vn.test/vi/news/print/thi-dua/tong-ket-12.html") == (
        "http://stp.binhdinh.gov.vn.test/vi/news/thi-dua/tong-ket-12.html"
    )
    liferay = (
        f"{HB}/web/guest/tin/-/asset_publisher/Ab12/content/tong-ket?p_p_state=pop_up"
        "&_101_INSTANCE_Ab12_viewMode=print"
    )
    assert variant_original(liferay) == f"{HB}/web/guest/tin/-/asset_publisher/Ab12/content/tong-ket"
    assert variant_original("http://x.vn/vn/print.aspx?news_id=5") is None  # its own page name
    assert variant_original("http://x.vn/a?download=1") is None  # an attachment
    assert variant_original(f"{HB}/web/guest/-/tong-ket") is None  # not a view


def test_link_rel_canonical_is_followed_only_on_the_same_site_and_to_an_article() -> None:
    portal = registry.by_name("hoabinh")
    page = f"{HB}/web/guest/tin/-/asset_publisher/Ab12/content/tong-ket"
    assert article_url(page, f"{HB}/web/guest/-/tong-ket", portal) == f"{HB}/web/guest/-/tong-ket"
    assert article_url(page, "http://www.hoabinh.gov.vn.test/web/guest/-/tong-ket", portal).endswith(
        "tong-ket"
    )
    assert article_url(page, None, portal) == page
    assert article_url(page, "http://thiduakhenthuong.vn.test/web/guest/-/tong-ket", portal) == page
    assert article_url(page, f"{HB}/", portal) == page  # a template that names the home page
    assert article_url(page, f"{HB}/web/guest/tin-so-nganh", portal, listing=True) == page
