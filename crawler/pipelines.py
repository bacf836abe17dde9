"""Item pipelines: store the raw page, clean it, judge relevance, extract, store the record.

See documentation in https://docs.scrapy.org/en/latest/topics/item-pipeline.html
and ../shared/DESIGN.md ("The flow"). One job per class (STYLE.md habit 8): configuration in
`from_crawler`, the database opened in `open_spider` and disposed of in `close_spider`, and
`DropItem` with the reason whenever a page goes no further. Every stage commits its own work,
so a killed crawl loses at most the item in flight; every failure is stored with
`store.repository.record_failure` under its stage.

Order (crawler/settings.py ITEM_PIPELINES):
  50 FetchFailurePipeline  FetchFailureItem → failure row (stage "fetch")
 100 StorePagePipeline     PageItem → page row (raw body, headers)
 200 CleanPipeline         decode + clean → title, text, published, canonical URL
 300 RelevancePipeline     article row with is_bloc_news; non-bloc and duplicates stop here
 400 ExtractPipeline       extract.api.extract_article on the stored text
 500 StoreRecordPipeline   record under this crawl's ExtractionRun
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.exceptions import DropItem, NotConfigured
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from crawler import registry
from crawler.canonical import article_url
from crawler.errors import PageTooLargeError
from crawler.items import FetchFailureItem, PageItem
from crawler.urls import canonicalize
from store import repository, seen
from store.entities import link_article
from store.keys import article_doc_id, content_key
from store.models import Article, ArticleAlias, Page
from store.versions import Outcome, save_or_revise

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from store.models import ExtractionRun

log = logging.getLogger(__name__)


def _parse_published(value: Any) -> dt.date | None:
    """Return a date from a CleanArticle.published value (date, datetime or ISO string)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


# A body lead shorter than this is too generic to merge articles on (e.g. a photo caption only)
_MIN_BODY_FOR_KEY = 120


def duplicate_key(*, title: str | None, published: dt.date | None, text: str) -> str:
    """Return the content key an article is deduplicated on.

    Syndicated copies differ in their title prefix ("Sở Nội vụ: …", "Quảng Nam: …"), date
    format and author line (portals.md §4.12), so the key is taken from the body lead alone:
    the clean text minus its leading title paragraph. Bodies too short to be distinctive fall
    back to title + date + lead.
    """
    body = text
    first, sep, rest = text.partition("\n")
    head, name = first.strip().casefold(), (title or "").strip().casefold()
    if name and sep and (head == name or head.endswith(name) or name.endswith(head)):
        body = rest
    if len(body.strip()) < _MIN_BODY_FOR_KEY:
        return content_key(title=title, published=published, text=text)
    return content_key(title=None, published=None, text=body.strip())


class _StorePipeline:
    """Common part: a database engine per pipeline, opened with the spider."""

    def __init__(self, crawler: Crawler, database_url: str) -> None:
        self.crawler = crawler
        self.database_url = database_url
        self.engine: Engine | None = None
        self.sessions: sessionmaker[Session] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        url = crawler.settings.get("THIDUA_DATABASE_URL")
        if not url:
            raise NotConfigured("set THIDUA_DATABASE_URL (or thidua.settings.Settings.database_url)")
        return cls(crawler, str(url))

    def open_spider(self) -> None:
        from store.db import make_engine, session_factory

        # writer: SQLite transactions take the write lock at BEGIN and wait for it (store.db)
        busy = self.crawler.settings.getfloat("THIDUA_DB_BUSY_TIMEOUT", 30.0)
        self.engine = make_engine(self.database_url, writer=True, busy_timeout=busy)
        self.sessions = session_factory(self.engine)

    def close_spider(self) -> None:
        if self.engine is not None:
            self.engine.dispose()
        self.engine = self.sessions = None

    def session(self) -> Session:
        if self.sessions is None:
            raise RuntimeError(f"{type(self).__name__} used before open_spider(); Scrapy opens it")
        return self.sessions()

    def inc(self, key: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key)

    def inc_portal(self, portal: str | None, key: str) -> None:
        """Count `key` for one portal (`thidua/portal/<name>/<key>`, read by crawler/report.py)."""
        if portal:
            self.inc(f"thidua/portal/{portal}/{key}")

    def fail(self, *, stage: str, url: str, portal: str | None, error: BaseException | str) -> None:
        """Record a failure in its own transaction (the caller's may have been rolled back).

        When even that cannot be written (the database is gone or locked beyond the busy
        timeout), the failure is logged and counted as unrecorded; nothing was marked done, so
        the next crawl fetches or finishes that page again (crawler/resume.py).
        """
        self.inc(f"thidua/failures/{stage}")
        self.inc_portal(portal, f"failures/{stage}")
        try:
            with self.session() as session, session.begin():
                repository.record_failure(session, stage=stage, url=url, portal=portal, error=error)
        except SQLAlchemyError as exc:
            self.inc("thidua/failures_unrecorded")
            log.error("cannot record the %s failure of %s (%s): %s", stage, url, error, exc)


class FetchFailurePipeline(_StorePipeline):
    """Store each request that failed for good (DNS, 5xx after retries, timeouts, resets)."""

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, FetchFailureItem):
            return item
        if item.skipped:
            self.skip(item)
            raise DropItem(item.message)
        self.fail(stage="fetch", url=item.url, portal=item.portal, error=item.message)
        raise DropItem(f"fetch failed: {item.message}")

    def skip(self, item: FetchFailureItem) -> None:
        """Record a page skipped on purpose (a PDF at an article URL): a fetch row, counted as skipped."""
        self.inc("thidua/skipped")
        self.inc_portal(item.portal, f"skipped/{item.error_type}")
        try:
            with self.session() as session, session.begin():
                row = repository.record_failure(
                    session, stage="fetch", url=item.url, portal=item.portal, error=item.message
                )
                row.error_type = item.error_type
        except SQLAlchemyError as exc:
            self.inc("thidua/failures_unrecorded")
            log.error("cannot record that %s was skipped (%s): %s", item.url, item.message, exc)


class StorePagePipeline(_StorePipeline):
    """Save the raw page (body, headers, status) before anything can go wrong with it.

    Also brings the database schema up to date when the spider opens (THIDUA_MIGRATE, on by
    default), so `scrapy crawl portal` works on an empty database.
    """

    def open_spider(self) -> None:
        if self.crawler.settings.getbool("THIDUA_MIGRATE", True):
            from store.db import migrate

            migrate(self.database_url)
        super().open_spider()

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem) or item.resume:
            return item  # a resumed page or article is stored already
        try:
            return self._store(item)
        except SQLAlchemyError as exc:
            # not stored, so not seen: the next crawl fetches it again
            self.fail(stage="store", url=item.final_url, portal=item.portal, error=exc)
            raise DropItem(f"cannot store the page {item.final_url}: {exc}") from exc

    def _store(self, item: PageItem) -> PageItem:
        with self.session() as session, session.begin():
            changed = self._store_in(session, item)
        return self._stored(item, changed)

    def _store_in(self, session: Session, item: PageItem) -> bool:
        """Write the page, its validators and URL forms in the caller's transaction; return
        whether its content is new or changed (`store.repository.save_page`)."""
        portal = registry.by_name(item.portal)
        stored_portal = repository.upsert_portal(
            session, name=portal.name, province=portal.province, family=portal.family, hosts=portal.hosts
        )
        page, changed = repository.save_page(
            session,
            portal=stored_portal,
            url=item.url,
            canonical_url=item.canonical_url,
            final_url=item.final_url,
            status=item.status,
            headers=item.headers,
            body=item.body,
            encoding=item.encoding,
            fetched_at=item.fetched_at,
        )
        session.flush()
        item.page_id = page.id
        linked = session.scalars(select(ArticleAlias.id).where(ArticleAlias.page_id == page.id)).first()
        item.known_page = linked is not None
        # an earlier failed fetch of this URL is now behind us
        repository.resolve_failures(session, url=item.url, stages=["fetch"])
        # validators for the next, conditional request, in the page's own transaction
        seen.note_response(
            session,
            canonical_url=item.canonical_url,
            portal=item.portal,
            kind="article",
            status=item.status,
            headers=item.headers,
            at=item.fetched_at,
        )
        forms = [(item.url, item.canonical_url, "requested")]
        if item.final_url != item.url:
            forms.append((item.final_url, item.canonical_url, "redirect"))
        seen.add_aliases(session, aliases=forms, portal=item.portal, at=item.fetched_at)
        return changed

    def _stored(self, item: PageItem, changed: bool) -> PageItem:
        """Count a stored page; drop it if the same bytes came again for a page with an article."""
        self.inc("thidua/pages_stored")
        self.inc_portal(item.portal, "pages")
        if not changed and item.known_page:
            # the same bytes again: the article cannot have changed
            self.inc_portal(item.portal, "unchanged")
            raise DropItem(f"unchanged since the last fetch: {item.canonical_url}")
        return item


class CleanPipeline(_StorePipeline):
    """Decode the body and clean it into title, text, publication date and canonical URL."""

    def __init__(self, crawler: Crawler, database_url: str) -> None:
        super().__init__(crawler, database_url)
        self.max_bytes = crawler.settings.getint("THIDUA_MAX_PAGE_BYTES", 0)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem) or item.resume == "article":
            return item
        from extract.clean import clean_html, decode_html
        from extract.errors import CleaningError

        family = registry.by_name(item.portal).family
        if self.max_bytes and len(item.body) > self.max_bytes:
            # Scrapy's DOWNLOAD_MAXSIZE refuses most while downloading; this also covers a page
            # stored before the cap was lowered and a body sent without Content-Length
            self.fail(
                stage="decode",
                url=item.final_url,
                portal=item.portal,
                error=PageTooLargeError(
                    f"page is {len(item.body):,} bytes, over the cap of {self.max_bytes:,} "
                    "(THIDUA_CRAWL_MAX_PAGE_BYTES); not cleaned"
                ),
            )
            raise DropItem(f"page over the size cap: {item.final_url}")
        try:
            html = decode_html(item.body, item.encoding)
        except (CleaningError, UnicodeError, LookupError) as exc:
            self.fail(stage="decode", url=item.final_url, portal=item.portal, error=exc)
            raise DropItem(f"cannot decode {item.final_url}: {exc}") from exc
        try:
            article = clean_html(html, item.final_url, family)
        except Exception as exc:  # CleaningError, or a cleaner's bug: one failure row, the crawl goes on
            self.fail(stage="clean", url=item.final_url, portal=item.portal, error=exc)
            raise DropItem(f"cannot clean {item.final_url}: {exc}") from exc
        item.title = article.title
        item.text = article.text
        item.published = _parse_published(article.published)
        # <link rel=canonical> names the original of a print view or an alternative URL form,
        # when it stays on the portal and names an article (crawler/canonical.py)
        portal = registry.by_name(item.portal)
        link = article.canonical_url
        listing = link is not None and any(re.search(rx, link) for rx in portal.listing)
        item.article_url = article_url(item.final_url, link, portal, listing=listing)
        return item


class RelevancePipeline(_StorePipeline):
    """Store the article with its bloc-news decision; only new bloc news goes on to extraction.

    Non-bloc pages are kept (with the reason) so the filter can be audited and re-run, then
    dropped. A page whose canonical URL or content key matches a stored article (print views,
    syndicated copies, other URL forms) becomes an alias of it and is not extracted again.
    """

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem) or item.resume == "article":
            return item
        from extract.relevance import assess

        if item.text is None or item.page_id is None:
            raise DropItem(f"no clean text for {item.final_url}: CleanPipeline must run first")
        try:
            relevance = assess(item.text, item.title)
        except Exception as exc:  # the filter's bug must not lose the page: record and move on
            self.fail(stage="relevance", url=item.final_url, portal=item.portal, error=exc)
            raise DropItem(f"relevance failed for {item.final_url}: {exc}") from exc
        try:
            outcome, is_bloc = self._save(item, relevance.is_bloc_news, relevance.reason)
        except SQLAlchemyError as exc:
            # the page stays without article: the next crawl cleans it again (crawler/resume.py)
            self.fail(stage="store", url=item.final_url, portal=item.portal, error=exc)
            raise DropItem(f"cannot store the article of {item.final_url}: {exc}") from exc
        item.is_bloc_news = relevance.is_bloc_news
        if outcome == "unchanged":
            # a refetch whose raw body changed (visit counters, tokens) but not the article
            self.inc("thidua/articles_refetched")
            self.inc_portal(item.portal, "unchanged")
            raise DropItem(f"already stored as article {item.article_id}: {item.final_url}")
        if outcome == "duplicate":
            self.inc("thidua/articles_duplicate")
            raise DropItem(f"duplicate of article {item.article_id}: {item.final_url}")
        if outcome == "changed":
            # the portal edited the article: a new version, extracted again into a new record
            self.inc("thidua/articles_changed")
            self.inc_portal(item.portal, "changed")
        else:
            self.inc("thidua/articles_found")
            self.inc_portal(item.portal, "new")
        if not is_bloc:
            self.inc("thidua/articles_not_bloc")
            raise DropItem(f"not bloc news ({relevance.reason}): {item.final_url}")
        self.inc("thidua/articles_bloc")
        self.inc_portal(item.portal, "bloc")
        return item

    def _save(self, item: PageItem, is_bloc_news: bool, reason: str) -> tuple[Outcome, bool]:
        """Store the article, a new version of it, or link the page to the one it duplicates;
        return what happened (store.versions.Outcome) and whether the article is bloc news."""
        assert item.text is not None  # checked by process_item
        family = registry.by_name(item.portal).family
        url = item.article_url or item.final_url
        canonical_url = canonicalize(url, family=family, detail=True)
        with self.session() as session, session.begin():
            page = session.get(Page, item.page_id)
            if page is None:
                raise DropItem(f"page {item.page_id} vanished before its article was stored")
            article, outcome = save_or_revise(
                session,
                page=page,
                url=url,
                canonical_url=canonical_url,
                title=item.title,
                text=item.text,
                published=item.published,
                content_key=duplicate_key(title=item.title, published=item.published, text=item.text),
                is_bloc_news=is_bloc_news,
                relevance_reason=reason,
                at=item.fetched_at,
                portal=item.portal,
            )
            if url != item.final_url:
                seen.add_aliases(
                    session,
                    aliases=[(url, canonical_url, "rel_canonical")],
                    portal=item.portal,
                    at=item.fetched_at,
                )
            session.flush()
            item.article_id = article.id
            return outcome, article.is_bloc_news


class ExtractPipeline(_StorePipeline):
    """Run the extractor on the article text exactly as stored (evidence offsets point into it)."""

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem):
            return item
        from extract.api import extract_article

        if item.article_id is None:
            raise DropItem(f"no stored article for {item.final_url}: RelevancePipeline must run first")
        with self.session() as session:
            article = session.get(Article, item.article_id)
            if article is None:
                raise DropItem(f"article {item.article_id} vanished before extraction")
            text, url, published = article.text, article.url, article.published
        province = registry.by_name(item.portal).province
        try:
            item.record = extract_article(
                doc_id=doc_id(item.article_id),
                text=text,
                url=url,
                published=published.isoformat() if published else None,
                province_hint=province,
            )
        except Exception as exc:  # an extractor bug costs one record, recorded, not the crawl
            self.fail(stage="extract", url=url, portal=item.portal, error=exc)
            raise DropItem(f"extraction failed for {url}: {exc}") from exc
        return item


def doc_id(article_id: int) -> str:
    """Return the record `doc_id` of a stored article (the store's convention, which reextract shares)."""
    return article_doc_id(article_id)


class StoreRecordPipeline(_StorePipeline):
    """Save each record under one ExtractionRun per crawl, and close that run with the spider.

    `crawler.run.run_crawl` opens the run before the reactor starts (crawler/session.py) and
    passes its id in THIDUA_RUN_ID; under a plain `scrapy crawl` this pipeline opens it itself,
    lock included, and releases the lock when the run is closed.
    """

    def __init__(self, crawler: Crawler, database_url: str) -> None:
        super().__init__(crawler, database_url)
        self.run_id: int | None = None
        self._own: Any = None  # the CrawlRun this pipeline opened (plain `scrapy crawl`)

    def open_spider(self) -> None:
        from crawler.session import begin_crawl

        super().open_spider()
        settings = self.crawler.settings
        given = settings.getint("THIDUA_RUN_ID", 0)
        if given:
            self.run_id = given
        else:
            spider = self.crawler.spider
            self._own = begin_crawl(
                self.database_url,
                portals=sorted(getattr(spider, "rules", {})),
                refresh=bool(getattr(spider, "refresh", False)),
                wait=settings.getfloat("THIDUA_CRAWL_LOCK_WAIT", 0.0),
                prepare=False,  # StorePagePipeline migrated it
                busy_timeout=settings.getfloat("THIDUA_DB_BUSY_TIMEOUT", 30.0),
            )
            self.run_id = self._own.run_id
        self.crawler.thidua_run_id = self.run_id  # type: ignore[attr-defined]  # read by crawler/run.py
        if self.crawler.stats is not None:
            self.crawler.stats.set_value("thidua/run_id", self.run_id)

    def _run(self, session: Session) -> ExtractionRun:
        from store.models import ExtractionRun

        run = session.get(ExtractionRun, self.run_id)
        if run is None:
            raise DropItem(f"extraction run {self.run_id} is missing from the database")
        return run

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem):
            return item
        record = item.record
        if record is None or item.article_id is None:
            raise DropItem(f"no record for {item.final_url}: ExtractPipeline must run first")
        try:
            with self.session() as session, session.begin():
                article = session.get(Article, item.article_id)
                if article is None:
                    raise DropItem(f"article {item.article_id} vanished before its record was stored")
                row = repository.save_record(session, run=self._run(session), article=article, record=record)
                # its units and bloc to the province's entities, in the same transaction
                link_article(session, article, row)
                # an earlier failure to store this article's record is behind us
                repository.resolve_failures(session, url=item.final_url, stages=["store"])
        except DropItem:
            raise
        except Exception as exc:  # e.g. DuplicateRecordError: recorded, the crawl goes on
            self.fail(stage="store", url=item.final_url, portal=item.portal, error=exc)
            raise DropItem(f"cannot store the record of {item.final_url}: {exc}") from exc
        self.inc("thidua/records_stored")
        self.inc_portal(item.portal, "records")
        return item

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        pipeline = super().from_crawler(crawler)
        # spider_closed carries the close reason, which close_spider() does not get
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def close_spider(self) -> None:
        """Keep the database open: the run is finished on spider_closed, which comes later."""

    def spider_closed(self, reason: str) -> None:
        """Finish this crawl's run with its status, counters and report, then close the database."""
        from crawler.report import crawl_report, run_status

        try:
            if self.run_id is not None and self.sessions is not None:
                raw = self.crawler.stats.get_stats() if self.crawler.stats is not None else {}
                health = getattr(self.crawler.spider, "health", None)
                portals = sorted(getattr(self.crawler.spider, "rules", {}))
                report = crawl_report(raw, health, portals)
                status = run_status(reason, report)
                stats: dict[str, Any] = {"close_reason": reason, "report": report}
                for key, value in raw.items():
                    if (
                        key.startswith("thidua/")
                        and not key.startswith("thidua/portal/")
                        and isinstance(value, int | float | str)
                    ):
                        stats[key.removeprefix("thidua/")] = value
                stats["requests"] = raw.get("downloader/request_count", 0)
                stats["responses"] = raw.get("downloader/response_count", 0)
                if self.crawler.stats is not None:
                    self.crawler.stats.set_value("thidua/status", status)
                with self.session() as session, session.begin():
                    run = self._run(session)
                    if run.status == "running":
                        repository.finish_run(session, run=run, status=status, stats=stats)
        finally:
            super().close_spider()
            self.release()

    def release(self) -> None:
        """Release the crawl lock this pipeline took under a plain `scrapy crawl` (idempotent)."""
        if self._own is not None:
            self._own.release()
            self._own = None
