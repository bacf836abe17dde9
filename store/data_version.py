"""A cheap version of what researchers' pages show, for caching their results (thidua/web/cache.py).

What the search page, the records API and the home page show changes only when one of these
append-only tables gains a row:

- ``article``: a new article (the home page's counts, the full-text index);
- ``article_version``: an article's text changed (`store.versions.revise_article` moves the old
  text there first, then rewrites the article and its full-text entry in place);
- ``extracted_record``: a new record, from a crawl or a re-extraction
  (`store.repository.save_record` refreshes the materialised current record with it);
- ``correction``: an editor's correction or undo (`store.corrections`, which refreshes the
  current record in the same transaction).

So the tuple of their largest ids changes with every such write. It is read in one statement of
four primary-key look-ups (a max over a primary key is one index probe on both engines).

What it cannot see: on PostgreSQL a writer that took an id earlier may commit after one that took
a later id; the version read between the two commits already holds the later id and does not
change when the earlier writer commits. Caches keyed by it must therefore also expire entries
after a short time (the web cache's TTL, `Settings.web_cache_seconds`). Entity merges and splits
(`entity_correction`) change the entity pages and the name timelines (`store.merged_keys`), neither
of which is cached: a cache of either must add that table's largest id to its key.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.models import Article, ArticleVersion, Correction, ExtractedRecord

DataVersion = tuple[int, int, int, int]

_TABLES: tuple[Any, ...] = (Article, ArticleVersion, ExtractedRecord, Correction)


def data_version(session: Session) -> DataVersion:
    """Return the largest ids of article, article_version, extracted_record and correction
    (0 for an empty table), read in one statement.

    Read it *before* the data it versions, in the same session: the data read then is at least as
    new as the version, never older.
    """
    row = session.execute(select(*(select(func.max(t.id)).scalar_subquery() for t in _TABLES))).one()
    a, v, r, c = (int(x or 0) for x in row)
    return (a, v, r, c)
