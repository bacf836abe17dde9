"""What the crawler knows of each URL across runs: validators, clean-text hash, raw URL aliases.

`seen_url` holds one row per canonical URL the crawler got an answer for: the ETag and
Last-Modified the server sent (the next request is conditional, crawler/incremental.py), and for
an article page the hash of its clean text, which tells a new version of the article from a new
body with the same article (visit counters, session tokens). `url_alias` keeps every raw URL a
canonical one was seen under. Like the rest of the store, nothing here commits.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, cast

from sqlalchemy import Table, insert, or_, select
from sqlalchemy.orm import Session

from store.errors import StoreError
from store.models import (
    SEEN_KINDS,
    URL_ALIAS_HOWS,
    Article,
    ArticleAlias,
    Page,
    Portal,
    SeenUrl,
    UrlAlias,
)

TextChange = Literal["new", "changed", "unchanged"]
# PostgreSQL's btree index holds at most ~2,700 bytes a key; real article URLs stay far below
MAX_ALIAS_CHARS = 2000

_SPACE = re.compile(r"\s+")


def text_hash(text: str) -> str:
    """Return the sha256 (hex) of a clean text, NFC-normalised with whitespace runs collapsed.

    Whitespace only is not a change: cleaning the same HTML again can break lines differently.
    """
    norm = _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Known:
    """What a new request for a URL needs to know (see `known`)."""

    canonical_url: str
    etag: str | None
    last_modified: str | None
    first_seen_at: datetime | None
    last_fetched_at: datetime | None
    # the page is another URL form or an edited copy of an article (linked by rel=canonical or
    # as a near-duplicate): its changes never change the article (store.versions.REVISING_MATCHES)
    duplicate: bool = False

    @property
    def has_validators(self) -> bool:
        return bool(self.etag or self.last_modified)


@dataclass(frozen=True, slots=True)
class Response:
    """A response with a body, as `note_responses` records it (the arguments of `note_response`)."""

    canonical_url: str
    portal: str | None
    kind: str
    status: int
    headers: dict[str, str]
    at: datetime


def _header(headers: dict[str, str], name: str) -> str | None:
    low = name.lower()
    for key, value in headers.items():
        if key.lower() == low and value.strip():
            return value.strip()
    return None


def known(session: Session, *, canonical_url: str) -> Known | None:
    """Return what is known of `canonical_url` if a page is stored for it, else None.

    The validators come from `seen_url`; a page stored before that table existed gives them
    from its stored response headers.
    """
    row = session.scalars(select(SeenUrl).where(SeenUrl.canonical_url == canonical_url)).one_or_none()
    page = session.execute(
        select(Page.headers, Page.created_at, Page.fetched_at, ArticleAlias.matched_by)
        .outerjoin(ArticleAlias, ArticleAlias.page_id == Page.id)
        .where(Page.canonical_url == canonical_url)
    ).first()
    if page is None:
        return None
    headers, created, fetched, matched_by = page
    duplicate = matched_by is not None and matched_by not in ("first", "content_key")
    if row is not None:
        return Known(
            canonical_url, row.etag, row.last_modified, row.first_seen_at, row.last_fetched_at, duplicate
        )
    return Known(
        canonical_url,
        _header(headers or {}, "ETag"),
        _header(headers or {}, "Last-Modified"),
        created,
        fetched,
        duplicate,
    )


def known_many(session: Session, *, portals: Sequence[str] | None = None) -> dict[str, Known]:
    """Return `known` for every stored page of `portals` (and every page of no portal), by URL.

    One query instead of one per article request: a crawl loads this once and answers "stored
    already?" from memory (crawler/incremental.py). `portals` None loads every page. Pages
    stored before `seen_url` existed give their validators from their stored headers, read in a
    second query for those pages only.
    """
    stmt = (
        select(
            Page.canonical_url,
            Page.created_at,
            Page.fetched_at,
            ArticleAlias.matched_by,
            SeenUrl.id,
            SeenUrl.etag,
            SeenUrl.last_modified,
            SeenUrl.first_seen_at,
            SeenUrl.last_fetched_at,
        )
        .outerjoin(ArticleAlias, ArticleAlias.page_id == Page.id)
        .outerjoin(SeenUrl, SeenUrl.canonical_url == Page.canonical_url)
    )
    if portals is not None:
        ids = select(Portal.id).where(Portal.name.in_(list(portals)))
        stmt = stmt.where(or_(Page.portal_id.in_(ids), Page.portal_id.is_(None)))
    out: dict[str, Known] = {}
    legacy: dict[str, tuple[datetime | None, datetime | None, bool]] = {}
    for row in session.execute(stmt).tuples():
        url, created, fetched, matched_by, seen_id, etag, last_mod, first_seen, last_fetched = row
        if url in out or url in legacy:
            continue  # a page has one article link at most; `known` takes the first row too
        duplicate = matched_by is not None and matched_by not in ("first", "content_key")
        if seen_id is not None:
            out[url] = Known(url, etag, last_mod, first_seen, last_fetched, duplicate)
        else:
            legacy[url] = (created, fetched, duplicate)
    urls = list(legacy)
    for i in range(0, len(urls), 500):
        chunk = urls[i : i + 500]
        for url, headers in session.execute(
            select(Page.canonical_url, Page.headers).where(Page.canonical_url.in_(chunk))
        ).tuples():
            made, got, dup = legacy[url]
            etag_, modified = _header(headers or {}, "ETag"), _header(headers or {}, "Last-Modified")
            out[url] = Known(url, etag_, modified, made, got, dup)
    return out


def _row(session: Session, *, canonical_url: str, portal: str | None, kind: str, at: datetime) -> SeenUrl:
    if kind not in SEEN_KINDS:
        raise StoreError(f"seen_url kind must be one of {', '.join(SEEN_KINDS)}, not {kind!r}")
    stmt = select(SeenUrl).where(SeenUrl.canonical_url == canonical_url).with_for_update()
    row = session.scalars(stmt).one_or_none()
    if row is None:
        row = SeenUrl(
            canonical_url=canonical_url,
            portal=portal,
            kind=kind,
            first_seen_at=at,
            last_checked_at=at,
            checks=0,
            not_modified=0,
            changes=0,
        )
        session.add(row)
    return row


def note_response(
    session: Session,
    *,
    canonical_url: str,
    portal: str | None,
    kind: str,
    status: int,
    headers: dict[str, str],
    at: datetime,
) -> SeenUrl:
    """Record a response with a body: its status and the validators it sent (or their absence).

    Call it in the transaction that stores what the response brought (the page), so that a
    validator never outlives a page that was not stored: the next request would be answered 304
    and the page never fetched.
    """
    row = _row(session, canonical_url=canonical_url, portal=portal, kind=kind, at=at)
    row.checks += 1
    row.status = status
    row.last_checked_at = at
    row.last_fetched_at = at
    if 200 <= status < 300:
        # a server that stopped sending a validator must not be asked with the old one
        row.etag = _header(headers, "ETag")
        row.last_modified = _header(headers, "Last-Modified")
    return row


def note_responses(session: Session, responses: Sequence[Response]) -> None:
    """`note_response` for many responses at once: one SELECT, one multi-row INSERT.

    A URL `seen_url` holds already, or one named twice, is updated one at a time as
    `note_response` does; the rest (a crawl's new pages, nearly all of them) are inserted
    together. Same transaction rule as `note_response`: call it where the pages are stored.
    """
    for r in responses:
        if r.kind not in SEEN_KINDS:
            raise StoreError(f"seen_url kind must be one of {', '.join(SEEN_KINDS)}, not {r.kind!r}")
    urls = list(dict.fromkeys(r.canonical_url for r in responses))
    have: set[str] = set()
    for i in range(0, len(urls), 500):
        chunk = urls[i : i + 500]
        have.update(session.scalars(select(SeenUrl.canonical_url).where(SeenUrl.canonical_url.in_(chunk))))
    rows: list[dict[str, object]] = []
    later: list[Response] = []
    for r in responses:
        if r.canonical_url in have:
            later.append(r)
            continue
        have.add(r.canonical_url)
        ok = 200 <= r.status < 300
        rows.append(
            {
                "canonical_url": r.canonical_url,
                "portal": r.portal,
                "kind": r.kind,
                "etag": _header(r.headers, "ETag") if ok else None,
                "last_modified": _header(r.headers, "Last-Modified") if ok else None,
                "status": r.status,
                "first_seen_at": r.at,
                "last_checked_at": r.at,
                "last_fetched_at": r.at,
                "checks": 1,
                "not_modified": 0,
                "changes": 0,
            }
        )
    if rows:
        session.execute(insert(cast(Table, SeenUrl.__table__)), rows)
    for r in later:
        note_response(
            session,
            canonical_url=r.canonical_url,
            portal=r.portal,
            kind=r.kind,
            status=r.status,
            headers=r.headers,
            at=r.at,
        )


def note_not_modified(
    session: Session, *, canonical_url: str, portal: str | None, kind: str, at: datetime
) -> SeenUrl:
    """Record a 304 answer to a conditional request: checked, unchanged, no body."""
    row = _row(session, canonical_url=canonical_url, portal=portal, kind=kind, at=at)
    row.checks += 1
    row.not_modified += 1
    row.status = 304
    row.last_checked_at = at
    return row


def note_text(
    session: Session, *, canonical_url: str, portal: str | None, text: str, at: datetime
) -> TextChange:
    """Record the clean text of an article page; say whether it is new, changed or unchanged."""
    digest = text_hash(text)
    row = _row(session, canonical_url=canonical_url, portal=portal, kind="article", at=at)
    before = row.text_hash
    row.text_hash = digest
    if before is None:
        return "new"
    if before == digest:
        return "unchanged"
    row.changes += 1
    row.last_changed_at = at
    return "changed"


def add_aliases(
    session: Session,
    *,
    aliases: Iterable[tuple[str, str, str]],
    portal: str | None,
    at: datetime,
) -> int:
    """Keep raw URLs (url, canonical_url, how) not kept yet; return how many were added.

    A URL already kept keeps its first canonical form and reason. A URL longer than
    `MAX_ALIAS_CHARS` is not kept (a trap's, or one PostgreSQL's unique index cannot hold).
    """
    wanted: dict[str, tuple[str, str]] = {}
    for url, canonical_url, how in aliases:
        if how not in URL_ALIAS_HOWS:
            raise StoreError(f"url_alias how must be one of {', '.join(URL_ALIAS_HOWS)}, not {how!r}")
        if len(url) <= MAX_ALIAS_CHARS:
            wanted.setdefault(url, (canonical_url, how))
    if not wanted:
        return 0
    urls = list(wanted)
    have: set[str] = set()
    for i in range(0, len(urls), 500):
        have.update(session.scalars(select(UrlAlias.url).where(UrlAlias.url.in_(urls[i : i + 500]))))
    rows = [
        {"url": url, "canonical_url": canonical_url, "portal": portal, "how": how, "first_seen_at": at}
        for url, (canonical_url, how) in wanted.items()
        if url not in have
    ]
    if rows:
        # one multi-row INSERT (Core), not an ORM object per URL: the crawl adds two a page
        session.flush()
        session.execute(insert(cast(Table, UrlAlias.__table__)), rows)
    return len(rows)


def article_urls(session: Session, *, article_id: int) -> list[str]:
    """Return every URL the article was seen under, sorted: its own, its pages' (requested and
    final), its duplicates' on other sites, and every raw form of those kept in url_alias."""
    canon: set[str] = set()
    urls: set[str] = set()
    article = session.get(Article, article_id)
    if article is None:
        raise StoreError(f"no article {article_id}")
    canon.add(article.canonical_url)
    urls.add(article.url)
    rows = session.execute(
        select(ArticleAlias.url, ArticleAlias.canonical_url, Page.url, Page.final_url, Page.canonical_url)
        .join(Page, Page.id == ArticleAlias.page_id)
        .where(ArticleAlias.article_id == article_id)
    ).tuples()
    for alias_url, alias_canon, page_url, final_url, page_canon in rows:
        urls.update((alias_url, page_url, final_url))
        canon.update((alias_canon, page_canon))
    urls.update(canon)
    urls.update(_raw_urls(session, sorted(canon)))
    return sorted(urls)


def _raw_urls(session: Session, canonical_urls: Sequence[str]) -> set[str]:
    out: set[str] = set()
    for i in range(0, len(canonical_urls), 500):
        chunk = list(canonical_urls[i : i + 500])
        out.update(
            session.scalars(
                select(UrlAlias.url).where(or_(UrlAlias.canonical_url.in_(chunk), UrlAlias.url.in_(chunk)))
            )
        )
    return out
