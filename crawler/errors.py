"""Named exceptions of the crawler; each message says what the operator should do next."""

from __future__ import annotations


class CrawlError(Exception):
    """Base class of the errors a crawl raises on purpose."""


class CrawlLockedError(CrawlError):
    """Raised when another crawl is writing into the same database and waiting was not asked for
    (or the wait ran out)."""


class CrawlLockError(CrawlError):
    """Raised when the crawl lock cannot be taken at all (e.g. its file cannot be created)."""


class ContactMissingError(CrawlError):
    """A crawl of real portals without THIDUA_CRAWL_CONTACT: their webmasters must be able to reach us."""


class PageTooLargeError(CrawlError):
    """A fetched page is over the size cap (THIDUA_CRAWL_MAX_PAGE_BYTES); it is not cleaned."""
