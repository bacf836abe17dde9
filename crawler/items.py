"""Items the crawler yields.

See documentation in https://docs.scrapy.org/en/latest/topics/items.html
Pipelines (crawler/pipelines.py) fill in the later fields as the page moves down the chain.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from extract.record import Record


@dataclass(slots=True)
class PageItem:
    """One fetched article page, as the portal sent it."""

    portal: str  # registry name
    url: str  # the URL requested (as the portal wrote the link)
    canonical_url: str  # crawler.urls.canonicalize of the page's identity
    final_url: str  # after redirects
    status: int
    # kept out of repr: Scrapy logs dropped items, and a page body would flood the log
    headers: dict[str, str] = field(repr=False)
    body: bytes = field(repr=False)
    encoding: str | None = None  # charset declared in the HTTP Content-Type header, if any
    fetched_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    # work a killed crawl left undone, taken up from the store instead of fetched (crawler/resume.py):
    # "page" = a stored page to clean (page_id set), "article" = a stored article to extract
    # (page_id and article_id set); "" = a page fetched now
    resume: str = ""
    # filled in by the pipelines
    page_id: int | None = None
    known_page: bool = False  # the page was already linked to a stored article before this fetch
    article_id: int | None = None
    article_url: str | None = None  # <link rel=canonical> of the page, else final_url
    title: str | None = None
    text: str | None = field(default=None, repr=False)
    published: dt.date | None = None
    is_bloc_news: bool | None = None
    record: Record | None = field(default=None, repr=False)


@dataclass(slots=True)
class FetchFailureItem:
    """A request that failed for good (after retries): stored as a "fetch" failure."""

    portal: str | None
    url: str
    error_type: str
    message: str
    status: int | None = None  # HTTP status when the server answered
    kind: str = ""  # what the request was for: "article", "listing", "feed"
    # a decision, not a fault: a non-HTML body at an article URL (crawler/bodies.py); stored as a
    # fetch row like a failure, counted as skipped
    skipped: bool = False


@dataclass(slots=True)
class NotModifiedItem:
    """A 304 answer to a conditional request: the page is unchanged and no body came."""

    portal: str
    url: str
    canonical_url: str
    kind: str = "article"
