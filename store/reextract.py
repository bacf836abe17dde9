"""Re-extraction of stored articles, without fetching anything (issue 8, item 2).

`select_articles` picks the bloc-news articles to extract again (all of them, those stored since a
date, those of a portal, those whose newest record came from an older extractor); `reextract`
extracts them in worker processes (one per core by default) and stores the records as a new
`ExtractionRun`. Nothing is deleted or updated: every earlier run keeps its records, and the
current record (`store.current`) simply starts from the newest one, with the editors'
corrections laid over it.

Each run records the extractor version and its settings (`extractor_settings`): the size cap,
the window sizes, fingerprints of the gazetteer, word lists and span model, and the versions of
the libraries that shape the output, so two runs' records can be told apart and explained.

The parent process is the only writer: workers get (id, text, URL, dates, province hint) and
send back a `extract.record.Record`; the parent stores records in small transactions, so a
crash or Ctrl-C keeps what was stored and marks the run "interrupted".
"""

from __future__ import annotations

import hashlib
import logging
import os
import platform
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from functools import cache
from importlib import metadata
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Final

from packaging.version import InvalidVersion, Version
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from extract.record import Record
from store import repository
from store.entities import link_article
from store.errors import ReextractError, StoreError
from store.keys import article_doc_id
from store.models import Article, ArticleAlias, ExtractedRecord, ExtractionRun, Page, Portal

log = logging.getLogger(__name__)

# records stored per transaction: small enough that an interruption loses little, large enough
# that SQLite's commit (an fsync) is not paid per record
BATCH: Final = 25
# articles read from the database at a time, and tasks in flight per worker: memory stays
# bounded by the window, not by the number of articles
CHUNK: Final = 200
IN_FLIGHT_PER_WORKER: Final = 4
# the libraries whose versions change what the extractor reads
LIBRARIES: Final = ("spacy", "underthesea", "vietnamadminunits", "trafilatura")


# --- what a run records ------------------------------------------------------------------


def _digest(paths: Iterable[Path], root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in paths if p.is_file()):
        h.update(str(path.relative_to(root)).encode())
        h.update(b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


@cache
def _fingerprints() -> dict[str, Any]:
    """Fingerprints of the extractor's data and model, and its libraries' versions (once a process)."""
    from extract import limits
    from extract.limits import GAZETTEER_WINDOW_CHARS, WINDOW_CHARS

    root = Path(limits.__file__).resolve().parent  # extract/ (a namespace package has no __file__)
    versions: dict[str, str | None] = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "window_chars": WINDOW_CHARS,
        "gazetteer_window_chars": GAZETTEER_WINDOW_CHARS,
        # sha256 (first 16 hex digits) over file names and bytes: a changed word list or a
        # retrained model changes the fingerprint even when the version number was not bumped
        "data": _digest((root / "data").glob("*.tsv"), root),
        "model": _digest((root / "models" / "units").rglob("*"), root),
        "python": platform.python_version(),
        "libraries": versions,
    }


def extractor_settings(*, max_article_bytes: int) -> dict[str, Any]:
    """Return the extractor's version and settings, as a run's ``config["extractor"]`` keeps them."""
    from extract.api import EXTRACTOR_VERSION

    return {"version": EXTRACTOR_VERSION, "max_article_bytes": max_article_bytes, **_fingerprints()}


# --- which articles ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Selection:
    """Which stored articles to extract again; the filters given must all hold."""

    all: bool = False
    since: date | None = None  # stored on or after this day (UTC)
    portal: str | None = None  # the registry name of a portal that served one of its pages
    extractor_below: str | None = None  # newest record from an older extractor, or none yet

    def describe(self) -> dict[str, Any]:
        """Return the selection as JSON-ready data (kept in the run's config)."""
        data = asdict(self)
        data["since"] = self.since.isoformat() if self.since else None
        return data


def _version(text: str, what: str) -> Version:
    try:
        return Version(text)
    except InvalidVersion:
        raise ReextractError(f"{what} {text[:40]!r} is not a version such as 0.4.0 or 0.4.0.dev2") from None


def select_articles(session: Session, *, selection: Selection) -> list[int]:
    """Return the ids of the bloc-news articles `selection` picks, oldest first.

    Raises:
        ReextractError: no filter at all (say `all` to mean every article), `all` with another
            filter, a portal no page came from, or a version that is not PEP 440.
    """
    filters = (selection.since, selection.portal, selection.extractor_below)
    if not selection.all and all(f is None for f in filters):
        raise ReextractError(
            "say which articles: --all, --since DATE, --portal NAME or --extractor-below VERSION"
        )
    if selection.all and any(f is not None for f in filters):
        raise ReextractError("--all re-extracts every article; leave out the other filters or --all")
    stmt = select(Article.id).where(Article.is_bloc_news.is_(True))
    if selection.since is not None:
        stmt = stmt.where(Article.created_at >= datetime.combine(selection.since, datetime.min.time(), UTC))
    if selection.portal is not None:
        known = list(session.scalars(select(Portal.name).order_by(Portal.name)))
        if selection.portal not in known:
            raise ReextractError(
                f"no stored page came from a portal named {selection.portal[:60]!r}; "
                f"portals: {', '.join(known) or 'none yet'}"
            )
        served = (
            select(ArticleAlias.article_id)
            .join(Page, ArticleAlias.page_id == Page.id)
            .join(Portal, Page.portal_id == Portal.id)
            .where(Portal.name == selection.portal)
        )
        stmt = stmt.where(Article.id.in_(served))
    ids = list(session.scalars(stmt.order_by(Article.id)))
    if selection.extractor_below is None:
        return ids
    below = _version(selection.extractor_below, "--extractor-below")
    newest = (
        select(ExtractedRecord.article_id, func.max(ExtractedRecord.run_id).label("run_id"))
        .group_by(ExtractedRecord.article_id)
        .subquery()
    )
    versions: dict[int, str] = dict(
        session.execute(
            select(newest.c.article_id, ExtractionRun.extractor_version).join(
                ExtractionRun, ExtractionRun.id == newest.c.run_id
            )
        )
        .tuples()
        .all()
    )
    picked = []
    for article_id in ids:
        version = versions.get(article_id)
        if version is None:  # never extracted: older than any extractor
            picked.append(article_id)
            continue
        try:
            if Version(version) < below:
                picked.append(article_id)
        except InvalidVersion:  # a hand-made version string: extract again rather than skip
            log.warning("article %s: stored extractor version %r is not PEP 440", article_id, version)
            picked.append(article_id)
    return picked


# --- the work ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Task:
    """What a worker needs to extract one article (picklable, no database objects)."""

    article_id: int
    doc_id: str
    text: str
    url: str
    published: str | None
    province_hint: str | None
    max_bytes: int


@dataclass(frozen=True, slots=True)
class Outcome:
    article_id: int
    record: Record | None
    error: str | None  # "ErrorType: message" when extraction failed


def extract_task(task: Task) -> Outcome:
    """Extract one article (runs in a worker process); an error is returned, not raised."""
    from extract.api import extract_article

    try:
        record = extract_article(
            doc_id=task.doc_id,
            text=task.text,
            url=task.url,
            published=task.published,
            province_hint=task.province_hint,
            max_bytes=task.max_bytes,
        )
    except Exception as exc:  # an extractor bug costs one article, recorded as a failure
        return Outcome(task.article_id, None, f"{type(exc).__name__}: {exc}")
    return Outcome(task.article_id, record, None)


def _tasks(session: Session, article_ids: list[int], max_bytes: int) -> Iterator[Task]:
    """Yield one task per article, reading CHUNK articles at a time."""
    for i in range(0, len(article_ids), CHUNK):
        chunk = article_ids[i : i + CHUNK]
        previous = dict(
            session.execute(
                select(ExtractedRecord.article_id, ExtractedRecord.doc_id)
                .where(ExtractedRecord.article_id.in_(chunk))
                .order_by(ExtractedRecord.run_id)
            )
            .tuples()
            .all()
        )  # the newest doc_id of each article wins (ordered by run)
        rows = session.execute(
            select(Article, Portal.province)
            .join(Page, Article.page_id == Page.id)
            .outerjoin(Portal, Page.portal_id == Portal.id)
            .where(Article.id.in_(chunk))
            .order_by(Article.id)
        ).tuples()
        for article, province in rows:
            yield Task(
                article_id=article.id,
                doc_id=previous.get(article.id) or article_doc_id(article.id),
                text=article.text,
                url=article.url,
                published=article.published.isoformat() if article.published else None,
                province_hint=province,
                max_bytes=max_bytes,
            )


def _in_order(executor: Executor, tasks: Iterator[Task], window: int) -> Iterator[Outcome]:
    """Run `tasks` on `executor`, at most `window` at a time, and yield outcomes in task order."""
    pending: deque[Future[Outcome]] = deque()
    for task in tasks:
        pending.append(executor.submit(extract_task, task))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


@dataclass(frozen=True, slots=True)
class ReextractStats:
    """What a re-extraction did."""

    run_id: int
    status: str
    articles: int
    records: int
    failures: int
    workers: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.articles / self.seconds if self.seconds > 0 else 0.0


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def reextract(
    sessions: sessionmaker[Session],
    *,
    article_ids: list[int],
    selection: Selection,
    workers: int | None = None,
    max_article_bytes: int,
    progress: Callable[[int], None] | None = None,
) -> ReextractStats:
    """Extract `article_ids` again into a new run, in worker processes, keeping every older run.

    Args:
        sessions: the store's session factory; the run and records are committed as they go.
        article_ids: the articles (`select_articles`).
        selection: how they were chosen, kept in the run's config.
        workers: worker processes; one per core by default. With 1, this process extracts.
        max_article_bytes: the size cap passed to the extractor (`Settings.max_article_bytes`).
        progress: called with the number of articles done since the last call.

    Returns:
        The run's id, final status and counts.

    Raises:
        ReextractError: `workers` below 1. Whatever interrupts the run (Ctrl-C, a lost
        database) is raised again after the run is marked interrupted or failed.
    """
    from extract.api import EXTRACTOR_VERSION

    workers = default_workers() if workers is None else workers
    if workers < 1:
        raise ReextractError(f"workers must be 1 or more, not {workers}")
    config = {
        "source": "reextract",
        "selection": selection.describe(),
        "articles": len(article_ids),
        "workers": workers,
        "extractor": extractor_settings(max_article_bytes=max_article_bytes),
    }
    started = time.monotonic()
    with sessions() as session:
        with session.begin():
            run_id = repository.start_run(session, extractor_version=EXTRACTOR_VERSION, config=config).id
        records = failures = done = 0
        kept = (0, 0, 0)  # (done, records, failures) as of the last commit
        status = "failed"  # unless the loop ends, or is interrupted
        executor: ProcessPoolExecutor | None = None
        try:
            tasks = _tasks(session, article_ids, max_article_bytes)
            if workers == 1:
                outcomes: Iterator[Outcome] = map(extract_task, tasks)
            else:
                # spawn, not fork: a forked child would share this process's database connections
                executor = ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"))
                outcomes = _in_order(executor, tasks, workers * IN_FLIGHT_PER_WORKER)
            for outcome in outcomes:  # the session begins a transaction on first use
                stored, failed = _store(session, run_id, outcome)
                records, failures, done = records + stored, failures + failed, done + 1
                if done % BATCH == 0:
                    session.commit()
                    kept = (done, records, failures)
                if progress is not None:
                    progress(1)
            session.commit()
            kept = (done, records, failures)
            status = "finished"
        except KeyboardInterrupt:
            status = "interrupted"
            raise
        except BrokenProcessPool as exc:  # a worker was killed (out of memory, a signal)
            raise ReextractError(
                f"a worker process died during run {run_id} (out of memory?); what was stored is kept: "
                "run again with fewer --workers, or select the rest with --extractor-below"
            ) from exc
        finally:
            session.rollback()  # a batch cut short by an error; committed batches stay
            if executor is not None:
                executor.shutdown(wait=True, cancel_futures=True)
            seconds = time.monotonic() - started
            done, records, failures = kept  # what was committed is kept, and counted
            stats = {"articles": done, "records": records, "failures": failures, "seconds": round(seconds, 3)}
            with session.begin():
                run = session.get(ExtractionRun, run_id)
                assert run is not None
                repository.finish_run(session, run=run, status=status, stats=stats)
    return ReextractStats(run_id, status, done, records, failures, workers, seconds)


def _store(session: Session, run_id: int, outcome: Outcome) -> tuple[int, int]:
    """Store one outcome: its record, or the failure. Return (records stored, failures)."""
    article = session.get(Article, outcome.article_id)
    run = session.get(ExtractionRun, run_id)
    assert article is not None and run is not None  # articles are never deleted; the run is ours
    portal = session.scalar(
        select(Portal.name).join(Page, Page.portal_id == Portal.id).where(Page.id == article.page_id)
    )
    if outcome.record is None:
        repository.record_failure(
            session, stage="extract", url=article.url, portal=portal, error=outcome.error or "no record"
        )
        return 0, 1
    try:
        row = repository.save_record(session, run=run, article=article, record=outcome.record)
    except StoreError as exc:  # refused (logged by save_record); the run goes on
        repository.record_failure(session, stage="store", url=article.url, portal=portal, error=exc)
        return 0, 1
    link_article(session, article, row)  # its units and bloc to the province's entities
    return 1, 0
