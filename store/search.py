"""Full-text search over article text (issue 8, part 5), on SQLite FTS5 and PostgreSQL alike.

"Ha Noi", "ha noi" and "HÀ NỘI" all find "Hà Nội", and "Dong Nai" finds "Đồng Nai".

Decision: accents are folded **in Python**, not by the database. The index holds each article's
title and text as `store.fulltext.fold_words` writes them (NFC, lower case, diacritics and "đ" → "d", words of
letters and digits joined by spaces), and a query is folded the same way, so both engines
search the same words:

- SQLite: the FTS5 table ``article_search`` (``content=''``: it keeps only the index, not a
  second copy of the text; rowid = article id). FTS5's own ``remove_diacritics`` would leave
  "đ" alone ("đ" is a letter of its own in Unicode, not "d" with a mark).
- PostgreSQL: the table ``article_search`` (article id, ``tsvector`` of the folded words under
  the built-in ``simple`` configuration) with a GIN index. The ``unaccent`` extension was not
  used: it has to be created once per database by a role with CREATE on it (often not the
  application's role on a hosted server), it lives in one schema while the store tests run one
  schema each, and ``unaccent()`` is not IMMUTABLE, so it needs a wrapper before it can feed an
  index. Folding in Python needs nothing from the server and folds exactly as SQLite does.

The index is written by `store.fulltext.index_article`, which `store.repository.save_article` calls for each
new article (an article's text never changes afterwards: a refetch with different text keeps
the stored one, and re-extraction reads it without changing it). The migration that created the
tables indexed every article already stored. Both tables are engine-specific, so they are not
among `store.models`; `store.db.schema_differences` leaves `store.fulltext.SEARCH_TABLES` out of
its comparison. Filters are applied in SQL inside the search, on the materialised current
records (`store.current_table`).

Queries: user text never reaches FTS5's MATCH syntax or ``to_tsquery`` as written. It is folded
into words; a part between double quotes is a phrase (its words next to each other, in order),
every other word must occur somewhere in the title or text. SQLite gets each word quoted as an
FTS5 string, PostgreSQL gets the words through ``plainto_tsquery``/``phraseto_tsquery``, which
parse no operators; both as bound parameters. Results come newest first (article publication
date, then id): a news archive's order, and one that can stop after ``limit`` matches where a
relevance rank would have to score every match first (every synthetic article of the bench
holds "thi đua").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from sqlalchemy import ColumnElement, Select, column, func, select, table, text
from sqlalchemy.orm import Session

from store.errors import QueryError
from store.fulltext import SEARCH_TABLE, WORD, fold, fold_words
from store.models import Article
from store.queries import MAX_LIMIT, _check_text, check_filters, current_matching

MAX_QUERY_CHARS: Final = 200
MAX_QUERY_WORDS: Final = 16
SNIPPET_WORDS: Final = 24  # words of context around the first match
# at most this many articles passing a search's filters are given to the search as a list of ids
FEW_IDS: Final = 5000
_QUOTED: Final = re.compile(r'"([^"]*)"?')


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """A user's search text, checked and folded: `phrases` of one or more words each."""

    phrases: tuple[tuple[str, ...], ...]

    @classmethod
    def parse(cls, value: str) -> SearchQuery:
        """Fold `value` into phrases: quoted parts stay together, every other word stands alone.

        Raises:
            QueryError: empty, too long, not UTF-8 text, or no letters or digits at all.
        """
        if len(value) > MAX_QUERY_CHARS:
            raise QueryError(f"search text is {len(value):,} characters long; give at most {MAX_QUERY_CHARS}")
        _check_text("search text", value)
        phrases: list[tuple[str, ...]] = []
        rest = []
        at = 0
        for m in _QUOTED.finditer(value):
            rest.append(value[at : m.start()])
            at = m.end()
            words = tuple(fold_words(m.group(1)).split())
            if words:
                phrases.append(words)
        rest.append(value[at:])
        phrases += [(w,) for w in fold_words(" ".join(rest)).split()]
        phrases = list(dict.fromkeys(phrases))
        if not phrases:
            raise QueryError(
                f"search text {value[:60]!r} has no letters or digits to look for; "
                "give words such as 'Hà Nội'"
            )
        if sum(len(p) for p in phrases) > MAX_QUERY_WORDS:
            raise QueryError(f"search text has more than {MAX_QUERY_WORDS} words; give fewer")
        return cls(tuple(phrases))

    def fts5(self) -> str:
        """Return the FTS5 MATCH expression: every phrase quoted as an FTS5 string, all required."""
        # each word is [^\W_]+ after folding, so it holds no '"'; doubling one anyway is how
        # FTS5 escapes it, so nothing the user typed can become an operator
        return " AND ".join('"' + " ".join(p).replace('"', '""') + '"' for p in self.phrases)

    def words(self) -> set[str]:
        """Return every folded word of the query."""
        return {w for p in self.phrases for w in p}


_FTS = table(SEARCH_TABLE, column("rowid"), column("article_id"), column("document"))


def text_condition(session: Session, value: str) -> ColumnElement[bool]:
    """A SQL condition on `Article`: its title or text holds every word (or quoted phrase) of `value`,
    accents folded, through the full-text index; other filters, paging and exports build on it.

    Raises:
        QueryError: as `SearchQuery.parse`.
    """
    return Article.id.in_(_hits(session, SearchQuery.parse(value)).scalar_subquery())


def text_hits(session: Session, value: str) -> Select[Any]:
    """SELECT the ids of the articles whose title or text holds every word (or quoted phrase) of
    `value`, accents folded, straight from the full-text index: for ``x IN (…)`` conditions on
    tables keyed by article id, with no join through `Article`.

    Raises:
        QueryError: as `SearchQuery.parse`.
    """
    return _hits(session, SearchQuery.parse(value))


def _hits(session: Session, query: SearchQuery) -> Select[Any]:
    """SELECT the ids of the articles whose index matches `query` (engine by engine)."""
    if session.get_bind().dialect.name == "postgresql":
        # plainto/phraseto_tsquery parse no operators: the words are only ever words
        parts = [
            func.phraseto_tsquery("simple", " ".join(p))
            if len(p) > 1
            else func.plainto_tsquery("simple", p[0])
            for p in query.phrases
        ]
        tsquery: ColumnElement[Any] = parts[0]
        for part in parts[1:]:
            tsquery = tsquery.op("&&")(part)
        return select(_FTS.c.article_id).where(_FTS.c.document.op("@@")(tsquery))
    return select(_FTS.c.rowid).where(text(f"{SEARCH_TABLE} MATCH :q").bindparams(q=query.fts5()))


def _matching(
    session: Session, query: SearchQuery, limit: int | None, among: Any = None
) -> list[tuple[int, Any]]:
    """Return (id, published) of articles matching `query`, newest first, at most `limit`.

    `among`: a query of article ids, or a list of them, the results must be in (None: any).
    """
    stmt = select(Article.id, Article.published).where(
        Article.id.in_(_hits(session, query).scalar_subquery())
    )
    if among is not None:
        stmt = stmt.where(Article.id.in_(among))
    # Dated articles first, then undated ones: two queries, each walking an index newest first
    # (ix_article_published backwards, the primary key backwards) and stopping after `limit`
    # matches. One ORDER BY published DESC NULLS LAST has no index on SQLite, which cannot
    # declare NULLS LAST in an index, so PostgreSQL would have to find every match and sort.
    dated = stmt.where(Article.published.is_not(None)).order_by(Article.published.desc(), Article.id.desc())
    found = [(i, p) for i, p in session.execute(dated.limit(limit)).tuples()]
    if limit is not None and len(found) >= limit:
        return found
    undated = stmt.where(Article.published.is_(None)).order_by(Article.id.desc())
    if limit is not None:
        undated = undated.limit(limit - len(found))
    return found + [(i, p) for i, p in session.execute(undated).tuples()]


def snippet(
    body: str, phrases: tuple[tuple[str, ...], ...], size: int = SNIPPET_WORDS
) -> tuple[str, list[tuple[int, int]]]:
    """Return the part of `body` around the first match of a query phrase, and where matches are.

    Args:
        body: the article text as stored.
        phrases: the query's folded phrases (`SearchQuery.phrases`).
        size: words shown.

    Returns:
        (the snippet in NFC with runs of white space made one space and "…" where it was cut;
        (start, end) offsets in it of every match of a phrase, overlapping matches joined).
    """
    shown_text = " ".join(unicodedata.normalize("NFC", body).split())
    tokens = [(m.start(), m.end()) for m in WORD.finditer(shown_text)]
    if not tokens:
        return "", []
    folded = [fold(shown_text[a:b]) for a, b in tokens]
    hits = sorted(
        (i, i + len(p) - 1)
        for p in phrases
        for i in range(len(folded) - len(p) + 1)
        if folded[i] == p[0] and tuple(folded[i : i + len(p)]) == p
    )
    lo = max(0, (hits[0][0] if hits else 0) - size // 3)
    hi = min(len(tokens), lo + size)
    prefix = "…" if lo > 0 else ""
    suffix = "…" if hi < len(tokens) else ""
    start = tokens[lo][0]
    marks: list[tuple[int, int]] = []
    for a, b in hits:
        if a < lo or b >= hi:
            continue
        span = (tokens[a][0] - start + len(prefix), tokens[b][1] - start + len(prefix))
        if marks and span[0] <= marks[-1][1]:
            span = (marks[-1][0], max(span[1], marks[-1][1]))
            marks.pop()
        marks.append(span)
    return prefix + shown_text[start : tokens[hi - 1][1]] + suffix, marks


def search_articles(
    session: Session,
    query: str,
    *,
    province: str | None = None,
    year: int | None = None,
    bloc: str | None = None,
    unit: str | None = None,
    award: str | None = None,
    limit: int = 20,
) -> list[dict[str, Any]]:
    """Find articles whose title or text holds the query's words, newest first.

    Args:
        session: an open session.
        query: words to find, accents and case optional ("ha noi" finds "Hà Nội"); a part in
            double quotes is a phrase.
        province, year, bloc, unit, award: only articles whose current record passes these
            filters, as `store.queries.find_records` reads them (a province of 2025 also
            takes in the old provinces merged into it).
        limit: at most this many articles.

    Returns:
        One dict per article: ``article_id``, ``title``, ``url``, ``published`` (ISO date or
        None), ``snippet`` (text around the first match) and ``marks`` (offsets of matched
        words in the snippet, for highlighting; the snippet is article text, never markup).

    Raises:
        QueryError: an empty, too long or wordless query, a bad filter or limit.
    """
    if not 1 <= limit <= MAX_LIMIT:
        raise QueryError(f"limit must be between 1 and {MAX_LIMIT:,}, not {limit:,}")
    parsed = SearchQuery.parse(query)
    among: Select[Any] | list[int] | None = None
    if any(v is not None for v in (province, year, bloc, unit, award)):
        # the filters read the materialised current records (`store.queries.current_matching`)
        filters = check_filters(province=province, year=year, bloc=bloc, unit=unit, award=award)
        among = current_matching(session, filters)
        # A selective filter (a province: ~1 % of the store) is cheaper to search article by
        # article than walking every article newest first until enough pass both; the planner
        # cannot tell which from the subquery, so a short list is handed to it as values.
        few = list(session.scalars(among.limit(FEW_IDS + 1)))
        if len(few) <= FEW_IDS:
            among = few
    ids = [i for i, _ in _matching(session, parsed, limit, among)]
    rows = session.execute(
        select(Article.id, Article.title, Article.url, Article.published, Article.text).where(
            Article.id.in_(ids)
        )
    )
    articles = {r.id: r for r in rows}
    out = []
    for article_id in ids:
        a = articles[article_id]
        shown, marks = snippet(a.text, parsed.phrases)
        published: date | None = a.published
        out.append(
            {
                "article_id": a.id,
                "title": a.title,
                "url": a.url,
                "published": published.isoformat() if published else None,
                "snippet": shown,
                "marks": marks,
            }
        )
    return out
