"""Write side of the store: the functions the crawler pipelines and the CLI call.

See ../shared/DESIGN.md ("The store"). Every function takes the `Session` first and the rest
keyword-only; none commits, callers own the transaction. Decisions worth knowing:

- Pages are keyed by canonical URL. A refetch with the same body only bumps `fetch_count` and
  `last_seen_at`; a refetch with a different body first copies the old body into
  `PageVersion`, then stores the new one, so raw HTML is never lost. An error response
  (not 2xx/304) for a page already stored with a 2xx body does not replace that body.
- Articles are deduplicated by canonical URL, then by content key (`store.keys.content_key`),
  then by near-duplicate text (`store.duplicates`: syndicated copies edited on the way).
  A new article is added to the full-text index (`store.fulltext`) and given its near-duplicate
  bands in the same transaction. A changed article is a new version (`store.versions`).
  A duplicate page is linked to the existing article through `ArticleAlias` and the article's
  text is left alone: old runs' evidence offsets point into it.
- Extraction output is append-only: `save_record` only writes into a running `ExtractionRun`,
  once per article; a re-run is a new run with new rows.
"""

from __future__ import annotations

import logging
import math
import traceback
from collections.abc import Callable, Sequence
from datetime import MAXYEAR, MINYEAR, date, datetime
from hashlib import sha256
from typing import Any, TypeVar, cast, get_args

from sqlalchemy import Table, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from extract.record import (
    EVENT_KINDS,
    AwardKind,
    AwardStatus,
    Fact,
    Issuer,
    Record,
    RoleKind,
)
from extract.record import (
    AwardFact as AwardFactData,
)
from extract.record import (
    BlocFact as BlocFactData,
)
from extract.record import (
    MemberFact as MemberFactData,
)
from extract.record import (
    RoleFact as RoleFactData,
)
from extract.record import (
    ScalarFact as ScalarFactData,
)
from store import counts, current_table
from store.duplicates import find_near_duplicate, index_bands
from store.errors import DuplicateRecordError, InvalidRecordError, RunClosedError, StoreError
from store.fulltext import index_article
from store.keys import NAMES_KEY_SEPARATOR, name_key, province_key
from store.models import (
    FAILURE_STAGES,
    RUN_STATUSES,
    Article,
    ArticleAlias,
    AwardFact,
    BlocFact,
    ExtractedRecord,
    ExtractionRun,
    Failure,
    MemberFact,
    Page,
    PageVersion,
    Portal,
    RoleFact,
    ScalarFact,
)
from store.types import utcnow

log = logging.getLogger(__name__)

T = TypeVar("T")


def _insert_or_get(session: Session, row: T, lookup: Callable[[], object]) -> tuple[T, bool]:
    """Insert `row` in a savepoint; if a unique key raced us, return the row that won."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        existing = lookup()
        if not isinstance(existing, type(row)):
            raise
        return existing, False
    return row, True


# --- portals and pages -------------------------------------------------------------------


def upsert_portal(
    session: Session, *, name: str, province: str | None, family: str, hosts: Sequence[str]
) -> Portal:
    """Return the portal called `name`, created or updated to the given registry values."""
    found = session.scalars(select(Portal).where(Portal.name == name)).one_or_none()
    if found is not None:
        portal = found
    else:
        portal, created = _insert_or_get(
            session,
            Portal(name=name, province=province, family=family, hosts=list(hosts)),
            lambda: session.scalars(select(Portal).where(Portal.name == name)).one_or_none(),
        )
        if created:
            return portal
    portal.province = province
    portal.family = family
    portal.hosts = list(hosts)
    return portal


def page_seen(session: Session, *, canonical_url: str) -> Page | None:
    """Return the stored page for `canonical_url`, or None if it was never fetched."""
    return session.scalars(select(Page).where(Page.canonical_url == canonical_url)).one_or_none()


def _page_for_update(session: Session, *, canonical_url: str) -> Page | None:
    """Return the stored page for `canonical_url`, locked until the caller's transaction ends.

    Two crawlers storing the same page at once would otherwise both read the old counters and
    body, and the second write would undo the first (a lost update, and the old body copied
    into two versions). PostgreSQL takes a row lock (FOR UPDATE) and re-reads the row once the
    other transaction ends; SQLite has one writer at a time and ignores FOR UPDATE.
    """
    stmt = (
        select(Page)
        .where(Page.canonical_url == canonical_url)
        .with_for_update()
        .execution_options(populate_existing=True)  # the locked row's values, not a cached copy
    )
    return session.scalars(stmt).one_or_none()


def _ok(status: int) -> bool:
    return 200 <= status < 300


def _check_aware(url: str, fetched_at: datetime) -> None:
    if fetched_at.tzinfo is None:
        raise StoreError(
            f"fetched_at for {url} has no timezone; pass datetime.now(UTC) or another aware datetime"
        )


def save_page(
    session: Session,
    *,
    portal: Portal | None,
    url: str,
    canonical_url: str,
    final_url: str,
    status: int,
    headers: dict[str, str],
    body: bytes,
    encoding: str | None,
    fetched_at: datetime,
) -> tuple[Page, bool]:
    """Store a fetched page, keyed by its canonical URL.

    Args:
        session: the caller's session; nothing is committed.
        portal: the portal the page belongs to, None for a page outside the registry.
        url: the URL requested; canonical_url: its normalised form (the key);
        final_url: the URL after redirects. status, headers, body, encoding: the response.
        fetched_at: when the response arrived; must be timezone-aware.

    Returns:
        The page and whether its content is new or changed (i.e. worth cleaning again).
        A 304 or a same-hash refetch is "seen, unchanged"; an error status for a page that
        already has a good body is counted but changes nothing else.
    """
    _check_aware(url, fetched_at)
    digest = sha256(body).hexdigest()
    seen = _page_for_update(session, canonical_url=canonical_url)
    if seen is None:
        new = Page(
            portal=portal,
            url=url,
            canonical_url=canonical_url,
            final_url=final_url,
            status=status,
            headers=dict(headers),
            body=body,
            encoding=encoding,
            content_hash=digest,
            fetched_at=fetched_at,
            last_seen_at=fetched_at,
            fetch_count=1,
        )
        stored, created = _insert_or_get(
            session, new, lambda: _page_for_update(session, canonical_url=canonical_url)
        )
        if created:
            return stored, True
    else:
        stored = seen

    page = stored
    page.fetch_count += 1
    if page.portal_id is None and portal is not None:
        page.portal = portal
    if status == 304 or (digest == page.content_hash and status == page.status):
        page.last_seen_at = max(page.last_seen_at, fetched_at)
        return page, False
    if _ok(page.status) and not _ok(status):
        # a temporary 404/500 must not push the good body into history; the crawler
        # records the failed fetch with record_failure
        log.info("keeping stored body of %s: refetch answered %s", canonical_url, status)
        return page, False

    session.add(
        PageVersion(
            page_id=page.id,
            url=page.url,
            final_url=page.final_url,
            status=page.status,
            headers=page.headers,
            body=page.body,
            encoding=page.encoding,
            content_hash=page.content_hash,
            fetched_at=page.fetched_at,
            replaced_at=fetched_at,
        )
    )
    page.url = url
    page.final_url = final_url
    page.status = status
    page.headers = dict(headers)
    page.body = body
    page.encoding = encoding
    page.content_hash = digest
    page.fetched_at = fetched_at
    page.last_seen_at = max(page.last_seen_at, fetched_at)
    return page, True


def insert_pages(
    session: Session,
    *,
    pages: Sequence[dict[str, Any]],
) -> list[int]:
    """Insert pages not stored yet, in one statement executed for all of them; return their ids
    in order.

    The batched form of `save_page` for what a crawl mostly stores: pages never fetched before.
    SQLAlchemy sends PostgreSQL one multi-row INSERT; on SQLite, where the ids must come back in
    order, it runs the INSERT once per row inside the same transaction (a multi-row form measured
    no cheaper there: bench/README.md, crawl_speed).
    Each dict holds `save_page`'s keyword arguments, `portal` given as `portal_id`. The caller
    has checked that no page holds these canonical URLs and that none is named twice; should
    another writer have stored one meanwhile, the unique canonical URL refuses the batch
    (IntegrityError) and the caller stores the pages one at a time with `save_page`.

    Raises:
        StoreError: a `fetched_at` without timezone.
    """
    rows: list[dict[str, Any]] = []
    for p in pages:
        fetched_at: datetime = p["fetched_at"]
        _check_aware(p["url"], fetched_at)
        rows.append(
            {
                "portal_id": p["portal_id"],
                "url": p["url"],
                "canonical_url": p["canonical_url"],
                "final_url": p["final_url"],
                "status": p["status"],
                "headers": dict(p["headers"]),
                "body": p["body"],
                "encoding": p["encoding"],
                "content_hash": sha256(p["body"]).hexdigest(),
                "fetched_at": fetched_at,
                "last_seen_at": fetched_at,
                "fetch_count": 1,
            }
        )
    if not rows:
        return []
    session.flush()  # pending ORM rows first: the INSERT below goes straight to the database
    table = cast(Table, Page.__table__)
    stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return [int(i) for i in session.scalars(stmt, rows)]


# --- articles ----------------------------------------------------------------------------


def article_for_canonical_url(session: Session, *, canonical_url: str) -> Article | None:
    """Return the article whose own or alias canonical URL is `canonical_url`."""
    alias_of = select(ArticleAlias.article_id).where(ArticleAlias.canonical_url == canonical_url)
    return session.scalars(
        select(Article)
        .where(or_(Article.canonical_url == canonical_url, Article.id.in_(alias_of)))
        .order_by(Article.id)
        .limit(1)
    ).one_or_none()


def _link(session: Session, *, article: Article, page: Page, url: str, canonical_url: str, why: str) -> None:
    """Link `page` to `article` unless the page is already linked to an article."""
    linked = session.scalars(select(ArticleAlias).where(ArticleAlias.page_id == page.id)).one_or_none()
    if linked is not None:
        if linked.article_id != article.id:
            log.warning(
                "page %s is linked to article %s; not relinking it to article %s (%s match)",
                page.canonical_url,
                linked.article_id,
                article.id,
                why,
            )
        return
    session.add(
        ArticleAlias(
            article_id=article.id, page_id=page.id, url=url, canonical_url=canonical_url, matched_by=why
        )
    )


def link_page(
    session: Session, *, article: Article, page: Page, url: str, canonical_url: str, why: str
) -> None:
    """Link `page` to `article` (`matched_by` = `why`) unless the page is linked already."""
    _link(session, article=article, page=page, url=url, canonical_url=canonical_url, why=why)


def save_article(
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
    near_duplicates: bool = False,
) -> tuple[Article, bool]:
    """Store the cleaned article of `page`, or link the page to the article it duplicates.

    Args:
        session: the caller's session; nothing is committed.
        page: the stored page the article was cleaned from.
        url, canonical_url: the article's URL and its canonical form (``<link rel=canonical>``
            when the page has one, so a print view names its original).
        title, text, published: the cleaned article; `text` is stored as given, since evidence
            offsets point into it.
        content_key: `store.keys.content_key(title=…, published=…, text=…)`.
        is_bloc_news, relevance_reason: the relevance decision and why.
        near_duplicates: also link the page to an article whose text its own nearly repeats
            (`store.duplicates`; the crawler's syndicated copies). Off for callers that store
            articles they know to be distinct (imports, tests of one text in several forms).

    Returns:
        The article and True if it was created; False if the canonical URL, the content key or
        a near-duplicate text matched an existing article, to which the page is now linked (its
        text is unchanged).
    """
    existing = article_for_canonical_url(session, canonical_url=canonical_url)
    why = "canonical_url"
    if existing is None:
        existing = session.scalars(select(Article).where(Article.content_key == content_key)).one_or_none()
        why = "content_key"
    if existing is None and near_duplicates:
        found = find_near_duplicate(session, text=text)
        if found is not None:
            existing, score = found
            why = "near_duplicate"
            log.info("%s is a near-duplicate of article %s (resemblance %.2f)", url, existing.id, score)
    if existing is None:
        session.flush()  # the page needs its id
        new = Article(
            page_id=page.id,
            url=url,
            canonical_url=canonical_url,
            title=title,
            text=text,
            published=published,
            content_key=content_key,
            is_bloc_news=is_bloc_news,
            relevance_reason=relevance_reason,
        )
        article, created = _insert_or_get(
            session,
            new,
            lambda: session.scalars(
                select(Article).where(
                    or_(Article.canonical_url == canonical_url, Article.content_key == content_key)
                )
            ).first(),
        )
        if created:
            _link(session, article=article, page=page, url=url, canonical_url=canonical_url, why="first")
            # indexed once; a new version of the text re-indexes it (store.versions)
            index_article(session, article)
            index_bands(session, article)
            return article, True
        existing = article
    elif existing.text != text:
        log.info("article %s was seen again with different text; keeping the stored text", existing.id)
    _link(session, article=existing, page=page, url=url, canonical_url=canonical_url, why=why)
    return existing, False


# --- extraction runs and records ---------------------------------------------------------


def start_run(session: Session, *, extractor_version: str, config: dict[str, Any]) -> ExtractionRun:
    """Open a new extraction run (status "running") and give it an id."""
    run = ExtractionRun(
        started_at=utcnow(),
        status="running",
        extractor_version=extractor_version,
        config=dict(config),
        stats={},
    )
    session.add(run)
    session.flush()
    return run


def finish_run(session: Session, *, run: ExtractionRun, status: str, stats: dict[str, Any]) -> None:
    """Close `run` with a final status ("finished", "failed" or "interrupted") and its stats."""
    final = tuple(s for s in RUN_STATUSES if s != "running")
    if status not in final:
        raise StoreError(f"run status must be one of {', '.join(final)}, not {status!r}")
    if run.status != "running":
        raise RunClosedError(f"run {run.id} is already {run.status}; start a new run with start_run")
    run.status = status
    run.stats = dict(stats)
    run.finished_at = utcnow()
    # a run appended a count row per group it changed; fold them so timelines read few rows
    counts.compact(session)


def _parse_date(fact: ScalarFactData | None, field_name: str, doc_id: str) -> date | None:
    if fact is None or fact.value is None:
        return None
    try:
        return date.fromisoformat(fact.value)
    except ValueError:
        # the raw value stays in scalar_fact.value; only the queryable column is empty
        log.warning("%s: %s %r is not a YYYY-MM-DD date; stored as text only", doc_id, field_name, fact.value)
        return None


def _evidence(fact: Fact, text: str) -> tuple[dict[str, Any], bool]:
    """Return the evidence columns of `fact` and whether the span matches the stored text."""
    ev = fact.evidence
    cols: dict[str, Any] = {
        "evidence_start": ev.start if ev else None,
        "evidence_end": ev.end if ev else None,
        "evidence_text": ev.text if ev else None,
        "confidence": fact.confidence,
        "rule": fact.rule,
    }
    return cols, ev is None or text[ev.start : ev.end] == ev.text


def _limit(column: Any) -> int | None:
    """Return the declared length of a String column (None for unbounded text)."""
    return getattr(column.type, "length", None)


def _text_problems(where: str, value: object, *, column: Any = None, required: bool = True) -> list[str]:
    """Say why `value` cannot be stored as the text `where` (empty list: it can)."""
    if value is None:
        return [f"{where} is missing"] if required else []
    if not isinstance(value, str):
        return [f"{where} must be text, not {type(value).__name__}"]
    if required and not value.strip():
        return [f"{where} is empty"]
    problems = []
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        problems.append(f"{where} holds characters that are not UTF-8 text")
    if "\x00" in value:  # PostgreSQL text cannot hold NUL; SQLite would keep it: refuse on both
        problems.append(f"{where} holds a NUL character")
    limit = _limit(column) if column is not None else None
    if limit is not None and len(value) > limit:
        # PostgreSQL refuses a value longer than varchar(n); SQLite would keep it: refuse on both
        problems.append(f"{where} is {len(value)} characters long; the column holds {limit}")
    return problems


def _choice_problems(
    where: str, value: object, allowed: tuple[str, ...], *, required: bool = True
) -> list[str]:
    if value is None and not required:
        return []
    if value not in allowed:
        return [f"{where} is {value!r}, not one of {', '.join(allowed)}"]
    return []


def _year_problems(where: str, value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, bool) or not isinstance(value, int) or not MINYEAR <= value <= MAXYEAR:
        return [f"{where} is {value!r}, not a year from {MINYEAR} to {MAXYEAR}"]
    return []


def record_problems(record: Record) -> list[str]:
    """Return every way `record` breaks SCHEMA.md or the store's columns, one line each.

    What is checked is what would otherwise fail half-way through a flush, or differ between the
    engines: codes outside SCHEMA.md's lists, names that are empty, not text, too long for their
    column or holding NUL; years that are not years; confidences outside 0..1; evidence offsets
    that are negative or reversed. Evidence whose text does not match the article is not a
    problem here: `save_record` stores it and flags the record (``evidence_mismatch``).
    """
    problems = _text_problems("doc_id", record.doc_id, column=ExtractedRecord.__table__.c.doc_id)
    if not isinstance(record.flags, list) or not all(isinstance(f, str) for f in record.flags):
        problems.append("flags must be a list of text")
    positions: dict[str, int] = {}
    for kind, fact in record.facts():
        position = positions.get(kind, 0)
        positions[kind] = position + 1
        where = f"{kind} #{position}"
        confidence = fact.confidence
        if (
            isinstance(confidence, bool)
            or not isinstance(confidence, int | float)
            or math.isnan(confidence)
            or not 0.0 <= confidence <= 1.0
        ):
            problems.append(f"{where}: confidence is {confidence!r}, not a number from 0 to 1")
        problems += _text_problems(f"{where}: rule", fact.rule, column=ScalarFact.__table__.c.rule)
        ev = fact.evidence
        if ev is not None:
            if not (isinstance(ev.start, int) and isinstance(ev.end, int) and 0 <= ev.start <= ev.end):
                problems.append(
                    f"{where}: evidence offsets {ev.start!r}:{ev.end!r} are not 0 <= start <= end"
                )
            problems += _text_problems(f"{where}: evidence text", ev.text, required=False)
        if isinstance(fact, ScalarFactData):
            if kind == "event_kind":
                problems += _choice_problems(f"{where}: value", fact.value, EVENT_KINDS)
            else:
                problems += _text_problems(f"{where}: value", fact.value, column=ScalarFact.__table__.c.value)
        elif isinstance(fact, BlocFactData):
            problems += _text_problems(f"{where}: name", fact.name)
            problems += _text_problems(
                f"{where}: number", fact.number, column=BlocFact.__table__.c.number, required=False
            )
            if not isinstance(fact.aliases, list):
                problems.append(f"{where}: aliases must be a list of text")
            else:
                for i, alias in enumerate(fact.aliases):
                    problems += _text_problems(f"{where}: alias #{i}", alias)
        elif isinstance(fact, MemberFactData):
            problems += _text_problems(f"{where}: unit", fact.unit)
            problems += _text_problems(f"{where}: surface", fact.surface, required=False)
        elif isinstance(fact, RoleFactData):
            problems += _text_problems(f"{where}: unit", fact.unit)
            problems += _choice_problems(f"{where}: role", fact.role, get_args(RoleKind))
            problems += _year_problems(f"{where}: year", fact.year)
        elif isinstance(fact, AwardFactData):
            problems += _text_problems(f"{where}: recipient", fact.recipient)
            problems += _choice_problems(f"{where}: award", fact.award, get_args(AwardKind))
            problems += _choice_problems(f"{where}: issuer", fact.issuer, get_args(Issuer), required=False)
            problems += _choice_problems(f"{where}: status", fact.status, get_args(AwardStatus))
            problems += _year_problems(f"{where}: year", fact.year)
    return problems


def save_record(session: Session, *, run: ExtractionRun, article: Article, record: Record) -> ExtractedRecord:
    """Store `record` as `run`'s extraction of `article`, with every fact and its evidence.

    Args:
        session: the caller's session; nothing is committed.
        run: a running extraction run (`start_run`).
        article: the stored article the record was extracted from.
        record: the extractor's record; `record.facts()` gives the rows written.

    Returns:
        The stored record. A fact whose evidence does not match ``article.text[start:end]`` is
        still stored, and the record gets the flag ``evidence_mismatch:<kind>:<position>``.

    Raises:
        RunClosedError: the run is not running any more.
        DuplicateRecordError: the run already holds a record for this article.
        InvalidRecordError: the record breaks SCHEMA.md (`record_problems`); it is logged and
            nothing of it is written.

    The rows are written in a savepoint, with the article's materialised current record
    (`store.current_table.refresh`): if the database refuses any of them, none is left in the
    caller's transaction.
    """
    problems = record_problems(record)
    if problems:
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        log.warning("record %r of article %s refused: %s", record.doc_id, article.id, "; ".join(problems))
        raise InvalidRecordError(
            f"record {str(record.doc_id)[:80]!r} of article {article.id} breaks SCHEMA.md and was not "
            f"stored: {shown}. Fix the extractor step named by the fact's rule"
        )
    if run.status != "running":
        raise RunClosedError(
            f"run {run.id} is {run.status}; records are only added to a running run. "
            "Start a new run with start_run to extract again"
        )
    clash = session.scalars(
        select(ExtractedRecord.id).where(
            ExtractedRecord.run_id == run.id, ExtractedRecord.article_id == article.id
        )
    ).first()
    if clash is not None:
        raise DuplicateRecordError(
            f"run {run.id} already has record {clash} for article {article.id}; "
            "a re-extraction belongs in a new run (start_run)"
        )

    row = record_row(run=run, article=article, record=record)
    with session.begin_nested():  # all rows or none, whatever the caller does after an error
        session.add(row)
        session.flush()
        current_table.refresh_article(session, article, row)
    return row


def record_row(*, run: ExtractionRun, article: Article, record: Record) -> ExtractedRecord:
    """Return the unsaved `ExtractedRecord` (with its fact rows) that `save_record` writes.

    No checks: `save_record` checks the record and the run first; a bulk loader that builds
    rows itself (bench/store_scale.py) must only pass records `record_problems` accepts.
    """
    province = record.province.value if record.province else None
    flags = list(record.flags)
    row = ExtractedRecord(
        run_id=run.id,
        article_id=article.id,
        doc_id=record.doc_id,
        published=_parse_date(record.published, "published", record.doc_id),
        province=province,
        province_key=province_key(province) or None,
        event_date=_parse_date(record.event_date, "event_date", record.doc_id),
        event_kinds=[k.value for k in record.event_kinds if k.value],
        flags=flags,
        article_version=article.version,
    )
    positions: dict[str, int] = {}
    for kind, fact in record.facts():
        position = positions.get(kind, 0)
        positions[kind] = position + 1
        cols, ok = _evidence(fact, article.text)
        if not ok:
            flags.append(f"evidence_mismatch:{kind}:{position}")
            log.warning(
                "%s: evidence of %s #%s does not match the stored text", record.doc_id, kind, position
            )
        cols["position"] = position
        if isinstance(fact, ScalarFactData):
            row.scalars.append(ScalarFact(field_name=kind, value=fact.value, **cols))
        elif isinstance(fact, BlocFactData):
            names_key = NAMES_KEY_SEPARATOR.join(k for k in map(name_key, [fact.name, *fact.aliases]) if k)
            row.blocs.append(
                BlocFact(
                    name=fact.name,
                    number=fact.number,
                    aliases=list(fact.aliases),
                    names_key=names_key,
                    **cols,
                )
            )
        elif isinstance(fact, MemberFactData):
            row.members.append(
                MemberFact(unit=fact.unit, surface=fact.surface, unit_key=name_key(fact.unit), **cols)
            )
        elif isinstance(fact, RoleFactData):
            row.roles.append(
                RoleFact(unit=fact.unit, role=fact.role, year=fact.year, unit_key=name_key(fact.unit), **cols)
            )
        elif isinstance(fact, AwardFactData):
            row.awards.append(
                AwardFact(
                    recipient=fact.recipient,
                    award=fact.award,
                    issuer=fact.issuer,
                    year=fact.year,
                    status=fact.status,
                    recipient_key=name_key(fact.recipient),
                    **cols,
                )
            )
        else:  # a new fact class in extract/record.py needs a table here first
            raise StoreError(
                f"no table for fact kind {kind!r} ({type(fact).__name__}); add one in store/models.py"
            )
    row.flags = flags
    return row


def latest_records(session: Session, *, run_id: int | None = None) -> list[ExtractedRecord]:
    """Return the records of run `run_id`, or else each article's record from its newest run.

    Runs are ordered by id, so the newest run is the one started last, whatever its status:
    an interrupted run's records are still the newest extraction of the articles it reached.
    """
    stmt = select(ExtractedRecord).options(
        selectinload(ExtractedRecord.scalars),
        selectinload(ExtractedRecord.blocs),
        selectinload(ExtractedRecord.members),
        selectinload(ExtractedRecord.roles),
        selectinload(ExtractedRecord.awards),
    )
    if run_id is not None:
        stmt = stmt.where(ExtractedRecord.run_id == run_id)
    else:
        newest = (
            select(ExtractedRecord.article_id, func.max(ExtractedRecord.run_id).label("run_id"))
            .group_by(ExtractedRecord.article_id)
            .subquery()
        )
        stmt = stmt.join(
            newest,
            (ExtractedRecord.article_id == newest.c.article_id) & (ExtractedRecord.run_id == newest.c.run_id),
        )
    return list(session.scalars(stmt.order_by(ExtractedRecord.article_id)))


def articles_to_extract(
    session: Session, *, run: ExtractionRun, bloc_news_only: bool = True
) -> list[Article]:
    """Return the articles `run` has no record for yet, so an interrupted run can resume."""
    done = select(ExtractedRecord.article_id).where(ExtractedRecord.run_id == run.id)
    stmt = select(Article).where(Article.id.not_in(done))
    if bloc_news_only:
        stmt = stmt.where(Article.is_bloc_news.is_(True))
    return list(session.scalars(stmt.order_by(Article.id)))


# --- failures ----------------------------------------------------------------------------


def record_failure(
    session: Session, *, stage: str, url: str, portal: str | None, error: BaseException | str
) -> Failure:
    """Record that `stage` failed for `url`, with the error's type, message and traceback.

    Args:
        session: the caller's session; nothing is committed.
        stage: one of fetch, decode, clean, relevance, extract, store.
        url: the URL being processed; portal: the portal's registry name, if known.
        error: the exception caught, or a message when there was none.
    """
    if stage not in FAILURE_STAGES:
        raise StoreError(f"failure stage must be one of {', '.join(FAILURE_STAGES)}, not {stage!r}")
    if isinstance(error, BaseException):
        error_type: str | None = type(error).__qualname__
        message = str(error) or repr(error)
        detail = (
            "".join(traceback.format_exception(type(error), error, error.__traceback__))
            if error.__traceback__ is not None
            else None
        )
    else:
        error_type, message, detail = None, error, None
    failure = Failure(
        stage=stage, url=url, portal=portal, error_type=error_type, message=message, detail=detail
    )
    session.add(failure)
    session.flush()
    return failure


def resolve_failures(session: Session, *, url: str, stages: Sequence[str] | None = None) -> int:
    """Mark the open failures of `url` (optionally only these stages) resolved; return how many."""
    stmt = select(Failure).where(Failure.url == url, Failure.resolved.is_(False))
    if stages is not None:
        stmt = stmt.where(Failure.stage.in_(list(stages)))
    failures = list(session.scalars(stmt))
    for failure in failures:
        failure.resolved = True
    return len(failures)


def resolve_failures_of(session: Session, *, urls: Sequence[str], stages: Sequence[str]) -> int:
    """`resolve_failures` for many URLs: one UPDATE per 500 URLs; return how many rows it resolved."""
    done = 0
    wanted = list(dict.fromkeys(urls))
    for i in range(0, len(wanted), 500):
        chunk = wanted[i : i + 500]
        result = session.execute(
            update(Failure)
            .where(Failure.url.in_(chunk), Failure.resolved.is_(False), Failure.stage.in_(list(stages)))
            .values(resolved=True)
            .execution_options(synchronize_session=False)
        )
        done += int(getattr(result, "rowcount", 0) or 0)
    return done


# --- pending work: what a crawl killed half-way left undone -------------------------------

# a page whose cleaning or relevance failed is done (its failure row says why); a page whose
# article was never written is not
_PAGE_FAILURE_STAGES = ("decode", "clean", "relevance")


def _portal_filter(portals: Sequence[str] | None) -> Any:
    """Return a filter on `Page.portal_id` for the named portals (None: every page)."""
    if portals is None:
        return None
    return Page.portal_id.in_(select(Portal.id).where(Portal.name.in_(list(portals))))


def pages_without_article(session: Session, *, portals: Sequence[str] | None = None) -> list[Page]:
    """Return stored 2xx pages that no article row links to and no cleaning failure explains.

    A crawl killed between storing a page and storing its article leaves such a page; the next
    crawl cleans it from the stored body instead of skipping it as seen.

    Args:
        session: any session; nothing is written.
        portals: registry names to limit the search to; None for every portal.
    """
    linked = select(ArticleAlias.page_id)
    failed = select(Failure.url).where(Failure.stage.in_(_PAGE_FAILURE_STAGES), Failure.resolved.is_(False))
    stmt = select(Page).where(
        Page.id.not_in(linked),
        Page.status >= 200,
        Page.status < 300,
        Page.final_url.not_in(failed),
        Page.url.not_in(failed),
    )
    where = _portal_filter(portals)
    if where is not None:
        stmt = stmt.where(where)
    return list(session.scalars(stmt.order_by(Page.id)))


def articles_without_record(session: Session, *, portals: Sequence[str] | None = None) -> list[Article]:
    """Return bloc-news articles no run holds a record of (of their current version) for.

    A crawl killed between storing an article and its record, or a record that could not be
    written (a locked database), leaves such an article. An article whose extraction failed (an
    open `extract` failure) is left out: the extractor would fail the same way every night;
    `thidua reextract` takes it once the extractor is fixed.

    Args:
        session: any session; nothing is written.
        portals: registry names of the portals whose articles to consider; None for all.
    """
    # a record of an earlier version does not count: a changed article is extracted again
    recorded = (
        select(ExtractedRecord.id)
        .where(ExtractedRecord.article_id == Article.id, ExtractedRecord.article_version == Article.version)
        .exists()
    )
    failed = select(Failure.url).where(Failure.stage == "extract", Failure.resolved.is_(False))
    stmt = select(Article).where(Article.is_bloc_news.is_(True), ~recorded, Article.url.not_in(failed))
    where = _portal_filter(portals)
    if where is not None:
        stmt = stmt.where(Article.page_id.in_(select(Page.id).where(where)))
    return list(session.scalars(stmt.order_by(Article.id)))


def close_dead_runs(session: Session, *, source: str, found_by: int | None = None) -> list[int]:
    """Mark every run of `source` still "running" as interrupted because its process died.

    Only call this while holding the lock that every live run of `source` holds (see
    `crawler.runlock`): then a run still "running" belongs to a process that is gone.

    Returns:
        The ids of the runs closed.
    """
    runs = session.scalars(
        select(ExtractionRun).where(ExtractionRun.status == "running").order_by(ExtractionRun.id)
    ).all()
    closed = []
    for run in runs:
        if run.id == found_by or (run.config or {}).get("source") != source:
            continue
        stats = dict(run.stats or {})
        stats["close_reason"] = "process_died"
        if found_by is not None:
            stats["found_dead_by_run"] = found_by
        run.status = "interrupted"
        run.stats = stats
        run.finished_at = utcnow()
        closed.append(run.id)
    return closed


def stored_canonical_urls(session: Session, *, canonical_urls: Sequence[str]) -> set[str]:
    """Return those of `canonical_urls` a stored page has (one query per 500 URLs)."""
    found: set[str] = set()
    urls = list(dict.fromkeys(canonical_urls))
    for i in range(0, len(urls), 500):
        chunk = urls[i : i + 500]
        found.update(session.scalars(select(Page.canonical_url).where(Page.canonical_url.in_(chunk))))
    return found


def portals_last_crawled_completely(session: Session, *, portals: Sequence[str]) -> set[str]:
    """Return the portals whose newest closed crawl run (one that named them) is "finished"."""
    runs = session.execute(
        select(ExtractionRun.status, ExtractionRun.config)
        .where(ExtractionRun.status != "running")
        .order_by(ExtractionRun.id.desc())
    ).all()
    wanted = set(portals)
    decided: set[str] = set()
    out: set[str] = set()
    for status, config in runs:
        config = config or {}
        if config.get("source") != "crawl":
            continue
        for name in set(config.get("portals") or ()) & wanted - decided:
            decided.add(name)
            if status == "finished":
                out.add(name)
        if decided == wanted:
            break
    return out
