"""Legacy ASP.NET WebForms department site (binhphuoc-stttt): portals.md §2.3 and §6.3.

URLs: ``/vn/news.aspx?cat_id=<c>&page=N`` listings, ``/vn/NewsDetail.aspx?news_id=<n>`` and the
print view ``/vn/print.aspx?news_id=<n>``. Table layout, ``lblTitle``/``lblDate`` spans, unpadded
dates (``31/7/2017``), ``&nbsp;``-indented paragraphs, an image whose file name shows as a caption,
"Lượt xem", "Các tin đã đưa:" and a "Xem tin theo ngày:" widget.

Encodings (the point of this mock): about a third of the article pages are windows-1258, some
declared in the HTTP header, some only in ``<meta>``, and exactly one with a wrong HTTP charset
(UTF-8 header, windows-1258 bytes); some UTF-8 bodies are NFD.
"""

# ruff: noqa: E501 - HTML templates keep one element per line, so the markup stays readable

from __future__ import annotations

import re
import unicodedata
from typing import ClassVar, Literal
from urllib.parse import unquote

from crawler.mockportals.corpus import stable_number
from crawler.mockportals.families.base import (
    Entry,
    Request,
    Response,
    Site,
    esc,
    html_response,
    not_found,
    page_slice,
    pages,
    paragraph_html,
    redirect,
    to_int,
)

Encoding = Literal["utf-8", "cp1258-header", "cp1258-meta", "cp1258-wrong-header"]

_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
_CP = "ctl00_ContentPlaceHolder1_"
IMAGE_FILE = "17555421_1364265830263615_132780436_n.jpg"


def encode_cp1258(text: str) -> bytes:
    """Encode text as windows-1258, writing tone marks as combining characters as that code page does."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONE_MARKS))
        tones = "".join(c for c in parts if c in _TONE_MARKS)
        out += (base + tones).encode("cp1258", errors="xmlcharrefreplace")
    return bytes(out)


def d_m_y(entry: Entry) -> str:
    """Format the date without zero padding (31/7/2017), as this CMS does."""
    return f"{entry.date.day}/{entry.date.month}/{entry.date.year}"


class AspNetSite(Site):
    family = "aspnet"
    CATEGORIES: ClassVar[tuple[str, ...]] = ("7", "12")
    LABELS: ClassVar[dict[str, str]] = {"7": "Tin hoạt động", "12": "Thi đua - Khen thưởng"}
    # a hand-written .aspx page sends no validator: a crawler cannot ask "changed since?"
    VALIDATORS: ClassVar[tuple[str, ...]] = ()

    def encoding(self, entry: Entry) -> Encoding:
        """Return how an article page is encoded; stable for a given corpus."""
        legacy = sorted(
            (e for e in self.entries if stable_number(e.article.id + "|enc") % 3 == 0),
            key=lambda e: stable_number(e.article.id),
        )
        if entry not in legacy:
            return "utf-8"
        if entry is legacy[0]:
            return "cp1258-wrong-header"
        return "cp1258-header" if stable_number(entry.article.id) % 2 else "cp1258-meta"

    def is_nfd(self, entry: Entry) -> bool:
        return self.encoding(entry) == "utf-8" and stable_number(entry.article.id + "|nfd") % 3 == 0

    def article_url(self, entry: Entry) -> str:
        return f"{self.base}/vn/NewsDetail.aspx?news_id={entry.local_id}"

    def print_url(self, entry: Entry) -> str:
        return f"{self.base}/vn/print.aspx?news_id={entry.local_id}"

    def variant_urls(self, entry: Entry) -> list[str]:
        return [self.print_url(entry), f"{self.base}/vn/newsdetail.aspx?News_ID={entry.local_id}"]

    def listing_url(self, cat: str, page: int) -> str:
        return f"{self.base}/vn/news.aspx?cat_id={cat}" + (f"&page={page}" if page > 1 else "")

    def start_urls(self) -> list[str]:
        return [self.listing_url(c, 1) for c in self.CATEGORIES]

    def handle(self, req: Request) -> Response:
        path = unquote(req.path).lower()
        if path in ("/", "/vn", "/vn/", "/vn/default.aspx"):
            return html_response(self._frame("Trang chủ", self._home()))
        if path == "/vn/news.aspx":
            cat = req.param_ci("cat_id") or ""
            if cat not in self.CATEGORIES:
                return not_found(req.path)
            return html_response(self._listing(cat, to_int(req.param_ci("page"), 1)))
        if path in ("/vn/newsdetail.aspx", "/vn/print.aspx"):
            entry = self.entry_by_id(to_int(req.param_ci("news_id"), -1))
            if entry is None:
                return not_found(req.path)
            page = self._print(entry) if path.endswith("print.aspx") else self._article(entry)
            return self._encoded(entry, page)
        if m := re.fullmatch(r"/news/tintuc/tinhoatdong/\d{4}/\d{2}/(\d+)\.aspx", path):
            entry = self.entry_by_id(int(m.group(1)))
            return redirect(self.article_url(entry)) if entry else not_found(req.path)
        return not_found(req.path)

    # ---- encodings --------------------------------------------------------------------------
    def _encoded(self, entry: Entry, page: str) -> Response:
        enc = self.encoding(entry)
        if enc == "utf-8":
            if self.is_nfd(entry):
                page = unicodedata.normalize("NFD", page)
            return Response(200, page.encode("utf-8"), {"Content-Type": "text/html; charset=utf-8"})
        page = page.replace('content="text/html; charset=utf-8"', 'content="text/html; charset=windows-1258"')
        header = {
            "cp1258-header": "text/html; charset=windows-1258",
            "cp1258-meta": "text/html",
            "cp1258-wrong-header": "text/html; charset=utf-8",
        }[enc]
        return Response(200, encode_cp1258(page), {"Content-Type": header})

    # ---- pages ------------------------------------------------------------------------------
    def _frame(self, title: str, content: str) -> str:
        menu = "".join(
            f'<td><a href="{esc(self.listing_url(c, 1))}">{esc(self.LABELS[c])}</a></td>'
            for c in self.CATEGORIES
        )
        older = "".join(
            f'<li><a href="{esc(self.article_url(e))}">{esc(e.title)}</a> ({d_m_y(e)})</li>'
            for e in self.entries[:8]
        )
        days = "".join(f"<option>{d}</option>" for d in range(1, 32))
        return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml"><head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>{esc(title)} - {esc(self.portal.site_name)}</title></head>
<body><form name="aspnetForm" method="post" id="aspnetForm">
<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="/wEPDwUKMTY1{self.token(title)}" />
<table width="990" cellpadding="0" cellspacing="0" align="center">
<tr><td class="banner" colspan="2"><img src="/images/banner.jpg" alt="{esc(self.portal.site_name)}" /></td></tr>
<tr><td colspan="2"><table class="menu"><tr><td><a href="/vn/default.aspx">Trang chủ</a></td>{menu}</tr></table></td></tr>
<tr><td valign="top" width="740" class="main">
{content}
</td><td valign="top" width="250" class="right">
<div class="box"><div class="box-title">Các tin đã đưa:</div><ul>{older}</ul></div>
<div class="box"><div class="box-title">Xem tin theo ngày:</div>
<form method="get" action="/vn/news.aspx"><select name="ngay">{days}</select><select name="thang"><option>1</option></select>
<input type="text" name="nam" value="2017" /><input type="submit" value="Xem" /></form></div>
</td></tr>
<tr><td colspan="2" class="footer">
<p>Bản quyền thuộc {esc(self.portal.site_name)}</p>
<p>{esc(self.portal.licence)}</p>
<p>{esc(self.portal.source_notice)}</p>
<p>Số lượt truy cập: {self.visits()}</p>
</td></tr></table></form></body></html>"""

    def _home(self) -> str:
        return "".join(
            f'<h3><a href="{esc(self.listing_url(c, 1))}">{esc(self.LABELS[c])}</a></h3><ul>'
            + "".join(
                f'<li><a href="{esc(self.article_url(e))}">{esc(e.title)}</a></li>'
                for e in self.in_category(c)[:5]
            )
            + "</ul>"
            for c in self.CATEGORIES
        )

    def _listing(self, cat: str, page: int) -> str:
        entries = self.in_category(cat)
        last = pages(entries)
        page = page if 1 <= page <= last else 1
        rows = "".join(
            f'<tr><td class="news-title"><a href="{esc(self.article_url(e))}">{esc(e.title)}</a>'
            f' <span class="date">({d_m_y(e)})</span></td></tr>'
            for e in page_slice(entries, page)
        )
        nums = " ".join(
            f"<b>{p}</b>" if p == page else f'<a href="{esc(self.listing_url(cat, p))}">{p}</a>'
            for p in range(1, last + 1)
        )
        nxt = f' <a href="{esc(self.listing_url(cat, page + 1))}">&gt;&gt;</a>' if page < last else ""
        return self._frame(
            self.LABELS[cat],
            f'<div class="cat-title">{esc(self.LABELS[cat])}</div><table class="list">{rows}</table>'
            f'<div class="pager">Trang: {nums}{nxt}</div>',
        )

    def _body(self, entry: Entry) -> str:
        out = []
        for i, p in enumerate(entry.paragraphs):
            # Word-pasted paragraphs start with runs of non-breaking spaces
            out.append(
                f'<p class="MsoNormal" style="text-align:justify">&nbsp;&nbsp;&nbsp; {paragraph_html(p)}</p>'
            )
            if i == 0 and stable_number(entry.article.id + "|img") % 2 == 0:
                out.append(
                    f'<p align="center"><img src="/upload/news/{IMAGE_FILE}" alt="{IMAGE_FILE}" /></p>'
                )
                out.append(f'<p align="center">{IMAGE_FILE}</p>')
        if entry.author:
            out.append(f'<p align="right"><b>{esc(entry.author)}</b></p>')
        return "\n".join(out)

    def _article(self, entry: Entry) -> str:
        self.mark_served(entry)
        views = stable_number(entry.article.id) % 3000 + 120
        content = f"""<div class="cat-title">{esc(self.LABELS.get(entry.category, "Tin tức"))}</div>
<table class="detail" width="100%"><tr><td>
<span id="{_CP}lblTitle" class="title">{esc(entry.title)}</span><br />
<span id="{_CP}lblDate" class="date">{d_m_y(entry)}</span>
<span class="views">Lượt xem: {views}</span>
<div id="{_CP}divContent" class="content">
{self._body(entry)}
</div>
<div class="tools"><a href="{esc(self.print_url(entry))}">In bài viết</a> | <a href="javascript:history.back()">Quay lại</a></div>
</td></tr></table>"""
        return self._frame(entry.title, content)

    def _print(self, entry: Entry) -> str:
        return f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>{esc(entry.title)}</title></head><body onload="window.print()">
<div class="print"><h2 class="title">{esc(entry.title)}</h2><p class="date">Ngày {d_m_y(entry)}</p>
<div class="content">{self._body(entry)}</div></div></body></html>"""
