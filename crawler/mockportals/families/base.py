"""What every mock site shares: request/response records, entries, paging and boilerplate helpers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import email.utils
import hashlib
import html
import itertools
import threading
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar
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


VN = dt.timezone(dt.timedelta(hours=7))
# the sentence a revision adds to an article (the portal corrected or completed it)
REVISION_NOTE = (
    "Cập nhật lần {n}: Ban Biên tập bổ sung danh sách đơn vị được khen thưởng theo quyết định mới."
)


class Site(ABC):
    """One mock host. Subclasses route paths and render their family's HTML.

    Article pages carry validators as the family's server would send them (`VALIDATORS`: an
    ETag and/or a Last-Modified date), and the server answers a conditional request whose
    validator still holds with 304 and no body (crawler/mockportals/server.py). `revise`
    changes an article between two crawls.
    """

    family: str = ""
    VALIDATORS: ClassVar[tuple[str, ...]] = ("etag", "last-modified")

    def __init__(self, portal: MockPortal, entries: Sequence[Entry], *, today: dt.date | None = None):
        self.portal = portal
        self.entries: list[Entry] = sorted(
            entries, key=lambda e: (e.date, e.time, e.article.id), reverse=True
        )
        self.today = today
        self._counter = itertools.count(1_234_567)
        self._lock = threading.Lock()
        self.served: Counter[int] = Counter()  # local ids served as full article pages (tests read it)
        self.not_modified: Counter[int] = Counter()  # local ids answered 304 (tests read it)
        self.revisions: dict[int, tuple[int, dt.datetime]] = {}  # local id -> (revision, when)
        self._current = threading.local()  # the entry the request being handled rendered

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
        """Count one full article page served for `entry` (the server takes it back on a 304)."""
        with self._lock:
            self.served[entry.local_id] += 1
        self._current.entry = entry

    def take_rendered(self) -> Entry | None:
        """Return (and forget) the entry whose article page this thread just rendered."""
        entry: Entry | None = getattr(self._current, "entry", None)
        self._current.entry = None
        return entry

    def answered_not_modified(self, entry: Entry) -> None:
        """Count a 304 for `entry` instead of the article page `mark_served` counted."""
        with self._lock:
            self.served[entry.local_id] -= 1
            self.not_modified[entry.local_id] += 1

    # ---- validators and revisions --------------------------------------------------------
    def modified(self, entry: Entry) -> dt.datetime:
        """Return when `entry` last changed: its revision, else its publication (UTC, whole seconds)."""
        revised = self.revisions.get(entry.local_id)
        if revised is not None:
            return revised[1]
        return dt.datetime.combine(entry.date, entry.time, tzinfo=VN).astimezone(dt.UTC)

    def validators(self, entry: Entry) -> dict[str, str]:
        """Return the ETag and/or Last-Modified headers of `entry`'s article page."""
        out: dict[str, str] = {}
        if "etag" in self.VALIDATORS:
            content = "\n".join((entry.title, *entry.paragraphs)).encode("utf-8")
            out["ETag"] = f'"{entry.local_id}-{hashlib.sha1(content).hexdigest()[:12]}"'
        if "last-modified" in self.VALIDATORS:
            out["Last-Modified"] = email.utils.format_datetime(self.modified(entry), usegmt=True)
        return out

    def not_modified_for(self, entry: Entry, headers: dict[str, str]) -> bool:
        """Tell whether a request with `headers` (lower-case names) may be answered 304."""
        mine = self.validators(entry)
        if "if-none-match" in headers and "ETag" in mine:
            tags = {t.strip() for t in headers["if-none-match"].split(",")}
            return mine["ETag"] in tags or "*" in tags
        if "if-modified-since" in headers and "Last-Modified" in mine:
            try:
                since = email.utils.parsedate_to_datetime(headers["if-modified-since"])
            except (TypeError, ValueError):
                return False
            return self.modified(entry) <= since
        return False

    def sitemap(self, items: Sequence[tuple[str, Entry | None]]) -> Response:
        """Return a sitemap of (URL, entry) pairs; an entry's <lastmod> is when it last changed."""
        rows = []
        for url, entry in items:
            lastmod = f"<lastmod>{self.modified(entry).isoformat()}</lastmod>" if entry is not None else ""
            rows.append(f"<url><loc>{esc(url)}</loc>{lastmod}</url>")
        return text_response(
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{"".join(rows)}</urlset>',
            "application/xml; charset=utf-8",
        )

    def revise(self, article_id: str, *, when: dt.datetime | None = None) -> Entry:
        """Change the article `article_id` as this site publishes it: one sentence is added.

        Only this site's own copy changes (a syndicated copy elsewhere stays as it was). The
        change time is a whole second after any earlier one, so Last-Modified moves on.
        """
        with self._lock:
            own = (e.article.id == article_id and not e.source_line for e in self.entries)
            found = [i for i, mine in enumerate(own) if mine]
            if not found:
                raise KeyError(f"{self.host} publishes no article {article_id!r}")
            entry = self.entries[found[0]]
            n = self.revisions.get(entry.local_id, (0, None))[0] + 1
            at = (when or dt.datetime.now(dt.UTC)).replace(microsecond=0) + dt.timedelta(seconds=1)
            article = dataclasses.replace(
                entry.article, paragraphs=(*entry.article.paragraphs, REVISION_NOTE.format(n=n))
            )
            self.entries[found[0]] = revised = dataclasses.replace(entry, article=article)
            self.revisions[entry.local_id] = (n, at)
            return revised

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
