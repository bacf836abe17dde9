"""The search page's facets counted in memory (store.facet_index) give what SQL gives, on both engines,
and an index that is not current is never used."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Iterator
from datetime import date
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from sqlalchemy.orm import Session

from extract.record import Record
from store import browse as browse_module
from store import corrections, facet_index, repository
from store.browse import Filters, browse
from store.current import current_record
from store.data_version import data_version
from store.facet_index import FacetIndex, IndexKeeper, _Names
from store.models import Article

PROVINCES = ("Lạng Sơn", "Hà Giang", "Bắc Ninh", "Bắc Giang", None)
UNITS = ("Sở Y tế", "Sở Tư pháp", "Sở Nội vụ", "Sở Xây dựng", "Công an tỉnh", "Sở Công Thương")
BLOCS = (("Khối thi đua số 1", "1"), ("Khối thi đua số 3", "3"), ("Cụm thi đua các sở", None))
AWARDS = ("co_thi_dua", "bang_khen")
WORDS = ("giao ước thi đua", "sơ kết sáu tháng", "tổng kết năm", "bình xét khen thưởng")
# a few dates, so several records share one and the id decides the order between them
DATES = (date(2021, 1, 5), date(2022, 7, 1), date(2022, 7, 1), date(2023, 12, 30), None)


@pytest.fixture
def many(
    session: Session, make_article: Callable[..., Article], build_record: Callable[..., Record]
) -> list[Article]:
    """Forty records drawn at random (seeded): provinces, shared dates, undated ones, a unit named
    twice in one record, blocs, awards; a few corrected afterwards."""
    rng = random.Random(11)
    run = repository.start_run(session, extractor_version="0.4.1", config={})
    articles = []
    for i in range(40):
        members = tuple(rng.sample(UNITS, rng.randint(0, 4)))
        if members and i % 7 == 0:
            members += (members[0],)  # the same unit twice: it counts once for the record
        words = rng.sample(WORDS, 2)
        text = f"Hội nghị {words[0]} và {words[1]} của khối, gồm {', '.join(members) or 'các đơn vị'}."
        art = make_article(text, title=f"Tin số {i}", published=rng.choice(DATES))
        bloc = rng.choice((*BLOCS, None))
        record = build_record(
            text,
            doc_id=f"d{i}",
            province=rng.choice(PROVINCES),
            blocs=() if bloc is None else ((bloc[0], bloc[1], []),),
            members=members,
            awards=tuple(
                (u, rng.choice(AWARDS), "ubnd_tinh", None, rng.choice(("proposed", "conferred")))
                for u in members[: rng.randint(0, 2)]
            ),
        )
        repository.save_record(session, run=run, article=art, record=record)
        articles.append(art)
    repository.finish_run(session, run=run, status="finished", stats={})
    corrections.change_fact(
        session, article_id=articles[3].id, fact="province", value="Hà Giang", editor="Lan"
    )
    corrections.add_fact(
        session, article_id=articles[5].id, field="member", value="Văn phòng Tỉnh ủy", editor="Lan"
    )
    corrections.verify(session, article_id=articles[8].id, editor="Lan")
    session.flush()
    return articles


FILTERS = [
    Filters(),
    Filters(q="giao ước"),
    Filters(q='"tổng kết năm"', province="Lạng Sơn"),
    Filters(q="khen thuong", year=2022),
    Filters(q="không có từ này"),
    Filters(province="Hà Giang"),
    Filters(province="Bắc Ninh"),  # a 2025 province: Bắc Giang's records too
    Filters(year_from=2022, year_to=2023, award="bang_khen"),
    Filters(unit="Sở Tư pháp", award_status="proposed"),
    Filters(bloc="1", review="machine"),
    Filters(review="corrected", q="hội nghị"),
    Filters(year=2023, review="machine", award="co_thi_dua"),
    Filters(year_from=2023),
    Filters(year_to=2021, province="Lạng Sơn", q="sơ kết"),
    Filters(unit="Sở Y tế", year=2022),
]


def _answer(page: browse_module.BrowsePage) -> tuple[Any, ...]:
    return (page.total, page.names_over, page.facets, page.rows)


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: repr(f.given()))
def test_counted_in_memory_or_in_sql_the_page_is_the_same(
    session: Session, many: list[Article], filters: Filters, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(browse_module, "NAMES_OVER", 7)  # names over the newest seven matches only
    index = FacetIndex.build(session)
    # every filter but the missing word matches some records, and not all of them
    total = browse(session, filters).total
    assert ((total == 0) == (filters.q == "không có từ này") and total < len(many)) or not filters.given()
    for sort, descending in (("date", True), ("date", False), ("members", True)):
        for page in (1, 2, 5):
            kw: dict[str, Any] = {"sort": sort, "descending": descending, "page": page, "per_page": 4}
            assert _answer(browse(session, filters, index=index, **kw)) == _answer(
                browse(session, filters, **kw)
            ), (sort, descending, page)


def test_the_same_search_is_answered_from_memory_the_second_time(
    session: Session, many: list[Article], monkeypatch: pytest.MonkeyPatch
) -> None:
    index = FacetIndex.build(session)
    first = browse(session, Filters(q="Giao Uoc"), index=index)
    assert first.total > 0
    monkeypatch.setattr(facet_index, "text_hits", _refuse)
    # folded alike: the same words, so the same cached hits, without the full-text index
    assert _answer(browse(session, Filters(q="giao ước"), index=index)) == _answer(first)
    with pytest.raises(AssertionError, match="full-text index read"):
        browse(session, Filters(q="sơ kết"), index=index)


def _refuse(*_: object) -> None:
    raise AssertionError("full-text index read")


def test_the_text_cache_drops_the_least_recently_used_past_its_budget(
    session: Session, many: list[Article], monkeypatch: pytest.MonkeyPatch
) -> None:
    index = FacetIndex.build(session)
    sizes = {w: len(index.text_ids(session, w)) for w in ("giao ước", "sơ kết", "tổng kết")}
    assert all(sizes.values())
    index = FacetIndex.build(session)
    monkeypatch.setattr(facet_index, "HITS_BUDGET", sizes["giao ước"] + sizes["sơ kết"])
    index.text_ids(session, "giao ước")
    index.text_ids(session, "sơ kết")
    index.text_ids(session, "giao ước")  # now the most recently used
    index.text_ids(session, "tổng kết")  # over budget: "sơ kết" goes
    monkeypatch.setattr(facet_index, "text_hits", _refuse)
    assert len(index.text_ids(session, "giao ước")) == sizes["giao ước"]
    with pytest.raises(AssertionError):
        index.text_ids(session, "sơ kết")


def test_past_max_delta_changes_a_search_counts_in_sql(
    session: Session, many: list[Article], monkeypatch: pytest.MonkeyPatch
) -> None:
    index = FacetIndex.build(session)
    for art in many[:3]:
        corrections.verify(session, article_id=art.id, editor="Lan")
    checked = browse_module._check(Filters(q="giao ước"))
    assert browse_module._facets_in_memory(session, checked, index, (4, 0)) is not None
    monkeypatch.setattr(facet_index, "MAX_DELTA", 2)
    assert browse_module._facets_in_memory(session, checked, index, (4, 0)) is None
    assert _answer(browse(session, Filters(q="giao ước"), index=index)) == _answer(
        browse(session, Filters(q="giao ước"))
    )
    # rows, not articles, are bounded: three corrections of one article are past two as well
    # (each table is read up to the bound only, so more rows could hide other articles)
    again = FacetIndex.build(session)
    for _ in range(3):
        corrections.verify(session, article_id=many[5].id, editor="Lan")
    assert again.updated(session, most=2) is None and again.updated(session, most=3) is not None


def test_a_record_newer_than_the_index_is_counted_from_sql_beside_it(
    session: Session,
    many: list[Article],
    make_article: Callable[..., Article],
    build_record: Callable[..., Record],
) -> None:
    index = FacetIndex.build(session)
    text = "Hội nghị giao ước thi đua năm nay của Sở Y tế."
    art = make_article(text, title="Tin mới", published=date(2024, 2, 2))
    run = repository.start_run(session, extractor_version="0.4.1", config={})
    repository.save_record(
        session,
        run=run,
        article=art,
        record=build_record(text, doc_id="new", province="Hà Giang", members=("Sở Y tế",)),
    )
    assert data_version(session) != index.version  # what keeps the web app from using it
    # the new record is not in the index: it is read from SQL and merged in
    page = browse(session, Filters(unit="Sở Y tế", province="Hà Giang"), index=index)
    assert _answer(page) == _answer(browse(session, Filters(unit="Sở Y tế", province="Hà Giang")))
    assert page.rows[0]["article_id"] == art.id


def test_an_index_brought_up_to_date_answers_as_a_new_one(
    session: Session,
    many: list[Article],
    make_article: Callable[..., Article],
    build_record: Callable[..., Record],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`updated` reads again only what changed since (corrections, a new record of an old article,
    a new article) and answers every filter as SQL does."""
    monkeypatch.setattr(browse_module, "NAMES_OVER", 7)
    old = FacetIndex.build(session)
    old.text_ids(session, "giao ước")
    assert old.updated(session, most=10) is old  # nothing written since
    with_province = next(a.id for a in many if current_record(session, a.id)["province"])
    with_bloc = next(a.id for a in many if current_record(session, a.id)["blocs"])
    corrections.change_fact(
        session, article_id=with_province, fact="province", value="Bắc Giang", editor="Lan"
    )
    corrections.add_fact(session, article_id=many[1].id, field="member", value="Sở Nội vụ mới", editor="Lan")
    corrections.delete_fact(session, article_id=with_bloc, fact="bloc#0", editor="Lan")
    corrected = old.updated(session, most=10)
    assert corrected is not None and corrected.version == data_version(session)
    assert corrected.built_at == old.built_at  # as old as the rows it did not read again
    assert len(corrected._hits) == 1  # no article added or revised: the words' articles are kept
    text = "Hội nghị tổng kết năm của khối thi đua mới, gồm Sở Y tế và Sở Du lịch."
    art = make_article(text, title="Tin mới", published=date(2024, 2, 2))
    run = repository.start_run(session, extractor_version="0.4.1", config={})
    for article, record in (
        (art, build_record(text, doc_id="new", province="Hà Giang", members=("Sở Y tế", "Sở Du lịch"))),
        (many[4], build_record("Sở Y tế", doc_id="again", province="Lạng Sơn", members=("Sở Y tế",))),
    ):
        repository.save_record(session, run=run, article=article, record=record)
    assert FacetIndex.updated(corrected, session, most=1) is None  # more changed than allowed
    index = corrected.updated(session, most=10)
    assert index is not None and not index._hits  # a new article: the words are looked up again
    for filters in (
        *FILTERS,
        Filters(q="du lịch"),
        Filters(unit="Sở Nội vụ mới"),
        Filters(province="Bắc Giang"),
    ):
        for page in (1, 3):
            kw: dict[str, Any] = {"page": page, "per_page": 4}
            expected = _answer(browse(session, filters, **kw))
            # the index brought up to date, and the two behind it (the changes since read from
            # SQL beside them, as a search does while the update runs)
            for behind in (index, corrected, old):
                assert _answer(browse(session, filters, index=behind, **kw)) == expected, (
                    filters,
                    behind.version,
                )
            # the data version given, as the web app gives it, rather than read again
            given = browse(session, filters, index=old, version=data_version(session), **kw)
            assert _answer(given) == expected, filters


def test_names_are_counted_once_per_record_over_the_chosen_records() -> None:
    # records 0..3: names by code; record 2 has none
    names = _Names(
        starts=np.array([0, 2, 3, 3, 5], dtype=np.int64),
        codes=np.array([0, 1, 1, 0, 2], dtype=np.int32),
        values=["Sở A", "Sở B", "Sở C"],
    )
    assert sorted(names.count(np.array([0, 1, 2, 3], dtype=np.intp))) == [
        ("Sở A", 2),
        ("Sở B", 2),
        ("Sở C", 1),
    ]
    assert sorted(names.count(np.array([3, 1], dtype=np.intp))) == [("Sở A", 1), ("Sở B", 1), ("Sở C", 1)]
    assert names.count(np.array([2], dtype=np.intp)) == []
    assert names.count(np.array([], dtype=np.intp)) == []


# --- the keeper: which index a request may use ---------------------------------------------


class _Built:
    """Stands in for `FacetIndex.build`: counts builds, each index at the version it is told."""

    def __init__(self) -> None:
        self.version: Any = (1, 0, 0, 0)
        self.builds = 0
        self.fail = False

    def __call__(self, session: Any) -> Any:
        self.builds += 1
        if self.fail:
            raise OSError("database gone")
        return FacetIndex(
            self.version,
            facet_index.time.monotonic(),
            np.array([], dtype=np.int64),
            np.array([], dtype=np.intp),
            np.array([], dtype=np.int64),
            {},
            {},
            facet_index._Values.of([]),
            np.zeros((3, 0), dtype=np.int32),
            np.array([], dtype=np.int64),
        )


class _NoSession:
    """A session that only says which engine it is on (the fake build reads nothing)."""

    def __enter__(self) -> Any:
        return SimpleNamespace(get_bind=lambda: SimpleNamespace(dialect=SimpleNamespace(name="sqlite")))

    def __exit__(self, *_: object) -> None:
        return None


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Built]:
    fake = _Built()
    monkeypatch.setattr(FacetIndex, "build", fake)
    # an update: as a build (a failure fails it alike), counted apart
    monkeypatch.setattr(FacetIndex, "updated", lambda _index, session, most: fake(session))
    yield fake


def test_the_keeper_hands_out_a_young_index_and_brings_it_up_to_date(
    built: _Built, monkeypatch: pytest.MonkeyPatch
) -> None:
    keeper = IndexKeeper(_NoSession, max_age=60, min_interval=0)  # type: ignore[arg-type]
    assert keeper.current((1, 0, 0, 0)) is None  # none yet: a build starts, SQL counts meanwhile
    keeper.close()
    index = keeper.current((1, 0, 0, 0))
    assert index is not None and index.version == (1, 0, 0, 0) and built.builds == 1
    assert keeper.status((1, 0, 0, 0))["state"] == "current"
    # a write since: still handed out (the search reads the change from SQL), and updated
    built.version = (1, 0, 1, 0)
    assert keeper.status((1, 0, 1, 0))["state"] == "behind"
    assert keeper.current((1, 0, 1, 0)) is index
    keeper.close()
    updated = keeper.current((1, 0, 1, 0))
    assert updated is not None and updated.version == (1, 0, 1, 0)
    assert keeper.builds == {"full": 1, "updates": 1}
    assert keeper.current((1, 0, 0, 0)) is updated  # newer data than a request's version is fine
    now = facet_index.time.monotonic()
    monkeypatch.setattr(facet_index.time, "monotonic", lambda: now + 31)
    # past half its age: still handed out, while it is read again in full
    assert keeper.current((1, 0, 1, 0)) is updated
    keeper.close()
    assert keeper.builds == {"full": 2, "updates": 1}
    assert keeper.current((1, 0, 1, 0)) is not updated  # the successor, as new as the clock says
    monkeypatch.setattr(facet_index.time, "monotonic", lambda: now + 200)
    assert keeper.status((1, 0, 1, 0))["state"] == "stale"
    assert keeper.current((1, 0, 1, 0)) is None  # too old, whatever the version says
    keeper.close()  # (its build must not outlive the test's stand-in)


def test_the_keeper_waits_between_builds_and_warns_once_when_one_fails(
    built: _Built, caplog: pytest.LogCaptureFixture
) -> None:
    keeper = IndexKeeper(_NoSession, max_age=60, min_interval=3600)  # type: ignore[arg-type]
    built.fail = True
    with caplog.at_level(logging.WARNING, logger="store.facet_index"):
        assert keeper.current((1, 0, 0, 0)) is None
        keeper.close()
        for _ in range(5):  # within the interval: no second build
            assert keeper.current((1, 0, 0, 0)) is None
        keeper.close()
        keeper.refresh(wait=True)  # asked for outright: builds, fails again, no second warning
    assert built.builds == 2
    assert [r.getMessage() for r in caplog.records] == [
        "could not build the in-memory facet index; searches count in SQL: database gone"
    ]
    built.fail = False
    keeper.refresh(wait=True)
    assert keeper.current((1, 0, 0, 0)) is not None
    keeper.close()
