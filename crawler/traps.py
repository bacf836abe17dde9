"""Crawler traps: URLs that a portal's rules allow but that never end (portals.md §4.5).

Calendar widgets link every day to the next one, relative language links nest one level deeper
on each page (`/vi/en/vi/en/…`), session tokens make URLs longer and longer. The registry's URL
rules cannot foresee every one, so `TrapGuardMiddleware` refuses, per portal:

* a request deeper than THIDUA_CRAWL_MAX_DEPTH links from a start URL (Scrapy's own DEPTH_LIMIT
  would drop it silently, so it is off and this limit records instead);
* a URL longer than THIDUA_CRAWL_MAX_URL_LENGTH characters, or with more than
  THIDUA_CRAWL_MAX_PATH_SEGMENTS path segments;
* a path with one segment repeated THIDUA_CRAWL_MAX_SEGMENT_REPEATS times (`/vi/en/vi/en/vi/`);
* the (THIDUA_CRAWL_MAX_DATES + 1)-th distinct date of one URL shape: a URL whose path or query
  holds a date (`?ngay=2024-03-28`, `/2024/03/28/`, `?thang=3&nam=2024`) is reduced to its shape
  with the date taken out, and one shape may take that many dates in a crawl.

Each refused URL is raised as `CrawlTrap`, which the spider records as a fetch failure with the
rule it broke, so nothing is dropped without a trace; the trap's pages are not fetched, so the
rows stay few. Article URLs of the registry's `article` rules are subject to the same limits.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Self
from urllib.parse import SplitResult, urlsplit

from scrapy.exceptions import IgnoreRequest

from crawler.middlewares import META_PORTAL

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

_DATE = re.compile(
    r"(?<!\d)(?:19|20)\d\d[-/.](?:1[0-2]|0?[1-9])(?:[-/.](?:3[01]|[12]\d|0?[1-9]))?(?!\d)"  # 2024-03-28
    r"|(?<!\d)(?:3[01]|[12]\d|0?[1-9])[-/.](?:1[0-2]|0?[1-9])[-/.](?:19|20)\d\d(?!\d)"  # 28/03/2024
)
# query parameters that carry a day, a month or a year in calendar widgets (Vietnamese and English)
_DATE_PARAM = re.compile(r"(?i)(?:^|&)(?:ngay|thang|nam|day|month|year|date)=\d{1,4}(?=&|$)")


class CrawlTrap(IgnoreRequest):
    """A request refused by `TrapGuardMiddleware`; the message names the rule it broke."""


@dataclass(frozen=True, slots=True)
class TrapLimits:
    max_depth: int = 25
    max_url_length: int = 512
    max_path_segments: int = 12
    max_segment_repeats: int = 3
    max_dates: int = 31  # one month of a daily calendar


def date_shape(url: str, parts: SplitResult | None = None) -> str | None:
    """Return the URL with its dates taken out, or None when it holds no date.

    `parts` is `urlsplit(url)`, when the caller has it already.
    """
    if parts is None:
        parts = urlsplit(url)
    path, query = parts.path, parts.query
    if not (_DATE.search(path) or _DATE.search(query) or _DATE_PARAM.search(query)):
        return None
    path = _DATE.sub("<date>", path)
    query = _DATE_PARAM.sub(lambda m: m.group(0).split("=")[0] + "=<n>", _DATE.sub("<date>", query))
    return f"{parts.netloc.lower()}{path}?{query}"


class TrapGuard:
    """The trap rules and what this crawl has seen of date-shaped URLs."""

    def __init__(self, limits: TrapLimits) -> None:
        self.limits = limits
        self._dates: defaultdict[str, set[str]] = defaultdict(set)

    def check(self, url: str, depth: int) -> str | None:
        """Return why `url` (at `depth` links from a start URL) is a trap, or None to let it through."""
        lim = self.limits
        if lim.max_depth and depth > lim.max_depth:
            return f"{depth} links deep, over the limit of {lim.max_depth} (THIDUA_CRAWL_MAX_DEPTH)"
        if len(url) > lim.max_url_length:
            return f"URL of {len(url)} characters, over {lim.max_url_length} (THIDUA_CRAWL_MAX_URL_LENGTH)"
        parts = urlsplit(url)
        segments = [s for s in parts.path.split("/") if s]
        if len(segments) > lim.max_path_segments:
            over = f"over {lim.max_path_segments} (THIDUA_CRAWL_MAX_PATH_SEGMENTS)"
            return f"{len(segments)} path segments, {over}"
        if segments:
            # nearly every path repeats no segment: then the most common is the first, once
            repeats = len(set(segments)) < len(segments)
            segment, times = Counter(segments).most_common(1)[0] if repeats else (segments[0], 1)
            if times >= lim.max_segment_repeats:
                return (
                    f"path segment {segment!r} repeated {times} times (a relative link nesting without end; "
                    f"THIDUA_CRAWL_MAX_SEGMENT_REPEATS {lim.max_segment_repeats})"
                )
        shape = date_shape(url, parts)
        if shape is not None and lim.max_dates:
            seen = self._dates[shape]
            if url not in seen and len(seen) >= lim.max_dates:
                return (
                    f"date #{len(seen) + 1} of the URL shape {shape} (a calendar without end; "
                    f"THIDUA_CRAWL_MAX_DATES {lim.max_dates})"
                )
            seen.add(url)
        return None


class TrapGuardMiddleware:
    """Downloader middleware: refuse trap URLs before they are sent (see the module docstring)."""

    def __init__(self, crawler: Crawler, limits: TrapLimits) -> None:
        self.crawler = crawler
        self.guard = TrapGuard(limits)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        s = crawler.settings
        limits = TrapLimits(
            max_depth=s.getint("THIDUA_CRAWL_MAX_DEPTH", 25),
            max_url_length=s.getint("THIDUA_CRAWL_MAX_URL_LENGTH", 512),
            max_path_segments=s.getint("THIDUA_CRAWL_MAX_PATH_SEGMENTS", 12),
            max_segment_repeats=s.getint("THIDUA_CRAWL_MAX_SEGMENT_REPEATS", 3),
            max_dates=s.getint("THIDUA_CRAWL_MAX_DATES", 31),
        )
        return cls(crawler, limits)

    def process_request(self, request: Request) -> None:
        if not request.meta.get(META_PORTAL) or request.url.endswith("/robots.txt"):
            return
        reason = self.guard.check(request.url, int(request.meta.get("depth", 0)))
        if reason is None:
            return
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value("thidua/trap_refused")
        raise CrawlTrap(f"not requested, a crawler trap: {reason}")
