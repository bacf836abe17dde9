"""Liferay 6.2 province portal (hoabinh, bacgiang, thidua-tw): portals.md §2.1 and §6.1.

URL space:
* ``/web/guest/<cat>`` listing; page N via the portlet-namespaced ``_cur=N`` parameters
  (per-response ``p_p_auth``, shuffled order, ``javascript:;`` last pager link, out-of-range → page 1).
* Article, three forms serving the same content:
  (a) ``/web/guest/<cat>/-/asset_publisher/<inst>/content/<urlTitle>?redirect=…&inheritRedirect=true``,
  (b) ``/web/guest/-/<urlTitle>`` (the canonical one),
  (c) ``/<cat>/-/view_content/<articleId>-<slug50>``;
  print: (a) + ``&p_p_state=pop_up&_<portlet>_viewMode=print``.
* Trap: relative ``en/`` and ``vi/`` links on article pages resolve under the article path and
  return a listing, to any depth.
* ``;jsessionid=…`` on about one link in five; robots.txt + sitemap.xml (60 % of articles); RSS.
"""

# ruff: noqa: E501 - HTML templates keep one element per line, so the markup stays readable

from __future__ import annotations

import datetime as dt
import re
from email.utils import format_datetime
from urllib.parse import quote, unquote

from crawler.mockportals.corpus import ascii_slug, stable_number
from crawler.mockportals.families.base import (
    Entry,
    Request,
    Response,
    Site,
    dmy,
    esc,
    hm12,
    html_response,
    not_found,
    page_slice,
    pages,
    paragraph_html,
    text_response,
    to_int,
)

INSTANCE = "Ab12Cd34Ef56"
AP_PORTLET = f"101_INSTANCE_{INSTANCE}"
VENDOR_PORTLET = "com_soft_article_listnew_ListNewByCategoryPortlet_INSTANCE_tdpa"

# category slug -> (label, portlet id rendering its listing)
CATEGORIES: dict[str, tuple[str, str]] = {
    "tin-so-nganh": ("Tin sở, ngành", AP_PORTLET),
    "thi-dua-khen-thuong": ("Thi đua - Khen thưởng", VENDOR_PORTLET),
}

_JSESSION = re.compile(r";jsessionid=[^/?]*", re.I)
_TRAP = re.compile(r"/-/.*/(?:en|vi)(?:/|$)")


def url_title(entry: Entry) -> str:
    return ascii_slug(entry.title, 150)


def rfc822(entry: Entry) -> str:
    stamp = dt.datetime.combine(entry.date, entry.time, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    return format_datetime(stamp)


def article_id(entry: Entry) -> int:
    return 3_600_000 + entry.local_id


class LiferaySite(Site):
    family = "liferay"
    CATEGORIES = tuple(CATEGORIES)

    # ---- URLs -------------------------------------------------------------------------------
    def article_url(self, entry: Entry) -> str:
        return f"{self.base}/web/guest/-/{url_title(entry)}"

    def form_a(self, entry: Entry, page: int = 1) -> str:
        redirect = quote(f"{self.base}/web/guest/{entry.category}?_{AP_PORTLET}_cur={page}", safe="")
        return (
            f"{self.base}/web/guest/{entry.category}/-/asset_publisher/{INSTANCE}/content/"
            f"{url_title(entry)}?redirect={redirect}&inheritRedirect=true"
        )

    def form_c(self, entry: Entry) -> str:
        return (
            f"{self.base}/{entry.category}/-/view_content/{article_id(entry)}-{ascii_slug(entry.title, 50)}"
        )

    def print_url(self, entry: Entry) -> str:
        return f"{self.form_a(entry)}&p_p_state=pop_up&_{AP_PORTLET}_viewMode=print"

    def variant_urls(self, entry: Entry) -> list[str]:
        return [self.form_a(entry), self.form_c(entry), self.print_url(entry)]

    def start_urls(self) -> list[str]:
        return [f"{self.base}/", *(f"{self.base}/web/guest/{c}" for c in self.CATEGORIES)]

    def listing_url(self, category: str, page: int) -> str:
        if page == 1:
            return f"{self.base}/web/guest/{category}"
        pid = CATEGORIES[category][1]
        ns = f"_{pid}_"
        params = [
            ("p_p_id", pid),
            ("p_p_lifecycle", "0"),
            ("p_p_state", "normal"),
            ("p_p_mode", "view"),
            ("p_p_col_id", "column-1"),
            ("p_p_col_count", "1"),
            ("p_p_auth", self.token(category, page)[:8]),
        ]
        if pid == AP_PORTLET:
            params += [
                (ns + "delta", "5"),
                (ns + "keywords", ""),
                (ns + "advancedSearch", "false"),
                (ns + "andOperator", "true"),
                (ns + "cur", str(page)),
            ]
        else:
            params += [(ns + "resetCur", "false"), (ns + "delta", "5"), (ns + "cur", str(page))]
        if page % 2 == 0:  # real portals emit the same parameters in varying order
            params.reverse()
        return f"{self.base}/web/guest/{category}?" + "&".join(f"{k}={v}" for k, v in params)

    def _link(self, url: str) -> str:
        """Add a ;jsessionid= to about one link in five, as a cookieless Liferay session does."""
        if stable_number(url) % 5:
            return url
        path, sep, query = url.partition("?")
        return f"{path};jsessionid={self.token(url)[:32].upper()}{sep}{query}"

    # ---- routing ----------------------------------------------------------------------------
    def handle(self, req: Request) -> Response:
        path = _JSESSION.sub("", unquote(req.path))
        params = req.params
        if path == "/robots.txt":
            return text_response(
                f"User-Agent: *\nDisallow:\nSitemap: {self.base}/sitemap.xml\n", "text/plain; charset=utf-8"
            )
        if path == "/sitemap.xml":
            return self._sitemap()
        if path in ("/", "/web/guest", "/web/guest/", "/web/guest/home"):
            return html_response(self._home())
        if _TRAP.search(path):
            # Liferay ignores extra segments after a friendly URL and answers with a listing
            return html_response(self._listing(self.CATEGORIES[0], 1, lang_links=True))
        if path == "/web/guest/rss":
            return html_response(self._rss_page())
        if m := re.fullmatch(r"/web/guest/([a-z0-9-]+)/-/asset_publisher/(\w+)/rss", path):
            return self._rss(m.group(1))
        if m := re.fullmatch(r"/web/guest/([a-z0-9-]+)/?", path):
            cat = m.group(1)
            if cat not in CATEGORIES:
                return not_found(path)
            pid = CATEGORIES[cat][1]
            page = to_int(params.get(f"_{pid}_cur"), 1)
            return html_response(self._listing(cat, page))
        if m := re.fullmatch(r"/web/guest/([a-z0-9-]+)/-/asset_publisher/\w+/content/([a-z0-9-]+)/?", path):
            entry = self._by_title(m.group(2))
            if entry is None:
                return not_found(path)
            printing = (
                params.get("p_p_state") == "pop_up" and params.get(f"_{AP_PORTLET}_viewMode") == "print"
            )
            return html_response(self._print(entry) if printing else self._article(entry))
        if m := re.fullmatch(r"/web/guest/-/([a-z0-9-]+)/?", path):
            entry = self._by_title(m.group(1))
            return html_response(self._article(entry)) if entry else not_found(path)
        if m := re.fullmatch(r"/([a-z0-9-]+)/-/view_content/(\d+)-[a-z0-9-]*/?", path):
            entry = self.entry_by_id(int(m.group(2)) - 3_600_000)
            return html_response(self._article(entry)) if entry else not_found(path)
        return not_found(path)

    def _by_title(self, title: str) -> Entry | None:
        for e in self.entries:
            if url_title(e) == title:
                return e
        return None

    # ---- pages ------------------------------------------------------------------------------
    def _frame(
        self,
        title: str,
        content: str,
        *,
        canonical: str | None = None,
        lang_links: bool = False,
        breadcrumb: str = "",
    ) -> str:
        nav = "".join(
            f'<li><a href="{esc(self._link(self.listing_url(c, 1)))}">{esc(lbl)}</a></li>'
            for c, (lbl, _) in CATEGORIES.items()
        )
        latest = "".join(
            f'<li><a href="{esc(self._link(self.article_url(e)))}">{esc(e.title)}</a> ({dmy(e.date)})</li>'
            for e in self.entries[:5]
        )
        langs = (
            '<div class="language"><a href="en/">English</a> | <a href="vi/">Tiếng Việt</a></div>'
            if lang_links
            else ""
        )
        canon = f'<link rel="canonical" href="{esc(canonical)}"/>' if canonical else ""
        n = self.visits()
        return f"""<!DOCTYPE html>
<html class="aui ltr" dir="ltr" lang="vi-VN">
<head><meta content="text/html; charset=UTF-8" http-equiv="content-type"/>
<title>{esc(title)} - {esc(self.portal.site_name)}</title>{canon}</head>
<body class="yui3-skin-sam controls-visible signed-out public-page site">
<a href="#main-content" id="skip-to-content">Truy cập nội dung luôn</a>
<div id="wrapper" class="container-fluid">
<header id="banner" role="banner">
 <div class="egov_date">{esc(self.today_str())}</div>
 <div class="font-size">Kích cỡ chữ: <a href="javascript:;">A+</a> <a href="javascript:;">A</a> <a href="javascript:;">A-</a></div>
 {langs}
 <h2 class="site-title"><a href="/">{esc(self.portal.site_name)}</a></h2>
</header>
<nav id="navigation" class="sort-pages modify-pages"><ul class="navi">
 <li><a href="/">Trang chủ</a></li>{nav}<li><a href="/web/guest/rss">RSS</a></li></ul></nav>
<div id="content"><div id="main-content" class="portlet-layout row-fluid">
<div id="column-1" class="portlet-column span9">
 <div class="dd_chuyenmuc"><span class="trangchu"><a href="/">Trang chủ</a></span> <span class="tintuc"><p>{esc(breadcrumb or title)}</p></span></div>
 <div id="p_p_id_{AP_PORTLET}_" class="portlet-boundary portlet-asset-publisher">
 <section class="portlet" id="portlet_{AP_PORTLET}">
  <header class="portlet-topper"><h1 class="portlet-title"><span class="portlet-title-text">Xuất bản thông tin</span></h1></header>
  <div class="portlet-content"><div class="portlet-body">
{content}
  </div></div>
 </section></div>
</div>
<div id="column-2" class="portlet-column span3">
 <div class="box-tinmoi"><h2>Tin mới</h2><ul>{latest}</ul></div>
 <div class="lienket"><h2>LIÊN KẾT WEBSITE</h2><select><option>-- Chọn liên kết --</option><option>Chính phủ</option></select></div>
</div></div></div>
<div class="footer-wrapper"><div id="footer">
 <p>| <a href="#wrapper">Về đầu trang</a> |</p>
 <p><strong>{esc(self.portal.site_name)}</strong></p>
 <p>Cơ quan chủ quản: Ủy ban nhân dân tỉnh. Địa chỉ: số 1 đường Trần Hưng Đạo. Điện thoại: 0200.3800.000</p>
 <p>{esc(self.portal.licence)}</p>
 <p>® {esc(self.portal.source_notice)}</p>
 <p>Thống kê truy cập: Đang truy cập {n % 97 + 3} - Tổng lượt truy cập {n}</p>
</div></div>
</div></body></html>"""

    def _home(self) -> str:
        boxes = []
        for cat, (label, _) in CATEGORIES.items():
            items = "".join(
                f'<li><a href="{esc(self._link(self.article_url(e)))}">{esc(e.title)}</a> <span>({dmy(e.date)})</span></li>'
                for e in self.in_category(cat)[:5]
            )
            boxes.append(
                f'<div class="box-news"><h2><a href="{esc(self.listing_url(cat, 1))}">{esc(label)}</a></h2>'
                f'<ul>{items}</ul><a href="{esc(self.listing_url(cat, 1))}">Xem tiếp</a></div>'
            )
        return self._frame("Trang chủ", "\n".join(boxes))

    def _listing(self, cat: str, page: int, *, lang_links: bool = False) -> str:
        entries = self.in_category(cat)
        last = pages(entries)
        if not 1 <= page <= last:
            page = 1  # Liferay answers an out-of-range _cur with the first page
        label, pid = CATEGORIES[cat]
        rows = []
        for e in page_slice(entries, page):
            if pid == AP_PORTLET:
                href = self.form_a(e, page) if stable_number(e.article.id) % 2 else self.form_c(e)
                lead = e.paragraphs[0][:220] if e.paragraphs else ""
                rows.append(
                    '<div class="asset-bounddary"><div class="asset-abstract"><div class="asset-content normal-news">'
                    f'<div class="asset-content-custom"><h3 class="asset-title"><a href="{esc(self._link(href))}">'
                    f'{esc(e.title)}</a></h3><div class="assetPublishDate block_timer">{dmy(e.date)} | {hm12(e.time)}</div>'
                    f'<div class="asset-summary">{esc(lead)}…</div></div></div></div></div>'
                )
            else:
                rows.append(
                    f'<div class="item-news"><a class="title" href="{esc(self._link(self.article_url(e)))}">'
                    f'{esc(e.title)}</a> <span class="date">({dmy(e.date)})</span></div>'
                )
        buttons = [f'<li><a href="{esc(self.listing_url(cat, 1))}">Đầu tiên</a></li>']
        if page > 1:
            buttons.append(f'<li><a href="{esc(self.listing_url(cat, page - 1))}">Trước</a></li>')
        buttons += [
            f'<li class="{"active" if p == page else ""}"><a href="{esc(self.listing_url(cat, p))}">{p}</a></li>'
            for p in range(1, last + 1)
        ]
        if page < last:
            buttons.append(f'<li><a href="{esc(self.listing_url(cat, page + 1))}">Tiếp theo</a></li>')
        buttons.append('<li><a href="javascript:;">Cuối cùng</a></li>')
        pager = (
            f'<div class="lfr-pagination"><div class="lfr-pagination-config">Trang {page} của {last}</div>'
            f'<ul class="lfr-pagination-buttons pager">{"".join(buttons)}</ul></div>'
        )
        return self._frame(label, "\n".join(rows) + pager, lang_links=lang_links)

    def _body(self, entry: Entry) -> str:
        paras = [f"<p>{paragraph_html(p)}</p>" for p in entry.paragraphs]
        if entry.source_line:
            paras.append(f"<p><em>{esc(entry.source_line)}</em></p>")
        if entry.author:
            paras.append(f'<p style="text-align: right;"><strong>{esc(entry.author)}</strong></p>')
        return "\n".join(paras)

    def _article(self, entry: Entry) -> str:
        self.mark_served(entry)
        related = "".join(
            f'<li><a href="{esc(self._link(self.article_url(e)))}">{esc(e.title)}</a> ({dmy(e.date)})</li>'
            for e in self.related(entry)
        )
        views = stable_number(entry.article.id) % 900 + 37
        content = f"""<div class="asset-full-content default-asset-publisher">
 <h3 class="asset-title">{esc(entry.title)}</h3>
 <div class="assetPublishDate block_timer">Ngày đăng {dmy(entry.date)} | {hm12(entry.time)} | Lượt xem: {views}</div>
 <div class="taglib-social-bookmarks">Chia sẻ: <a href="javascript:;">Facebook</a> <a href="javascript:;">Zalo</a>
  <a href="javascript:;">Twitter</a> | <a href="{esc(self.print_url(entry))}">In bài viết</a> | <a href="javascript:;">Gửi email</a></div>
 <div class="journal-content-article">
{self._body(entry)}
 </div>
 <div class="asset-links"><h4>Các tin khác</h4><ul>{related}</ul></div>
</div>"""
        label = CATEGORIES.get(entry.category, ("Tin tức", ""))[0]
        return self._frame(
            label, content, canonical=self.article_url(entry), lang_links=True, breadcrumb=label
        )

    def _print(self, entry: Entry) -> str:
        return f"""<!DOCTYPE html><html lang="vi-VN"><head><meta charset="utf-8"/>
<title>{esc(entry.title)}</title></head><body class="portal-popup">
<div class="asset-full-content"><h3 class="asset-title">{esc(entry.title)}</h3>
<div class="assetPublishDate">Ngày đăng {dmy(entry.date)} | {hm12(entry.time)}</div>
<div class="journal-content-article">{self._body(entry)}</div></div>
<div class="print-action"><a href="javascript:print();">In trang</a></div></body></html>"""

    def _sitemap(self) -> Response:
        # a real sitemap lists only part of the articles: keep about 60 %
        items: list[tuple[str, Entry | None]] = [
            (self.article_url(e), e) for e in self.entries if stable_number(e.article.id) % 5 < 3
        ]
        items += [(self.listing_url(c, 1), None) for c in self.CATEGORIES]
        return self.sitemap(items)

    def _rss_page(self) -> str:
        links = "".join(
            f'<li><a href="/web/guest/{c}/-/asset_publisher/{INSTANCE}/rss">{esc(lbl)}</a></li>'
            for c, (lbl, _) in CATEGORIES.items()
        )
        return self._frame("RSS", f"<ul class='rss'>{links}</ul>")

    def _rss(self, cat: str) -> Response:
        if cat not in CATEGORIES:
            return not_found(cat)
        items = "".join(
            f"<item><title>{esc(e.title)}</title><link>{esc(self.article_url(e))}</link>"
            f"<pubDate>{rfc822(e)}</pubDate></item>"
            for e in self.in_category(cat)
        )
        return text_response(
            f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>{esc(self.portal.site_name)}</title><link>{self.base}/</link>{items}</channel></rss>",
            "application/rss+xml; charset=utf-8",
        )
