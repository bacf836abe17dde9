"""What a response body is: HTML to read, or something else behind an article-shaped URL.

Portals link PDFs, scanned decisions and images with the same URL shapes as news
(`/tin/123.html` answering `application/pdf`), and some servers send everything as
`application/octet-stream`. Such a body is not cleaned: the spider records it as *skipped*,
with its content type and size, as a `fetch` row of error type `NotHtml` — never silently
dropped, and asked for again by the next crawl (the page may become HTML).
"""

from __future__ import annotations

from scrapy.http import HtmlResponse, Response

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_SNIFF = (b"<!doctype html", b"<html", b"<head", b"<body", b"<div", b"<table", b"<p", b"<meta")


class NotHtml(Exception):
    """A response whose body is not an HTML page (recorded as skipped, not as a failure of the site)."""


def content_type(response: Response) -> str:
    """Return the response's media type, lower-case, without parameters ("" when absent)."""
    raw = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
    return raw.split(";", 1)[0].strip().lower()


def looks_like_html(body: bytes) -> bool:
    """Tell whether the first bytes of a body read as HTML markup."""
    head = body[:1024].lstrip().lower()
    return head.startswith(_SNIFF) or b"<html" in head


def not_html_reason(response: Response) -> str | None:
    """Return why `response` is not an HTML page to clean, or None when it is one.

    An HTML content type is believed (a broken page is the cleaner's business); an
    `application/octet-stream` or missing type is believed only if the body looks like HTML.
    """
    ctype = content_type(response)
    if ctype in _HTML_TYPES or (not ctype and isinstance(response, HtmlResponse)):
        return None
    if ctype in ("", "application/octet-stream", "text/plain") and looks_like_html(response.body):
        return None
    shown = ctype or "no content type"
    return f"skipped: {shown} body of {len(response.body):,} bytes at {response.url}, not an HTML page"
