"""One article, many URLs: which URL names an article, and keeping every other one.

`crawler.urls.canonicalize` maps URL forms of one page to one key (session ids, tracking
parameters, `www.`, case, ports). This module adds what needs the page or the portal:

* `article_url`: a page's `<link rel=canonical>` names its article only when it stays on the
  same site and is not the site's home or a listing (some CMS templates put the home page in
  every page's canonical link; a hacked page may point anywhere).
* `variant_original`: the article a print/savefile/sendmail/pop-up view repeats, so its URL is
  kept with the article though it is never requested.
* `UrlAliasRecorder`: at the end of a crawl, stores the raw URL forms and print views the spider
  saw for each article (store.seen.add_aliases), so every URL an article went by is kept.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.urls import host_in, variant_kind

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from crawler.registry import Portal

log = logging.getLogger(__name__)

_VIEW_SEGMENT = re.compile(r"/(?:print|savefile|sendmail)(?=/)", re.IGNORECASE)
# query parameters that make a view of an article: Liferay's pop-up state and view mode, print=1
_VIEW_KEYS = ("p_p_state", "print")
_VIEW_KEY_SUFFIXES = ("_viewmode",)
# raw URLs kept per article and in all (a trap that invents URL forms must not fill memory)
MAX_FORMS_PER_ARTICLE = 20
MAX_FORMS = 200_000


def variant_original(url: str) -> str | None:
    """Return the article URL a print/savefile/sendmail/pop-up view repeats, None if unknown.

    Path views (`/print/…`, NukeViet) lose the segment; query views (Liferay's pop-up print,
    `print=1`) lose the view parameters. A view with its own page name (`print.aspx?id=…`)
    cannot be mapped without the portal's rules: None.
    """
    kind = variant_kind(url)
    if kind is None or kind == "attachment":
        return None
    parts = urlsplit(url)
    path = _VIEW_SEGMENT.sub("", parts.path, count=1)
    pairs = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in _VIEW_KEYS and not k.lower().endswith(_VIEW_KEY_SUFFIXES)
    ]
    original = urlunsplit((parts.scheme, parts.netloc, path, urlencode(pairs), ""))
    return None if variant_kind(original) is not None or original == url else original


def article_url(page_url: str, link_canonical: str | None, portal: Portal, *, listing: bool = False) -> str:
    """Return the URL that names the article of a page fetched from `page_url`.

    Args:
        page_url: the page's URL after redirects.
        link_canonical: its `<link rel=canonical>` (absolute), if any.
        portal: the portal the page belongs to.
        listing: whether `link_canonical` matches one of the portal's listing rules.
    """
    if not link_canonical:
        return page_url
    if not host_in(link_canonical, portal.hosts):
        log.info("%s names %s as canonical, on another site; not followed", page_url, link_canonical)
        return page_url
    if listing or urlsplit(link_canonical).path.strip("/") == "":
        log.info("%s names the home page or a listing as canonical; ignored", page_url)
        return page_url
    return link_canonical


class UrlAliasRecorder:
    """Store the raw URL forms and print views the spider saw, when the crawl ends."""

    def __init__(self, crawler: Crawler, database_url: str) -> None:
        self.crawler = crawler
        self.database_url = database_url

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        url = crawler.settings.get("THIDUA_DATABASE_URL")
        if not url:
            raise NotConfigured
        recorder = cls(crawler, str(url))
        crawler.signals.connect(recorder.spider_closed, signal=signals.spider_closed)
        return recorder

    def spider_closed(self, spider: Any) -> None:
        forms: dict[str, set[str]] = getattr(spider, "url_variants", {}) or {}
        rows = [
            (url, canonical, "print" if variant_kind(url) else "link")
            for canonical, urls in forms.items()
            for url in sorted(urls)[:MAX_FORMS_PER_ARTICLE]
        ][:MAX_FORMS]
        if not rows:
            return
        from sqlalchemy.exc import SQLAlchemyError

        from store.db import make_engine, session_factory
        from store.seen import add_aliases

        busy = self.crawler.settings.getfloat("THIDUA_DB_BUSY_TIMEOUT", 30.0)
        engine = make_engine(self.database_url, writer=True, busy_timeout=busy)
        try:
            with session_factory(engine)() as session, session.begin():
                added = add_aliases(session, aliases=rows, portal=None, at=dt.datetime.now(dt.UTC))
            if self.crawler.stats is not None:
                self.crawler.stats.set_value("thidua/url_forms_kept", added)
        except SQLAlchemyError as exc:  # losing these costs no article: the next crawl sees them again
            log.warning("could not keep %s URL forms: %s", len(rows), exc)
        finally:
            engine.dispose()
