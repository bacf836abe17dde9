"""What every mock site shares: request/response records, entries, paging and boilerplate helpers."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import itertools
import threading
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from crawler.mockportals.corpus import Article
from crawler.mockportals.portals import MockPortal

PAGE_SIZE = 5  # small pages, so a corpus of a dozen articles still spans several listing pages

WEEKDAYS = ("Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật")

esc = html.escape


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    host: str
    path: str  # percent-encoded path as sent, without the query
    query: str  # raw query string (no "?")
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    @property
    def params(self) -> dict[str, str]:
        """Return the query parameters (last value wins, names case-sensitive)."""
        return {k: v[-1] for k, v in parse_qs(self.query, keep_blank_values=True).items()}

    def param_ci(self, name: str) -> str | None:
        """Return a query parameter matched case-insensitively (ASP.NET style)."""
        low = name.lower()
        for k, v in self.params.items():
            if k.lower() == low:
                return v
        return None


@dataclass(slots=True)
class Response:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """Return the body decoded as UTF-8 (test helper; legacy pages may not be UTF-8)."""
        return self.body.decode("utf-8", errors="replace")


def html_response(page: str, status: int = 200) -> Response:
    return Response(status, page.encode("utf-8"), {"Content-Type": "text/html; charset=utf-8"})


def text_response(body: str, content_type: str, status: int = 200) -> Response:
    return Response(status, body.encode("utf-8"), {"Content-Type": content_type})


def redirect(location: str, status: int = 301) -> Response:
    body = f'<html><body>Moved <a href="{esc(location)}">here</a></body></html>'
    return Response(status, body.encode(), {"Location": location, "Content-Type": "text/html"})


def not_found(what: str = "") -> Response:
    page = (
        f"<html><head><title>404</title></head><body><h1>404 Not Found</h1><p>{esc(what)}</p></body></html>"
    )
    return html_response(page, 404)


@dataclass(frozen=True, slots=True)
class Entry:
    """One article as a given site publishes it (a republished copy is a separate entry)."""

    article: Article
    local_id: int
    title: str
    category: str
    source_line: str | None = None  # e.g. "Nguồn: Sở Nội vụ" on a syndicated copy
    published: dt.date | None = None  # overrides the article's date on a syndicated copy

    @property
    def date(self) -> dt.date:
        return self.published or self.article.published

    @property
    def time(self) -> dt.time:
        return self.article.published_time

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return self.article.paragraphs

    @property
    def author(self) -> str | None:
        return self.article.author


def today_vi(today: dt.date | None = None) -> str:
    """Format today's date the way portal headers do ("Thứ năm, ngày 28 tháng 3 năm 2024")."""
    d = today or dt.date.today()
    return f"{WEEKDAYS[d.weekday()]}, ngày {d.day} tháng {d.month} năm {d.year}"


def dmy(d: dt.date) -> str:
    return d.strftime("%d/%m/%Y")


def hm12(t: dt.time) -> str:
    """Format a time as Liferay does: 03:46 PM."""
    h = t.hour % 12 or 12
    return f"{h:02d}:{t.minute:02d} {'AM' if t.hour < 12 else 'PM'}"


def paragraph_html(text: str) -> str:
    """Render a corpus paragraph; single newlines inside it become <br/>."""
    return "<br/>".join(esc(line) for line in text.split("\n"))


def pages(items: Sequence[Entry], size: int = PAGE_SIZE) -> int:
    return max(1, -(-len(items) // size))


def page_slice(items: Sequence[Entry], page: int, size: int = PAGE_SIZE) -> Sequence[Entry]:
    return items[(page - 1) * size : page * size]


def to_int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


class Site(ABC):
    """One mock host. Subclasses route paths and render their family's HTML."""

    family: str = ""

    def __init__(self, portal: MockPortal, entries: Sequence[Entry], *, today: dt.date | None = None):
        self.portal = portal
        self.entries: list[Entry] = sorted(
            entries, key=lambda e: (e.date, e.time, e.article.id), reverse=True
        )
        self.today = today
        self._counter = itertools.count(1_234_567)
        self._lock = threading.Lock()
        self.served: Counter[int] = Counter()  # local ids served as full article pages (tests read it)

    @property
    def host(self) -> str:
        return self.portal.host

    @property
    def base(self) -> str:
        return f"http://{self.portal.host}"

    def visits(self) -> int:
        """Return the footer visit counter, different on every request."""
        with self._lock:
            return next(self._counter)

    def token(self, *parts: object) -> str:
        """Return a per-response pseudo-random token (p_p_auth, jsessionid, viewstate)."""
        n = self.visits()
        return hashlib.md5(f"{self.host}:{n}:{parts}".encode()).hexdigest()

    def mark_served(self, entry: Entry) -> None:
        """Count one full article page served for `entry`."""
        with self._lock:
            self.served[entry.local_id] += 1

    def entry_by_id(self, local_id: int) -> Entry | None:
        for e in self.entries:
            if e.local_id == local_id:
                return e
        return None

    def in_category(self, category: str) -> list[Entry]:
        return [e for e in self.entries if e.category == category]

    @abstractmethod
    def handle(self, req: Request) -> Response:
        """Answer one request addressed to this host."""

    @abstractmethod
    def article_url(self, entry: Entry) -> str:
        """Return the absolute canonical URL of an entry."""

    @abstractmethod
    def variant_urls(self, entry: Entry) -> list[str]:
        """Return the other absolute URLs that serve the same entry (print views, legacy forms)."""

    @abstractmethod
    def start_urls(self) -> list[str]:
        """Return the listing URLs a crawler starts from."""

    def today_str(self) -> str:
        return today_vi(self.today)

    def related(self, entry: Entry, n: int = 4) -> list[Entry]:
        """Return neighbouring entries for the "other news" box (older first after the entry)."""
        i = self.entries.index(entry)
        ordered = self.entries[i + 1 :] + self.entries[:i]
        return ordered[:n]
