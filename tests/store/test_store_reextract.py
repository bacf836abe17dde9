"""Re-extraction (issue 8, item 2) on both engines: which articles, a new versioned run that keeps
the old ones, failures recorded, interruption, and corrections surviving a real re-extraction."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from extract.api import EXTRACTOR_VERSION
from extract.record import Record
from store import corrections, repository
from store.current import current_record
from store.db import make_engine, migrate, session_factory
from store.errors import ReextractError
from store.keys import content_key
from store.models import Article, ExtractedRecord, ExtractionRun, Failure
from store.reextract import Selection, extractor_settings, reextract, select_articles

TEXTS = {
    "bn": (
        "Khối thi đua số 6 tổng kết công tác thi đua năm 2018\n\n"
        "Ngày 28/12/2018, Khối thi đua số 6 tỉnh Bắc Ninh tổ chức hội nghị tổng kết công tác thi đua, "
        "khen thưởng năm 2018. Khối thi đua số 6 gồm 05 đơn vị: Sở Y tế, Sở Tư pháp, Sở Nội vụ, "
        "Sở Tài chính và Sở Xây dựng. Hội nghị thống nhất đề nghị UBND tỉnh tặng Cờ thi đua cho Sở Y tế."
    ),
    "hb": (
        "Cụm thi đua số 3 ký kết giao ước thi đua năm 2020\n\n"
        "Sáng 5/3/2020, Cụm thi đua số 3 tỉnh Hòa Bình ký kết giao ước thi đua. Cụm gồm Sở Công Thương, "
        "Sở Giao thông vận tải và Sở Kế hoạch và Đầu tư. Sở Công Thương làm Cụm trưởng năm 2020."
    ),
    "tn": (
        "Khối thi đua các cơ quan Đảng sơ kết 6 tháng đầu năm 2021\n\n"
        "Chiều 30/6/2021, Khối thi đua các cơ quan Đảng tỉnh Tây Ninh sơ kết công tác thi đua. "
        "Ban Tổ chức Tỉnh ủy, Ban Tuyên giáo Tỉnh ủy và Văn phòng Tỉnh ủy dự hội nghị."
    ),
}
PORTALS = {"bn": "bacninh", "hb": "hoabinh", "tn": "tayninh"}


@pytest.fixture
def url(empty_database_url: str) -> str:
    """A migrated database of each engine whose writers really commit."""
    migrate(empty_database_url)
    return empty_database_url


@pytest.fixture
def sessions(url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(url)
    try:
        yield session_factory(engine)
    finally:
        engine.dispose()


@pytest.fixture
def articles(sessions: sessionmaker[Session]) -> dict[str, int]:
    """Three bloc-news articles from three portals, and one that is not bloc news."""
    ids = {}
    with sessions() as s, s.begin():
        for name, text in [*TEXTS.items(), ("other", "Giá lúa tăng nhẹ trong tuần qua.")]:
            portal = repository.upsert_portal(
                s, name=PORTALS.get(name, "khac"), province=None, family="test", hosts=[f"{name}.example.vn"]
            )
            url = f"https://{name}.example.vn/tin-tuc/{name}"
            page, _ = repository.save_page(
                s,
                portal=portal,
                url=url,
                canonical_url=url,
                final_url=url,
                status=200,
                headers={},
                body=text.encode(),
                encoding="utf-8",
                fetched_at=datetime(2024, 3, 1, tzinfo=UTC),
            )
            title = text.split("\n", 1)[0]
            article, _ = repository.save_article(
                s,
                page=page,
                url=url,
                canonical_url=url,
                title=title,
                text=text,
                published=None,
                content_key=content_key(title=title, published=None, text=text),
                is_bloc_news=name != "other",
                relevance_reason="test",
            )
            ids[name] = article.id
    return ids


def run_ids(s: Session) -> list[int]:
    return list(s.scalars(select(ExtractionRun.id).order_by(ExtractionRun.id)))


def do_reextract(sessions: sessionmaker[Session], ids: list[int], **kw: Any) -> Any:
    kw.setdefault("workers", 1)
    kw.setdefault("max_article_bytes", 2 * 1024 * 1024)
    return reextract(sessions, article_ids=ids, selection=kw.pop("selection", Selection(all=True)), **kw)


# --- which articles ----------------------------------------------------------------------


def test_select_all_and_by_portal(sessions: sessionmaker[Session], articles: dict[str, int]) -> None:
    with sessions() as s:
        assert select_articles(s, selection=Selection(all=True)) == [articles[n] for n in ("bn", "hb", "tn")]
        assert select_articles(s, selection=Selection(portal="hoabinh")) == [articles["hb"]]
        assert select_articles(s, selection=Selection(portal="khac")) == []  # not bloc news


def test_select_since_a_day(sessions: sessionmaker[Session], articles: dict[str, int]) -> None:
    with sessions() as s, s.begin():
        old = datetime(2020, 1, 1, tzinfo=UTC)
        s.execute(update(Article).where(Article.id == articles["bn"]).values(created_at=old))
    tomorrow = datetime.now(UTC).date() + timedelta(days=1)
    with sessions() as s:
        assert select_articles(s, selection=Selection(since=date(2020, 1, 2))) == [
            articles["hb"],
            articles["tn"],
        ]
        assert select_articles(s, selection=Selection(since=date(2020, 1, 1)))[0] == articles["bn"]
        assert select_articles(s, selection=Selection(since=tomorrow)) == []
        assert select_articles(s, selection=Selection(since=date(2020, 1, 2), portal="bacninh")) == []


def test_select_by_extractor_version(
    sessions: sessionmaker[Session], articles: dict[str, int], build_record: Callable[..., Record]
) -> None:
    with sessions() as s, s.begin():
        for version, name in (("0.1.0", "bn"), ("0.3.0", "hb"), ("0.3.0", "bn")):
            run = repository.start_run(s, extractor_version=version, config={})
            article = s.get(Article, articles[name])
            assert article is not None
            repository.save_record(
                s, run=run, article=article, record=build_record(article.text, doc_id=name)
            )
    with sessions() as s:
        # bn's newest record is 0.3.0 now; tn was never extracted, so it is below any version
        assert select_articles(s, selection=Selection(extractor_below="0.3.0")) == [articles["tn"]]
        assert select_articles(s, selection=Selection(extractor_below="0.3.1.dev1")) == [
            articles["bn"],
            articles["hb"],
            articles["tn"],
        ]
        assert select_articles(s, selection=Selection(extractor_below="0.3.0", portal="hoabinh")) == []


@pytest.mark.parametrize(
    ("selection", "message"),
    [
        (Selection(), "say which articles: --all, --since DATE"),
        (Selection(all=True, portal="hoabinh"), "--all re-extracts every article"),
        (Selection(portal="hanoi"), "no stored page came from a portal named 'hanoi'; portals: bacninh"),
        (Selection(extractor_below="mới nhất"), "'mới nhất' is not a version"),
    ],
)
def test_a_selection_that_cannot_be_used_is_refused(
    sessions: sessionmaker[Session], articles: dict[str, int], selection: Selection, message: str
) -> None:
    with sessions() as s, pytest.raises(ReextractError, match=message):
        select_articles(s, selection=selection)


# --- the run -------------------------------------------------------------------------------


def test_a_reextraction_is_a_new_versioned_run_and_keeps_the_old_ones(
    sessions: sessionmaker[Session], articles: dict[str, int]
) -> None:
    ids = [articles[n] for n in ("bn", "hb", "tn")]
    first = do_reextract(sessions, ids)
    progress: list[int] = []
    second = do_reextract(sessions, ids, selection=Selection(portal="bacninh"), progress=progress.append)
    assert (first.status, first.articles, first.records, first.failures) == ("finished", 3, 3, 0)
    assert (second.status, second.records) == ("finished", 3) and sum(progress) == 3
    with sessions() as s:
        assert run_ids(s) == [first.run_id, second.run_id]
        counts = dict(
            s.execute(select(ExtractedRecord.run_id, func.count()).group_by(ExtractedRecord.run_id))
            .tuples()
            .all()
        )
        assert counts == {first.run_id: 3, second.run_id: 3}  # the first run's records are kept
        run = s.get(ExtractionRun, second.run_id)
        assert run is not None and run.status == "finished" and run.extractor_version == EXTRACTOR_VERSION
        assert run.config["source"] == "reextract" and run.config["workers"] == 1
        assert run.config["selection"] == {
            "all": False,
            "since": None,
            "portal": "bacninh",
            "extractor_below": None,
        }
        assert run.config["extractor"] == extractor_settings(max_article_bytes=2 * 1024 * 1024)
        assert run.stats["records"] == 3
        current = current_record(s, articles["bn"])
        assert current["run_id"] == second.run_id and current["doc_id"] == f"article-{articles['bn']}"
        assert "Sở Tư pháp" in current["members"]


def test_extractor_settings_say_what_shapes_the_output() -> None:
    settings = extractor_settings(max_article_bytes=1000)
    assert settings["version"] == EXTRACTOR_VERSION and settings["max_article_bytes"] == 1000
    assert len(settings["data"]) == len(settings["model"]) == 16
    assert set(settings["libraries"]) == {"spacy", "underthesea", "vietnamadminunits", "trafilatura"}
    assert settings["libraries"]["spacy"]


def test_an_article_the_extractor_refuses_is_a_failure_and_the_run_goes_on(
    sessions: sessionmaker[Session], articles: dict[str, int]
) -> None:
    # a size cap between the texts' sizes: the longest article is refused before any work
    sizes = {n: len(TEXTS[n].encode()) for n in ("bn", "hb", "tn")}
    cap = sorted(sizes.values())[1] + 1
    stats = do_reextract(sessions, [articles[n] for n in ("bn", "hb", "tn")], max_article_bytes=cap)
    assert (stats.status, stats.records, stats.failures) == ("finished", 2, 1)
    with sessions() as s:
        failure = s.scalars(select(Failure)).one()
        longest = max(sizes, key=lambda n: sizes[n])
        assert (failure.stage, failure.portal) == ("extract", PORTALS[longest])
        assert failure.message.startswith("ArticleTooLargeError: ")


def test_an_interrupted_run_keeps_what_it_stored(
    sessions: sessionmaker[Session], articles: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("store.reextract.BATCH", 2)
    seen: list[int] = []

    def progress(n: int) -> None:
        seen.append(n)
        if len(seen) == 3:
            raise KeyboardInterrupt

    ids = [articles[n] for n in ("bn", "hb", "tn")]
    with pytest.raises(KeyboardInterrupt):
        do_reextract(sessions, ids, progress=progress)
    with sessions() as s:
        run = s.scalars(select(ExtractionRun)).one()
        assert run.status == "interrupted" and run.finished_at is not None
        stored = s.scalar(
            select(func.count()).select_from(ExtractedRecord).where(ExtractedRecord.run_id == run.id)
        )
        assert stored == 2 and run.stats["records"] == 2  # the first batch; the cut one is rolled back


def test_corrections_survive_a_real_reextraction(
    sessions: sessionmaker[Session], articles: dict[str, int]
) -> None:
    bn = articles["bn"]
    do_reextract(sessions, [bn])
    with sessions() as s, s.begin():
        before = current_record(s, bn)
        assert before["members"][:2] == ["Sở Y tế", "Sở Tư pháp"], before["members"]
        corrections.delete_fact(s, article_id=bn, fact="member:so noi vu", editor="Lan")
        corrections.change_fact(s, article_id=bn, fact="award#0", value={"status": "conferred"}, editor="Lan")
        corrections.add_fact(
            s, article_id=bn, field="member", value="Sở Văn hóa, Thể thao và Du lịch", editor="Lan"
        )
        corrected = current_record(s, bn)
    second = do_reextract(sessions, [bn])
    with sessions() as s:
        after = current_record(s, bn)
    assert after["run_id"] == second.run_id != corrected["run_id"]
    schema = ("published", "province", "event_date", "event_kinds", "blocs", "members", "roles", "awards")
    assert {k: after[k] for k in schema} == {k: corrected[k] for k in schema}
    assert after["review"] == []  # the same extractor read the same values
    assert "Sở Nội vụ" not in after["members"] and after["awards"][0]["status"] == "conferred"


class _KilledPool:
    """Stands in for a process pool whose worker was killed: every task fails as it would."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def submit(self, fn: Any, task: Any) -> Future[Any]:
        future: Future[Any] = Future()
        future.set_exception(BrokenProcessPool("A process in the process pool was terminated abruptly"))
        return future

    def shutdown(self, **kwargs: Any) -> None:
        pass


def test_a_dead_worker_fails_the_run_with_a_named_error(
    sessions: sessionmaker[Session], articles: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("store.reextract.ProcessPoolExecutor", _KilledPool)
    with pytest.raises(ReextractError, match="a worker process died during run 1"):
        do_reextract(sessions, [articles["bn"], articles["hb"]], workers=2)
    with sessions() as s:
        run = s.scalars(select(ExtractionRun)).one()
        assert run.status == "failed" and run.stats["records"] == 0
