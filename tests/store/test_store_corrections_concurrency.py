"""Editors and a crawler writing one article's record at the same moment lose no update (issue 8,
items 3 and 9), on PostgreSQL with two connections that really commit."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from extract.record import Record
from store import corrections as corr
from store import counts, repository
from store.current import current_record
from store.db import make_engine, session_factory
from store.keys import content_key
from store.models import Article, CurrentDocument

TEXT = (
    "Khối thi đua số 6 tỉnh Bắc Ninh tổng kết năm 2018. Khối gồm Sở Y tế, Sở Tư pháp. "
    "Hội nghị đề nghị UBND tỉnh tặng Cờ thi đua cho Sở Tư pháp. Sở Nội vụ dự hội nghị."
)
AWARD_KEY = "award:so tu phap|co_thi_dua|ubnd_tinh"
HOLD = 0.5  # seconds the first writer keeps its transaction open


@pytest.fixture
def sessions(postgres_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(postgres_url)
    try:
        yield session_factory(engine)
    finally:
        engine.dispose()


def _record(
    build: Callable[..., Record], *, status: str = "proposed", members: tuple[str, ...] = ()
) -> Record:
    return build(
        TEXT,
        doc_id="bn6",
        province="Bắc Ninh",
        members=("Sở Y tế", "Sở Tư pháp", *members),
        awards=(("Sở Tư pháp", "co_thi_dua", "ubnd_tinh", 2018, status),),
    )


def _store_run(session: Session, article_id: int, record: Record) -> None:
    run = repository.start_run(session, extractor_version="0.2.0", config={})
    article = session.get(Article, article_id)
    assert article is not None
    repository.save_record(session, run=run, article=article, record=record)
    repository.finish_run(session, run=run, status="finished", stats={})


@pytest.fixture
def article_id(sessions: sessionmaker[Session], build_record: Callable[..., Record]) -> int:
    """An article with one run's record, committed."""
    url = "https://sonoivu.bacninh.example.gov.vn/khoi-thi-dua-so-6"
    with sessions() as s, s.begin():
        page, _ = repository.save_page(
            s,
            portal=None,
            url=url,
            canonical_url=url,
            final_url=url,
            status=200,
            headers={},
            body=b"<html></html>",
            encoding="utf-8",
            fetched_at=datetime(2024, 3, 1, tzinfo=UTC),
        )
        published = date(2019, 1, 3)
        article, _ = repository.save_article(
            s,
            page=page,
            url=url,
            canonical_url=url,
            title="Khối thi đua số 6",
            text=TEXT,
            published=published,
            content_key=content_key(title="Khối thi đua số 6", published=published, text=TEXT),
            is_bloc_news=True,
            relevance_reason="test",
        )
        run = repository.start_run(s, extractor_version="0.1.0", config={})
        repository.save_record(s, run=run, article=article, record=_record(build_record))
        repository.finish_run(s, run=run, status="finished", stats={})
        return article.id


def _both(first: Callable[[], None], second: Callable[[], None]) -> list[BaseException]:
    """Run two writers in two threads (each with its own connection); return their errors."""
    errors: list[BaseException] = []

    def guarded(writer: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                writer()
            except BaseException as exc:  # reported by the caller
                errors.append(exc)

        return run

    threads = [threading.Thread(target=guarded(w)) for w in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return errors


def test_two_editors_of_one_fact_take_turns_and_lose_nothing(
    sessions: sessionmaker[Session], article_id: int
) -> None:
    """A changes the award's year and holds its transaction; B changes its status meanwhile.

    Without the article lock B would validate against the machine value (year 2018) and its
    full new value would put 2018 back: A's year would be lost. With it, B waits for A, reads
    A's correction and changes only the status of A's value.
    """
    a_wrote = threading.Event()
    waited: list[float] = []

    def editor_a() -> None:
        with sessions() as s, s.begin():
            corr.change_fact(s, article_id=article_id, fact=AWARD_KEY, value={"year": 2017}, editor="A")
            a_wrote.set()
            time.sleep(HOLD)

    def editor_b() -> None:
        assert a_wrote.wait(10)
        started = time.monotonic()
        with sessions() as s, s.begin():
            corr.change_fact(
                s, article_id=article_id, fact=AWARD_KEY, value={"status": "conferred"}, editor="B"
            )
        waited.append(time.monotonic() - started)

    assert _both(editor_a, editor_b) == []
    with sessions() as s:
        current = current_record(s, article_id)
        history = corr.corrections_of(s, article_id=article_id)
    assert current["awards"][0]["year"] == 2017 and current["awards"][0]["status"] == "conferred"
    assert [h["editor"] for h in history] == ["A", "B"]
    assert history[1]["old_value"]["year"] == 2017  # B saw A's value
    assert waited and waited[0] > HOLD * 0.6


@pytest.mark.parametrize("first", ["editor", "crawler"])
def test_an_editor_and_a_crawler_at_once_lose_nothing(
    sessions: sessionmaker[Session], article_id: int, build_record: Callable[..., Record], first: str
) -> None:
    """The editor corrects the award while a crawler stores a new run that reads it differently.

    Whichever commits first, both writes are kept: the new run's facts, the editor's value,
    and a review flag holding the machine's new value, in the current record and in its
    materialised copy the queries read. The second writer waits for the first to commit (both
    rewrite the article's materialised record, `store.current_table` locks the article first),
    then reads the first's write: an editor after a crawler corrects the new run's value.
    """
    first_wrote = threading.Event()

    def editor() -> None:
        with sessions() as s, s.begin():
            corr.change_fact(s, article_id=article_id, fact=AWARD_KEY, value={"year": 2017}, editor="Lan")
            if first == "editor":
                first_wrote.set()
                time.sleep(HOLD)

    def crawler() -> None:
        with sessions() as s, s.begin():
            _store_run(s, article_id, _record(build_record, status="conferred", members=("Sở Nội vụ",)))
            if first == "crawler":
                first_wrote.set()
                time.sleep(HOLD)

    writers: dict[str, Callable[[], None]] = {"editor": editor, "crawler": crawler}
    second = "crawler" if first == "editor" else "editor"

    waited: list[float] = []

    def later() -> None:
        assert first_wrote.wait(10)
        started = time.monotonic()
        writers[second]()
        waited.append(time.monotonic() - started)

    assert _both(writers[first], later) == []
    assert waited and waited[0] < HOLD * 4  # it waited for one transaction, not for a time-out
    with sessions() as s:
        current = current_record(s, article_id)
        cached = s.get(CurrentDocument, article_id)
        assert cached is not None and cached.document == current  # neither write lost in the copy
        kept = counts.totals(s)  # the yearly counts both appended to add up as a recount does
        counts.recount(s)
        assert counts.totals(s) == kept
        s.rollback()
    assert current["extractor_version"] == "0.2.0"
    assert current["members"] == ["Sở Y tế", "Sở Tư pháp", "Sở Nội vụ"]  # the crawler's new fact
    assert current["awards"][0]["year"] == 2017  # the editor's value
    flags: list[dict[str, Any]] = current["review"]
    if first == "crawler":  # the editor waited, then corrected the new run's value: nothing to review
        assert flags == [] and current["awards"][0]["status"] == "conferred"
        return
    assert [(f["flag"], f["key"], f["then"]["status"], f["now"]["status"]) for f in flags] == [
        ("machine_changed", AWARD_KEY, "proposed", "conferred")
    ]
