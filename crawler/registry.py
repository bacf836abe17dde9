"""The portal registry: one declarative entry per portal; spiders stay generic.

Each entry names its CMS family; `extract/sites/<family>.py` holds that family's selectors.
URL rules are regular expressions matched against absolute URLs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass(frozen=True, slots=True)
class Portal:
    name: str
    province: str | None  # canonical province name, None for national sites
    family: str  # "liferay" | "sharepoint" | "aspnet" | "nukeviet" | "wordpress"
    hosts: tuple[str, ...]
    start_urls: tuple[str, ...]
    article: tuple[str, ...]  # URL regexes of article pages
    listing: tuple[str, ...]  # URL regexes of listing / pagination pages to follow
    deny: tuple[str, ...] = ()  # URL regexes never requested (print views, traps, spam)
    max_pages: int = 400
    notes: str = field(default="", compare=False)
    sitemaps: tuple[str, ...] = ()  # sitemap.xml URLs, where the portal publishes them
    feeds: tuple[str, ...] = ()  # RSS feed URLs, where the portal publishes them


def _re_host(host: str) -> str:
    """Escape a host for a URL regex; an explicit default port (":80") is tolerated."""
    return r"^https?://" + re.escape(host) + r"(?::80)?"


_JSESSION = r"(?:;jsessionid=[^/?#]*)?"


def _liferay(name: str, host: str, province: str | None, notes: str) -> Portal:
    h = _re_host(host)
    cats = ("tin-so-nganh", "thi-dua-khen-thuong")
    return Portal(
        name=name,
        province=province,
        family="liferay",
        hosts=(host,),
        start_urls=(f"http://{host}/", *(f"http://{host}/web/guest/{c}" for c in cats)),
        article=(
            # (b) display page, the canonical form
            h + r"/web/guest/-/[a-z0-9-]+/?" + _JSESSION + r"(?:\?.*)?$",
            # (a) asset-publisher content URL with ?redirect=…
            h
            + r"/web/guest/[a-z0-9-]+/-/asset_publisher/\w+/content/[a-z0-9-]+/?"
            + _JSESSION
            + r"(?:\?.*)?$",
            # (c) view_content with the numeric article id
            h + r"/[a-z0-9-]+/-/view_content/\d+-[a-z0-9-]*/?" + _JSESSION + r"$",
        ),
        listing=(
            h + r"/?$",
            h + r"/web/guest/(?:" + "|".join(cats) + r")/?" + _JSESSION + r"(?:\?.*)?$",
        ),
        deny=(
            r"^javascript:",
            r"[?&]p_p_state=pop_up",  # print view of an article
            r"_viewMode=print",
            r"/-/(?:.*/)?(?:en|vi)(?:/|$)",  # relative language links nest without end (portals.md §2.1)
            r"/rss(?:$|\?)",
        ),
        sitemaps=(f"http://{host}/sitemap.xml",),
        feeds=tuple(f"http://{host}/web/guest/{c}/-/asset_publisher/Ab12Cd34Ef56/rss" for c in cats),
        notes=notes,
    )


def _nukeviet(name: str, host: str, province: str, module: str, cats: tuple[str, ...]) -> Portal:
    h = _re_host(host)
    return Portal(
        name=name,
        province=province,
        family="nukeviet",
        hosts=(host,),
        start_urls=tuple(f"http://{host}{module}/{c}/" for c in cats),
        article=(h + module + r"/(?!print/|savefile/|sendmail/|rss/)[a-z0-9-]+/[a-z0-9-]+-\d+\.html$",),
        listing=(h + module + r"/(?!print/|savefile/|sendmail/|rss/)[a-z0-9-]+/(?:page-\d+/?)?$",),
        deny=(
            r"/(?:print|savefile|sendmail)/",  # one article, four URLs (portals.md §2.4)
            r"[?&](?:download|pdf)=",
            r"/admin/",
            r"/rss/",
        ),
        sitemaps=(f"http://{host}/sitemap.xml",),
        notes=f"NukeViet 4{' without module name in the path' if not module else ''}; "
        "the date line is 'Thứ năm - 22/11/2018 22:00 | 307'; article:published_time is malformed.",
    )


_QN = "quangninh.gov.vn.test"
_TB = "thaibinh.gov.vn.test"
_BK = "sonoivu.backan.gov.vn.test"
_BP = "stttt.binhphuoc.gov.vn.test"
_QNAM = "toaan.quangnam.gov.vn.test"

PORTALS: tuple[Portal, ...] = (
    _liferay("hoabinh", "hoabinh.gov.vn.test", "Hòa Bình", "Liferay 6.2; three URL forms per article."),
    _liferay("bacgiang", "bacgiang.gov.vn.test", "Bắc Giang", "Liferay 6.2; three URL forms per article."),
    Portal(
        name="quangninh",
        province="Quảng Ninh",
        family="sharepoint",
        hosts=(_QN,),
        start_urls=(
            f"http://{_QN}/Trang/tin-tuc-su-kien.aspx",
            f"http://{_QN}/Trang/tin-so-nganh.aspx",
            f"http://{_QN}/So/snv/Trang/tin-tuc-su-kien.aspx",
        ),
        article=(r"(?i)" + _re_host(_QN) + r"(?:/so/snv)?/trang/chitiettintuc\.aspx\?nid=\d+$",),
        listing=(
            r"(?i)"
            + _re_host(_QN)
            + r"(?:/so/snv)?/trang/(?:tin-tuc-su-kien|tin-so-nganh)\.aspx(?:\?page=\d+)?$",
        ),
        deny=(r"(?i)/_layouts/", r"^javascript:"),
        notes="SharePoint 'Trang' variant; the /So/snv/ sub-site republishes relevant articles under "
        "another nid with the title prefix 'Sở Nội vụ: ' and a 'Nguồn: Sở Nội vụ' line. "
        "Paths are case-insensitive.",
    ),
    Portal(
        name="thaibinh",
        province="Thái Bình",
        family="sharepoint",
        hosts=(_TB,),
        start_urls=(
            f"http://{_TB}/tintuc/Pages/tin-so-nganh.aspx",
            f"http://{_TB}/tintuc/Pages/thi-dua-khen-thuong.aspx",
        ),
        article=(r"(?i)" + _re_host(_TB) + r"/tintuc/pages/[a-z0-9-]+\.aspx\?(?:.*&)?itemid=\d+(?:&.*)?$",),
        listing=(
            r"(?i)" + _re_host(_TB) + r"/tintuc/pages/[a-z0-9-]+\.aspx(?:\?date=&eventid=0&page=\d+)?$",
        ),
        deny=(r"(?i)[?&]date=[^&]", r"(?i)[?&]ngay=", r"(?i)/_layouts/"),
        notes="SharePoint 'list page + ItemID': one .aspx serves listing and detail; a stale page= may "
        "stick to detail URLs; the 'Các tin đã đưa ngày' date filter is a trap.",
    ),
    Portal(
        name="backan-snv",
        province="Bắc Kạn",
        family="sharepoint",
        hosts=(_BK,),
        start_urls=(
            f"http://{_BK}/Pages/thong-tin-hoat-dong-387.aspx",
            f"http://{_BK}/Pages/thi-dua-khen-thuong-581.aspx",
        ),
        article=(r"(?i)" + _re_host(_BK) + r"/pages/[a-z0-9-]+-\d+/[a-z0-9-]+-[0-9a-f]{16}\.aspx$",),
        listing=(r"(?i)" + _re_host(_BK) + r"/pages/[a-z0-9-]+-\d+\.aspx(?:\?page=\d+)?$",),
        deny=(r"(?i)/_layouts/",),
        notes="SharePoint 'Pages/<cat>-<id>/<slug30>-<16hex>.aspx'; date '( Cập nhật lúc: dd/mm/yyyy  )'.",
    ),
    Portal(
        name="binhphuoc-stttt",
        province="Bình Phước",
        family="aspnet",
        hosts=(_BP,),
        start_urls=(f"http://{_BP}/vn/news.aspx?cat_id=7", f"http://{_BP}/vn/news.aspx?cat_id=12"),
        article=(r"(?i)" + _re_host(_BP) + r"/vn/newsdetail\.aspx\?news_id=\d+$",),
        listing=(r"(?i)" + _re_host(_BP) + r"/vn/news\.aspx\?cat_id=\d+(?:&page=\d+)?$",),
        deny=(r"(?i)/vn/print\.aspx", r"(?i)[?&]ngay=", r"^javascript:"),
        notes="Legacy ASP.NET; a third of pages are windows-1258 (some declared only in <meta>, one with a "
        "wrong HTTP charset); some bodies are NFD. print.aspx duplicates every article.",
    ),
    _nukeviet(
        "tayninh-stc",
        "sotaichinh.tayninh.gov.vn.test",
        "Tây Ninh",
        "/vi/news",
        ("hoat-dong-cua-so", "thi-dua-khen-thuong"),
    ),
    _nukeviet(
        "binhdinh-stp",
        "stp.binhdinh.gov.vn.test",
        "Bình Định",
        "",
        ("hoat-dong-chi-dao-dieu-hanh", "thi-dua-khen-thuong"),
    ),
    Portal(
        name="quangnam-toaan",
        province="Quảng Nam",
        family="wordpress",
        hosts=(_QNAM,),
        start_urls=(f"http://{_QNAM}/tin-tuc/",),
        article=(
            _re_host(_QNAM) + r"/(?!tin-tuc/|feed/|wp-|page/|category/|viewspace-)[a-z0-9-]+/$",
            _re_host(_QNAM) + r"/(?!viewspace-)[a-z0-9-]+\.html$",  # legacy URLs, some still 200
        ),
        listing=(_re_host(_QNAM) + r"/tin-tuc/(?:page/\d+/)?$",),
        deny=(r"/viewspace-", r"[?&]p=\d+", r"/wp-admin/", r"/wp-json/", r"/feed/"),
        sitemaps=(f"http://{_QNAM}/wp-sitemap.xml",),
        feeds=(f"http://{_QNAM}/feed/",),
        notes="WordPress; legacy /<slug>.html duplicates (some 301, some 200); hidden footer links to "
        "injected gambling pages that robots.txt disallows.",
    ),
    _liferay(
        "thidua-tw",
        "thiduakhenthuong.vn.test",
        None,
        "National Liferay site; republishes Quảng Nam bloc news with the title prefix 'Quảng Nam: '.",
    ),
)


def by_name(name: str) -> Portal:
    """Return the registered portal called `name`."""
    for p in PORTALS:
        if p.name == name:
            return p
    known = ", ".join(p.name for p in PORTALS) or "none"
    raise KeyError(f"no portal named {name!r} in crawler/registry.py (known: {known})")


def for_url(url: str) -> Portal | None:
    """Return the portal whose hosts include the URL's host (longest host suffix wins)."""
    host = (urlsplit(url).hostname or "").lower()
    best: tuple[int, Portal] | None = None
    for p in PORTALS:
        for h in p.hosts:
            matches = host == h or host.endswith("." + h)
            if matches and (best is None or len(h) > best[0]):
                best = (len(h), p)
    return best[1] if best else None
