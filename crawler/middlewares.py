"""Downloader middlewares and the request fingerprinter of the thidua crawler.

See documentation in https://docs.scrapy.org/en/latest/topics/downloader-middleware.html
Each class does one job; settings come from the crawler in `from_crawler` (STYLE.md habit 8).
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import TYPE_CHECKING, Self
from weakref import WeakKeyDictionary

from scrapy import Request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from w3lib.url import canonicalize_url, safe_url_string

from crawler import registry
from crawler.urls import canonicalize, host_in

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

log = logging.getLogger(__name__)

# request.meta keys the spider sets (crawler/spiders/portal.py)
META_PORTAL = "thidua_portal"  # registry name of the portal the request belongs to
META_KIND = "thidua_kind"  # "article" | "listing" | "feed"


class OffsiteRedirect(IgnoreRequest):
    """Raised by `OffsiteRedirectMiddleware` when a portal page redirects to another host.

    Hacked gov pages redirect to gambling sites (portals.md §4.10); the redirect is recorded as a
    fetch failure and not followed. If a portal legitimately moved, add the new host to its
    `hosts` in crawler/registry.py.
    """


class PortalDown(IgnoreRequest):
    """Raised by `PortalDownMiddleware` for a request to a portal found down (crawler/health.py)."""


class AlreadyStored(IgnoreRequest):
    """Raised by `crawler.incremental.ConditionalRequestMiddleware` for a stored article not to be
    asked for again (crawl with refresh=1 to fetch it anyway)."""


class CanonicalRequestFingerprinter:
    """Fingerprint requests by their canonical URL (crawler/urls.py), method and body.

    Used by the duplicate filter (and JOBDIR's `requests.seen`), so `;jsessionid=`, `p_p_auth=`,
    `redirect=`, `:443` and case variants of one page are requested once.
    """

    def __init__(self) -> None:
        self._cache: WeakKeyDictionary[Request, bytes] = WeakKeyDictionary()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls()

    def fingerprint(self, request: Request) -> bytes:
        found = self._cache.get(request)
        if found is None:
            found = self._cache[request] = canonical_fingerprint(request)
        return found


def canonical_fingerprint(request: Request) -> bytes:
    """Scrapy's `fingerprint` of `request` moved to its canonical URL, without copying the request.

    `scrapy.utils.request.fingerprint(request.replace(url=canonicalize(request.url)))` gives the
    same bytes (tests/crawler/test_crawler_middlewares.py checks it): copying a request with its
    meta, headers and callbacks cost more than the hash itself, for every request scheduled.
    """
    url = canonicalize(request.url)
    verbatim = bool(request.meta.get("verbatim_url"))
    if not verbatim:
        url = safe_url_string(url, request.encoding)  # what the copy's constructor does
    if "://" not in url and not url.startswith(("about:", "data:")):
        raise ValueError(f"Missing scheme in request url: {url}")  # as the copy's constructor would
    data = {
        "method": request.method,
        "url": url if verbatim else canonicalize_url(url),
        "body": request.body.hex(),
        "headers": {},
    }
    return hashlib.sha1(json.dumps(data, sort_keys=True).encode()).digest()  # Scrapy's hash, not a secret


class ThiduaProxyMiddleware:
    """Send every request, robots.txt included, through `Settings.http_proxy`.

    The mock portals are reached this way: their host names (`hoabinh.gov.vn.test`) only exist
    inside the proxy. Disabled when THIDUA_HTTP_PROXY is unset.
    """

    def __init__(self, proxy: str) -> None:
        self.proxy = proxy

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        proxy = crawler.settings.get("THIDUA_HTTP_PROXY")
        if not proxy:
            raise NotConfigured  # no proxy configured: connect directly
        return cls(str(proxy))

    def process_request(self, request: Request) -> None:
        # an explicit meta["proxy"] (even None) on a request wins
        request.meta.setdefault("proxy", self.proxy)


class OffsiteRedirectMiddleware:
    """Refuse redirects that leave the portal a request belongs to.

    Must sit above RedirectMiddleware (600): responses travel from high to low numbers, so
    this one sees the 3xx before it is turned into a new request.
    """

    _REDIRECTS = frozenset({301, 302, 303, 307, 308})

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status not in self._REDIRECTS or b"Location" not in response.headers:
            return response
        name = request.meta.get(META_PORTAL)
        if not name:
            return response
        location = (response.headers.get(b"Location") or b"").decode("latin-1")
        target = response.urljoin(location)
        hosts = registry.by_name(name).hosts
        if host_in(target, hosts):
            return response
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value("thidua/offsite_redirect")
        raise OffsiteRedirect(f"{request.url} redirects off-site to {target}; not followed")


class PortalHealthMiddleware:
    """Tell the spider's `PortalHealth` how each download attempt went (crawler/health.py).

    Sits above RetryMiddleware (550), so it sees every attempt, retries included: a server that
    stopped answering is known to be down after a few attempts, not after a few requests times
    their retries.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def _health(self, request: Request) -> tuple[object, str] | None:
        health = getattr(self.crawler.spider, "health", None)
        name = request.meta.get(META_PORTAL)
        return (health, name) if health is not None and name else None

    def process_response(self, request: Request, response: Response) -> Response:
        from crawler.health import is_trouble_status

        found = self._health(request)
        if found is not None:
            health, name = found
            if is_trouble_status(response.status):
                health.failure(name, None, status=response.status)  # type: ignore[attr-defined]
            else:
                health.success(name)  # type: ignore[attr-defined]
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        found = self._health(request)
        if found is not None and not isinstance(exception, IgnoreRequest):
            health, name = found
            health.failure(name, exception)  # type: ignore[attr-defined]


class PortalDownMiddleware:
    """Do not send requests to a portal whose server stopped answering (crawler/health.py).

    Each request held back is raised as `PortalDown`, which the spider records as a fetch
    failure: the next crawl asks for it again, and the report says how many were held back.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        spider = self.crawler.spider
        health = getattr(spider, "health", None)
        name = request.meta.get(META_PORTAL)
        if health is None or not name or not health.is_down(name):
            return
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"thidua/portal/{name}/held_back")
        raise PortalDown(
            f"not requested: {name} is down ({health.down_after} attempts in a row failed at the "
            f"server, the last with {health.why.get(name, 'an error')}); the next crawl asks again"
        )
