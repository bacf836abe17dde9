"""`thidua portals check`: does a registered portal answer, and do its URL rules still match?

For an operator on a machine with internet (the tests run it against the local mock portals
only). For each start URL: the answer's status, and how many links on it the entry's `listing`
and `article` rules match; then the first article link found is fetched and cleaned with the
entry's family. A portal whose HTML changed shape shows up as "no article link matched" or "the
article page cleans to nothing" long before a nightly crawl silently finds nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import lxml.html

from crawler.registry import Portal
from crawler.spiders.portal import PortalRules
from crawler.urls import absolute_link


@dataclass(frozen=True, slots=True)
class Fetched:
    """What one GET brought back."""

    url: str  # after redirects
    status: int
    body: bytes
    content_type: str = ""


Fetch = Callable[[str], Fetched]  # raises an exception when nothing answered


@dataclass
class ProbeResult:
    portal: str
    responded: list[str] = field(default_factory=list)  # start URLs that answered 2xx
    problems: list[str] = field(default_factory=list)
    listing_links: int = 0
    article_links: int = 0
    article_url: str | None = None
    article_title: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def links(page: Fetched) -> list[str]:
    """Return the absolute URLs of a page's <a href> links."""
    try:
        doc = lxml.html.document_fromstring(page.body)
    except (lxml.etree.ParserError, ValueError):
        return []
    out = []
    for href in doc.xpath("//a/@href"):
        url = absolute_link(page.url, str(href))
        if url is not None:
            out.append(url)
    return out


def probe(portal: Portal, fetch: Fetch) -> ProbeResult:
    """Fetch `portal`'s start URLs and one article, and judge its rules against them."""
    from extract.clean import clean_html, decode_html

    rules = PortalRules.of(portal)
    result = ProbeResult(portal.name)
    articles: list[str] = []
    for url in portal.start_urls:
        try:
            page = fetch(url)
        except Exception as exc:  # DNS, refused, TLS, timeout: what the operator must know
            result.problems.append(f"{url}: no answer ({type(exc).__name__}: {exc})")
            continue
        if not 200 <= page.status < 300:
            result.problems.append(f"{url}: HTTP {page.status}")
            continue
        if not rules.allowed(page.url):
            result.problems.append(f"{url} redirects to {page.url}, off the entry's hosts or denied")
            continue
        result.responded.append(url)
        for link in links(page):
            kind = rules.kind(link)
            if kind == "listing":
                result.listing_links += 1
            elif kind == "article":
                result.article_links += 1
                articles.append(link)
    if not result.responded:
        return result
    if not result.article_links:
        result.problems.append("no link on the start pages matches an article rule")
    if not result.listing_links:
        result.problems.append("no link on the start pages matches a listing rule (no pagination to follow)")
    if not articles:
        return result
    result.article_url = articles[0]
    try:
        page = fetch(articles[0])
    except Exception as exc:
        result.problems.append(f"article {articles[0]}: no answer ({type(exc).__name__}: {exc})")
        return result
    if not 200 <= page.status < 300:
        result.problems.append(f"article {articles[0]}: HTTP {page.status}")
        return result
    try:
        clean = clean_html(decode_html(page.body, None), page.url, portal.family)
    except Exception as exc:
        result.problems.append(f"article {articles[0]} cleans to nothing with family {portal.family}: {exc}")
        return result
    result.article_title = clean.title
    return result


def httpx_fetch(*, proxy: str | None, timeout: float, user_agent: str) -> Fetch:
    """Return a `Fetch` over httpx (redirects followed, through `proxy` when given)."""
    import httpx

    client = httpx.Client(
        proxy=proxy, timeout=timeout, follow_redirects=True, headers={"User-Agent": user_agent}
    )

    def fetch(url: str) -> Fetched:
        response = client.get(url)
        return Fetched(
            str(response.url),
            response.status_code,
            response.content,
            response.headers.get("content-type", ""),
        )

    return fetch
