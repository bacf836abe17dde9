"""The full-text index of article text: how text is folded and how an article is indexed.

See `store.search` for the decisions (accents folded in Python, FTS5 on SQLite, a ``simple``
``tsvector`` on PostgreSQL) and for the queries. This module holds the write side only, so
`store.repository.save_article` can index a new article without importing the query code.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Final

from sqlalchemy import text
from sqlalchemy.orm import Session

from store.models import Article

# Engine-specific tables (see the module docstring); FTS5 adds its shadow tables to the first.
SEARCH_TABLE: Final = "article_search"
SEARCH_TABLES: Final = frozenset(
    {SEARCH_TABLE, *(f"{SEARCH_TABLE}_{s}" for s in ("data", "idx", "docsize", "config", "content"))}
)

# A PostgreSQL tsvector must stay under 1 MB; 200,000 folded characters hold at most ~40,000
# distinct words (~450 KB with positions), and a real article has under 20,000 characters.
MAX_INDEXED_CHARS: Final = 200_000


def _strip(c: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFD", c) if not unicodedata.combining(ch))


# letters with marks → base letter, combining marks dropped, "đ" → "d": one str.translate over
# the whole text (NFD and a join per character would cost several times more per article)
_FOLD: Final[dict[int, str | None]] = {
    **dict.fromkeys(range(768, 880)),  # combining marks left over after NFC
    **{c: _strip(chr(c)) for c in range(0xC0, 0x1F00) if chr(c).isalpha() and _strip(chr(c)) != chr(c)},
    ord("đ"): "d",
    ord("Đ"): "D",
}
WORD: Final = re.compile(r"[^\W_]+")


def include_in_schema_check(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic ``include_name`` hook: leave the search tables out of comparisons with the models."""
    return not (type_ == "table" and name in SEARCH_TABLES)


def fold(value: str) -> str:
    """Return `value` in NFC, lower case, with diacritics removed and "đ" made "d"."""
    return unicodedata.normalize("NFC", value).translate(_FOLD).lower()


def fold_words(value: str | None) -> str:
    """Return the words (letters and digits) of `fold(value)`, joined by single spaces."""
    return " ".join(WORD.findall(fold(value or "")))


def _document(title: str | None, body: str) -> tuple[str, str]:
    t = fold_words(title)[:MAX_INDEXED_CHARS]
    return t, fold_words(body)[: MAX_INDEXED_CHARS - len(t)]


def index_article(session: Session, article: Article) -> None:
    """Add `article` (flushed: it has an id) to the search index, in the caller's transaction."""
    index_articles(session, [article])


def index_articles(session: Session, articles: Iterable[Article]) -> None:
    """Add flushed `articles` to the search index in one statement, in the caller's transaction."""
    params = []
    for article in articles:
        title, body = _document(article.title, article.text)
        params.append({"id": article.id, "title": title, "body": body})
    if not params:
        return
    if session.get_bind().dialect.name == "postgresql":
        sql = (
            f"INSERT INTO {SEARCH_TABLE} (article_id, document) VALUES "
            "(:id, setweight(to_tsvector('simple', :title), 'A') || to_tsvector('simple', :body))"
        )
    else:
        sql = f"INSERT INTO {SEARCH_TABLE} (rowid, title, body) VALUES (:id, :title, :body)"
    session.execute(text(sql), params)


def reindex_article(session: Session, article: Article, *, old_title: str | None, old_text: str) -> None:
    """Replace the indexed text of `article` (its text changed: store.versions.revise_article).

    The SQLite table is contentless, so a row is removed with FTS5's 'delete' command, which
    needs the values indexed before: `old_title` and `old_text`.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"DELETE FROM {SEARCH_TABLE} WHERE article_id = :id"), {"id": article.id})
    else:
        title, body = _document(old_title, old_text)
        session.execute(
            text(
                f"INSERT INTO {SEARCH_TABLE} ({SEARCH_TABLE}, rowid, title, body) "
                "VALUES ('delete', :id, :title, :body)"
            ),
            {"id": article.id, "title": title, "body": body},
        )
    index_article(session, article)
