"""Incremental crawling across runs: conditional requests, sitemap dates, 304 answers.

A stored article is not downloaded again unless it may have changed:

* A server that sent an ETag or Last-Modified with the article gets a conditional request
  (If-None-Match / If-Modified-Since) while the article is young (first seen within
  THIDUA_CRAWL_RECHECK_DAYS, when portals still correct what they published), or whenever a
  sitemap or feed dates the article after our last fetch. A 304 is "unchanged" and has no body.
* A server that sends no validator is asked again (a full download) only when a sitemap or feed
  dates the article after our last fetch.
* Otherwise the request is not sent (`AlreadyStored`), as before this module; nor is it for a
  page stored as another URL form (rel=canonical) or an edited copy (a near-duplicate) of an
  article: its changes do not change the article (store.versions.REVISING_MATCHES).

A body that comes back goes down the pipelines: same clean text is "unchanged", another text a
new version of the article (store.versions), extracted again. `thidua crawl --refresh` fetches
every article in full.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
from typing import TYPE_CHECKING, Any, Self

from scrapy import Request
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.http import Response
from scrapy.selector import Selector

from crawler.items import NotModifiedItem
from crawler.middlewares import META_KIND, META_PORTAL, AlreadyStored
from crawler.pipelines import _StorePipeline
from crawler.urls import absolute_link, canonicalize

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from store.seen import Known

log = logging.getLogger(__name__)

META_LASTMOD = "thidua_lastmod"  # when a sitemap or feed says the article last changed (aware datetime)
META_CONDITIONAL = "thidua_conditional"  # the request carries If-None-Match / If-Modified-Since


def parse_date(value: str | None) -> dt.datetime | None:
    """Return an aware datetime from a sitemap (W3C/ISO 8601) or feed (RFC 822) date, else None.

    A date without a time is taken as the end of that day in Vietnam (UTC+7), so an article
    fetched during that day is checked again.
    """
    if not value or not value.strip():
        return None
    text = value.strip()
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    else:
        if len(text) <= 10:  # a bare date
            parsed = parsed.replace(hour=23, minute=59, second=59)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone(dt.timedelta(hours=7)))
    return parsed.astimezone(dt.UTC)


def feed_entries(response: Response) -> list[tuple[str, dt.datetime | None]]:
    """Return (link, last change) pairs of a sitemap, sitemap index, RSS or Atom feed.

    The date is the sitemap's <lastmod>, Atom's <updated> (else <published>) or RSS's <pubDate>;
    None when the entry has none.
    """
    try:
        sel = Selector(text=response.body.decode("utf-8", errors="replace"), type="xml")
    except ValueError:
        return []
    sel.remove_namespaces()
    raw: list[tuple[str | None, str | None]] = []
    for node in sel.xpath("//url | //sitemap"):
        raw.append((node.xpath("loc/text()").get(), node.xpath("lastmod/text()").get()))
    for node in sel.xpath("//item"):
        raw.append((node.xpath("link/text()").get(), node.xpath("pubDate/text()").get()))
    for node in sel.xpath("//entry"):
        date = node.xpath("updated/text()").get() or node.xpath("published/text()").get()
        raw.append((node.xpath("link/@href").get(), date))
    out = []
    for href, date in raw:
        url = absolute_link(response.url, (href or "").strip())
        if url is not None:
            out.append((url, parse_date(date)))
    return out


class ConditionalRequestMiddleware:
    """Decide, for each article request, between a full download, a conditional one and none.

    Replaces SeenArticleMiddleware (same place in DOWNLOADER_MIDDLEWARES, after robots.txt).
    """

    def __init__(self, crawler: Crawler, database_url: str, recheck_days: float) -> None:
        self.crawler = crawler
        self.database_url = database_url
        self.recheck = dt.timedelta(days=recheck_days)
        self._engine: Engine | None = None
        self._sessions: sessionmaker[Session] | None = None
        self._known: dict[str, Known] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        url = crawler.settings.get("THIDUA_DATABASE_URL")
        if not url or crawler.settings.getbool("THIDUA_REFRESH"):
            raise NotConfigured
        middleware = cls(crawler, str(url), crawler.settings.getfloat("THIDUA_RECHECK_DAYS", 30.0))
        from scrapy import signals

        crawler.signals.connect(middleware.close, signal=signals.spider_closed)
        return middleware

    def _session(self) -> Session:
        if self._sessions is None:
            from store.db import make_engine, session_factory

            self._engine = make_engine(self.database_url)
            self._sessions = session_factory(self._engine)
        return self._sessions()

    def _inc(self, key: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key)

    def process_request(self, request: Request) -> None:
        if request.meta.get(META_KIND) != "article" or request.meta.get(META_CONDITIONAL) is not None:
            return
        spider = self.crawler.spider
        if spider is not None and getattr(spider, "refresh", False):
            return
        url = canonicalize(request.url)
        if self._known is None:
            self.load()
        state = self._known.get(url) if self._known is not None else None
        if state is None:
            return  # never stored: a plain download
        if state.duplicate:
            # another URL form or an edited copy of an article: its changes change nothing
            self._inc("thidua/skipped_seen")
            raise AlreadyStored(f"{url} is stored as another form of an article; not asked again")
        now = dt.datetime.now(dt.UTC)
        lastmod: dt.datetime | None = request.meta.get(META_LASTMOD)
        dated_newer = lastmod is not None and (
            state.last_fetched_at is None or lastmod > state.last_fetched_at
        )
        young = state.first_seen_at is not None and now - state.first_seen_at <= self.recheck
        if state.has_validators and (young or dated_newer):
            if state.etag:
                request.headers[b"If-None-Match"] = state.etag.encode("latin-1", errors="replace")
            if state.last_modified:
                request.headers[b"If-Modified-Since"] = state.last_modified.encode(
                    "latin-1", errors="replace"
                )
            # let the 304 through HttpErrorMiddleware to the spider, which reports it unchanged
            allowed = list(request.meta.get("handle_httpstatus_list", []))
            request.meta["handle_httpstatus_list"] = [*allowed, 304]
            request.meta[META_CONDITIONAL] = True
            self._inc("thidua/conditional_requests")
            return
        if dated_newer:
            request.meta[META_CONDITIONAL] = False
            self._inc("thidua/refetched_dated")
            return  # no validator to ask with: the sitemap's date is reason enough to download
        self._inc("thidua/skipped_seen")
        raise AlreadyStored(f"{url} is already stored; crawl with --refresh to fetch it again")

    @property
    def loaded(self) -> bool:
        return self._known is not None

    def load(self) -> None:
        """Read what is stored of the crawled portals, once (`store.seen.known_many`).

        Why once: one query per article request cost a second crawl over 5,000 stored articles
        tens of seconds. A page this crawl stores is not in the snapshot, but its URL is not
        asked for again in this crawl either: the request fingerprinter (canonical URL) and, for
        a distributed crawl, the shared Redis dupefilter drop a second request for it before
        it gets here. Pages of no portal are loaded with the crawled portals'.
        """
        from store.seen import known_many

        spider = self.crawler.spider
        rules = getattr(spider, "rules", None) if spider is not None else None
        portals = sorted(rules) if rules else None
        with self._session() as session:
            self._known = known_many(session, portals=portals)
        log.info("%s stored pages known before the first article request", len(self._known))

    def close(self) -> None:
        """Dispose of the engine (at spider close)."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = self._sessions = None
        self._known = None


def not_modified_item(response: Response) -> NotModifiedItem:
    """Return the item a 304 answer becomes (stored by NotModifiedPipeline)."""
    request = response.request
    meta: dict[str, Any] = request.meta if request is not None else {}
    url = request.url if request is not None else response.url
    return NotModifiedItem(
        portal=str(meta.get(META_PORTAL) or ""),
        url=url,
        canonical_url=canonicalize(url),
        kind=str(meta.get(META_KIND) or "article"),
    )


class NotModifiedPipeline(_StorePipeline):
    """Record each 304 answer in seen_url and count the article unchanged."""

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, NotModifiedItem):
            return item
        from sqlalchemy.exc import SQLAlchemyError

        from store.seen import note_not_modified

        try:
            with self.session() as session, session.begin():
                note_not_modified(
                    session,
                    canonical_url=item.canonical_url,
                    portal=item.portal or None,
                    kind=item.kind,
                    at=dt.datetime.now(dt.UTC),
                )
        except SQLAlchemyError as exc:
            # only a counter is lost: the page is stored, the next crawl asks the same way
            self.inc("thidua/not_modified_unrecorded")
            log.warning("cannot record the 304 of %s: %s", item.canonical_url, exc)
        self.inc("thidua/not_modified")
        self.inc_portal(item.portal, "unchanged")
        raise DropItem(f"not modified since the last fetch: {item.canonical_url}")
