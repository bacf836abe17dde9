"""WordPress department site with injected spam (quangnam-toaan): portals.md §2.5 and §6.6.

URLs: ``/tin-tuc/`` and ``/tin-tuc/page/N/`` listings; ``/<slug>/`` articles; legacy
``/<slug>.html`` copies (some 301 to the new URL, some still answer 200 without a canonical link);
``/feed/``; ``/wp-sitemap.xml``.
Article DOM: ``article.post > h1.entry-title``, ``time.entry-date[datetime]`` (missing on some
posts), a bare view counter, ``div.entry-content``, "Tác giả bài viết:".
Spam: five injected gambling pages (``/?p=9990N``, ``/viewspace-N.html``) linked from a hidden
footer block and from one hidden link inside an article; two of them 302 off-site; robots.txt
disallows them.
"""

# ruff: noqa: E501 - HTML templates keep one element per line, so the markup stays readable

from __future__ import annotations

import re
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
)

SPAM_PATHS = ("/?p=99901", "/?p=99902", "/viewspace-123.html", "/viewspace-456.html", "/viewspace-789.html")
OFFSITE = "http://nha-cai-uy-tin.example.test/"
SPAM_WORDS = "Nhà cái uy tín kuwin 98win - nổ hũ, bắn cá, tài xỉu đổi thưởng, khuyến mãi nạp đầu 100%"


class WordPressSite(Site):
    family = "wordpress"
    CATEGORIES: ClassVar[tuple[str, ...]] = ("tin-tuc",)

    def slug(self, entry: Entry) -> str:
        return ascii_slug(entry.title, 90)

    def legacy_slug(self, entry: Entry) -> str:
        return "tand-" + ascii_slug(entry.title, 60)

    def legacy_redirects(self, entry: Entry) -> bool:
        return stable_number(entry.article.id + "|legacy") % 2 == 0

    def has_time(self, entry: Entry) -> bool:
        return stable_number(entry.article.id + "|time") % 4 != 0

    def article_url(self, entry: Entry) -> str:
        return f"{self.base}/{self.slug(entry)}/"

    def legacy_url(self, entry: Entry) -> str:
        return f"{self.base}/{self.legacy_slug(entry)}.html"

    def variant_urls(self, entry: Entry) -> list[str]:
        return [self.legacy_url(entry)]

    def listing_url(self, page: int) -> str:
        return f"{self.base}/tin-tuc/" + (f"page/{page}/" if page > 1 else "")

    def start_urls(self) -> list[str]:
        return [self.listing_url(1)]

    def spam_host_article(self) -> Entry | None:
        """Return the one real article that carries a hidden spam link."""
        return min(self.entries, key=lambda e: stable_number(e.article.id + "|spam"), default=None)

    # ---- routing ----------------------------------------------------------------------------
    def handle(self, req: Request) -> Response:
        path = unquote(req.path)
        target = path + ("?" + req.query if req.query else "")
        if target in SPAM_PATHS:
            i = SPAM_PATHS.index(target)
            return redirect(OFFSITE + f"?ref={i}", 302) if i < 2 else html_response(self._spam(i))
        if path == "/robots.txt":
            return text_response(
                "User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n"
                "Disallow: /viewspace-\nDisallow: /?p=\n"
                f"Sitemap: {self.base}/wp-sitemap.xml\n",
                "text/plain; charset=utf-8",
            )
        if path == "/wp-sitemap.xml":
            return self.sitemap([(self.article_url(e), e) for e in self.entries])
        if path == "/feed/":
            return self._feed()
        if path == "/":
            return html_response(self._listing(1, home=True))
        if path == "/tin-tuc/page/1/":
            return redirect(self.listing_url(1))
        if m := re.fullmatch(r"/tin-tuc/(?:page/(\d+)/)?", path):
            page = int(m.group(1) or 1)
            if page > pages(self.entries):
                return html_response(self._frame("Không tìm thấy", "<p>Không tìm thấy trang.</p>"), 404)
            return html_response(self._listing(page))
        if m := re.fullmatch(r"/([a-z0-9-]+)\.html", path):
            for e in self.entries:
                if self.legacy_slug(e) == m.group(1):
                    if self.legacy_redirects(e):
                        return redirect(self.article_url(e))
                    return html_response(self._article(e, canonical=False))
            return not_found(path)
        if m := re.fullmatch(r"/([a-z0-9-]+)/?", path):
            for e in self.entries:
                if self.slug(e) == m.group(1):
                    if not path.endswith("/"):
                        return redirect(self.article_url(e))
                    return html_response(self._article(e))
        return html_response(self._frame("Không tìm thấy", "<p>Rất tiếc, không tìm thấy trang.</p>"), 404)

    # ---- pages ------------------------------------------------------------------------------
    def _frame(self, title: str, content: str, *, head: str = "") -> str:
        hidden = "".join(f'<a href="{p}">{esc(SPAM_WORDS)}</a> ' for p in SPAM_PATHS)
        recent = "".join(
            f'<li><a href="{esc(self.legacy_url(e) if i % 3 == 2 else self.article_url(e))}">{esc(e.title)}</a></li>'
            for i, e in enumerate(self.entries[:6])
        )
        return f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="UTF-8"/>
<title>{esc(title)} &#8211; {esc(self.portal.site_name)}</title>
<meta name="generator" content="WordPress 5.8.2"/>{head}</head>
<body class="post-template-default single single-post">
<div id="page" class="site">
<header id="masthead" class="site-header"><p class="site-title"><a href="/" rel="home">{esc(self.portal.site_name)}</a></p>
<div class="font-resize">Cỡ chữ: <a href="#">A</a> | <a href="#">A-</a> | <a href="#">A+</a></div>
<nav id="site-navigation" class="main-navigation"><ul id="primary-menu"><li><a href="/">Trang chủ</a></li>
<li><a href="/tin-tuc/">Tin tức</a></li><li><a href="/gioi-thieu/">Giới thiệu</a></li></ul></nav></header>
<div id="content" class="site-content"><div id="primary" class="content-area"><main id="main" class="site-main">
{content}
</main></div>
<aside id="secondary" class="widget-area"><section class="widget widget_recent_entries"><h2 class="widget-title">Bài viết mới</h2>
<ul>{recent}</ul></section></aside></div>
<footer id="colophon" class="site-footer"><div class="site-info">
<p>{esc(self.portal.site_name)}</p><p>{esc(self.portal.licence)}</p><p>{esc(self.portal.source_notice)}</p>
<p>Lượt truy cập: {self.visits()}</p></div>
<div style="display:none">{hidden}</div>
</footer></div></body></html>"""

    def _dateline(self, e: Entry) -> str:
        if self.has_time(e):
            iso = f"{e.date.isoformat()}T{e.time:%H:%M}:00+07:00"
            return f'<span class="posted-on"><time class="entry-date published" datetime="{iso}">{dmy(e.date)}</time></span>'
        return f'<span class="posted-on">{dmy(e.date)}</span>'

    def _listing(self, page: int, *, home: bool = False) -> str:
        last = pages(self.entries)
        rows = "".join(
            f'<article class="post type-post"><header class="entry-header"><h2 class="entry-title">'
            f'<a href="{esc(self.article_url(e))}" rel="bookmark">{esc(e.title)}</a></h2>'
            f'<div class="entry-meta">{self._dateline(e)}</div></header>'
            f'<div class="entry-summary"><p>{esc(e.paragraphs[0][:200] if e.paragraphs else "")} [&hellip;]</p></div></article>'
            for e in page_slice(self.entries, page)
        )
        nav = []
        if page > 1:
            nav.append(
                f'<a class="prev page-numbers" href="{esc(self.listing_url(page - 1))}">&laquo; Trước</a>'
            )
        nav += [
            f'<span aria-current="page" class="page-numbers current">{p}</span>'
            if p == page
            else f'<a class="page-numbers" href="{esc(self.listing_url(p))}">{p}</a>'
            for p in range(1, last + 1)
        ]
        if page < last:
            nav.append(
                f'<a class="next page-numbers" href="{esc(self.listing_url(page + 1))}">Sau &raquo;</a>'
            )
        title = "Trang chủ" if home else "Tin tức"
        return self._frame(
            title,
            f'<h1 class="page-title">{title}</h1>{rows}<nav class="navigation pagination">'
            f'<div class="nav-links">{"".join(nav)}</div></nav>',
        )

    def _article(self, entry: Entry, *, canonical: bool = True) -> str:
        self.mark_served(entry)
        paras = [f"<p>{paragraph_html(p)}</p>" for p in entry.paragraphs]
        if entry is self.spam_host_article() and paras:
            paras.insert(1, f'<p style="display:none"><a href="{SPAM_PATHS[2]}">{esc(SPAM_WORDS)}</a></p>')
        if entry.author:
            paras.append(f"<p><strong>Tác giả bài viết:</strong> {esc(entry.author)}</p>")
        views = stable_number(entry.article.id) % 400 + 12
        head = f'\n<link rel="canonical" href="{esc(self.article_url(entry))}"/>' if canonical else ""
        related = "".join(
            f'<li><a href="{esc(self.article_url(e))}">{esc(e.title)}</a> <span>({dmy(e.date)})</span></li>'
            for e in self.related(entry, 3)
        )
        content = f"""<article id="post-{entry.local_id}" class="post-{entry.local_id} post type-post status-publish">
<header class="entry-header"><h1 class="entry-title">{esc(entry.title)}</h1>
<div class="entry-meta">{self._dateline(entry)}</div>
<div class="post-views">{views}</div></header>
<div class="entry-content">
{chr(10).join(paras)}
</div>
<footer class="entry-footer"><span class="cat-links">Chuyên mục: <a href="/tin-tuc/">Tin tức</a></span>
<div class="share">Chia sẻ: <a href="#">Facebook</a> <a href="#">Zalo</a></div></footer>
</article>
<div class="related-posts"><h3>Bài viết liên quan</h3><ul>{related}</ul></div>"""
        return self._frame(entry.title, content, head=head)

    def _spam(self, i: int) -> str:
        words = " ".join([SPAM_WORDS] * 6)
        return self._frame(
            f"Nhà cái uy tín số {i}",
            f'<article class="post"><h1 class="entry-title">Nhà cái uy tín {i}</h1>'
            f'<div class="entry-content"><p>{esc(words)}</p></div></article>',
        )

    def _feed(self) -> Response:
        items = "".join(
            f"<item><title>{esc(e.title)}</title><link>{esc(self.article_url(e))}</link>"
            f"<pubDate>{e.date:%d/%m/%Y}</pubDate></item>"
            for e in self.entries[:10]
        )
        return text_response(
            f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{esc(self.portal.site_name)}</title>'
            f"<link>{self.base}/</link>{items}</channel></rss>",
            "application/rss+xml; charset=UTF-8",
        )
