"""NukeViet 4 department sites (tayninh-stc, binhdinh-stp): portals.md §2.4 and §6.4.

URLs (``<m>`` is ``/vi/news``, or empty on the module-less site):
``<m>/<cat>/`` and ``<m>/<cat>/page-N`` listings; ``<m>/<cat>/<alias>-<id>.html`` articles, an
outdated alias 301s to the current one; ``<m>/print/…``, ``<m>/savefile/…``, ``<m>/sendmail/…``
views of the same article; ``?download=1&id=0`` / ``?pdf=1&id=0`` attachments; ``<m>/rss/<cat>/``;
``/sitemap.xml``; robots.txt disallowing ``/admin/``.
Some aliases drop every non-ASCII letter (the Tây Ninh way), some titles are NFD, and
``article:published_time`` carries NukeViet's malformed value (``2018-11-22+0722:00:00``).
"""

# ruff: noqa: E501 - HTML templates keep one element per line, so the markup stays readable

from __future__ import annotations

import re
import unicodedata
from typing import ClassVar
from urllib.parse import unquote

from crawler.mockportals.corpus import ascii_slug, stable_number
from crawler.mockportals.families.base import (
    WEEKDAYS,
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
)


def broken_alias(title: str) -> str:
    """Build an alias that drops every non-ASCII letter, as an old NukeViet config did."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:90].rstrip("-") or "bai-viet"


class NukeVietSite(Site):
    family = "nukeviet"
    MODULE = "/vi/news"
    # NukeViet sends Last-Modified (the article's edit time) but no ETag
    VALIDATORS: ClassVar[tuple[str, ...]] = ("last-modified",)
    CATEGORIES: ClassVar[tuple[str, ...]] = ("hoat-dong-cua-so", "thi-dua-khen-thuong")
    LABELS: ClassVar[dict[str, str]] = {
        "hoat-dong-cua-so": "Hoạt động của Sở",
        "hoat-dong-chi-dao-dieu-hanh": "Hoạt động chỉ đạo điều hành",
        "thi-dua-khen-thuong": "Thi đua - Khen thưởng",
    }

    def alias(self, entry: Entry) -> str:
        if stable_number(entry.article.id + "|alias") % 3 == 0:
            return broken_alias(entry.title)
        return ascii_slug(entry.title, 90)

    def shown_title(self, entry: Entry) -> str:
        """Return the title as printed; a few articles were typed with combining diacritics."""
        if stable_number(entry.article.id + "|nfd") % 5 == 0:
            return unicodedata.normalize("NFD", entry.title)
        return entry.title

    def _path(self, entry: Entry, view: str = "") -> str:
        v = f"/{view}" if view else ""
        return f"{self.MODULE}{v}/{entry.category}/{self.alias(entry)}-{entry.local_id}.html"

    def article_url(self, entry: Entry) -> str:
        return self.base + self._path(entry)

    def variant_urls(self, entry: Entry) -> list[str]:
        return [self.base + self._path(entry, v) for v in ("print", "savefile", "sendmail")] + [
            f"{self.base}{self.MODULE}/{entry.category}/{ascii_slug(entry.title, 40)}-cu-{entry.local_id}.html"
        ]

    def listing_url(self, cat: str, page: int) -> str:
        return f"{self.base}{self.MODULE}/{cat}/" + (f"page-{page}" if page > 1 else "")

    def start_urls(self) -> list[str]:
        return [self.listing_url(c, 1) for c in self.CATEGORIES]

    # ---- routing ----------------------------------------------------------------------------
    def handle(self, req: Request) -> Response:
        path = unquote(req.path)
        params = req.params
        if path == "/robots.txt":
            return text_response(
                f"User-agent: *\nDisallow: /admin/\nDisallow: /includes/\nSitemap: {self.base}/sitemap.xml\n",
                "text/plain",
            )
        if path == "/sitemap.xml":
            return self.sitemap([(self.article_url(e), e) for e in self.entries])
        if path in ("/", self.MODULE, self.MODULE + "/"):
            return html_response(self._frame(self.portal.site_name, self._home()))
        if not path.startswith(self.MODULE + "/"):
            return not_found(path)
        rest = path[len(self.MODULE) :]
        if m := re.fullmatch(r"/rss/([a-z0-9-]+)/?", rest):
            return self._rss(m.group(1))
        if m := re.fullmatch(r"/(?:(print|savefile|sendmail)/)?([a-z0-9-]+)/([a-z0-9-]+)-(\d+)\.html", rest):
            view, cat, alias, num = m.groups()
            entry = self.entry_by_id(int(num))
            if entry is None or entry.category != cat:
                return not_found(path)
            if "download" in params or "pdf" in params:
                return Response(
                    200, b"%PDF-1.4\n% mock attachment\n%%EOF\n", {"Content-Type": "application/pdf"}
                )
            if alias != self.alias(entry):
                return redirect(self.base + self._path(entry, view or ""))
            if view == "print":
                return html_response(self._print(entry))
            if view == "savefile":
                return Response(
                    200,
                    self._print(entry).encode("utf-8"),
                    {
                        "Content-Type": "text/html; charset=utf-8",
                        "Content-Disposition": f'attachment; filename="{self.alias(entry)}.html"',
                    },
                )
            if view == "sendmail":
                return html_response(self._sendmail(entry))
            return html_response(self._article(entry))
        if m := re.fullmatch(r"/([a-z0-9-]+)/(?:page-(\d+)/?)?", rest):
            cat = m.group(1)
            if cat not in self.CATEGORIES:
                return not_found(path)
            return html_response(self._listing(cat, int(m.group(2) or 1)))
        return not_found(path)

    # ---- pages ------------------------------------------------------------------------------
    def _frame(self, title: str, content: str, *, head: str = "") -> str:
        menu = "".join(
            f'<li><a href="{esc(self.listing_url(c, 1))}">{esc(self.LABELS.get(c, c))}</a></li>'
            for c in self.CATEGORIES
        )
        return f"""<!DOCTYPE html>
<html lang="vi" xmlns="http://www.w3.org/1999/xhtml" prefix="og: http://ogp.me/ns#">
<head><title>{esc(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8"/>
<meta name="generator" content="NukeViet v4.4"/>{head}</head>
<body>
<div class="section-header"><div class="header-date">{esc(self.today_str())}</div>
<h1 class="site-name"><a href="/" title="{esc(self.portal.site_name)}">{esc(self.portal.site_name)}</a></h1></div>
<nav class="second-nav" id="menusite"><ul class="nav navbar-nav"><li><a href="/">Trang nhất</a></li>{menu}</ul></nav>
<div class="wraper"><div class="row"><div class="col-md-18">
{content}
</div><div class="col-md-6"><div class="panel panel-primary"><div class="panel-heading">Thống kê truy cập</div>
<div class="panel-body">Đang truy cập: {self.visits() % 40 + 2}<br/>Tổng lượt truy cập: {self.visits()}</div></div></div></div></div>
<footer id="footer" class="footer"><div class="copyright">
<p>Bản quyền thuộc {esc(self.portal.site_name)}</p><p>{esc(self.portal.licence)}</p>
<p>{esc(self.portal.source_notice)}</p></div></footer>
</body></html>"""

    def _home(self) -> str:
        return "".join(
            f'<div class="panel panel-default"><div class="panel-heading"><a href="{esc(self.listing_url(c, 1))}">'
            f"{esc(self.LABELS.get(c, c))}</a></div><ul>"
            + "".join(
                f'<li><a href="{esc(self.article_url(e))}">{esc(self.shown_title(e))}</a></li>'
                for e in self.in_category(c)[:4]
            )
            + "</ul></div>"
            for c in self.CATEGORIES
        )

    def _listing(self, cat: str, page: int) -> str:
        entries = self.in_category(cat)
        last = pages(entries)
        if not 1 <= page <= last:
            return not_found_page(self)
        rows = "".join(
            f'<div class="news_column panel panel-default"><div class="panel-body"><h3>'
            f'<a href="{esc(self.article_url(e))}" title="{esc(e.title)}">{esc(self.shown_title(e))}</a></h3>'
            f'<ul class="list-inline"><li>{self._dateline(e)}</li></ul>'
            f'<div class="text-muted">{esc(e.paragraphs[0][:220] if e.paragraphs else "")}</div></div></div>'
            for e in page_slice(entries, page)
        )
        nums = "".join(
            f'<li class="active"><a href="#">{p}</a></li>'
            if p == page
            else f'<li><a href="{esc(self.listing_url(cat, p))}">{p}</a></li>'
            for p in range(1, last + 1)
        )
        return self._frame(
            self.LABELS.get(cat, cat),
            f'{rows}<div class="text-center"><ul class="pagination">{nums}</ul></div>',
        )

    def _dateline(self, e: Entry) -> str:
        return f"{WEEKDAYS[e.date.weekday()]} - {dmy(e.date)} {e.time.strftime('%H:%M')}"

    def _article(self, entry: Entry) -> str:
        self.mark_served(entry)
        views = stable_number(entry.article.id) % 3000 + 48
        title = self.shown_title(entry)
        lead, rest = (
            (entry.paragraphs[0], entry.paragraphs[1:])
            if len(entry.paragraphs) > 1
            else ("", entry.paragraphs)
        )
        body = "\n".join(f"<p>{paragraph_html(p)}</p>" for p in rest)
        author = (
            f'<p class="h5 text-right"><strong>Tác giả: </strong>{esc(entry.author)}</p>'
            if entry.author
            else ""
        )
        source = (
            f'<p class="h5 text-right"><strong>Nguồn tin: </strong>{esc(entry.source_line.removeprefix("Nguồn: "))}</p>'
            if entry.source_line
            else ""
        )
        pos = self.entries.index(entry)
        newer, older = self.entries[max(0, pos - 3) : pos], self.entries[pos + 1 : pos + 4]

        def rel(items: list[Entry], heading: str) -> str:
            if not items:
                return ""
            lis = "".join(
                f'<li><a href="{esc(self.article_url(e))}" title="{esc(e.title)}"><h4>{esc(self.shown_title(e))}</h4></a>'
                f" <em>({dmy(e.date)})</em></li>"
                for e in items
            )
            return f'<p class="h3"><strong>{heading}</strong></p><ul class="related">{lis}</ul>'

        malformed = (
            f"{entry.date:%Y-%m-%d}+07{entry.time:%H:%M}:00"  # PHP date('Y-m-dTH:i:s') on a +07 server
        )
        head = (
            f'\n<meta property="og:type" content="article"/>\n<meta property="og:title" content="{esc(title)}"/>'
            f'\n<meta property="article:published_time" content="{malformed}"/>'
            f'\n<link rel="canonical" href="{esc(self.article_url(entry))}"/>'
        )
        tools = (
            f'<ul class="list-inline"><li><a href="{esc(self.base + self._path(entry, "sendmail"))}" title="Giới thiệu bài viết cho bạn bè">'
            f'<em class="fa fa-envelope"></em></a></li><li><a href="{esc(self.base + self._path(entry, "print"))}" title="In ra">'
            f'<em class="fa fa-print"></em></a></li><li><a href="{esc(self.base + self._path(entry, "savefile"))}" title="Lưu bài viết này">'
            f'<em class="fa fa-save"></em></a></li></ul>'
        )
        content = f"""<div class="news_column panel panel-default"><div class="panel-body">
<h1 class="title margin-bottom-lg">{esc(title)}</h1>
<div class="row margin-bottom-lg"><div class="col-md-12"><span class="h5">{self._dateline(entry)}</span> <span class="views">| {views}</span> <span class="comments">0</span></div>
<div class="col-md-12">{tools}</div></div>
<div class="clearfix"><div class="hometext m-bottom">{paragraph_html(lead)}</div></div>
<div id="news-bodyhtml" class="bodytext margin-bottom-lg">
{body}
</div>
<div class="panel panel-default"><div class="panel-heading">File đính kèm</div><div class="panel-body">
<a href="{esc(self.article_url(entry))}?download=1&amp;id=0">Tải về</a> | <a href="{esc(self.article_url(entry))}?pdf=1&amp;id=0">Xem trực tuyến</a></div></div>
{author}{source}
<div class="alert alert-info">Bản quyền thuộc {esc(self.portal.site_name)}</div>
</div></div>
<div class="news_column panel panel-default"><div class="panel-body">Từ khóa: <a href="#">thi đua</a>, <a href="#">khen thưởng</a></div></div>
<div class="news_column panel panel-default"><div class="panel-body other-news">
{rel(newer, "Những tin mới hơn")}
{rel(older, "Những tin cũ hơn")}
</div></div>"""
        return self._frame(title, content, head=head)

    def _print(self, entry: Entry) -> str:
        body = "\n".join(f"<p>{paragraph_html(p)}</p>" for p in entry.paragraphs)
        author = (
            f'<p class="text-right"><strong>Tác giả: </strong>{esc(entry.author)}</p>' if entry.author else ""
        )
        return f"""<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"/><title>{esc(entry.title)}</title></head>
<body><div id="print"><h1>{esc(self.shown_title(entry))}</h1><p class="time">{self._dateline(entry)}</p>
<div class="bodytext">{body}</div>{author}<p class="text-center"><a href="javascript:window.print()">In bài viết này</a></p></div></body></html>"""

    def _sendmail(self, entry: Entry) -> str:
        return self._frame(
            "Gửi bài viết qua email",
            f'<form method="post"><p>Gửi bài viết: {esc(entry.title)}</p><input name="friend_email"/><input type="submit" value="Gửi"/></form>',
        )

    def _rss(self, cat: str) -> Response:
        if cat not in self.CATEGORIES:
            return not_found(cat)
        items = "".join(
            f"<item><title>{esc(e.title)}</title><link>{esc(self.article_url(e))}</link></item>"
            for e in self.in_category(cat)
        )
        return text_response(
            f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{esc(self.portal.site_name)}</title>'
            f"{items}</channel></rss>",
            "application/rss+xml; charset=utf-8",
        )


def not_found_page(site: NukeVietSite) -> str:
    """Return NukeViet's in-theme 'not found' text for a page number past the end."""
    return site._frame(
        "Lỗi", '<div class="alert alert-danger">Không có bài viết nào trong chuyên mục này</div>'
    )


class ModulelessNukeVietSite(NukeVietSite):
    """A NukeViet site whose news module is the home module: no ``/vi/news`` in paths (stp.binhdinh)."""

    MODULE = ""
    CATEGORIES: ClassVar[tuple[str, ...]] = ("hoat-dong-chi-dao-dieu-hanh", "thi-dua-khen-thuong")
