"""What the search page counts, kept in memory by each web worker (issue 9): the facet values and
newest-first rank of every current record, and the articles recent search words were found in.

Why: counting facets in SQL costs in proportion to the matches. At 100,000 records a search within
one province (~1,700 matches) spent ~10 ms matching its words (FTS5 hands over every article
holding a common word, 34,000 of them, one row at a time; PostgreSQL's index likewise), ~10 ms
counting bloc and unit names fact by fact, and a broad search (a third of the store) 80–100 ms;
20 researchers asking different searches then queued for 0.5–1.8 s (bench/README.md, web_load).
Here a record's facet values are small integer codes in arrays, so counting the matches is one
`numpy.bincount` per facet, and a word's articles, once read from the full-text index, are a
sorted array intersected with the other filters' matches.

What stays in SQL, so the two paths cannot disagree on what a filter means: the filters that need
facts (bloc, unit, award status) select their article ids in SQL; province, years, award and
review state are read from the codes by the same rules (`FacetIndex.mask`); the text's ids come
from the full-text index (`store.search.text_hits`) and are kept here per query; the rows shown
are read by `store.browse` as always. `store.browse.browse` gives the same page with or without
an index (tests/store/test_facet_index.py compares them over many filters).

An index holds the data of one data version (`store.data_version`) and is used while younger than
a maximum age (the bound for a PostgreSQL writer the version misses, as for the results cache).
After a write it is *behind*: a search still uses it, and reads the few articles changed since
(`FacetIndex.changed`) from SQL beside it, so a correction is in the next search; meanwhile
`IndexKeeper` brings it up to date in the background (`FacetIndex.updated`, milliseconds) and
reads it again in full at half its maximum age. Past `MAX_DELTA` changes (a bulk re-extraction)
searches count in SQL alone until the index catches up.

Memory: some 60 bytes per record (codes, rank, years, sort date) plus 4 bytes per distinct bloc or
member name of a record, ~10 MB at 100,000 records per worker; the text cache holds at most
`HITS_BUDGET` article ids.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import MAXYEAR, MINYEAR
from typing import Any, Final

import numpy as np
import numpy.typing as npt
from sqlalchemy import CompoundSelect, Executable, Select, bindparam, func, select, union_all
from sqlalchemy.orm import Session

from store.data_version import DataVersion, data_version
from store.models import Article, ArticleVersion, Correction, CurrentFact, CurrentRecord, ExtractedRecord
from store.search import SearchQuery, text_hits

log = logging.getLogger(__name__)

Ids = npt.NDArray[np.int64]
# the one-value facets, by the name `store.browse._facets` gives them, and the column each reads
VALUE_COLUMNS: Final = {
    "province": CurrentRecord.province,
    "year": CurrentRecord.year,
    "review_state": CurrentRecord.review_state,
    "kinds": CurrentRecord.award_kinds,
    "statuses": CurrentRecord.award_statuses,
}
# the years a year filter reads, in `FacetIndex.years`' order
YEAR_COLUMNS: Final = (CurrentRecord.event_year, CurrentRecord.published_year, CurrentRecord.article_year)
# the facts whose names are counted (`store.browse._NAME_FACETS`)
NAME_FIELDS: Final = ("bloc", "member")
# article ids the text cache keeps at most, over all its queries (8 bytes each: 16 MB)
HITS_BUDGET: Final = 2_000_000


@dataclass(frozen=True, slots=True)
class _Values:
    """One facet: a code per record (in `FacetIndex.ids` order) and the value of each code."""

    codes: npt.NDArray[np.int32]
    values: list[Any]

    @classmethod
    def of(cls, column: Iterable[Any]) -> _Values:
        coder = _Coder()
        return cls(coder(column), coder.values())

    def where(self, test: Callable[[Any], bool]) -> npt.NDArray[np.bool_]:
        """Return which records have a value passing `test` (asked once per distinct value)."""
        passing = np.fromiter(
            (v is not None and test(v) for v in self.values), dtype=np.bool_, count=len(self.values)
        )
        found: npt.NDArray[np.bool_] = passing[self.codes]
        return found

    def count(self, positions: npt.NDArray[np.intp]) -> list[tuple[Any, int]]:
        counts = np.bincount(self.codes[positions], minlength=len(self.values))
        return [(self.values[c], int(counts[c])) for c in np.flatnonzero(counts)]


def _runs(
    pool: npt.NDArray[np.int32], lo: npt.NDArray[np.int64], lengths: npt.NDArray[np.int64]
) -> npt.NDArray[np.int32]:
    """Return the runs ``pool[lo[i]:lo[i] + lengths[i]]`` one after another, without a Python loop:
    arange walks the output, and each run's start minus its offset in the output maps it back."""
    offsets = np.repeat(lo - np.cumsum(lengths) + lengths, lengths)
    found: npt.NDArray[np.int32] = pool[offsets + np.arange(int(lengths.sum()))]
    return found


@dataclass(frozen=True, slots=True)
class _Names:
    """The distinct names of one kind of fact per record: record i's codes are
    ``codes[starts[i]:starts[i + 1]]`` (compressed rows), each name at most once per record."""

    starts: npt.NDArray[np.int64]
    codes: npt.NDArray[np.int32]
    values: list[str]

    @classmethod
    def of(cls, ids: Ids, fact_ids: Ids, codes: npt.NDArray[Any], values: list[str]) -> _Names:
        """The names of the records `ids` (sorted) from (record, name code) pairs in any order."""
        at = np.searchsorted(ids, fact_ids)
        # a fact of an article with no record in `ids` (written after the records were read) is
        # left out; the index is stale by then anyway
        inside = at < len(ids)
        inside[inside] = ids[at[inside]] == fact_ids[inside]
        at, code = at[inside], codes[inside].astype(np.int64)
        # one (record, name) pair per record and name: facets count records, not facts
        width = max(len(values), 1)
        pairs = np.unique(at * width + code)
        at, code = pairs // width, pairs % width
        starts = np.zeros(len(ids) + 1, dtype=np.int64)
        np.cumsum(np.bincount(at, minlength=len(ids)), out=starts[1:])
        return cls(starts, code.astype(np.int32), values)

    def _gather(self, positions: npt.NDArray[np.intp]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int32]]:
        """(how many names each of `positions` has, their codes one record after another)."""
        lo = self.starts[positions]
        lengths = self.starts[positions + 1] - lo
        return lengths, _runs(self.codes, lo, lengths)

    def updated(
        self,
        kept: npt.NDArray[np.intp],
        new_ids: Ids,
        fact_ids: Ids,
        codes: npt.NDArray[Any],
        order: npt.NDArray[np.intp],
        values: list[str],
    ) -> _Names:
        """The names after `FacetIndex.updated`: the records at positions `kept` keep theirs, the
        records `new_ids` (sorted) take the pairs (`fact_ids`, `codes`), and `order` puts the kept
        then the new records in id order. Linear: no sort of every name again."""
        fresh = _Names.of(new_ids, fact_ids, codes, values)
        lo = np.concatenate((self.starts[kept], fresh.starts[:-1] + len(self.codes)))[order]
        lengths = np.concatenate((self.starts[kept + 1] - self.starts[kept], np.diff(fresh.starts)))[order]
        starts = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=starts[1:])
        return _Names(starts, _runs(np.concatenate((self.codes, fresh.codes)), lo, lengths), values)

    def count(self, positions: npt.NDArray[np.intp]) -> list[tuple[str, int]]:
        """Count the records among `positions` holding each name."""
        _, taken = self._gather(positions)
        counts = np.bincount(taken, minlength=len(self.values))
        return [(self.values[c], int(counts[c])) for c in np.flatnonzero(counts)]


@dataclass(slots=True)
class FacetIndex:
    """The facet values and newest-first order of every current record at one data version."""

    version: DataVersion
    built_at: float  # time.monotonic() when its build started
    ids: Ids  # article ids, ascending
    by_rank: npt.NDArray[np.intp]  # positions in `ids`, newest first (sort date, then id)
    rank: npt.NDArray[np.int64]  # each position's place in `by_rank`
    values: dict[str, _Values]
    names: dict[str, _Names]
    province_keys: _Values
    # the event's, the record's publication's and the article's year of each record (0: none),
    # the three years a year filter reads (`store.queries._Filters.current_sql`)
    years: npt.NDArray[np.int32]
    days: Ids  # each record's sort date, as an ordinal
    _hits: OrderedDict[SearchQuery, Ids] = field(default_factory=OrderedDict)
    _hits_size: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def build(cls, session: Session) -> FacetIndex:
        """Read every current record's facet values and its bloc and member names.

        The data version is read first, so the data read is at least as new as the version it
        is kept under (a write during the build makes the index stale at once, never wrong).
        """
        started = time.monotonic()
        version = data_version(session)
        coders = {name: _Coder() for name in (*VALUE_COLUMNS, "province_key")}
        ids, days, codes, years = _records(session, coders, None)
        names = {}
        for f in NAME_FIELDS:
            coder = _Coder()
            fact_ids, name_codes = _facts(session, f, coder, None)
            names[f] = _Names.of(ids, fact_ids, name_codes, coder.values())
        return cls._made(version, started, ids, days, codes, coders, years, names)

    @classmethod
    def _made(
        cls,
        version: DataVersion,
        built_at: float,
        ids: Ids,
        days: Ids,
        codes: dict[str, npt.NDArray[np.int32]],
        coders: dict[str, _Coder],
        years: npt.NDArray[np.int32],
        names: dict[str, _Names],
    ) -> FacetIndex:
        # newest first: sort date descending, then article id descending (`store.browse._facets`)
        by_rank = np.lexsort((ids, days))[::-1].astype(np.intp)
        rank = np.empty(len(ids), dtype=np.int64)
        rank[by_rank] = np.arange(len(ids))
        values = {name: _Values(codes[name], coders[name].values()) for name in coders}
        province_keys = values.pop("province_key")
        return cls(version, built_at, ids, by_rank, rank, values, names, province_keys, years, days)

    def updated(self, session: Session, *, most: int) -> FacetIndex | None:
        """Return this index brought to the store's current data version by reading again only the
        records written or corrected since (`store.data_version` says which: records, corrections,
        article revisions and articles with a larger id); None when more than `most` changed
        (then a full `build` costs about as much).

        The new index keeps this one's `built_at`: the rows not read again are as old as that, and
        its age bounds what the data version cannot see (`IndexKeeper`). The search words' cache
        is kept when no article was added or revised (the full-text index is then the same).
        """
        version = data_version(session)
        if version == self.version:
            return self
        a, v, _, _ = self.version
        changed = self._changed(session, most)
        if changed is None:
            return None
        facets = {**self.values, "province_key": self.province_keys}
        # the codes given so far stay: the old rows keep theirs, new values get the next ones
        coders = {name: _Coder(facets[name].values) for name in (*VALUE_COLUMNS, "province_key")}
        new_ids, new_days, new_codes, new_years = _records(session, coders, changed)
        kept = ~np.isin(self.ids, changed, assume_unique=True)
        ids = np.concatenate((self.ids[kept], new_ids))
        order = np.argsort(ids, kind="stable")
        old_codes = {name: facets[name].codes for name in coders}
        codes = {name: np.concatenate((old_codes[name][kept], new_codes[name]))[order] for name in coders}
        days = np.concatenate((self.days[kept], new_days))[order]
        years = np.concatenate((self.years[:, kept], new_years), axis=1)[:, order]
        ids = ids[order]
        names = {}
        for f, old in self.names.items():
            coder = _Coder(old.values)
            fact_ids, name_codes = _facts(session, f, coder, changed)
            names[f] = old.updated(np.flatnonzero(kept), new_ids, fact_ids, name_codes, order, coder.values())
        index = self._made(version, self.built_at, ids, days, codes, coders, years, names)
        if version[0] == a and version[1] == v:  # no article added or revised: the same words
            with self._lock:
                index._hits, index._hits_size = OrderedDict(self._hits), self._hits_size
        return index

    def _since(self, most: int) -> CompoundSelect[Any]:
        """SELECT the articles whose current record may differ from this index's copy: a new
        record (crawl, re-extraction), a correction or undo, a revised or new article, since
        `version` (`store.data_version` lists what moves it); at most `most` + 1 rows of each
        table, the callers needing to know only whether there are more than `most`.

        Each part walks its primary key from the version's id (ORDER BY id LIMIT): with a plain
        ``id > n`` PostgreSQL's planner, misled by statistics older than the last writes, read
        every record (7 ms a search while the index was behind).
        """
        a, v, r, c = self.version
        parts = (
            (ExtractedRecord.article_id, ExtractedRecord.id, r),
            (Correction.article_id, Correction.id, c),
            (ArticleVersion.article_id, ArticleVersion.id, v),
            (Article.id, Article.id, a),
        )
        limited = [
            select(article).where(key > since).order_by(key).limit(most + 1).subquery()
            for article, key, since in parts
        ]
        return union_all(*(select(*sub.c) for sub in limited))

    def changed(self, session: Session, version: DataVersion | None = None) -> tuple[Ids | None, bool]:
        """Return the ids of the articles changed since this index's data version (sorted; none
        while it holds `version`; None past `MAX_DELTA` rows of changes), and whether an article
        was added or revised since (then the full-text hits kept here may miss it).

        `version`: the store's data version as the caller read it before its data (the web app
        reads it for its cache keys); read here when not given.
        """
        if version is None:
            version = data_version(session)
        if all(mine >= now for mine, now in zip(self.version, version, strict=True)):
            return np.empty(0, dtype=np.int64), False
        texts = version[0] > self.version[0] or version[1] > self.version[1]
        return self._changed(session, MAX_DELTA), texts

    def _changed(self, session: Session, most: int) -> Ids | None:
        """The articles changed since this index's version, sorted; None past `most` rows."""
        rows = id_rows(session, self._since(most))
        # each table gives at most `most` + 1 rows: more than `most` in all may hide others
        return None if len(rows) > most else np.unique(rows)

    def mask(
        self,
        *,
        province_keys: tuple[str, ...] | None = None,
        year: int | None = None,
        year_from: int | None = None,
        year_to: int | None = None,
        award: str | None = None,
        review: str | None = None,
    ) -> npt.NDArray[np.bool_] | None:
        """Return which records pass the filters the index holds the values of, as SQL reads them
        (`store.queries._Filters.current_sql`, `store.research._conditions`); None when none is set.

        A province by key (the caller gives a 2025 province's merged keys too), a year among the
        three years, a year range likewise, an award among the record's award codes, a review state.
        """
        out: npt.NDArray[np.bool_] | None = None

        def both(m: npt.NDArray[np.bool_]) -> None:
            nonlocal out
            out = m if out is None else out & m

        if province_keys is not None:
            both(self.province_keys.where(lambda v: v in province_keys))
        if year is not None:
            both(np.asarray((self.years == year).any(axis=0), dtype=np.bool_))
        if year_from is not None or year_to is not None:
            lo, hi = year_from or MINYEAR, year_to or MAXYEAR
            both(np.asarray(((self.years >= lo) & (self.years <= hi)).any(axis=0), dtype=np.bool_))
        if award is not None:
            both(self.values["kinds"].where(lambda v: award in v.split()))
        if review is not None:
            both(self.values["review_state"].where(lambda v: v == review))
        return out

    def age(self) -> float:
        """Seconds since its build started (its data is at least this old)."""
        return time.monotonic() - self.built_at

    def positions(self, article_ids: Ids) -> npt.NDArray[np.intp] | None:
        """Return the positions of `article_ids` (sorted, distinct) in the index, or None when one
        of them is not in it (a record newer than the index)."""
        at = np.searchsorted(self.ids, article_ids)
        if len(at) and (at[-1] >= len(self.ids) or not np.array_equal(self.ids[at], article_ids)):
            return None
        return at.astype(np.intp)

    def present(self, article_ids: Ids) -> npt.NDArray[np.intp]:
        """Return the positions of those of `article_ids` (sorted, distinct) that have a record
        here: the articles a text search finds include ones that are not bloc news."""
        at = np.searchsorted(self.ids, article_ids)
        inside = at < len(self.ids)
        at, article_ids = at[inside], article_ids[inside]
        found: npt.NDArray[np.intp] = at[self.ids[at] == article_ids].astype(np.intp)
        return found

    def text_ids(self, session: Session, words: str) -> Ids:
        """Return the ids of the articles holding `words` (`store.search.text_hits`), sorted: from
        the full-text index the first time, then from memory (least recently used out first,
        at most `HITS_BUDGET` ids in all).

        Raises:
            QueryError: as `store.search.SearchQuery.parse`.
        """
        query = SearchQuery.parse(words)  # the key: "Ha Noi" and "hà nội" are one search
        with self._lock:
            found = self._hits.get(query)
            if found is not None:
                self._hits.move_to_end(query)
                return found
        found = id_array(session, text_hits(session, words))
        found.setflags(write=False)
        with self._lock:
            if query not in self._hits and len(found) <= HITS_BUDGET:
                self._hits[query] = found
                self._hits_size += len(found)
                while self._hits_size > HITS_BUDGET:
                    _, dropped = self._hits.popitem(last=False)
                    self._hits_size -= len(dropped)
        return found

    def newest(self, positions: npt.NDArray[np.intp], n: int, skip: int = 0) -> npt.NDArray[np.intp]:
        """Return the positions of the `n` newest of `positions` after the `skip` newest, in order."""
        ranks = self.rank[positions]
        end = min(len(ranks), skip + n)
        if end <= skip:
            return np.empty(0, dtype=np.intp)
        if end < len(ranks):  # only the first `end` need ordering
            ranks = np.partition(ranks, end - 1)[:end]
        return self.by_rank[np.sort(ranks)[skip:end]]

    def count(self, positions: npt.NDArray[np.intp]) -> list[tuple[str, Any, int]]:
        """Count `positions` per value of each facet: (facet, value, records) as
        `store.browse._facets` reads them from SQL."""
        return [(facet, v, n) for facet, vals in self.values.items() for v, n in vals.count(positions)]

    def count_names(self, positions: npt.NDArray[np.intp]) -> list[tuple[str, Any, int]]:
        """Count the records among `positions` per name of their bloc and member facts."""
        return [(f, v, n) for f, names in self.names.items() for v, n in names.count(positions)]

    def sort_keys(self, positions: npt.NDArray[np.intp]) -> list[tuple[int, int]]:
        """(sort date as an ordinal, article id) of each of `positions`: newest first is descending."""
        return list(zip(self.days[positions].tolist(), self.ids[positions].tolist(), strict=True))


def id_array(session: Session, stmt: Select[Any] | CompoundSelect[Any]) -> Ids:
    """Return the ids `stmt` (one integer column) selects, sorted and distinct.

    They come as one value (PostgreSQL's ``array_agg``, SQLite's ``group_concat``): a word of
    34,000 articles cost 14–16 ms of CPU read row by row through SQLAlchemy, 1.4–2.4 ms so.
    """
    return np.unique(id_rows(session, stmt))


def id_rows(session: Session, stmt: Select[Any] | CompoundSelect[Any]) -> Ids:
    """Return the ids `stmt` selects as `id_array` reads them, one per row (unsorted, repeated)."""
    rows = stmt.subquery()
    (column,) = rows.c
    if session.get_bind().dialect.name == "postgresql":
        listed = session.scalar(select(func.array_agg(column)))
        found = np.array(listed or [], dtype=np.int64)
    else:
        joined = session.scalar(select(func.group_concat(column)))
        found = np.fromstring(joined, dtype=np.int64, sep=",") if joined else np.empty(0, dtype=np.int64)
    return found


# a search reads at most this many articles changed since its index was made from SQL, beside
# the index (`store.browse`); past it, the search counts in SQL alone until the index catches up
MAX_DELTA: Final = 2000
# past this many records changed since an index was made, it is built again in full instead of
# updated (an update reads the changed ones by id, bound as values)
MOST_CHANGED: Final = 5000
# rows read at once while building: the build's memory stays some MB above the index's own,
# whatever the number of records
CHUNK: Final = 20_000


class _Coder:
    """Gives each distinct value a small integer code, in order of first sight."""

    def __init__(self, values: Iterable[Any] = ()) -> None:
        self._seen: dict[Any, int] = {v: i for i, v in enumerate(values)}  # codes given before

    def __call__(self, column: Iterable[Any]) -> npt.NDArray[np.int32]:
        seen = self._seen
        return np.fromiter((seen.setdefault(v, len(seen)) for v in column), dtype=np.int32)

    def values(self) -> list[Any]:
        """The values, by code."""
        return list(self._seen)


def _column(i: int, coder: _Coder) -> Callable[[Sequence[Any]], npt.NDArray[Any]]:
    """A converter for `_read`: the codes of the rows' `i`-th column."""
    return lambda rows: coder(r[i] for r in rows)


def _read(
    session: Session, stmt: Executable, *columns: Callable[[Sequence[Any]], npt.NDArray[Any]]
) -> list[npt.NDArray[Any]]:
    """Run `stmt` and turn its rows into arrays, `CHUNK` rows at a time: one array per converter
    of `columns`, each given the chunk's rows."""
    parts: list[list[npt.NDArray[Any]]] = [[] for _ in columns]
    # Core rows from the connection: the ORM's row loading cost more than the rest of the build
    for rows in session.connection().execute(stmt.execution_options(yield_per=CHUNK)).partitions():
        for out, convert in zip(parts, columns, strict=True):
            out.append(convert(rows))
    return [np.concatenate(p) if p else convert([]) for p, convert in zip(parts, columns, strict=True)]


def _records(
    session: Session, coders: dict[str, _Coder], among: Ids | None
) -> tuple[Ids, Ids, dict[str, npt.NDArray[np.int32]], npt.NDArray[np.int32]]:
    """Read the current records (of the articles `among`, or all): their ids ascending, sort dates
    as ordinals, a code per facet value (`coders`: the facets of `VALUE_COLUMNS` and the province
    key) and their three years (0: none), one column a record."""
    stmt = select(
        CurrentRecord.article_id,
        CurrentRecord.sort_date,
        *VALUE_COLUMNS.values(),
        CurrentRecord.province_key,
        *YEAR_COLUMNS,
    ).order_by(CurrentRecord.article_id)
    ids, days, *codes, years = _read(
        session,
        stmt if among is None else stmt.where(CurrentRecord.article_id.in_(_listed(among))),
        lambda rows: np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows)),
        lambda rows: np.fromiter((r[1].toordinal() for r in rows), dtype=np.int64, count=len(rows)),
        *(_column(i, coder) for i, coder in enumerate(coders.values(), start=2)),
        lambda rows: np.array([[y or 0 for y in r[-3:]] for r in rows], dtype=np.int32).reshape(-1, 3),
    )
    return ids, days, dict(zip(coders, codes, strict=True)), years.T.copy()


def _facts(
    session: Session, field_name: str, coder: _Coder, among: Ids | None
) -> tuple[Ids, npt.NDArray[np.int32]]:
    """Read (article id, name code) of the non-empty names of `field_name`'s current facts (of
    the articles `among`, or all)."""
    stmt = select(CurrentFact.article_id, CurrentFact.name).where(
        CurrentFact.field == field_name, CurrentFact.name != ""
    )
    if among is not None:
        stmt = stmt.where(CurrentFact.article_id.in_(_listed(among)))
    fact_ids, codes = _read(
        session,
        stmt,
        lambda rows: np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows)),
        _column(1, coder),
    )
    return fact_ids, codes


def _listed(ids: Ids) -> Any:
    """`ids` for an IN condition: bound values, expanded by the driver (`IndexKeeper` bounds how
    many: `MOST_CHANGED`)."""
    return bindparam("among", [int(i) for i in ids], expanding=True)


class IndexKeeper:
    """One web worker's `FacetIndex`: handed out while young, brought up to date in the background.

    Args:
        sessions: opens a session on the store (a read-only one is enough).
        max_age: seconds an index is used at most, whatever the data version says.
        min_interval: seconds at least between the starts of two builds. A build also waits
            ten times the last one of its kind took (a full one 1.3 s at 100,000 records: 13 s;
            an update 15–25 ms: 0.2 s), so a store written all night (the crawl) does not keep a
            CPU rebuilding; searches read the changes from SQL beside the index meanwhile.

    After a write, a young index is brought up to date from the records changed since
    (`FacetIndex.updated`, milliseconds for an editor's correction); a full build reads every
    record again, when there is no index, it is half its maximum age old, or more than
    `MOST_CHANGED` records changed.
    """

    def __init__(
        self,
        sessions: Callable[[], Session],
        *,
        max_age: float,
        min_interval: float = 0.05,
    ):
        self._sessions = sessions
        self._max_age = max_age
        self._min_interval = min_interval
        self._index: FacetIndex | None = None
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._last_start = -float("inf")
        self._last_length = {"full": 0.0, "update": 0.0}
        self._warned = False
        self.builds = {"full": 0, "updates": 0}  # how many of each were made (tests, /api/status)

    def current(self, version: DataVersion) -> FacetIndex | None:
        """Return the index while it is younger than the maximum age, starting a build when it is
        behind `version` or half that age old; None (count in SQL) without one.

        An index behind the store is still handed out: a search reads what changed since from
        SQL beside it (`store.browse`), while the update runs in the background. Past half the
        maximum age it is read again in full, and used meanwhile, so age alone never sends
        searches to SQL (a full build takes seconds).
        """
        index = self._index
        if index is None or not self._young(index):
            self.refresh()
            return None
        if not self._holds(index, version) or index.age() >= self._max_age / 2:
            self.refresh()
        return index

    def _young(self, index: FacetIndex) -> bool:
        return index.age() < self._max_age

    @staticmethod
    def _holds(index: FacetIndex, version: DataVersion) -> bool:
        # every table's largest id at least the version's: the data of `version`, or newer
        return all(mine >= asked for mine, asked in zip(index.version, version, strict=True))

    def status(self, version: DataVersion) -> dict[str, Any]:
        """Say what this worker's index is at `version`: ``state`` ("current"; "behind": used, the
        changes since read from SQL, an update coming; "stale": too old; "building"; "none"),
        ``records`` it holds, its ``age_seconds`` (None without one), and how many
        ``full_builds`` and ``updates`` this worker made."""
        index = self._index
        building = self._thread is not None and self._thread.is_alive()
        if index is not None and self._young(index):
            state = "current" if self._holds(index, version) else "behind"
        else:
            state = "building" if building else ("stale" if index is not None else "none")
        return {
            "state": state,
            "records": None if index is None else len(index.ids),
            "age_seconds": None if index is None else round(time.monotonic() - index.built_at, 1),
            "full_builds": self.builds["full"],
            "updates": self.builds["updates"],
        }

    def refresh(self, *, wait: bool = False) -> None:
        """Start a build in the background unless one runs or started too recently; with `wait`,
        build now (a build running already is waited for)."""
        with self._lock:
            running = self._thread is not None and self._thread.is_alive()
            pause = max(
                self._min_interval, 10 * self._last_length["update" if self._can_update() else "full"]
            )
            if not running and (wait or time.monotonic() - self._last_start >= pause):
                self._last_start = time.monotonic()
                self._thread = threading.Thread(target=self._build, name="facet-index", daemon=True)
                self._thread.start()
            thread = self._thread
        if wait and thread is not None:
            thread.join()

    def close(self) -> None:
        """Wait for a running build (the app is stopping and its engines are disposed next)."""
        thread = self._thread
        if thread is not None:
            thread.join()

    def _can_update(self) -> bool:
        """Whether the next build may update the index instead of reading every record."""
        index = self._index
        return index is not None and time.monotonic() - index.built_at < self._max_age / 2

    def _build(self) -> None:
        started = time.monotonic()
        full = True
        try:
            with self._sessions() as session:
                if session.get_bind().dialect.name == "postgresql":
                    # one snapshot for the data version and every row read after it (the web app's
                    # read engine autocommits: a snapshot per statement)
                    session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
                old = self._index
                made = old.updated(session, most=MOST_CHANGED) if old and self._can_update() else None
                full = made is None
                self._index = made or FacetIndex.build(session)
                self.builds["full" if full else "updates"] += 1
        except Exception as exc:  # any failure leaves searches counting in SQL, as before
            if not self._warned:
                log.warning("could not build the in-memory facet index; searches count in SQL: %s", exc)
                self._warned = True
        self._last_length["full" if full else "update"] = time.monotonic() - started
