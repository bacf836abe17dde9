"""Near-duplicate lookups in the store: MinHash bands per article (store.neardup), candidates
found by indexed band equality and confirmed on the texts themselves."""

from __future__ import annotations

import logging

from sqlalchemy import delete, func, select, tuple_
from sqlalchemy.orm import Session

from store.models import Article, ArticleBand
from store.neardup import MIN_RESEMBLANCE, fingerprint, resemblance, same_numbers, shingles

log = logging.getLogger(__name__)

# candidates confirmed on their text, most shared bands first: more is wasted reading
MAX_CANDIDATES = 10


def index_bands(session: Session, article: Article) -> bool:
    """(Re)write the bands of `article`'s current text; False when it is too short to match."""
    session.execute(delete(ArticleBand).where(ArticleBand.article_id == article.id))
    fp = fingerprint(article.text)
    session.add_all(ArticleBand(article_id=article.id, band=i, value=v) for i, v in enumerate(fp.bands))
    session.flush()
    return fp.usable


def find_near_duplicate(
    session: Session, *, text: str, exclude: int | None = None
) -> tuple[Article, float] | None:
    """Return the stored article whose text is a near-duplicate of `text`, with the resemblance.

    Args:
        session: any session; nothing is written.
        text: a clean article text.
        exclude: an article id never to return (the article `text` is a version of).
    """
    fp = fingerprint(text)
    if not fp.usable:
        return None
    pairs = list(enumerate(fp.bands))
    shared = func.count(ArticleBand.id).label("shared")
    stmt = (
        select(ArticleBand.article_id, shared)
        .where(tuple_(ArticleBand.band, ArticleBand.value).in_(pairs))
        .group_by(ArticleBand.article_id)
        .order_by(shared.desc(), ArticleBand.article_id)
        .limit(MAX_CANDIDATES + 1)
    )
    candidates = [aid for aid, _ in session.execute(stmt).tuples() if aid != exclude][:MAX_CANDIDATES]
    if not candidates:
        return None
    mine = shingles(text)
    best: tuple[Article, float] | None = None
    for article in session.scalars(select(Article).where(Article.id.in_(candidates)).order_by(Article.id)):
        score = resemblance(mine, shingles(article.text))
        if score < MIN_RESEMBLANCE or not same_numbers(text, article.text):
            continue
        if best is None or score > best[1]:
            best = (article, score)
    return best


def backfill(session: Session, *, batch: int = 500) -> int:
    """Give bands to the articles stored before near-duplicate detection; return how many got some.

    Articles too short to match are read again on every call (they have no band to mark them),
    a few milliseconds each.
    """
    banded = select(ArticleBand.article_id)
    ids = list(session.scalars(select(Article.id).where(Article.id.not_in(banded)).order_by(Article.id)))
    done = 0
    for i in range(0, len(ids), batch):
        for article in session.scalars(select(Article).where(Article.id.in_(ids[i : i + batch]))):
            done += index_bands(session, article)
    if done:
        log.info("near-duplicate bands written for %s older articles", done)
    return done
