"""SharePoint 2010/2013 portals: portals.md §2.2 and §6.2.

Three vendor variants share the page chrome (``form#aspnetForm``, "Skip Ribbon Commands",
``#s4-workspace``, web-part ids, "Các tin đã đưa" sidebar, licence footer):

* ``QuangNinhSite`` (variant C): ``/Trang/ChiTietTinTuc.aspx?nid=<n>`` (also linked as
  ``/trang/chitiettintuc.aspx?NID=<n>`` and with an explicit ``:80``), listing
  ``/Trang/tin-tuc-su-kien.aspx?page=N``; department sub-site ``/So/snv/Trang/…`` republishing
  the relevant articles under another nid with a title prefix and "Nguồn: Sở Nội vụ".
* ``ThaiBinhSite`` (variant B): ``/tintuc/Pages/<cat>.aspx`` is both listing (``?date=&EventID=0&page=N``)
  and detail (``?ItemID=<n>``, sometimes with a stale ``page=``); the Content-Link error text
  precedes every title; a "Các tin đã đưa ngày" date filter returns empty lists for most dates.
* ``BacKanSite`` (variant A): ``/Pages/<cat>-<id>/<slug30>-<16hex>.aspx`` and
  ``( Cập nhật lúc: dd/mm/yyyy  )``.

Paths are case-insensitive, as on IIS.
"""

# ruff: noqa: E501 - HTML templates keep one element per line, so the markup stays readable

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Sequence
from typing import ClassVar
from urllib.parse import unquote

from crawler.mockportals.corpus import ascii_slug, stable_number
from crawler.mockportals.families.base import (
    Entry,
    Request,
    Response,
    Site,
    dmy,
    esc,
    html_response,
    not_found,
    page_slice,
    pages,
    paragraph_html,
    redirect,
    text_response,
    to_int,
)

CONTENT_LINK_ERROR = (
    "Cannot retrieve the URL specified in the Content Link property. "
    "For more assistance, contact your site administrator."
)
WEBPART = "ctl00_ctl30_g_a823d20f_9452_45d0_bad1_428f6d2d36fe"
CAPTION = "Quang cảnh hội nghị."


class SharePointSite(Site):
    family = "sharepoint"
    CATEGORIES: ClassVar[tuple[str, ...]] = ("tin-tuc",)
    LABELS: ClassVar[dict[str, str]] = {}

    def label(self, cat: str) -> str:
        return self.LABELS.get(cat, "Tin tức")

    # ---- chrome -----------------------------------------------------------------------------
    def _frame(
        self, title: str, content: str, *, action: str = "/", nav: Sequence[tuple[str, str]] = ()
    ) -> str:
        tok = self.token(title)
        menu = "".join(f'<li><a href="{esc(u)}">{esc(t)}</a></li>' for t, u in nav)
        older = "".join(
            f'<li><a href="{esc(self.article_url(e))}">{esc(e.title)}</a> <span class="date">({dmy(e.date)})</span></li>'
            for e in self.entries[:10]
        )
        n = self.visits()
        return f"""<!DOCTYPE html>
<html dir="ltr" lang="vi-VN"><head><meta http-equiv="X-UA-Compatible" content="IE=10"/>
<meta http-equiv="Content-type" content="text/html; charset=utf-8"/>
<title>{esc(title)}</title></head>
<body>
<form method="post" action="{esc(action)}" id="aspnetForm">
<div class="aspNetHidden">
<input type="hidden" name="__REQUESTDIGEST" id="__REQUESTDIGEST" value="0x{tok.upper()},{dmy(self.today or dt.date.today())}"/>
<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="/wEPDwUBMA9kFgJmD2QWAgIBD2{tok}"/>
<input type="hidden" name="__EVENTVALIDATION" id="__EVENTVALIDATION" value="/wEdAAK{tok[:16]}"/>
</div>
<div id="s4-ribbonrow"><a href="javascript:;" class="ms-skip">Skip Ribbon Commands</a>
<a href="#mainContent" class="ms-skip">Skip to main content</a></div>
<div id="s4-workspace"><div id="s4-bodyContainer">
<div class="header-top"><span class="current-date">{esc(self.today_str())}</span>
 <span class="top-links">Thư điện tử | Liên hệ | Sơ đồ trang</span>
 <span class="font-tools">Cỡ chữ: <a href="javascript:;">A</a> | <a href="javascript:;">A-</a> | <a href="javascript:;">A+</a></span></div>
<div class="banner"><h2>{esc(self.portal.site_name)}</h2></div>
<div class="menu-top"><ul><li><a href="/">Trang chủ</a></li>{menu}</ul></div>
<div id="ctl00_PlaceHolderMain_MainZone" class="main-zone"><a name="mainContent"></a>
<div id="{WEBPART}" class="ms-webpart-zone">
{content}
</div></div>
<div class="right-zone"><div class="ms-webpart-chrome"><h3>Các tin đã đưa</h3><ul>{older}</ul></div></div>
<div class="footer">
 <p>© {esc(self.portal.site_name)}</p>
 <p>{esc(self.portal.licence)}</p>
 <p>Cơ quan chủ quản: Ủy ban nhân dân tỉnh {esc(self.portal.province or "")}</p>
 <p>{esc(self.portal.source_notice)}</p>
 <p>Lượt truy cập: {n}</p>
 <p><a href="/">RSS</a> | <a href="/">Sơ đồ Cổng</a> | <a href="/_layouts/15/Authenticate.aspx">Đăng nhập</a></p>
</div>
</div></div></form></body></html>"""

    def _body(self, entry: Entry) -> str:
        word = stable_number(entry.article.id + "|word") % 4 == 0
        out = []
        for i, p in enumerate(entry.paragraphs):
            if word:  # Word-pasted HTML keeps MsoNormal classes and empty <o:p> elements
                out.append(
                    f'<p class="MsoNormal" style="text-align:justify">{paragraph_html(p)}<o:p></o:p></p>'
                )
            else:
                out.append(f"<p>{paragraph_html(p)}</p>")
            if i == 0:
                out.append(
                    '<p style="text-align:center"><img src="/PublishingImages/tin-tuc/hoi-nghi.jpg" alt=""/></p>'
                )
                out.append(f'<p style="text-align:center"><em>{CAPTION}</em></p>')
            if word:
                out.append('<p class="MsoNormal"><o:p>&nbsp;</o:p></p>')
        if entry.source_line:
            out.append(f"<p>{esc(entry.source_line)}</p>")
        if entry.author:
            out.append(f'<p style="text-align:right"><strong>{esc(entry.author)}</strong></p>')
        return "\n".join(out)

    def _article_content(
        self, entry: Entry, date_html: str, *, error: bool, related_url: Callable[[Entry], str]
    ) -> str:
        self.mark_served(entry)
        err = f'<div class="ms-webpart-error">{CONTENT_LINK_ERROR}</div>' if error else ""
        label = esc(self.label(entry.category))
        related = "".join(
            f'<li><a href="{esc(related_url(e))}">{esc(e.title)}</a> ({dmy(e.date)})</li>'
            for e in self.related(entry)
            if e.category == entry.category or len(self.entries) < 6
        )
        return f"""{err}
<div class="ms-webpart-titleText">{label}</div>
<div class="breadcrumb"><a href="/">Trang chủ</a> &gt; {label}</div>
<div class="news-detail">
<h1 class="title-news">{esc(entry.title)}</h1>
{date_html}
<div class="ms-rtestate-field">
{self._body(entry)}
</div>
<div class="tools"><a href="javascript:window.print();">In trang</a> | <a href="javascript:;">Gửi email</a> | <a href="#s4-workspace">Về đầu trang</a></div>
</div>
<div class="other-news"><h3>Các tin khác</h3><ul>{related}</ul></div>"""

    def _listing_content(
        self,
        label: str,
        entries: Sequence[Entry],
        link: Callable[[Entry], str],
        page: int,
        last: int,
        page_url: Callable[[int], str],
    ) -> str:
        rows = "".join(
            f'<div class="news-item"><h3><a href="{esc(link(e))}">{esc(e.title)}</a></h3>'
            f'<span class="date">{dmy(e.date)}</span><p class="sapo">{esc(e.paragraphs[0][:200] if e.paragraphs else "")}…</p></div>'
            for e in entries
        )
        nums = " ".join(
            f"<span>{p}</span>" if p == page else f'<a href="{esc(page_url(p))}">{p}</a>'
            for p in range(1, last + 1)
        )
        nxt = f' <a href="{esc(page_url(page + 1))}">&gt;&gt;</a>' if page < last else ""
        return (
            f'<div class="ms-webpart-titleText">{esc(label)}</div><div class="list-news">{rows}</div>'
            f'<div class="pager">Trang: {nums}{nxt}</div>'
        )

    def _robots(self) -> Response:
        return text_response("User-agent: *\nDisallow: /_layouts/\nDisallow: /_vti_bin/\n", "text/plain")


COOKIELESS_SESSION = "ab12cd34ef56gh78ij90kl12"
_COOKIELESS = re.compile(r"^/\(s\([a-z0-9]+\)\)")


class QuangNinhSite(SharePointSite):
    CATEGORIES: ClassVar[tuple[str, ...]] = ("tin-tuc-su-kien", "tin-so-nganh")
    LABELS: ClassVar[dict[str, str]] = {
        "tin-tuc-su-kien": "Tin tức - Sự kiện",
        "tin-so-nganh": "Tin sở, ngành",
        "snv": "Hoạt động Sở Nội vụ",
    }

    def _prefix(self, entry: Entry) -> str:
        return "/So/snv" if entry.category == "snv" else ""

    def article_url(self, entry: Entry) -> str:
        return f"{self.base}{self._prefix(entry)}/Trang/ChiTietTinTuc.aspx?nid={entry.local_id}"

    def variant_urls(self, entry: Entry) -> list[str]:
        p = self._prefix(entry).lower()
        path = f"{self._prefix(entry)}/Trang/ChiTietTinTuc.aspx?nid={entry.local_id}"
        return [
            f"{self.base}{p}/trang/chitiettintuc.aspx?NID={entry.local_id}",
            f"http://{self.host}:80{path}",
            # shared on Zalo: www., tracking parameters and a fragment
            f"http://www.{self.host}{path}&utm_source=zalo&utm_medium=zalo&zarsrc=30#top",
            # ASP.NET cookieless session state puts the session id in the path
            f"{self.base}/(S({COOKIELESS_SESSION})){path}",
        ]

    def _link(self, entry: Entry) -> str:
        """Link an article the way the portal's templates do: a third canonical, the rest variants."""
        k = stable_number(entry.article.id + entry.category) % 6
        if k < len(self.variant_urls(entry)):
            return self.variant_urls(entry)[k]
        return self.article_url(entry)

    def start_urls(self) -> list[str]:
        return [
            f"{self.base}/Trang/tin-tuc-su-kien.aspx",
            f"{self.base}/Trang/tin-so-nganh.aspx",
            f"{self.base}/So/snv/Trang/tin-tuc-su-kien.aspx",
        ]

    def _nav(self) -> list[tuple[str, str]]:
        return [
            ("Tin tức - Sự kiện", "/Trang/tin-tuc-su-kien.aspx"),
            ("Tin sở, ngành", "/Trang/tin-so-nganh.aspx"),
            ("Sở Nội vụ", "/So/snv/Trang/tin-tuc-su-kien.aspx"),
        ]

    def handle(self, req: Request) -> Response:
        path = _COOKIELESS.sub("", unquote(req.path).lower().rstrip("/"))
        if path == "/robots.txt":
            return self._robots()
        if path == "/sitemap.xml":  # named in the registry, not in robots.txt
            return self.sitemap([(self.article_url(e), e) for e in self.entries])
        if path in ("", "/trang/default.aspx", "/so/snv", "/so/snv/trang/default.aspx"):
            return html_response(self._frame(self.portal.site_name, self._home(), nav=self._nav()))
        m = re.fullmatch(r"(/so/snv)?/trang/([a-z0-9-]+)\.aspx", path)
        if not m:
            return not_found(req.path)
        sub, page_name = m.group(1) is not None, m.group(2)
        if page_name == "chitiettintuc":
            nid = to_int(req.param_ci("nid"), -1)
            entry = self.entry_by_id(nid)
            if entry is None or (entry.category == "snv") != sub:
                return not_found(f"nid={nid}")
            if sub:
                date_html = (
                    f'<span id="{WEBPART}_pnHide" class="date">( Cập nhật lúc: {dmy(entry.date)}  )</span>'
                )
            else:
                date_html = f'<div class="date">{dmy(entry.date)} {entry.time.strftime("%H:%M")}</div>'
            error = stable_number(entry.article.id) % 3 == 0
            content = self._article_content(entry, date_html, error=error, related_url=self._link)
            return html_response(self._frame(entry.title, content, action=req.path, nav=self._nav()))
        cat = "snv" if sub else page_name
        if page_name != "tin-tuc-su-kien" and (sub or cat not in self.CATEGORIES):
            return not_found(req.path)
        if sub and page_name != "tin-tuc-su-kien":
            return not_found(req.path)
        entries = self.in_category(cat)
        last = pages(entries)
        page = to_int(req.param_ci("page"), 1)
        page = page if 1 <= page <= last else 1
        base = f"{'/So/snv' if sub else ''}/Trang/{page_name}.aspx"
        content = self._listing_content(
            self.label(cat), page_slice(entries, page), self._link, page, last, lambda p: f"{base}?page={p}"
        )
        return html_response(self._frame(self.label(cat), content, action=base, nav=self._nav()))

    def _home(self) -> str:
        out = []
        for cat in (*self.CATEGORIES, "snv"):
            items = "".join(
                f'<li><a href="{esc(self._link(e))}">{esc(e.title)}</a> ({dmy(e.date)})</li>'
                for e in self.in_category(cat)[:5]
            )
            out.append(f"<div class='box'><h3>{esc(self.label(cat))}</h3><ul>{items}</ul></div>")
        return "\n".join(out)


class ThaiBinhSite(SharePointSite):
    CATEGORIES: ClassVar[tuple[str, ...]] = ("tin-so-nganh", "thi-dua-khen-thuong")
    LABELS: ClassVar[dict[str, str]] = {
        "tin-so-nganh": "Tin sở, ngành",
        "thi-dua-khen-thuong": "Thi đua - Khen thưởng",
    }

    def article_url(self, entry: Entry) -> str:
        return f"{self.base}/tintuc/Pages/{entry.category}.aspx?ItemID={entry.local_id}"

    def variant_urls(self, entry: Entry) -> list[str]:
        return [
            f"{self.article_url(entry)}&page=2",
            f"{self.base}/TinTuc/pages/{entry.category}.aspx?itemid={entry.local_id}",
        ]

    def listing_url(self, cat: str, page: int) -> str:
        return f"{self.base}/tintuc/Pages/{cat}.aspx?date=&EventID=0&page={page}"

    def start_urls(self) -> list[str]:
        return [f"{self.base}/tintuc/Pages/{c}.aspx" for c in self.CATEGORIES]

    def _nav(self) -> list[tuple[str, str]]:
        return [(self.label(c), f"/tintuc/Pages/{c}.aspx") for c in self.CATEGORIES]

    def handle(self, req: Request) -> Response:
        path = unquote(req.path).lower().rstrip("/")
        if path == "/robots.txt":
            return self._robots()
        if path in ("", "/pages/default.aspx"):
            return redirect(f"{self.base}/tintuc/Pages/tin-so-nganh.aspx", 302)
        m = re.fullmatch(r"/tintuc/pages/([a-z0-9-]+)\.aspx", path)
        if not m or m.group(1) not in self.CATEGORIES:
            return not_found(req.path)
        cat = m.group(1)
        item = req.param_ci("ItemID")
        if item is not None:
            entry = self.entry_by_id(to_int(item, -1))
            if entry is None:
                return not_found(f"ItemID={item}")
            date_html = f'<div class="date">{dmy(entry.date)}</div>'
            content = self._article_content(entry, date_html, error=True, related_url=self.article_url)
            return html_response(self._frame(entry.title, content, action=req.path, nav=self._nav()))
        entries = self.in_category(cat)
        filt = (req.param_ci("date") or "").strip()
        if filt:  # "Các tin đã đưa ngày": only that day's news, usually none
            entries = [e for e in entries if dmy(e.date) == filt]
        last = pages(entries)
        page = to_int(req.param_ci("page"), 1)
        page = page if 1 <= page <= last else 1

        def link(e: Entry) -> str:
            # the listing's page= sticks to detail links, as on the real portals
            return self.article_url(e) + (f"&page={page}" if page > 1 else "")

        content = self._listing_content(
            self.label(cat), page_slice(entries, page), link, page, last, lambda p: self.listing_url(cat, p)
        )
        days = "".join(f"<option>{d}</option>" for d in range(1, 32))
        content += f"""<div class="date-filter">Các tin đã đưa ngày:
<form method="get" action="/tintuc/Pages/{cat}.aspx"><input type="text" name="date" value="{esc(filt)}"/>
<select name="ngay">{days}</select><input type="hidden" name="EventID" value="0"/><input type="submit" value="Xem"/></form></div>"""
        return html_response(self._frame(self.label(cat), content, action=req.path, nav=self._nav()))


class BacKanSite(SharePointSite):
    CATEGORIES: ClassVar[tuple[str, ...]] = ("thong-tin-hoat-dong-387", "thi-dua-khen-thuong-581")
    LABELS: ClassVar[dict[str, str]] = {
        "thong-tin-hoat-dong-387": "Thông tin hoạt động",
        "thi-dua-khen-thuong-581": "Thi đua - Khen thưởng",
    }

    def _slug(self, entry: Entry) -> str:
        hexid = hashlib.md5(entry.article.id.encode()).hexdigest()[:16]
        return f"{ascii_slug(entry.title, 30)}-{hexid}"

    def article_url(self, entry: Entry) -> str:
        return f"{self.base}/Pages/{entry.category}/{self._slug(entry)}.aspx"

    def variant_urls(self, entry: Entry) -> list[str]:
        return [f"{self.base}/pages/{entry.category}/{self._slug(entry)}.aspx"]

    def listing_url(self, cat: str, page: int) -> str:
        return f"{self.base}/Pages/{cat}.aspx" + (f"?Page={page}" if page > 1 else "")

    def start_urls(self) -> list[str]:
        return [self.listing_url(c, 1) for c in self.CATEGORIES]

    def _nav(self) -> list[tuple[str, str]]:
        return [(self.label(c), f"/Pages/{c}.aspx") for c in self.CATEGORIES]

    def handle(self, req: Request) -> Response:
        path = unquote(req.path).lower().rstrip("/")
        if path == "/robots.txt":
            return self._robots()
        if path in ("", "/pages/default.aspx"):
            items = "".join(
                f'<li><a href="{esc(self.article_url(e))}">{esc(e.title)}</a></li>' for e in self.entries[:6]
            )
            return html_response(self._frame(self.portal.site_name, f"<ul>{items}</ul>", nav=self._nav()))
        if m := re.fullmatch(r"/pages/([a-z0-9-]+)\.aspx", path):
            cat = m.group(1)
            if cat not in self.CATEGORIES:
                return not_found(req.path)
            entries = self.in_category(cat)
            last = pages(entries)
            page = to_int(req.param_ci("Page"), 1)
            page = page if 1 <= page <= last else 1
            content = self._listing_content(
                self.label(cat),
                page_slice(entries, page),
                self.article_url,
                page,
                last,
                lambda p: self.listing_url(cat, p),
            )
            return html_response(self._frame(self.label(cat), content, action=req.path, nav=self._nav()))
        if m := re.fullmatch(r"/pages/([a-z0-9-]+)/([a-z0-9-]+)\.aspx", path):
            for entry in self.entries:
                if entry.category == m.group(1) and self._slug(entry) == m.group(2):
                    date_html = f'<span id="{WEBPART}_pnHide" class="date">( Cập nhật lúc: {dmy(entry.date)}  )</span>'
                    content = self._article_content(
                        entry, date_html, error=False, related_url=self.article_url
                    )
                    return html_response(self._frame(entry.title, content, action=req.path, nav=self._nav()))
        return not_found(req.path)
