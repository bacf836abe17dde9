"""The store's tables (see ../shared/DESIGN.md, "The store", and ../shared/STYLE.md, habit 9).

Raw pages, articles, extraction runs with their facts, and failures live in separate tables.
Machine output is append-only: a re-run of the extractor writes a new `ExtractionRun` with new
`ExtractedRecord` and fact rows and never updates an old one (an UPDATE of those rows raises
`ImmutableRowError`). Editor corrections live in their own append-only table (`Correction`): they
name facts by a fact key that stays the same across re-extractions (`store.facts`), also record
the run's record and fact row they were made against, and are never updated or deleted (an undo
is one more correction). `store.current` overlays them on the newest machine record.
Entities (`Entity`: units and blocs per province, with aliases, 2025 successor links and the
`FactEntity` links from facts, by fact key) and editors' merges and splits of them
(`EntityCorrection`) are append-only too; see `store.entities` and `store.entity_corrections`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Connection,
    ForeignKey,
    Index,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    event,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Mapper, mapped_column, relationship

from store.errors import ImmutableRowError
from store.types import (
    UTCDateTime,
    code,
    created_at,
    intpk,
    long_text,
    sha256_hex,
)

# Alembic docs/build/naming.rst: named constraints from day one, so later migrations can
# drop or alter them on every backend (SQLite batch mode needs the names).
NAMING_CONVENTION: Final = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

FAILURE_STAGES: Final = ("fetch", "decode", "clean", "relevance", "extract", "store")
RUN_STATUSES: Final = ("running", "finished", "failed", "interrupted")
FACT_KINDS: Final = ("published", "province", "event_date", "event_kind", "bloc", "member", "role", "award")
# what an editor can do (issue 8, item 3); "undo" cancels an earlier correction by adding a row
CORRECTION_ACTIONS: Final = ("accept", "change", "add", "delete", "verify", "merge", "split", "undo")
# entities across articles (store.entities): canonical units and blocs per province
ENTITY_KINDS: Final = ("unit", "bloc")
# how two entities are related by the 2025 reorganisation (store.reorg)
ENTITY_RELATIONS: Final = ("successor_2025",)
# what an editor can do to entities (store.entity_corrections); an undo cancels an earlier one
ENTITY_ACTIONS: Final = ("merge", "split", "undo")
# why a page is linked to an article (ArticleAlias.matched_by)
ALIAS_MATCHES: Final = ("first", "canonical_url", "content_key", "near_duplicate")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        dict[str, str]: JSON(),
        list[str]: JSON(),
        bytes: LargeBinary(),
        str: String(),
    }


class Portal(Base):
    """A news portal from crawler/registry.py, as it was when last crawled."""

    __tablename__ = "portal"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(64), unique=True)
    province: Mapped[str | None]
    family: Mapped[str] = mapped_column(String(32))
    hosts: Mapped[list[str]]
    created_at: Mapped[created_at]


class Page(Base):
    """A fetched page, one row per canonical URL, holding the newest raw HTML.

    When a refetch brings a different body, the previous body moves to `PageVersion` first,
    so raw HTML is never lost; an unchanged refetch only bumps `fetch_count`/`last_seen_at`.
    """

    __tablename__ = "page"

    id: Mapped[intpk]
    portal_id: Mapped[int | None] = mapped_column(ForeignKey("portal.id"), index=True)
    url: Mapped[str]
    canonical_url: Mapped[str] = mapped_column(unique=True)
    final_url: Mapped[str]
    status: Mapped[int]
    headers: Mapped[dict[str, str]]
    body: Mapped[bytes]
    encoding: Mapped[str | None] = mapped_column(String(64))
    content_hash: Mapped[sha256_hex] = mapped_column(index=True)
    fetched_at: Mapped[datetime]  # when the current body was fetched
    last_seen_at: Mapped[datetime]  # last successful fetch, changed or not
    fetch_count: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[created_at]

    portal: Mapped[Portal | None] = relationship()
    versions: Mapped[list[PageVersion]] = relationship(
        back_populates="page", order_by="PageVersion.id", cascade="all, delete-orphan", passive_deletes=True
    )


class PageVersion(Base):
    """An earlier body of a page, kept when a refetch brought different content."""

    __tablename__ = "page_version"

    id: Mapped[intpk]
    page_id: Mapped[int] = mapped_column(ForeignKey("page.id", ondelete="CASCADE"), index=True)
    url: Mapped[str]
    final_url: Mapped[str]
    status: Mapped[int]
    headers: Mapped[dict[str, str]]
    body: Mapped[bytes]
    encoding: Mapped[str | None] = mapped_column(String(64))
    content_hash: Mapped[sha256_hex]
    fetched_at: Mapped[datetime]
    replaced_at: Mapped[datetime]

    page: Mapped[Page] = relationship(back_populates="versions")


class Article(Base):
    """A cleaned article: the stored `text` is what every evidence offset points into."""

    __tablename__ = "article"
    # newest first: full-text search walks it backwards and stops after a page of matches
    __table_args__ = (Index("ix_article_published", "published", "id"),)

    id: Mapped[intpk]
    page_id: Mapped[int] = mapped_column(ForeignKey("page.id"), index=True)  # the first page seen
    url: Mapped[str]
    canonical_url: Mapped[str] = mapped_column(unique=True)
    title: Mapped[str | None] = mapped_column(Text())
    text: Mapped[long_text]
    published: Mapped[date | None]
    content_key: Mapped[sha256_hex] = mapped_column(unique=True)
    is_bloc_news: Mapped[bool] = mapped_column(index=True)
    relevance_reason: Mapped[long_text]
    # 1 for the text first stored; a portal's later edit of the article makes the next version
    # (store.versions): the earlier text moves to ArticleVersion, records name their version
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[created_at]

    page: Mapped[Page] = relationship()
    aliases: Mapped[list[ArticleAlias]] = relationship(back_populates="article", order_by="ArticleAlias.id")


class ArticleVersion(Base):
    """An earlier text of an article, kept when the portal changed the article (never updated).

    The records extracted from it (`ExtractedRecord.article_version`) keep their evidence
    offsets into this text; `store.versions.article_text` returns the text of any version.
    """

    __tablename__ = "article_version"
    __table_args__ = (UniqueConstraint("article_id", "version"),)

    id: Mapped[intpk]
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id"), index=True)
    version: Mapped[int]
    url: Mapped[str]
    title: Mapped[str | None] = mapped_column(Text())
    text: Mapped[long_text]
    published: Mapped[date | None]
    content_key: Mapped[sha256_hex]
    created_at: Mapped[datetime]  # when this text was first stored
    replaced_at: Mapped[datetime]  # when the next version replaced it


class ArticleBand(Base):
    """One MinHash band of an article's current text, for near-duplicate lookups (store.neardup)."""

    __tablename__ = "article_band"
    __table_args__ = (
        UniqueConstraint("article_id", "band"),
        Index("ix_article_band_band", "band", "value"),
    )

    id: Mapped[intpk]
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id"))
    band: Mapped[int]
    value: Mapped[int] = mapped_column(BigInteger())


# what a URL of the crawl is, in seen_url
SEEN_KINDS: Final = ("article", "listing", "feed")
# how a raw URL came to name a canonical one, in url_alias
URL_ALIAS_HOWS: Final = ("requested", "redirect", "link", "print", "rel_canonical")


class SeenUrl(Base):
    """What the crawler knows of one canonical URL across runs (crawler/incremental.py).

    The validators the server sent (ETag, Last-Modified) make the next request conditional: a
    304 is "unchanged" and brings no body. `text_hash` is the sha256 of the article's clean text
    (store.seen.text_hash): a new body with the same clean text is unchanged too (visit
    counters, session tokens); a different one is a new version of the article.
    """

    __tablename__ = "seen_url"
    __table_args__ = (CheckConstraint(_in("kind", SEEN_KINDS), name="kind"),)

    id: Mapped[intpk]
    canonical_url: Mapped[str] = mapped_column(unique=True)
    portal: Mapped[str | None] = mapped_column(String(64), index=True)
    kind: Mapped[code]
    etag: Mapped[str | None] = mapped_column(String(512))
    last_modified: Mapped[str | None] = mapped_column(String(64))  # the header value as sent
    text_hash: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[int | None]  # of the last response
    first_seen_at: Mapped[datetime]
    last_checked_at: Mapped[datetime]  # the last response, 304 included
    last_fetched_at: Mapped[datetime | None]  # the last response with a body
    last_changed_at: Mapped[datetime | None]  # the last time the clean text changed
    checks: Mapped[int] = mapped_column(default=0)
    not_modified: Mapped[int] = mapped_column(default=0)  # 304 answers
    changes: Mapped[int] = mapped_column(default=0)  # new versions of the clean text


class UrlAlias(Base):
    """A URL as a portal wrote it (session id, tracking parameters, www., print view, …) and the
    canonical URL it stands for; every URL an article was seen under is kept here."""

    __tablename__ = "url_alias"
    __table_args__ = (CheckConstraint(_in("how", URL_ALIAS_HOWS), name="how"),)

    id: Mapped[intpk]
    url: Mapped[str] = mapped_column(unique=True)
    canonical_url: Mapped[str] = mapped_column(index=True)
    portal: Mapped[str | None] = mapped_column(String(64))
    how: Mapped[code]
    first_seen_at: Mapped[datetime]


class ArticleAlias(Base):
    """Links every page of an article to it: the first page, print views, syndicated copies.

    `matched_by` says why: "first" (the page the article was made from), "canonical_url" or
    "content_key" (a duplicate found by that key), "near_duplicate" (a syndicated copy whose clean
    text resembles the article's, store.neardup).
    """

    __tablename__ = "article_alias"
    __table_args__ = (CheckConstraint(_in("matched_by", ALIAS_MATCHES), name="matched_by"),)

    id: Mapped[intpk]
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id"), index=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("page.id"), unique=True)
    url: Mapped[str]
    canonical_url: Mapped[str] = mapped_column(index=True)
    matched_by: Mapped[code]
    created_at: Mapped[created_at]

    article: Mapped[Article] = relationship(back_populates="aliases")
    page: Mapped[Page] = relationship()


class ExtractionRun(Base):
    """One pass of the extractor over stored articles."""

    __tablename__ = "extraction_run"
    __table_args__ = (CheckConstraint(_in("status", RUN_STATUSES), name="status"),)

    id: Mapped[intpk]
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    status: Mapped[code]
    extractor_version: Mapped[str] = mapped_column(String(64))
    config: Mapped[dict[str, Any]]
    stats: Mapped[dict[str, Any]]


class ExtractedRecord(Base):
    """The SCHEMA.md record one run produced for one article (scalars kept here for querying)."""

    __tablename__ = "extracted_record"
    __table_args__ = (
        UniqueConstraint("run_id", "article_id"),
        # (article_id, run_id): finds an article's newest record (store.current, store.browse)
        # from the index alone; named by its first column, as the naming convention names indexes
        Index("ix_extracted_record_article_id", "article_id", "run_id"),
    )

    id: Mapped[intpk]
    run_id: Mapped[int] = mapped_column(ForeignKey("extraction_run.id"), index=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id"))
    doc_id: Mapped[str]
    published: Mapped[date | None]
    province: Mapped[str | None]
    province_key: Mapped[str | None] = mapped_column(index=True)
    event_date: Mapped[date | None]
    event_kinds: Mapped[list[str]]
    flags: Mapped[list[str]]
    # the article's version (Article.version) whose text the evidence offsets point into
    article_version: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[created_at]

    run: Mapped[ExtractionRun] = relationship()
    article: Mapped[Article] = relationship()
    scalars: Mapped[list[ScalarFact]] = relationship(
        order_by="ScalarFact.position", cascade="all, delete-orphan", passive_deletes=True
    )
    blocs: Mapped[list[BlocFact]] = relationship(
        order_by="BlocFact.position", cascade="all, delete-orphan", passive_deletes=True
    )
    members: Mapped[list[MemberFact]] = relationship(
        order_by="MemberFact.position", cascade="all, delete-orphan", passive_deletes=True
    )
    roles: Mapped[list[RoleFact]] = relationship(
        order_by="RoleFact.position", cascade="all, delete-orphan", passive_deletes=True
    )
    awards: Mapped[list[AwardFact]] = relationship(
        order_by="AwardFact.position", cascade="all, delete-orphan", passive_deletes=True
    )


class FactColumns:
    """Columns every fact table shares: its record, list position, evidence, confidence, rule.

    `evidence_text == article.text[evidence_start:evidence_end]`; all three are null when the
    fact came from metadata or the URL rather than the text.
    """

    # sort_order puts these shared columns first in every fact table, before its own fields
    id: Mapped[intpk] = mapped_column(sort_order=-10)
    record_id: Mapped[int] = mapped_column(
        ForeignKey("extracted_record.id", ondelete="CASCADE"), index=True, sort_order=-9
    )
    position: Mapped[int] = mapped_column(sort_order=-8)  # order within the record's list
    evidence_start: Mapped[int | None] = mapped_column(sort_order=-7)
    evidence_end: Mapped[int | None] = mapped_column(sort_order=-6)
    evidence_text: Mapped[str | None] = mapped_column(Text(), sort_order=-5)
    confidence: Mapped[float] = mapped_column(sort_order=-4)
    rule: Mapped[str] = mapped_column(String(128), sort_order=-3)


class ScalarFact(FactColumns, Base):
    """published, province, event_date or one event kind, with its evidence."""

    __tablename__ = "scalar_fact"

    field_name: Mapped[code]  # "published" | "province" | "event_date" | "event_kind"
    value: Mapped[str | None]  # the string the extractor produced, even if not a valid date


class BlocFact(FactColumns, Base):
    __tablename__ = "bloc_fact"

    name: Mapped[str]
    number: Mapped[str | None] = mapped_column(String(16))
    aliases: Mapped[list[str]]
    # keys of the name and every alias joined by " | ", for whole-word matching (store.keys)
    names_key: Mapped[str]


class MemberFact(FactColumns, Base):
    __tablename__ = "member_fact"

    unit: Mapped[str]
    surface: Mapped[str]  # the words the article used, before expansion
    unit_key: Mapped[str]


class RoleFact(FactColumns, Base):
    __tablename__ = "role_fact"

    unit: Mapped[str]
    role: Mapped[code]
    year: Mapped[int | None]
    unit_key: Mapped[str]


class AwardFact(FactColumns, Base):
    __tablename__ = "award_fact"

    recipient: Mapped[str]
    award: Mapped[code] = mapped_column(index=True)
    issuer: Mapped[str | None] = mapped_column(String(32))
    year: Mapped[int | None]
    status: Mapped[code]
    recipient_key: Mapped[str]


class Failure(Base):
    """What failed, where and why; `resolved` turns true once a later attempt succeeds."""

    __tablename__ = "failure"
    __table_args__ = (CheckConstraint(_in("stage", FAILURE_STAGES), name="stage"),)

    id: Mapped[intpk]
    stage: Mapped[code] = mapped_column(index=True)
    url: Mapped[str] = mapped_column(index=True)
    portal: Mapped[str | None] = mapped_column(String(64))
    error_type: Mapped[str | None] = mapped_column(String(128))
    message: Mapped[long_text]
    detail: Mapped[str | None] = mapped_column(Text())  # the traceback, when there was one
    created_at: Mapped[created_at]
    resolved: Mapped[bool] = mapped_column(default=False, server_default=false())


class Editor(Base):
    """Someone who corrects records: for now a name; the web app will add sign-in to it."""

    __tablename__ = "editor"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(128), unique=True)
    created_at: Mapped[created_at]


class Correction(Base):
    """One editor action on one article's record; rows are only ever added (see store.corrections).

    Facts are named by their fact keys (`store.facts.fact_key`), which stay the same when a later
    run extracts the same fact again, so the correction applies to every later run's record too.
    `record_id` and `fact_id` say which machine record (and fact row of `field`'s table) the
    editor was looking at. `machine_values` holds, for every fact key the action read or wrote,
    the machine's value then (null: no machine fact with that key): `store.current` compares it
    with the newest run's value to flag the record for review when the machine changed its mind.
    """

    __tablename__ = "correction"
    __table_args__ = (
        CheckConstraint(_in("action", CORRECTION_ACTIONS), name="action"),
        CheckConstraint(_in("field", FACT_KINDS), name="field"),  # NULL (a whole record) passes
        CheckConstraint(
            "(action = 'undo' AND undoes_id IS NOT NULL) OR (action <> 'undo' AND undoes_id IS NULL)",
            name="undo_target",
        ),
    )

    id: Mapped[intpk]
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id"), index=True)
    record_id: Mapped[int | None] = mapped_column(ForeignKey("extracted_record.id"))
    editor_id: Mapped[int] = mapped_column(ForeignKey("editor.id"), index=True)
    action: Mapped[code]
    field: Mapped[str | None] = mapped_column(String(32))  # null: a verify of the whole record
    fact_id: Mapped[int | None]  # the row in `field`'s fact table of record_id, if a machine fact
    fact_keys: Mapped[list[str]]  # the facts acted on (one; several for a merge; none for add)
    result_keys: Mapped[list[str]]  # the facts the action leaves in the record (change, add, …)
    machine_values: Mapped[dict[str, Any]]
    old_value: Mapped[Any | None] = mapped_column(JSON(none_as_null=True))  # what the current record showed
    new_value: Mapped[Any | None] = mapped_column(
        JSON(none_as_null=True)
    )  # the value given (a list for a split)
    evidence_start: Mapped[int | None]
    evidence_end: Mapped[int | None]
    evidence_text: Mapped[str | None] = mapped_column(Text())
    reason: Mapped[str | None] = mapped_column(Text())
    undoes_id: Mapped[int | None] = mapped_column(ForeignKey("correction.id"))
    created_at: Mapped[created_at]

    editor: Mapped[Editor] = relationship()


# what `store.research.review_state` says of a current record
REVIEW_STATES: Final = ("machine", "corrected", "review")
# the list fields of a current record that `CurrentFact` holds
CURRENT_FACT_FIELDS: Final = ("bloc", "member", "role", "award")


class CurrentRecord(Base):
    """The current record of one article, materialised: a cache of `store.current.current_record`.

    Written only by `store.current_table.refresh` (on every stored record, correction and undo,
    in the writer's transaction), so researchers' queries filter, sort and count current records
    with plain indexed SQL instead of overlaying corrections on every query. The columns are
    read from the record for filtering (the years are integers, one column per date a year
    filter reads); the record itself is `CurrentDocument`, kept apart so these rows stay narrow
    for scans and counts.
    """

    __tablename__ = "current_record"
    __table_args__ = (
        CheckConstraint(_in("review_state", REVIEW_STATES), name="review_state"),
        # newest first, then newest record: `find_records`' order, walked backwards with a limit
        Index("ix_current_record_sort_date", "sort_date", "record_id"),
        # a year, then a province within it: a year and a province filter together are three
        # index look-ups (`store.queries`), where the province's index alone read every record of
        # the province (5,000 at 100,000 records) to test its years
        Index("ix_current_record_event_year", "event_year", "province_key"),
        Index("ix_current_record_published_year", "published_year", "province_key"),
        Index("ix_current_record_article_year", "article_year", "province_key"),
    )

    article_id: Mapped[int] = mapped_column(ForeignKey("article.id"), primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("extracted_record.id"), index=True)
    province: Mapped[str | None]
    province_key: Mapped[str | None] = mapped_column(index=True)
    year: Mapped[int | None] = mapped_column(index=True)  # `store.current_table.record_year`
    event_year: Mapped[int | None]
    published_year: Mapped[int | None]
    article_year: Mapped[int | None]  # the article's publication date
    # event date, else published, else the article's; 0001-01-01 when undated (sorts last)
    sort_date: Mapped[date]
    review_state: Mapped[code] = mapped_column(index=True)
    corrected_facts: Mapped[int]
    # its blocs' names (the empty ones left out), in record order: what a unit's timeline lists
    bloc_names: Mapped[list[str]]
    # the award codes and statuses it holds, distinct, sorted, space-separated ("" for none):
    # facet counts group records by these few combinations instead of counting award facts
    award_kinds: Mapped[str] = mapped_column(String(400))
    award_statuses: Mapped[str] = mapped_column(String(100))
    # the line of the search page's results table (`store.browse`), read from these columns
    # rather than from the record's document: a page of 50 rows decoded ~250 kB of JSON
    row_date: Mapped[str | None]  # event date, else published, else the article's, as written
    first_bloc: Mapped[str | None]  # its first bloc's name (what the table shows and sorts by)
    members: Mapped[int]
    roles: Mapped[int]
    awards: Mapped[int]
    extractor_version: Mapped[str | None]


class CurrentDocument(Base):
    """The current record of one article exactly as `store.current.current_record` returns it."""

    __tablename__ = "current_document"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("current_record.article_id", ondelete="CASCADE"), primary_key=True
    )
    document: Mapped[dict[str, Any]]


class CurrentFact(Base):
    """A bloc, member, role or award of a current record (`CurrentRecord`), for filters and timelines.

    `name` is the bloc's name, the member, the role's unit or the award's recipient; `name_key`
    its key (`store.keys.name_key`), for a bloc the keys of its name and aliases joined by
    `store.keys.NAMES_KEY_SEPARATOR`, as the machine's fact tables keep them.
    """

    __tablename__ = "current_fact"
    __table_args__ = (
        CheckConstraint(_in("field", CURRENT_FACT_FIELDS), name="field"),
        Index("ix_current_fact_name_key", "name_key", "field", "article_id"),
        # a record's facts in order; with `name`, the search page's bloc and unit facets read a
        # match's names from the index alone (store.browse._facets)
        Index("ix_current_fact_article_id", "article_id", "field", "position", "name"),
        # award and status are set on award rows only, number on bloc rows only: filters and
        # facet counts on them are answered from these indexes alone, without reading `field`
        Index("ix_current_fact_award", "award", "article_id"),
        Index("ix_current_fact_status", "status", "article_id"),
        Index("ix_current_fact_number", "number", "article_id"),
    )

    id: Mapped[intpk]
    article_id: Mapped[int] = mapped_column(ForeignKey("current_record.article_id", ondelete="CASCADE"))
    field: Mapped[code]
    position: Mapped[int]
    name: Mapped[str | None]
    name_key: Mapped[str]
    number: Mapped[str | None]  # a bloc's
    role: Mapped[str | None] = mapped_column(String(32))
    award: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str | None] = mapped_column(String(32))
    issuer: Mapped[str | None] = mapped_column(String(32))
    year: Mapped[int | None]  # a role's or an award's own year


class CurrentNameKey(Base):
    """Every `CurrentFact.name_key` ever written, once: a unit or bloc filter matches its words
    against these few thousand keys, then finds the facts by equality on the indexed column,
    instead of a LIKE over every fact. Keys no fact holds any more stay; they match nothing."""

    __tablename__ = "current_name_key"

    key: Mapped[str] = mapped_column(primary_key=True)


class CurrentCount(Base):
    """What current records add to the yearly sums timelines and unfiltered facets read.

    Append-only rows of +/- counts per group (`store.counts`), written with every materialised
    current record and folded by `store.counts.compact`; a group's value is the sum of its rows.
    """

    __tablename__ = "current_count"
    __table_args__ = (
        Index("ix_current_count_key", "key", "scope"),
        Index("ix_current_count_number", "number", "scope"),
        # `store.counts.compact` finds the keys with rows appended since their last fold
        Index("ix_current_count_folded", "folded", "scope", "key"),
    )

    id: Mapped[intpk]
    scope: Mapped[code]  # unit, bloc or record
    key: Mapped[str]  # a unit's name key, a bloc's names key; "" in the record scope
    number: Mapped[str | None]  # a bloc's number
    year: Mapped[int | None]
    part: Mapped[code]
    k0: Mapped[str | None]
    k1: Mapped[str | None]
    k2: Mapped[str | None]
    k3: Mapped[str | None]
    n: Mapped[int]
    folded: Mapped[bool]  # a group's whole sum, written by `compact` or `recount`


class Entity(Base):
    """A canonical unit or bloc of one province, the same across every article that names it.

    `key` is the name key of the unit with abbreviations spelled out, relative to `province`
    (``so giao duc dao tao`` for "Sở GD&ĐT tỉnh Bắc Ninh"); a bloc's key is ``khoi 6`` / ``cum 6``
    when it has a number, else its name key (`store.entities`). `province` is the province as the
    records name it, old or new ("Bình Phước"), `province_2025` the one of the 34 it is part of
    since 1 July 2025 ("Đồng Nai"); both are "" for a unit of no province. Rows are never updated:
    an editor's merge or split is an `EntityCorrection`.
    """

    __tablename__ = "entity"
    __table_args__ = (
        UniqueConstraint("kind", "province", "key"),
        CheckConstraint(_in("kind", ENTITY_KINDS), name="kind"),
    )

    id: Mapped[intpk]
    kind: Mapped[code]
    province: Mapped[str] = mapped_column(String(64))
    province_2025: Mapped[str] = mapped_column(String(64), index=True)
    key: Mapped[str] = mapped_column(index=True)
    name: Mapped[str]  # the first full spelling seen, abbreviations spelled out
    place_kind: Mapped[str | None] = mapped_column(String(16))  # a district or ward unit: its kind
    created_at: Mapped[created_at]

    aliases: Mapped[list[EntityAlias]] = relationship(order_by="EntityAlias.id")


class EntityAlias(Base):
    """A spelling of an entity seen in a record or given by an editor ("Sở GD&ĐT", "Sở GDĐT")."""

    __tablename__ = "entity_alias"
    __table_args__ = (UniqueConstraint("entity_id", "alias"),)

    id: Mapped[intpk]
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), index=True)
    alias: Mapped[str]
    alias_key: Mapped[str] = mapped_column(index=True)  # the alias's name key, relative to the province
    created_at: Mapped[created_at]


class EntityLink(Base):
    """`from_id` became (part of) `to_id` in the 2025 reorganisation, as `source` says."""

    __tablename__ = "entity_link"
    __table_args__ = (
        UniqueConstraint("from_id", "to_id", "relation"),
        CheckConstraint(_in("relation", ENTITY_RELATIONS), name="relation"),
    )

    id: Mapped[intpk]
    from_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), index=True)
    to_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), index=True)
    relation: Mapped[code]
    source: Mapped[str] = mapped_column(String(256))  # the data behind the link
    created_at: Mapped[created_at]


class FactEntity(Base):
    """Links one fact of an article's record to the entity it names: a member, role holder or
    award recipient to a unit, a bloc to a bloc.

    Facts are named by fact key (`store.facts`), which every re-extraction of the article gives
    the same fact again, so a link made on run N holds for run N+1 (rows are never updated).
    The province is part of the link: a record whose province an editor changes gets new links.
    """

    __tablename__ = "fact_entity"
    __table_args__ = (UniqueConstraint("article_id", "fact_key", "province"),)

    id: Mapped[intpk]
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id"), index=True)
    fact_key: Mapped[str]
    province: Mapped[str] = mapped_column(String(64))  # the record's province when linked ("" none)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), index=True)
    record_id: Mapped[int | None] = mapped_column(ForeignKey("extracted_record.id"))  # linked from
    created_at: Mapped[created_at]


class EntityCorrection(Base):
    """An editor's merge of entities that are the same, a split of a wrong merge, or an undo.

    Append-only like `Correction` (ORM and database triggers refuse UPDATE and DELETE): a merge
    names the entities (`entity_ids`, the first is the one kept), a split the one entity taken
    out of its merged group, an undo the correction it cancels (`undoes_id`).
    """

    __tablename__ = "entity_correction"
    __table_args__ = (
        CheckConstraint(_in("action", ENTITY_ACTIONS), name="action"),
        CheckConstraint(
            "(action = 'undo' AND undoes_id IS NOT NULL) OR (action <> 'undo' AND undoes_id IS NULL)",
            name="undo_target",
        ),
    )

    id: Mapped[intpk]
    editor_id: Mapped[int] = mapped_column(ForeignKey("editor.id"), index=True)
    action: Mapped[code]
    entity_ids: Mapped[list[int]] = mapped_column(JSON())
    reason: Mapped[str | None] = mapped_column(Text())
    undoes_id: Mapped[int | None] = mapped_column(ForeignKey("entity_correction.id"))
    created_at: Mapped[created_at]

    editor: Mapped[Editor] = relationship()


ROLES: Final = ("editor", "admin")


class UserAccount(Base):
    """Someone who signs in to the web app to correct records (`thidua users add`).

    `name` is also the editor's name in `Editor`, so a correction made on the web names its
    author as one made with `thidua correct --editor NAME` does. Only an argon2 hash of the
    password is stored (thidua/web/passwords.py hashes; the store never sees a password).
    """

    __tablename__ = "user_account"
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="role"),)

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(128), unique=True)
    role: Mapped[code]
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[created_at]


class LoginAttempt(Base):
    """One sign-in attempt, kept so the rate limit holds across processes and restarts."""

    __tablename__ = "login_attempt"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(128), index=True)
    ip: Mapped[str] = mapped_column(String(64), index=True)
    succeeded: Mapped[bool]
    # set by the caller's clock (not the server's), so the window is measured on one clock
    at: Mapped[datetime] = mapped_column(index=True)


def _refuse_update(mapper: Mapper[Any], connection: Connection, target: Any) -> None:
    if isinstance(target, Correction | EntityCorrection):
        raise ImmutableRowError(
            f"correction id={target.id} is never updated: corrections are append-only; "
            "add a new one (store.corrections), or undo it with store.corrections.undo"
        )
    if isinstance(target, Entity | EntityAlias | EntityLink | FactEntity):
        raise ImmutableRowError(
            f"{type(target).__name__} id={target.id} is never updated: entities and their links are "
            "append-only; merge or split entities with store.entity_corrections"
        )
    raise ImmutableRowError(
        f"{type(target).__name__} id={getattr(target, 'id', None)} is machine output and is never "
        "updated; start a new ExtractionRun (store.repository.start_run) and save a new record"
    )


def _refuse_delete(mapper: Mapper[Any], connection: Connection, target: Any) -> None:
    raise ImmutableRowError(
        f"{type(target).__name__} id={getattr(target, 'id', None)} is never deleted; "
        "undo a correction with store.corrections.undo, which adds a row"
    )


for _immutable in (
    ExtractedRecord,
    ScalarFact,
    BlocFact,
    MemberFact,
    RoleFact,
    AwardFact,
    PageVersion,
    ArticleVersion,
    Correction,
    Entity,
    EntityAlias,
    EntityLink,
    FactEntity,
    EntityCorrection,
):
    event.listen(_immutable, "before_update", _refuse_update)
event.listen(Correction, "before_delete", _refuse_delete)
event.listen(EntityCorrection, "before_delete", _refuse_delete)
