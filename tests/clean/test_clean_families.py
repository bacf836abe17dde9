"""Render every family's pages with the mock renderers, clean them, and compare with the corpus."""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler.mockportals.corpus import copy_to_portals, load_corpus
from crawler.mockportals.families.aspnet import IMAGE_FILE
from crawler.mockportals.families.base import Entry, Request, Response, Site, today_vi
from crawler.mockportals.families.liferay import LiferaySite
from crawler.mockportals.families.sharepoint import CAPTION, CONTENT_LINK_ERROR
from crawler.mockportals.families.wordpress import SPAM_WORDS
from crawler.mockportals.portals import MOCK_PORTALS
from crawler.mockportals.sites import SNV_SOURCE, build_sites
from extract.clean import CleanArticle, clean_html, decode_html
from extract.errors import CleaningError

FIXTURE_CORPUS = Path(__file__).resolve().parents[1] / "mockportals" / "fixture_corpus"
TODAY = dt.date(2026, 3, 26)  # headers print it; no article may be dated by it
CORPUS = copy_to_portals(load_corpus(FIXTURE_CORPUS), [p.name for p in MOCK_PORTALS])
SITES = {s.portal.name: s for s in build_sites(CORPUS, MOCK_PORTALS, today=TODAY)}
BOILERPLATE = [
    "Xuất bản thông tin",
    "Kích cỡ chữ",
    "Cỡ chữ",
    "Lượt xem",
    "Lượt truy cập",
    "Các tin khác",
    "Những tin cũ hơn",
    "Các tin đã đưa",
    "Giấy phép",
    "Ghi rõ nguồn",
    "Chia sẻ",
    "In trang",
    "Skip Ribbon Commands",
    "Trang chủ",
    CONTENT_LINK_ERROR[:40],
    CAPTION,
    IMAGE_FILE,
    SPAM_WORDS[:20],
    today_vi(TODAY),
    "Tác giả",
    "Xem tin theo ngày",
]


def get(site: Site, url: str) -> Response:
    parts = urlsplit(url)
    resp = site.handle(Request("GET", site.host, parts.path, parts.query))
    for _ in range(3):
        if resp.status not in (301, 302):
            break
        parts = urlsplit(resp.headers["Location"])
        resp = site.handle(Request("GET", site.host, parts.path, parts.query))
    assert resp.status == 200, f"{url} -> {resp.status}"
    return resp


def clean(site: Site, url: str) -> CleanArticle:
    resp = get(site, url)
    ctype = resp.headers.get("Content-Type", "")
    charset = ctype.split("charset=")[1] if "charset=" in ctype else None
    return clean_html(decode_html(resp.body, charset), url, site.family)


def originals(site: Site) -> list[Entry]:
    return [e for e in site.entries if e.title == e.article.title]


@pytest.mark.parametrize("name", [p.name for p in MOCK_PORTALS])
def test_article_pages_clean_to_the_corpus_text(name: str) -> None:
    site = SITES[name]
    assert originals(site)
    for entry in originals(site):
        art = clean(site, site.article_url(entry))
        assert art.title == entry.title
        assert art.published == entry.date, f"{site.article_url(entry)}: {art.published_source}"
        assert art.published_source != "none" and "trafilatura" not in art.published_source
        assert art.text == entry.article.text()  # title, blank line, paragraphs, author: nothing else
        for junk in BOILERPLATE:
            assert junk not in art.text, f"{junk!r} leaked into {site.article_url(entry)}"


@pytest.mark.parametrize("name", [p.name for p in MOCK_PORTALS])
def test_print_and_duplicate_views_clean_to_the_same_text(name: str) -> None:
    site = SITES[name]
    for entry in originals(site):
        for url in site.variant_urls(entry):
            if "/sendmail/" in url:
                with pytest.raises(CleaningError, match="no article body"):
                    clean(site, url)
                continue
            art = clean(site, url)
            assert art.text == entry.article.text(), url
            assert art.published == entry.date, url


def test_canonical_links_are_reported_where_the_family_has_them() -> None:
    lf = SITES["hoabinh"]
    assert isinstance(lf, LiferaySite)
    entry = originals(lf)[0]
    assert clean(lf, lf.form_c(entry)).canonical_url == lf.article_url(entry)
    wp = SITES["quangnam-toaan"]
    e = originals(wp)[0]
    assert clean(wp, wp.article_url(e)).canonical_url == wp.article_url(e)
    sp = SITES["thaibinh"]
    assert clean(sp, sp.article_url(originals(sp)[0])).canonical_url is None


def test_syndicated_copies_keep_their_own_title_and_source_line() -> None:
    qn = SITES["quangninh"]
    copy = next(e for e in qn.entries if e.category == "snv")
    art = clean(qn, qn.article_url(copy))
    assert art.title == copy.title and art.title != copy.article.title
    assert SNV_SOURCE in art.text.split("\n\n")
    assert (
        art.text.split("\n\n")[1] == copy.article.paragraphs[0].split("\n")[0]
        or copy.article.paragraphs[0] in art.text
    )
    tw = SITES["thidua-tw"]
    tw_copy = next(e for e in tw.entries if e.article.portal == "quangnam-toaan")
    assert clean(tw, tw.article_url(tw_copy)).title == tw_copy.title


def test_liferay_date_comes_from_the_date_line_not_the_header_or_a_portlet_title() -> None:
    site = SITES["bacgiang"]
    entry = originals(site)[0]
    page = get(site, site.article_url(entry)).text
    assert today_vi(TODAY) in page and page.index("Xuất bản thông tin") < page.index('class="asset-title"')
    art = clean(site, site.article_url(entry))
    assert art.published == entry.date != TODAY
    assert art.title == entry.title


def test_wordpress_without_time_element_uses_the_posted_on_text() -> None:
    site = SITES["quangnam-toaan"]
    entry = next(e for e in originals(site) if not site.has_time(e))  # type: ignore[attr-defined]
    art = clean(site, site.article_url(entry))
    assert art.published == entry.date and "posted-on" in art.published_source


def test_nukeviet_nfd_title_comes_out_nfc() -> None:
    site = SITES["tayninh-stc"]
    nfd = [e for e in site.entries if site.shown_title(e) != e.title]  # type: ignore[attr-defined]
    assert nfd, "the fixture corpus should give at least one NFD title"
    art = clean(site, site.article_url(nfd[0]))
    assert art.title == nfd[0].title == unicodedata.normalize("NFC", art.title or "")


def test_pages_without_an_article_body_raise_cleaning_error() -> None:
    with pytest.raises(CleaningError, match="no article body"):
        clean_html("<html><body><h1>404 Not Found</h1></body></html>", "http://x.test/a", "liferay")
    with pytest.raises(CleaningError, match="no article body"):
        clean_html("<html><body><p>Trang chủ</p></body></html>", "http://x.test/a", None)


def test_generic_cleaning_without_a_family() -> None:
    page = (
        "<html><head><title>Tin</title></head><body><nav><a href='/'>Trang chủ</a></nav><article>"
        "<h1>Khối thi đua số 6 sơ kết 6 tháng đầu năm</h1><p>Ngày đăng: 28/03/2017</p>"
        "<p>Sáng 27/3/2017, Khối thi đua số 6 tổ chức hội nghị sơ kết công tác thi đua 6 tháng đầu năm, "
        "với sự tham dự của đại diện 8 sở, ngành thành viên.</p>"
        "<p>Hội nghị thống nhất chọn Sở Y tế làm Khối trưởng năm 2018 và Sở Tư pháp làm Khối phó.</p>"
        "</article><footer>Giấy phép số 1/GP</footer></body></html>"
    )
    art = clean_html(page, "http://x.test/tin/1", None)
    assert "Khối thi đua số 6 tổ chức hội nghị" in art.text and "Sở Tư pháp làm Khối phó" in art.text
    assert "Giấy phép" not in art.text
