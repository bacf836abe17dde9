"""Pending work a killed crawl leaves (pages without article, articles without record) and dead runs."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from extract.record import Record
from store import repository
from store.models import Article, ExtractionRun, Page

TEXT = "Khối thi đua số 2 tổng kết công tác thi đua năm 2018 tại Sở Tư pháp."
OTHER = "Cụm thi đua số 3 ký kết giao ước thi đua năm 2019 tại Sở Y tế."


def portal(session: Session, name: str) -> object:
    return repository.upsert_portal(session, name=name, province=None, family="liferay", hosts=[f"{name}.vn"])


def test_a_page_without_article_is_pending_until_it_has_one_or_a_cleaning_failure(
    session: Session, make_page: Callable[..., Page], make_article: Callable[..., Article]
) -> None:
    hb, bg = portal(session, "hoabinh"), portal(session, "bacgiang")
    bare = make_page(portal=hb)
    failed = make_page(portal=hb)
    done = make_page(portal=hb)
    other = make_page(portal=bg)
    make_article(TEXT, page=done)
    repository.record_failure(session, stage="clean", url=failed.final_url, portal="hoabinh", error="no body")
    session.flush()
    assert [p.id for p in repository.pages_without_article(session, portals=["hoabinh"])] == [bare.id]
    assert {p.id for p in repository.pages_without_article(session)} == {bare.id, other.id}
    # a failure of another stage (a fetch that later worked) does not explain a missing article
    repository.record_failure(session, stage="fetch", url=bare.final_url, portal="hoabinh", error="503")
    session.flush()
    assert [p.id for p in repository.pages_without_article(session, portals=["hoabinh"])] == [bare.id]
    # the cleaning failure resolved (a later attempt succeeded or is due): pending again
    repository.resolve_failures(session, url=failed.final_url)
    session.flush()
    pending = repository.pages_without_article(session, portals=["hoabinh"])
    assert {p.id for p in pending} == {bare.id, failed.id}


def test_an_article_without_any_record_is_pending_unless_its_extraction_failed(
    session: Session,
    make_page: Callable[..., Page],
    make_article: Callable[..., Article],
    build_record: Callable[..., Record],
) -> None:
    hb = portal(session, "hoabinh")
    recorded = make_article(TEXT, page=make_page(portal=hb))
    pending = make_article(OTHER, title="Ký giao ước", page=make_page(portal=hb))
    broken = make_article(OTHER + " Lần hai.", title="Lỗi", page=make_page(portal=hb))
    make_article("Giá lúa tăng nhẹ.", title="Thị trường", page=make_page(portal=hb), is_bloc_news=False)
    old = repository.start_run(session, extractor_version="0.1", config={"source": "crawl"})
    repository.save_record(session, run=old, article=recorded, record=build_record(TEXT))
    repository.record_failure(session, stage="extract", url=broken.url, portal="hoabinh", error="bug")
    session.flush()
    # a record in any earlier run is enough: the next crawl does not extract it again
    assert [a.id for a in repository.articles_without_record(session, portals=["hoabinh"])] == [pending.id]
    assert repository.articles_without_record(session, portals=["bacgiang"]) == []
    # a store failure (a locked database) does not exclude: the record is still owed
    repository.record_failure(session, stage="store", url=pending.url, portal="hoabinh", error="locked")
    session.flush()
    assert [a.id for a in repository.articles_without_record(session)] == [pending.id]


def test_close_dead_runs_closes_running_crawls_only(session: Session) -> None:
    dead = repository.start_run(session, extractor_version="0.1", config={"source": "crawl"})
    reextract = repository.start_run(session, extractor_version="0.1", config={"source": "reextract"})
    done = repository.start_run(session, extractor_version="0.1", config={"source": "crawl"})
    repository.finish_run(session, run=done, status="finished", stats={"records": 3})
    mine = repository.start_run(session, extractor_version="0.1", config={"source": "crawl"})
    closed = repository.close_dead_runs(session, source="crawl", found_by=mine.id)
    session.flush()
    assert closed == [dead.id]
    assert dead.status == "interrupted" and dead.finished_at is not None
    assert dead.stats == {"close_reason": "process_died", "found_dead_by_run": mine.id}
    assert reextract.status == "running" and mine.status == "running"
    assert session.get(ExtractionRun, done.id).stats == {"records": 3}  # type: ignore[union-attr]


def test_portals_last_crawled_completely_reads_the_newest_closed_crawl_of_each(
    session: Session, make_page: Callable[..., Page]
) -> None:
    def crawl(portals: list[str], status: str) -> None:
        run = repository.start_run(
            session, extractor_version="0.1", config={"source": "crawl", "portals": portals}
        )
        if status != "running":
            repository.finish_run(session, run=run, status=status, stats={})

    crawl(["a", "b", "c"], "finished")
    crawl(["b"], "interrupted")
    crawl(["c"], "failed")
    crawl(["c"], "finished")
    crawl(["a"], "running")  # still running: not a verdict
    repository.start_run(session, extractor_version="0.1", config={"source": "reextract", "portals": ["a"]})
    session.flush()
    assert repository.portals_last_crawled_completely(session, portals=["a", "b", "c", "d"]) == {"a", "c"}
    page = make_page(canonical_url="https://a.gov.vn/x")
    got = repository.stored_canonical_urls(session, canonical_urls=[page.canonical_url, "https://a.gov.vn/y"])
    assert got == {page.canonical_url}
