"""Redirect loops and endless redirect chains, recorded instead of dropped.

Scrapy's RedirectMiddleware gives up on a chain after REDIRECT_MAX_TIMES hops with a plain
`IgnoreRequest` that nobody records, and a loop a -> b -> a ends even more quietly: the second
request for a is filtered as a duplicate. `RedirectLoopMiddleware` sits above it (responses pass
middlewares from high numbers to low) and raises, before the next hop is requested:

* `RedirectLoop` when the target is a URL the chain has already visited (compared in canonical
  form, so `?jsessionid=` variants of one page count as the same);
* `TooManyRedirects` when the chain already has REDIRECT_MAX_TIMES hops.

The spider records both as fetch failures with the chain in the message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from scrapy.exceptions import IgnoreRequest

from crawler.urls import canonicalize

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

_REDIRECTS = frozenset({301, 302, 303, 307, 308})


class RedirectLoop(IgnoreRequest):
    """A redirect back to a URL of its own chain."""


class TooManyRedirects(IgnoreRequest):
    """A redirect chain longer than REDIRECT_MAX_TIMES."""


def _chain(urls: list[str]) -> str:
    shown = urls if len(urls) <= 6 else [*urls[:3], "…", *urls[-2:]]
    return " -> ".join(shown)


class RedirectLoopMiddleware:
    """Stop redirect loops and over-long chains with a named, recorded reason."""

    def __init__(self, crawler: Crawler, max_hops: int) -> None:
        self.crawler = crawler
        self.max_hops = max_hops

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler, crawler.settings.getint("REDIRECT_MAX_TIMES", 10))

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status not in _REDIRECTS or b"Location" not in response.headers:
            return response
        if request.meta.get("dont_redirect"):
            return response
        target = response.urljoin((response.headers.get(b"Location") or b"").decode("latin-1"))
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if canonicalize(target) in {canonicalize(u) for u in chain}:
            self._count("thidua/redirect_loop")
            raise RedirectLoop(f"redirect loop: {_chain([*chain, target])}")
        if len(chain) > self.max_hops:
            self._count("thidua/redirect_too_many")
            raise TooManyRedirects(
                f"more than {self.max_hops} redirects (REDIRECT_MAX_TIMES): {_chain([*chain, target])}"
            )
        return response

    def _count(self, key: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key)
