"""Versions of an article: a portal edits an article after publishing it, the store keeps both.

The article row holds the newest text (what search, the web app and the newest record show); each
earlier text moves to `ArticleVersion` first and is never changed again, as raw HTML moves to
`PageVersion`. A record names the version it was extracted from (`ExtractedRecord.article_version`),
so its evidence offsets keep pointing into the right text: `article_text` returns it.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from store import repository, seen
from store.duplicates import index_bands
from store.errors import StoreError
from store.fulltext import reindex_article
from store.models import Article, ArticleAlias, ArticleVersion, ExtractedRecord, Page
from store.seen import text_hash

# what storing a cleaned page did: a new article, a new version of one, the same text again,
# or a page linked to another article it duplicates (another URL, a syndicated copy)
Outcome = Literal["new", "changed", "unchanged", "duplicate"]

log = logging.getLogger(__name__)


def revise_article(
    session: Session,
    *,
    article: Article,
    url: str,
    title: str | None,
    text: str,
    published: date | None,
    content_key: str,
    is_bloc_news: bool,
    relevance_reason: str,
    at: datetime,
) -> ArticleVersion:
    """Make `text` the article's next version; return the kept earlier version.

    Args:
        session: the caller's session; nothing is committed.
        article: the stored article the portal changed.
        url: the URL the new text was fetched from.
        title, text, published: the newly cleaned article.
        content_key: its exact duplicate key; kept as it was if another article already has it.
        is_bloc_news, relevance_reason: the relevance decision on the new text.
        at: when the new text was fetched (timezone-aware).
    """
    previous = session.scalars(
        select(ArticleVersion)
        .where(ArticleVersion.article_id == article.id)
        .order_by(ArticleVersion.version.desc())
        .limit(1)
    ).first()
    old = ArticleVersion(
        article_id=article.id,
        version=article.version,
        url=article.url,
        title=article.title,
        text=article.text,
        published=article.published,
        content_key=article.content_key,
        created_at=previous.replaced_at if previous is not None else article.created_at,
        replaced_at=at,
    )
    session.add(old)
    old_title, old_text = article.title, article.text
    article.version += 1
    article.url = url
    article.title = title
    article.text = text
    article.published = published or article.published
    article.is_bloc_news = is_bloc_news
    article.relevance_reason = relevance_reason
    taken = session.scalars(
        select(Article.id).where(Article.content_key == content_key, Article.id != article.id)
    ).first()
    if taken is None:
        article.content_key = content_key
    else:
        log.warning(
            "article %s changed into the text of article %s; keeping its former content key",
            article.id,
            taken,
        )
    session.flush()
    reindex_article(session, article, old_title=old_title, old_text=old_text)
    index_bands(session, article)
    return old


def article_text(session: Session, *, article: Article, version: int) -> str:
    """Return the text of `version` of `article` (the current one or a kept earlier one)."""
    if version == article.version:
        return article.text
    text = session.scalars(
        select(ArticleVersion.text).where(
            ArticleVersion.article_id == article.id, ArticleVersion.version == version
        )
    ).one_or_none()
    if text is None:
        raise StoreError(f"article {article.id} has no version {version} (current: {article.version})")
    return text


def record_text(session: Session, record: ExtractedRecord) -> str:
    """Return the text `record`'s evidence offsets point into."""
    return article_text(session, article=record.article, version=record.article_version)


# pages whose own change is a change of their article: the page it was first stored from and
# exact copies (the same body lead: a sub-site's or another portal's copy, the original when the
# copy came first). Other URL forms and print views (rel=canonical) clean into slightly other
# text of the same change; edited copies elsewhere (near-duplicates) change on their own.
REVISING_MATCHES = ("first", "content_key")


def save_or_revise(
    session: Session,
    *,
    page: Page,
    url: str,
    canonical_url: str,
    title: str | None,
    text: str,
    published: date | None,
    content_key: str,
    is_bloc_news: bool,
    relevance_reason: str,
    at: datetime,
    portal: str | None = None,
) -> tuple[Article, Outcome]:
    """Store the cleaned article of `page`: new, a new version, unchanged, or a duplicate.

    A page already linked to an article changes it when the page's own clean text changed since
    its last fetch (`store.seen.note_text`) and the page is one of `REVISING_MATCHES`: so an
    original stored after its copy still brings its changes, and two pages of one article never
    take turns rewriting it (each is compared with its own earlier text, not with the article's).
    The arguments are those of `store.repository.save_article`, plus `at`, the fetch time, and
    `portal`, the registry name kept in seen_url.
    """
    change = seen.note_text(session, canonical_url=page.canonical_url, portal=portal, text=text, at=at)
    link = session.execute(
        select(ArticleAlias.matched_by, Article)
        .join(Article, Article.id == ArticleAlias.article_id)
        .where(ArticleAlias.page_id == page.id)
    ).first()
    if link is None:
        article, created = repository.save_article(
            session,
            page=page,
            url=url,
            canonical_url=canonical_url,
            title=title,
            text=text,
            published=published,
            content_key=content_key,
            is_bloc_news=is_bloc_news,
            relevance_reason=relevance_reason,
            near_duplicates=True,
        )
        return article, "new" if created else "duplicate"
    matched_by, article = link
    # a page stored before seen_url kept text hashes: its first refetch compares with the article
    changed = change == "changed" or (change == "new" and matched_by == "first")
    same = text_hash(article.text) == text_hash(text) and (title or "") == (article.title or "")
    if matched_by not in REVISING_MATCHES or not changed or same:
        return article, "unchanged"
    revise_article(
        session,
        article=article,
        url=url,
        title=title,
        text=text,
        published=published,
        content_key=content_key,
        is_bloc_news=is_bloc_news,
        relevance_reason=relevance_reason,
        at=at,
    )
    log.info("article %s changed on %s: version %s stored", article.id, page.canonical_url, article.version)
    return article, "changed"
