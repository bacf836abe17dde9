"""Each family renders listings, articles and the duplicate views with its real quirks."""

from __future__ import annotations

import html
import re
import unicodedata

import pytest
from mockhelpers import TODAY, fetch, get_text

from crawler.mockportals.families.aspnet import AspNetSite, encode_cp1258
from crawler.mockportals.families.base import Entry, today_vi
from crawler.mockportals.families.liferay import AP_PORTLET, LiferaySite
from crawler.mockportals.families.nukeviet import NukeVietSite, broken_alias
from crawler.mockportals.families.wordpress import SPAM_PATHS, WordPressSite
from crawler.mockportals.portals import MOCK_PORTALS
from crawler.mockportals.server import MockPortalServer

NAMES = [p.name for p in MOCK_PORTALS]


def relevant(server: MockPortalServer, name: str) -> Entry:
    return next(e for e in server.site(name).entries if e.article.relevant)


@pytest.mark.parametrize("name", NAMES)
def test_listing_article_and_variants_render(server: MockPortalServer, name: str) -> None:
    site = server.site(name)
    for url in site.start_urls():
        page = get_text(server, url)
        assert site.portal.site_name in page
    for entry in site.entries:
        if site.family != "aspnet":  # legacy encodings are checked in test_aspnet_encodings
            page = unicodedata.normalize("NFC", get_text(server, site.article_url(entry)))
            assert html.escape(entry.title) in page
            assert html.escape(entry.paragraphs[-1].split("\n")[0]) in page
            assert site.portal.licence in page  # the footer licence is on every full page
        for variant in site.variant_urls(entry):
            status, _headers, _ = fetch(server, variant)
            assert status in (200, 301), f"{variant} -> {status}"


@pytest.mark.parametrize("name", ["hoabinh", "quangninh", "thaibinh", "backan-snv", "tayninh-stc"])
def test_header_prints_today_not_the_publication_date(server: MockPortalServer, name: str) -> None:
    site = server.site(name)
    page = get_text(server, site.article_url(site.entries[0]))
    assert today_vi(TODAY) in page


def test_liferay_quirks(server: MockPortalServer) -> None:
    site = server.site("hoabinh")
    assert isinstance(site, LiferaySite)
    entry = relevant(server, "hoabinh")
    page = get_text(server, site.article_url(entry))
    assert '<h1 class="portlet-title"><span class="portlet-title-text">Xuất bản thông tin' in page
    assert f'<link rel="canonical" href="{site.article_url(entry)}"/>' in page
    assert re.search(r"Ngày đăng \d\d/\d\d/\d{4} \| \d\d:\d\d [AP]M \| Lượt xem: \d+", page)
    assert "Kích cỡ chữ: " in page and 'href="en/"' in page
    # the relative language link resolves under the article and still answers 200 with a listing
    deep = site.form_c(entry) + "/en/en/vi/en/"
    trap = get_text(server, deep)
    assert "lfr-pagination" in trap and 'href="en/"' in trap
    # three URL forms and the print view serve the same article
    for url in (site.form_a(entry), site.form_c(entry)):
        assert html.escape(entry.title) in get_text(server, url)
    printed = get_text(server, site.print_url(entry))
    assert html.escape(entry.title) in printed and site.portal.licence not in printed
    # jsessionid is accepted anywhere in the path
    status, _, _ = fetch(server, site.article_url(entry) + ";jsessionid=ABCDEF0123")
    assert status == 200


def test_liferay_paging(server: MockPortalServer) -> None:
    site = server.site("hoabinh")
    assert isinstance(site, LiferaySite)
    cat = "tin-so-nganh"
    first = get_text(server, site.listing_url(cat, 1))
    assert '<a href="javascript:;">Cuối cùng</a>' in first
    out_of_range = get_text(server, f"{site.base}/web/guest/{cat}?p_p_id={AP_PORTLET}&_{AP_PORTLET}_cur=99")
    assert "Trang 1 của" in out_of_range
    tokens = {re.search(r"p_p_auth=(\w+)", site.listing_url(cat, 2)).group(1) for _ in range(3)}  # type: ignore[union-attr]
    assert len(tokens) == 3  # p_p_auth changes per response


def test_liferay_robots_and_sitemap(server: MockPortalServer) -> None:
    site = server.site("bacgiang")
    robots = get_text(server, f"{site.base}/robots.txt")
    assert "Disallow:\n" in robots and f"Sitemap: {site.base}/sitemap.xml" in robots
    sitemap = get_text(server, f"{site.base}/sitemap.xml")
    assert "<urlset" in sitemap and "/web/guest/-/" in sitemap


def test_quangninh_subsite_republishes_relevant_articles(server: MockPortalServer) -> None:
    site = server.site("quangninh")
    copies = [e for e in site.entries if e.category == "snv"]
    assert copies and all(e.article.relevant for e in copies)
    for copy in copies:
        original = next(e for e in site.entries if e.article is copy.article and e.category != "snv")
        assert copy.local_id != original.local_id and copy.title.endswith(original.title)
        page = get_text(server, site.article_url(copy))
        assert "Nguồn: Sở Nội vụ" in page and "( Cập nhật lúc: " in page
        assert re.search(
            r'<div class="date">\d\d/\d\d/\d{4} \d\d:\d\d</div>', get_text(server, site.article_url(original))
        )
        # a sub-site nid is not served under the province path, and vice versa
        assert fetch(server, site.article_url(copy).replace("/So/snv", ""))[0] == 404
    # IIS paths are case-insensitive
    assert fetch(server, site.article_url(copies[0]).lower())[0] == 200


def test_thaibinh_content_link_error_and_date_filter(server: MockPortalServer) -> None:
    site = server.site("thaibinh")
    entry = relevant(server, "thaibinh")
    page = get_text(server, site.article_url(entry))
    assert page.index("Cannot retrieve the URL specified in the Content Link property") < page.index(
        f'<h1 class="title-news">{html.escape(entry.title)}'
    )
    empty = get_text(server, f"{site.base}/tintuc/Pages/{entry.category}.aspx?date=01/01/2001&EventID=0")
    assert "news-item" not in empty
    hit = get_text(
        server, f"{site.base}/tintuc/Pages/{entry.category}.aspx?date={entry.date:%d/%m/%Y}&EventID=0"
    )
    assert html.escape(entry.title) in hit


def test_backan_slug_and_update_line(server: MockPortalServer) -> None:
    site = server.site("backan-snv")
    entry = relevant(server, "backan-snv")
    assert re.search(r"/Pages/[a-z-]+-\d+/[a-z0-9-]{1,30}-[0-9a-f]{16}\.aspx$", site.article_url(entry))
    page = get_text(server, site.article_url(entry))
    assert f"( Cập nhật lúc: {entry.date:%d/%m/%Y}  )" in page and "Skip Ribbon Commands" in page


def test_aspnet_encodings(server: MockPortalServer) -> None:
    site = server.site("binhphuoc-stttt")
    assert isinstance(site, AspNetSite)
    modes = {site.encoding(e) for e in site.entries}
    assert "cp1258-wrong-header" in modes and "utf-8" in modes
    assert [site.encoding(e) for e in site.entries].count("cp1258-wrong-header") == 1
    for entry in site.entries:
        _status, headers, body = fetch(server, site.article_url(entry))
        mode = site.encoding(entry)
        if mode == "utf-8":
            text = body.decode("utf-8")
            assert "charset=utf-8" in headers["content-type"]
            assert (text == unicodedata.normalize("NFD", text)) == site.is_nfd(entry)
        else:
            assert b'charset=windows-1258"' in body
            text = unicodedata.normalize("NFC", body.decode("cp1258"))
            expected = {"cp1258-header": "windows-1258", "cp1258-meta": None, "cp1258-wrong-header": "utf-8"}[
                mode
            ]
            declared = re.search(r"charset=([\w-]+)", headers["content-type"])
            assert (declared.group(1) if declared else None) == expected
        assert html.escape(entry.title) in unicodedata.normalize("NFC", text)
        assert "Lượt xem:" in unicodedata.normalize("NFC", text)
        printed = fetch(server, site.print_url(entry))[2]
        printed_text = unicodedata.normalize("NFC", printed.decode("utf-8" if mode == "utf-8" else "cp1258"))
        assert (
            "Bản quyền" not in printed_text and f"Ngày {entry.date.day}/{entry.date.month}/" in printed_text
        )


def test_cp1258_encoder_round_trips_vietnamese() -> None:
    text = "Khối thi đua Văn hóa - Xã hội: “Sở Lao động - Thương binh và Xã hội” được tặng Cờ thi đua"
    raw = encode_cp1258(text)
    assert unicodedata.normalize("NFC", raw.decode("cp1258")) == text
    assert raw.decode("cp1258") != text  # tone marks come out as combining characters


def test_nukeviet_quirks(server: MockPortalServer) -> None:
    site = server.site("tayninh-stc")
    assert isinstance(site, NukeVietSite)
    entry = relevant(server, "tayninh-stc")
    page = unicodedata.normalize("NFC", get_text(server, site.article_url(entry)))
    weekday = ("Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật")[
        entry.date.weekday()
    ]
    assert f'<span class="h5">{weekday} - {entry.date:%d/%m/%Y} {entry.time:%H:%M}</span>' in page
    assert f'content="{entry.date:%Y-%m-%d}+07{entry.time:%H:%M}:00"' in page  # malformed on purpose
    assert "Những tin cũ hơn" in page or "Những tin mới hơn" in page
    stale = site.variant_urls(entry)[-1]
    status, headers, _ = fetch(server, stale)
    assert status == 301 and headers["location"] == site.article_url(entry)
    for view in ("print", "savefile", "sendmail"):
        assert fetch(server, site.base + site._path(entry, view))[0] == 200
    assert fetch(server, site.article_url(entry) + "?pdf=1&id=0")[1]["content-type"] == "application/pdf"
    assert broken_alias("Quy chế xét thi đua khen thưởng của Sở Tài chính") == (
        "quy-ch-x-t-thi-ua-khen-th-ng-c-a-s-t-i-ch-nh"
    )


def test_nukeviet_moduleless_paths(server: MockPortalServer) -> None:
    site = server.site("binhdinh-stp")
    entry = relevant(server, "binhdinh-stp")
    assert "/vi/news/" not in site.article_url(entry)
    assert re.search(
        r"^http://stp\.binhdinh\.gov\.vn\.test/[a-z-]+/[a-z0-9-]+-\d+\.html$", site.article_url(entry)
    )


def test_wordpress_quirks(server: MockPortalServer) -> None:
    site = server.site("quangnam-toaan")
    assert isinstance(site, WordPressSite)
    robots = get_text(server, f"{site.base}/robots.txt")
    assert "Disallow: /viewspace-" in robots and "Disallow: /?p=" in robots
    listing = get_text(server, site.listing_url(1))
    assert '<div style="display:none">' in listing and SPAM_PATHS[2] in listing
    assert fetch(server, site.base + SPAM_PATHS[0])[0] == 302
    assert "kuwin" in get_text(server, site.base + SPAM_PATHS[3])
    with_time = [e for e in site.entries if site.has_time(e)]
    without = [e for e in site.entries if not site.has_time(e)]
    assert with_time and without
    page = get_text(server, site.article_url(with_time[0]))
    assert f'datetime="{with_time[0].date.isoformat()}T' in page and '<div class="post-views">' in page
    assert "<time" not in get_text(server, site.article_url(without[0])).split('class="entry-content"')[0]
    for e in site.entries:
        status, _headers, body = fetch(server, site.legacy_url(e))
        assert (status == 301) == site.legacy_redirects(e)
        if status == 200:
            assert b'rel="canonical"' not in body


def test_quangnam_bloc_articles_are_republished_on_thidua_tw(server: MockPortalServer) -> None:
    qn = server.site("quangnam-toaan")
    tw = server.site("thidua-tw")
    for entry in (e for e in qn.entries if e.article.relevant):
        copy = next(e for e in tw.entries if e.article is entry.article)
        assert copy.title != entry.title and copy.title.endswith(entry.title)
        page = get_text(server, tw.article_url(copy))
        assert re.search(r"Ngày đăng \d\d/\d\d/\d{4} \| \d\d:\d\d [AP]M", page)
    assert not any(not e.article.relevant and e.article.portal == "quangnam-toaan" for e in tw.entries)
