"""Pending work a killed or failed crawl left in the store, handed to the next crawl as items.

A crawl commits each stage of each page as it goes (crawler/pipelines.py), so a crawl killed at
any moment leaves every page in one of these states: not stored (fetched again next time, since
nothing marks it seen), stored without an article, an article without its record, or done. The
two middle states are what this module finds (`store.repository.pages_without_article`,
`store.repository.articles_without_record`); the spider yields them before its first request,
and the pipelines finish them from the stored body or text without fetching anything.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlalchemy import select

from crawler.items import PageItem
from store import repository
from store.db import make_engine, session_factory
from store.models import Article, Page, Portal


def pending_items(database_url: str, portals: Sequence[str]) -> Iterator[PageItem]:
    """Yield one `PageItem` per stored page without article and per article without record.

    Pages are loaded one at a time, so a long backlog does not sit in memory at once.
    """
    engine = make_engine(database_url)
    try:
        sessions = session_factory(engine)
        with sessions() as session:
            page_ids = [p.id for p in repository.pages_without_article(session, portals=portals)]
            article_ids = [a.id for a in repository.articles_without_record(session, portals=portals)]
        for page_id in page_ids:
            with sessions() as session:
                row = session.execute(
                    select(Page, Portal.name)
                    .join(Portal, Portal.id == Page.portal_id)
                    .where(Page.id == page_id)
                ).first()
            if row is None:
                continue
            page, portal = row
            yield PageItem(
                portal=portal,
                url=page.url,
                canonical_url=page.canonical_url,
                final_url=page.final_url,
                status=page.status,
                headers=dict(page.headers),
                body=page.body,
                encoding=page.encoding,
                fetched_at=page.fetched_at,
                resume="page",
                page_id=page.id,
            )
        for article_id in article_ids:
            with sessions() as session:
                found = session.execute(
                    select(Article, Page, Portal.name)
                    .join(Page, Page.id == Article.page_id)
                    .join(Portal, Portal.id == Page.portal_id)
                    .where(Article.id == article_id)
                ).first()
            if found is None:
                continue
            article, page, portal = found
            yield PageItem(
                portal=portal,
                url=page.url,
                canonical_url=page.canonical_url,
                final_url=page.final_url,
                status=page.status,
                headers={},
                body=b"",  # not needed: the article's text is stored
                encoding=page.encoding,
                fetched_at=page.fetched_at,
                resume="article",
                page_id=page.id,
                article_id=article.id,
                article_url=article.url,
                title=article.title,
                is_bloc_news=True,
            )
    finally:
        engine.dispose()


class KnownArticles:
    """What the store already holds, for walking listings newest first (issue 10, item 2).

    A listing page whose article links are all stored ends that pagination path, but only for a
    portal whose last crawl *finished*: after a killed or failed crawl, older listing pages may
    hold articles never fetched, so the whole listing is walked again.
    """

    def __init__(self, database_url: str, portals: Sequence[str]) -> None:
        self.engine = make_engine(database_url)
        self.sessions = session_factory(self.engine)
        with self.sessions() as session:
            self.finished = repository.portals_last_crawled_completely(session, portals=portals)

    def incremental(self, portal: str) -> bool:
        return portal in self.finished

    def unseen(self, canonical_urls: Sequence[str]) -> list[str]:
        """Return the URLs of `canonical_urls` no stored page has."""
        with self.sessions() as session:
            stored = repository.stored_canonical_urls(session, canonical_urls=canonical_urls)
        return [u for u in canonical_urls if u not in stored]

    def close(self) -> None:
        self.engine.dispose()
