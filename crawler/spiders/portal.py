"""The one generic spider: crawls the portals declared in crawler/registry.py.

    scrapy crawl portal -a portal=hoabinh            # one portal
    scrapy crawl portal                              # every registered portal
    scrapy crawl portal -a portal=hoabinh -a refresh=1   # re-fetch stored articles too

Navigation is data (STYLE.md habit 3): a link is requested only if it stays on the portal's hosts,
matches no `deny` rule, is not a print/savefile/sendmail/pop-up variant, and matches an
`article` rule (fetched and yielded as a `PageItem`) or a `listing` rule (followed for more
links). Sitemaps, RSS/Atom feeds and the WordPress JSON API are read when a start URL or
robots.txt points at them. Crawling pitfalls this handles are in portals.md §4.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Self

from lxml import etree
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import FormRequest, Response, TextResponse
from scrapy.selector import Selector
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler import registry
from crawler.bodies import not_html_reason
from crawler.canonical import variant_original
from crawler.health import PortalHealth
from crawler.incremental import META_LASTMOD, feed_entries, not_modified_item
from crawler.items import FetchFailureItem, PageItem
from crawler.middlewares import META_KIND, META_PORTAL, OffsiteRedirect, PortalDown
from crawler.redirects import RedirectLoop, TooManyRedirects
from crawler.registry import Portal
from crawler.tls import describe_tls_failure
from crawler.traps import CrawlTrap
from crawler.urls import absolute_link, absolute_links, canonicalize, host_in, is_variant, strip_session

log = logging.getLogger(__name__)

META_START = "thidua_start"  # the request is one of the portal's start URLs
META_PROBE = "thidua_probe"  # the one request probing a backed-off portal (crawler/backoff.py)

# Links hidden with inline CSS are how hacked gov sites plant gambling links (portals.md §4.10);
# a reader never sees them, so the crawler does not follow them either.
_VISIBLE_LINKS = (
    "//a[@href][not(ancestor-or-self::*[contains(translate(@style, ' ', ''), 'display:none')])]/@href"
)
_FEED_LINKS = "//link[@rel='alternate'][contains(@type, 'rss') or contains(@type, 'atom')]/@href"
# compiled once and run on the parsed page itself: `response.xpath` would wrap every href in a
# Selector only for `getall()` to take the string out again
_LINK_XPATHS = tuple(etree.XPath(x, smart_strings=False) for x in (_VISIBLE_LINKS, _FEED_LINKS))
_POSTBACK = re.compile(r"__doPostBack\(\s*'([^']*)'\s*,\s*'([^']*)'\s*\)")
# sitemaps and feeds linked from start pages, robots.txt or a sitemap index
_FEEDLIKE = re.compile(r"(sitemap[^/]*\.xml$|/feed/?$|/rss/?$|\.rss$|/wp-json/wp/v2/posts)", re.IGNORECASE)
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)


# URLs whose kind a portal's rules remember (_Rules.kind)
_KIND_CACHE = 50_000

# IgnoreRequest subclasses that are failures to record, not decisions
_RECORDED = (HttpError, OffsiteRedirect, PortalDown, CrawlTrap, RedirectLoop, TooManyRedirects)


@dataclass(frozen=True, slots=True)
class _Rules:
    """A portal's registry rules, compiled once."""

    portal: Portal
    article: tuple[re.Pattern[str], ...]
    listing: tuple[re.Pattern[str], ...]
    deny: tuple[re.Pattern[str], ...]
    # `kind` of the URLs met so far: a site links the same menu and pager URLs from every page
    _kinds: dict[str, str | None] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, portal: Portal) -> _Rules:
        def comp(rules: Iterable[str]) -> tuple[re.Pattern[str], ...]:
            return tuple(re.compile(r) for r in rules)

        return cls(portal, comp(portal.article), comp(portal.listing), comp(portal.deny))

    def allowed(self, url: str) -> bool:
        """Tell whether `url` is on the portal, not a variant view and not denied."""
        if not host_in(url, self.portal.hosts) or is_variant(url):
            return False
        return not any(r.search(url) for r in self.deny)

    def kind(self, url: str) -> str | None:
        """Return "article", "listing" or None (not to be requested) for an absolute URL."""
        try:
            return self._kinds[url]
        except KeyError:
            pass
        if len(self._kinds) >= _KIND_CACHE:
            self._kinds.clear()  # a crawl of very many URLs: start over rather than grow without end
        found = self._kinds[url] = self._kind(url)
        return found

    def _kind(self, url: str) -> str | None:
        if not self.allowed(url):
            return None
        if any(r.search(url) for r in self.article):
            return "article"
        if any(r.search(url) for r in self.listing):
            return "listing"
        return None


PortalRules = _Rules  # the public name (crawler/probe.py)


def declared_charset(content_type: str | None) -> str | None:
    """Return the charset named in a Content-Type header value, if any."""
    m = _CHARSET.search(content_type or "")
    return m.group(1).lower() if m else None


def header_dict(response: Response) -> dict[str, str]:
    """Return the response headers as a plain str dict (repeated headers joined by ", ")."""
    return {
        k.decode("latin-1"): ", ".join(v.decode("latin-1") for v in vs) for k, vs in response.headers.items()
    }


class PortalSpider(Spider):
    """Crawl one registered portal (`-a portal=<name>`) or all of them."""

    name = "portal"

    def __init__(
        self,
        portal: str | None = None,
        refresh: str | bool = False,
        max_pages: str | int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        names = [n.strip() for n in portal.split(",") if n.strip()] if portal else []
        if names:
            portals = [registry.by_name(n) for n in names]
        else:
            from thidua.settings import Settings

            portals = list(registry.default_portals(Settings().crawl_mock))
        if not portals:
            raise ValueError("crawler/portals/*.toml lists no portals; add an entry or pass -a portal=<name>")
        self.rules = {p.name: _Rules.of(p) for p in portals}
        self.refresh = str(refresh).lower() in {"1", "true", "yes"}
        self._max_pages_arg = int(max_pages) if max_pages is not None else None
        self.allowed_domains = sorted({h for p in portals for h in p.hosts})
        # per crawl: canonical URLs requested, article URLs seen, requests issued per portal
        self._requested: set[str] = set()
        self._articles: set[str] = set()
        self._postbacks: set[tuple[str, str, str]] = set()
        self.issued: Counter[str] = Counter()
        self._budget_spent: set[str] = set()
        self.health = PortalHealth()
        self.known: Any = None  # crawler.resume.KnownArticles, set in from_crawler
        # raw URLs (other forms, print views) of each requested article's canonical URL,
        # stored in url_alias when the crawl ends (crawler/canonical.py)
        self.url_variants: dict[str, set[str]] = {}
        self.plans: dict[str, Any] = {}  # crawler.backoff.Plan per portal, set in from_crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.health.down_after = crawler.settings.getint("THIDUA_PORTAL_DOWN_AFTER", 5)
        spider.known = None
        database_url = crawler.settings.get("THIDUA_DATABASE_URL")
        if database_url and crawler.settings.getbool("THIDUA_INCREMENTAL", True) and not spider.refresh:
            from crawler.resume import KnownArticles

            spider.known = KnownArticles(str(database_url), sorted(spider.rules))
            crawler.signals.connect(spider.known.close, signal=signals.spider_closed)
        crawler.signals.connect(spider._robots_parsed, signal=signals.robots_parsed)
        return spider

    def _plan_backoff(self) -> None:
        """Read which portals to skip or probe (crawler/backoff.py); the store is migrated by now."""
        database_url = self.settings.get("THIDUA_DATABASE_URL")
        after = self.settings.getint("THIDUA_CRAWL_BACKOFF_AFTER", 2)
        if not database_url or after <= 0:
            return
        from crawler.backoff import HistoryUnreadable, plans

        try:
            self.plans = plans(
                str(database_url),
                sorted(self.rules),
                after=after,
                hours=self.settings.getfloat("THIDUA_CRAWL_BACKOFF_HOURS", 24.0),
            )
        except HistoryUnreadable as exc:
            log.warning("%s", exc)

    def _stat(self, portal: str, key: str) -> None:
        """Count `key` for one portal (`thidua/portal/<name>/<key>`, read by crawler/report.py)."""
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"thidua/portal/{portal}/{key}")

    # ---- budget --------------------------------------------------------------------------
    def page_cap(self, portal: Portal) -> int:
        """Return the most requests this crawl makes to `portal`."""
        caps = [portal.max_pages]
        setting = self.settings.getint("THIDUA_MAX_PAGES_PER_PORTAL", 0) if hasattr(self, "crawler") else 0
        if setting > 0:
            caps.append(setting)
        if self._max_pages_arg is not None:
            caps.append(self._max_pages_arg)
        return min(caps)

    # ---- requests ------------------------------------------------------------------------
    def _request(
        self, url: str, rules: _Rules, kind: str, *, start: bool = False, lastmod: dt.datetime | None = None
    ) -> Request | None:
        """Build the request for `url`, or None if it was requested already or the budget is spent.

        `lastmod` is when a sitemap or feed says the article last changed (crawler/incremental.py).
        """
        portal = rules.portal
        key = canonicalize(url, family=portal.family, detail=kind == "article")
        if key in self._requested:
            if kind == "article":
                self._note_form(key, url)
            return None
        if self.issued[portal.name] >= self.page_cap(portal):
            if portal.name not in self._budget_spent:
                self._budget_spent.add(portal.name)
                log.info(
                    "%s: page budget of %s requests spent; not following more links",
                    portal.name,
                    self.page_cap(portal),
                )
                if self.crawler.stats is not None:
                    self.crawler.stats.inc_value("thidua/budget_spent")
            return None
        self._requested.add(key)
        self.issued[portal.name] += 1
        self.health.started(portal.name)
        meta = self._meta(portal, kind, start)
        if lastmod is not None:
            meta[META_LASTMOD] = lastmod
        return Request(url, callback=self.parse, errback=self.on_error, meta=meta)

    @staticmethod
    def _meta(portal: Portal, kind: str, start: bool) -> dict[str, Any]:
        meta: dict[str, Any] = {META_PORTAL: portal.name, META_KIND: kind, META_START: start}
        if portal.download_timeout is not None:  # a registry entry's own timeout (Scrapy's meta key)
            meta["download_timeout"] = portal.download_timeout
        return meta

    async def start(self) -> AsyncIterator[Any]:
        self._plan_backoff()
        # first what a killed crawl left half-done: stored pages without article, articles
        # without record (crawler/resume.py); the pipelines finish them without fetching
        database_url = self.settings.get("THIDUA_DATABASE_URL") if hasattr(self, "crawler") else None
        if database_url and self.settings.getbool("THIDUA_RESUME", True):
            from crawler.resume import pending_items

            for item in pending_items(str(database_url), sorted(self.rules)):
                if self.crawler.stats is not None:
                    self.crawler.stats.inc_value(f"thidua/resumed_{item.resume}s")
                yield item
        for rules in self.rules.values():
            plan = self.plans.get(rules.portal.name)
            if plan is None or plan.action == "crawl":
                for req in self._start_requests(rules):
                    yield req
                continue
            self._note_backoff(rules.portal, plan)
            if plan.action == "probe":
                url = rules.portal.start_urls[0]
                probe = self._request(url, rules, rules.kind(url) or "listing", start=True)
                if probe is not None:
                    probe.meta[META_PROBE] = True
                    probe.meta["max_retry_times"] = 0  # a light touch: one attempt
                    yield probe

    def _start_requests(self, rules: _Rules) -> Iterator[Request]:
        """The portal's start URLs, sitemaps and feeds (those not requested already)."""
        portal = rules.portal
        # start points are explicit in the registry: requested even where a deny rule
        # keeps the same URL shape out of link following (e.g. Liferay's /rss)
        for url in portal.start_urls:
            req = self._request(url, rules, rules.kind(url) or "listing", start=True)
            if req is not None:
                yield req
        for url in (*portal.sitemaps, *portal.feeds):
            req = self._request(url, rules, "feed", start=True)
            if req is not None:
                yield req

    def _note_backoff(self, portal: Portal, plan: Any) -> None:
        """Put a backed-off portal's plan in the stats (the run report) and the log."""
        log.warning("%s", plan.describe(portal.name))
        stats = self.crawler.stats
        if stats is not None:
            stats.set_value(f"thidua/portal/{portal.name}/backoff/action", plan.action)
            stats.set_value(f"thidua/portal/{portal.name}/backoff/streak", plan.streak)
            if plan.next_probe is not None:
                stats.set_value(
                    f"thidua/portal/{portal.name}/backoff/next_probe",
                    plan.next_probe.isoformat(timespec="minutes"),
                )

    def _robots_parsed(self, robotparser: Any, request: Request) -> None:
        """Queue the sitemaps a portal's robots.txt lists."""
        rules = self._rules_for(request)
        sitemaps = getattr(robotparser, "sitemaps", None)
        if rules is None or sitemaps is None or self.crawler.engine is None:
            return
        for url in sitemaps():
            if host_in(url, rules.portal.hosts):
                req = self._request(url, rules, "feed")
                if req is not None:
                    self.crawler.engine.crawl(req)

    def _rules_for(self, request: Request) -> _Rules | None:
        name = request.meta.get(META_PORTAL)
        if name in self.rules:
            return self.rules[name]
        portal = registry.for_url(request.url)
        return self.rules.get(portal.name) if portal else None

    # ---- responses -----------------------------------------------------------------------
    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """Route a response: feeds and sitemaps give links, listings give links, articles give items."""
        rules = self._rules_for(response.request) if response.request else None
        if rules is None:
            return
        self._stat(rules.portal.name, "responses")
        if response.meta.get(META_PROBE):
            # a backed-off portal answered its probe: crawl the rest of it in this run
            log.warning("%s: answered its probe; crawled again", rules.portal.name)
            if self.crawler.stats is not None:
                self.crawler.stats.set_value(f"thidua/portal/{rules.portal.name}/backoff/probe", "answered")
            yield from self._start_requests(rules)
        kind = response.meta.get(META_KIND, "listing")
        if response.status == 304:  # a conditional request answered "unchanged": no body
            yield not_modified_item(response)
            return
        if self._is_feed(response):
            ctype = (response.headers.get(b"Content-Type") or b"").decode("latin-1").lower()
            dated = {} if "json" in ctype else {u: d for u, d in feed_entries(response) if d is not None}
            yield from self._follow(rules, self._feed_links(response), articles_only=False, lastmods=dated)
            return
        skip = not_html_reason(response)
        if skip is not None or not isinstance(response, TextResponse):
            # a PDF, image or binary behind an article-shaped URL: nothing to read, but recorded
            yield FetchFailureItem(
                portal=rules.portal.name,
                url=response.url,
                error_type="NotHtml",
                message=skip or f"skipped: a binary body at {response.url}, not an HTML page",
                status=response.status,
                kind=str(kind),
                skipped=True,
            )
            return
        if kind == "article":
            yield self._page_item(rules, response)
            links = self._html_links(response)
            self._note_print_views(rules, links)
            # related-news blocks are the only way to some articles (NukeViet, portals.md §6.4)
            yield from self._follow(rules, links, articles_only=True)
            return
        links = self._html_links(response)
        new_articles = [u for u in links if rules.kind(u) == "article" and self._is_new_article(rules, u)]
        # Out-of-range pages come back as page 1 (Liferay `_cur`), date pickers as empty lists:
        # a listing page without a new article ends that pagination path (portals.md §4.6).
        if new_articles and self.known is not None and self.known.incremental(rules.portal.name):
            # listings run newest first: a page of articles all stored already is where the last
            # finished crawl reached, and the pages after it hold nothing new either
            family = rules.portal.family
            canonical = [canonicalize(u, family=family, detail=True) for u in new_articles]
            if not self.known.unseen(canonical):
                new_articles = []
                if self.crawler.stats is not None:
                    self.crawler.stats.inc_value("thidua/listing_known_end")
        paginate = bool(new_articles) or bool(response.meta.get(META_START))
        if not paginate and self.crawler.stats is not None:
            self.crawler.stats.inc_value("thidua/listing_dead_end")
        yield from self._follow(rules, links, articles_only=not paginate)
        if paginate:
            yield from self._postback_pages(rules, response)

    def _is_new_article(self, rules: _Rules, url: str) -> bool:
        return canonicalize(url, family=rules.portal.family, detail=True) not in self._articles

    def _follow(
        self,
        rules: _Rules,
        links: Iterable[str],
        *,
        articles_only: bool,
        lastmods: dict[str, dt.datetime] | None = None,
    ) -> Iterator[Request]:
        for url in links:
            kind = rules.kind(url)
            if kind is None and not articles_only and _FEEDLIKE.search(url) and rules.allowed(url):
                kind = "feed"
            if kind is None or (articles_only and kind != "article"):
                continue
            if kind == "article":
                self._articles.add(canonicalize(url, family=rules.portal.family, detail=True))
            req = self._request(url, rules, kind, lastmod=(lastmods or {}).get(url))
            if req is not None:
                yield req

    def _note_print_views(self, rules: _Rules, links: Iterable[str]) -> None:
        """Keep the print/savefile/… views an article links to as URLs of that article (never
        requested: they repeat it), for crawler/canonical.py to store at the end."""
        for url in links:
            if not is_variant(url) or not host_in(url, rules.portal.hosts):
                continue
            original = variant_original(url)
            if original is not None and rules.kind(original) == "article":
                self._note_form(canonicalize(original, family=rules.portal.family, detail=True), url)

    def _note_form(self, key: str, url: str) -> None:
        """Keep `url` (without a session id, which changes on every visit) as a form of `key`."""
        form = strip_session(url).split("#", 1)[0]
        if form != key:
            self.url_variants.setdefault(key, set()).add(form)

    def _html_links(self, response: TextResponse) -> list[str]:
        """The page's visible links, then its RSS/Atom feed links, absolute, in document order."""
        selector = response.selector
        if selector.type in ("html", "xml") and hasattr(selector.root, "xpath"):
            hrefs: list[str] = [h for xpath in _LINK_XPATHS for h in xpath(selector.root)]
        else:  # what parsel does with a body it did not parse into a tree (e.g. JSON as text/plain)
            hrefs = response.xpath(_VISIBLE_LINKS).getall() + response.xpath(_FEED_LINKS).getall()
        return absolute_links(response.url, hrefs)

    def _postback_pages(self, rules: _Rules, response: TextResponse) -> Iterator[Request]:
        """Follow ASP.NET `__doPostBack(…, 'Page$N')` pagers with a form POST (portals.md §4.6).

        The form's hidden fields (__VIEWSTATE, __EVENTVALIDATION, …) are echoed back, as the
        browser does; without them the server answers with page 1.
        """
        forms = response.xpath("//form[.//input[@name='__VIEWSTATE']]")
        if not forms:
            return
        form = forms[0]
        action = absolute_link(response.url, form.xpath("@action").get() or response.url) or response.url
        hidden = [
            (name, form.xpath(f"(.//input[@name='{name}']/@value)[1]").get() or "")
            for name in dict.fromkeys(form.xpath(".//input[@type='hidden']/@name").getall())
            if name not in {"__EVENTTARGET", "__EVENTARGUMENT"} and "'" not in name
        ]
        for href in response.xpath("//a/@href").getall():
            m = _POSTBACK.search(href)
            if not m or not m.group(2).lower().startswith("page$"):
                continue
            form_key = canonicalize(action, family=rules.portal.family, detail=False)
            if response.request is not None and response.request.method == "GET":
                # the page reached without a postback is the pager's first: not asked for again
                self._postbacks.add((form_key, m.group(1), "Page$1"))
            key = (form_key, m.group(1), m.group(2))
            if key in self._postbacks or self.issued[rules.portal.name] >= self.page_cap(rules.portal):
                continue
            self._postbacks.add(key)
            self.issued[rules.portal.name] += 1
            yield FormRequest(
                action,
                formdata=[*hidden, ("__EVENTTARGET", m.group(1)), ("__EVENTARGUMENT", m.group(2))],
                callback=self.parse,
                errback=self.on_error,
                meta=self._meta(rules.portal, "listing", False),
            )

    @staticmethod
    def _is_feed(response: Response) -> bool:
        ctype = (response.headers.get(b"Content-Type") or b"").decode("latin-1").lower()
        if "xml" in ctype or "rss" in ctype or "atom" in ctype or "json" in ctype:
            return True
        head = response.body[:300].lstrip().lower()
        return head.startswith((b"<?xml", b"<rss", b"<urlset", b"<sitemapindex", b"<feed"))

    @staticmethod
    def _feed_links(response: Response) -> list[str]:
        """Return the links of a sitemap, sitemap index, RSS/Atom feed or WordPress JSON list."""
        ctype = (response.headers.get(b"Content-Type") or b"").decode("latin-1").lower()
        if "json" in ctype:
            try:
                data = json.loads(response.body)
            except ValueError:
                return []
            items = data if isinstance(data, list) else []
            return [str(i["link"]) for i in items if isinstance(i, dict) and isinstance(i.get("link"), str)]
        try:
            sel = Selector(text=response.body.decode("utf-8", errors="replace"), type="xml")
        except ValueError:
            return []
        sel.remove_namespaces()
        raw = (
            sel.xpath("//url/loc/text() | //sitemap/loc/text() | //item/link/text()").getall()
            + sel.xpath("//entry/link/@href").getall()
        )
        return [u for u in (absolute_link(response.url, r) for r in raw) if u is not None]

    def _page_item(self, rules: _Rules, response: TextResponse) -> PageItem:
        request = response.request
        requested = request.meta.get("redirect_urls", [request.url])[0] if request else response.url
        return PageItem(
            portal=rules.portal.name,
            url=requested,
            canonical_url=canonicalize(response.url, family=rules.portal.family, detail=True),
            final_url=response.url,
            status=response.status,
            headers=header_dict(response),
            body=response.body,
            encoding=declared_charset((response.headers.get(b"Content-Type") or b"").decode("latin-1")),
            fetched_at=dt.datetime.now(dt.UTC),
        )

    # ---- failures ------------------------------------------------------------------------
    def on_error(self, failure: Failure) -> Iterator[FetchFailureItem]:
        """Turn a failed request into a `FetchFailureItem` (stored by FetchFailurePipeline)."""
        request: Request | None = getattr(failure, "request", None)
        exc = failure.value
        # HttpError (a 4xx/5xx after retries) is an IgnoreRequest too, and a real failure;
        # PortalDown is a request not sent to a dead server, CrawlTrap a URL refused as a trap,
        # RedirectLoop/TooManyRedirects a chain given up: recorded, so nothing vanishes
        if isinstance(exc, IgnoreRequest) and not isinstance(exc, _RECORDED):
            return  # robots.txt, off-site link or already stored: a decision, not a failure
        if request is None:
            return
        rules = self._rules_for(request)
        # the URL the portal linked, not the last hop of a redirect chain
        linked = request.meta.get("redirect_urls", [request.url])[0]
        status: int | None = None
        error_type = type(exc).__name__
        tls = describe_tls_failure(exc, rules.portal.name if rules else None) if exc is not None else None
        if isinstance(exc, HttpError):
            status = exc.response.status
            message = f"HTTP {status} for {request.url}"
        elif tls is not None:
            error_type, message = "TlsError", tls
        else:
            message = f"{error_type}: {exc}"
        if rules is not None:
            self._stat(rules.portal.name, f"fetch/{f'HTTP {status}' if status else error_type}")
        yield FetchFailureItem(
            portal=rules.portal.name if rules else None,
            url=linked,
            error_type=error_type,
            message=message,
            status=status,
            kind=str(request.meta.get(META_KIND, "")),
        )
