"""The results cache of researchers' read pages (thidua/web/cache.py): bounded, expiring,
single-flight, and never hiding a write the data version sees (a new record, a correction, an undo).
PostgreSQL's side is in test_web_postgres.py."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from webclient import SECRET, Editor

from extract.record import Record
from store import facet_index, repository
from store.db import make_engine, session_factory
from store.keys import content_key, province_key
from store.models import CurrentRecord
from thidua.settings import Settings
from thidua.web.app import create_app
from thidua.web.cache import HEADER, SETTLE_SECONDS, ResultCache, data_read_earlier

# --- the cache alone -----------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_entry_is_served_until_its_ttl_then_computed_again() -> None:
    clock = Clock()
    cache = ResultCache(4, 60.0, clock=clock)
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert cache.get_or_compute("k", compute) == (1, False)
    clock.now += 59.9
    assert cache.get_or_compute("k", compute) == (1, True)
    clock.now += 0.2
    assert cache.get_or_compute("k", compute) == (2, False)
    assert (cache.stats.hits, cache.stats.misses) == (1, 2)


def test_a_result_made_from_older_data_expires_as_early_as_that_data() -> None:
    """A computation that says it read data 50 s old (`data_read_earlier`: the facet index) makes
    an entry that expires 10 s later, and so does a result made from that entry in turn."""
    clock = Clock()
    cache = ResultCache(4, 60.0, clock=clock)

    def from_an_old_copy() -> str:
        data_read_earlier(50.0)
        return "counted"

    def page() -> str:  # made from the result above, as a search page is
        value, _ = cache.get_or_compute("result", from_an_old_copy)
        return f"<p>{value}</p>"

    assert cache.get_or_compute("result", from_an_old_copy) == ("counted", False)
    clock.now += 5
    assert cache.get_or_compute("page", page) == ("<p>counted</p>", False)  # from the 55-s-old hit
    clock.now += 4.9
    assert cache.get_or_compute("page", page)[1] and cache.get_or_compute("result", from_an_old_copy)[1]
    clock.now += 0.2
    assert not cache.get_or_compute("page", page)[1]


def test_results_are_not_kept_while_the_data_version_moves() -> None:
    """Within SETTLE_SECONDS of a new data version every entry would be a miss read by no one
    (the next write makes a new key): `settled` says so, and says it for the first version seen."""
    clock = Clock()
    cache = ResultCache(4, 60.0, clock=clock)
    assert cache.settled((1, 0, 0, 0))  # a worker's first version: keep
    clock.now += 5
    assert cache.settled((1, 0, 0, 0))
    assert not cache.settled((1, 0, 1, 0))  # a write just now
    clock.now += SETTLE_SECONDS / 2
    assert not cache.settled((1, 0, 2, 0))  # another: the wait starts again
    clock.now += SETTLE_SECONDS
    assert cache.settled((1, 0, 2, 0))


def test_the_least_recently_used_entry_goes_first_beyond_the_size() -> None:
    cache = ResultCache(2, 60.0)
    cache.get_or_compute("a", lambda: "A")
    cache.get_or_compute("b", lambda: "B")
    cache.get_or_compute("a", lambda: "A2")  # a is now the most recent
    cache.get_or_compute("c", lambda: "C")  # b goes
    assert len(cache) == 2 and cache.stats.evictions == 1
    assert cache.get_or_compute("a", lambda: "A3") == ("A", True)
    assert cache.get_or_compute("b", lambda: "B2") == ("B2", False)


def test_size_zero_caches_nothing() -> None:
    cache = ResultCache(0, 60.0)
    assert cache.get_or_compute("k", lambda: 1) == (1, False)
    assert cache.get_or_compute("k", lambda: 2) == (2, False)
    assert len(cache) == 0


def test_concurrent_misses_of_one_key_compute_once() -> None:
    cache = ResultCache(4, 60.0)
    started = threading.Event()
    calls: list[int] = []
    results: list[tuple[object, bool]] = []

    def slow() -> str:
        calls.append(1)
        started.set()
        time.sleep(0.2)
        return "done"

    def ask() -> None:
        results.append(cache.get_or_compute("k", slow))

    first = threading.Thread(target=ask)
    first.start()
    started.wait(5)
    others = [threading.Thread(target=ask) for _ in range(5)]
    for t in others:
        t.start()
    for t in [first, *others]:
        t.join(5)
    assert len(calls) == 1
    assert sorted(results, key=lambda r: r[1]) == [("done", False)] + [("done", True)] * 5


def test_an_error_reaches_the_caller_and_is_not_cached() -> None:
    cache = ResultCache(4, 60.0)

    def fail() -> int:
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        cache.get_or_compute("k", fail)
    assert cache.get_or_compute("k", lambda: 7) == (7, False)


# --- the cache in the app --------------------------------------------------------------------


def _names(c: TestClient, aid: int) -> list[str]:
    rows = c.get("/api/records", params={"q": "Sở"}).json()["rows"]
    return [str(r["members"]) for r in rows if r["article_id"] == aid]


def test_a_repeated_search_is_served_from_the_cache(client: TestClient) -> None:
    first = client.get("/api/records", params={"province": "Bắc Ninh"})
    again = client.get("/api/records", params={"province": "Bắc Ninh"})
    assert first.headers[HEADER] == "miss" and again.headers[HEADER] == "hit"
    assert first.json() == again.json()
    # the API keeps only its JSON body (most API queries are asked once), so the page computes
    # its own result, then is served from the cache; other parameters are another entry
    assert client.get("/search", params={"province": "Bắc Ninh"}).headers[HEADER] == "miss"
    assert client.get("/search", params={"province": "Bắc Ninh"}).headers[HEADER] == "hit"
    assert client.get("/api/records", params={"province": "Bắc Ninh", "page": 2}).headers[HEADER] == "miss"
    assert client.get("/api/overview").headers[HEADER] == "miss"
    assert client.get("/").headers[HEADER] == "hit"


def test_a_correction_and_its_undo_are_seen_by_the_next_request(editor: Editor, ids: dict[str, int]) -> None:
    c, aid = editor.client, ids["bac-ninh"]
    clock = Clock()
    c.app.state.ctx.cache._clock = clock  # type: ignore[attr-defined]
    headers = {"X-CSRF-Token": editor.csrf}
    before = _names(c, aid)
    assert c.get("/api/records", params={"q": "Sở"}).headers[HEADER] == "hit"
    made = c.post(
        f"/api/records/{aid}/corrections", json={"action": "delete", "fact": "member#1"}, headers=headers
    )
    assert made.status_code == 201
    after = c.get("/api/records", params={"q": "Sở"})
    assert after.headers[HEADER] == "miss"
    # just after a write the results are not kept (the next write would make them unread)
    assert c.get("/api/records", params={"q": "Sở"}).headers[HEADER] == "miss"
    clock.now += SETTLE_SECONDS
    assert [c.get("/api/records", params={"q": "Sở"}).headers[HEADER] for _ in range(2)] == ["miss", "hit"]
    changed = [str(r["members"]) for r in after.json()["rows"] if r["article_id"] == aid]
    assert changed != before and int(changed[0]) == int(before[0]) - 1
    assert c.post(f"/api/corrections/{made.json()['id']}/undo", json={}, headers=headers).status_code == 201
    assert _names(c, aid) == before


def test_a_new_record_is_seen_by_the_next_request(client: TestClient, db_url: str) -> None:
    total = client.get("/api/records").json()["total"]
    assert client.get("/api/records").headers[HEADER] == "hit"
    overview = client.get("/api/overview").json()
    engine = make_engine(db_url)
    text = "Khối thi đua số 9 tỉnh Cà Mau năm 2023 gồm Sở Y tế."
    try:
        with session_factory(engine)() as s, s.begin():
            page, _ = repository.save_page(
                s,
                portal=None,
                url="https://camau.example.gov.vn/tin/9",
                canonical_url="https://camau.example.gov.vn/tin/9",
                final_url="https://camau.example.gov.vn/tin/9",
                status=200,
                headers={},
                body=b"<html></html>",
                encoding="utf-8",
                fetched_at=datetime(2024, 3, 1, tzinfo=UTC),
            )
            article, _ = repository.save_article(
                s,
                page=page,
                url=page.url,
                canonical_url=page.url,
                title="Khối 9 Cà Mau",
                text=text,
                published=date(2023, 12, 1),
                content_key=content_key(title="Khối 9 Cà Mau", published=date(2023, 12, 1), text=text),
                is_bloc_news=True,
                relevance_reason="test",
            )
            run = repository.start_run(s, extractor_version="0.4.1", config={})
            repository.save_record(s, run=run, article=article, record=Record(doc_id="camau"))
            repository.finish_run(s, run=run, status="finished", stats={})
    finally:
        engine.dispose()
    fresh = client.get("/api/records")
    assert fresh.headers[HEADER] == "miss" and fresh.json()["total"] == total + 1
    assert client.get("/api/overview").json()["articles"] == overview["articles"] + 1


def test_a_change_the_version_cannot_see_shows_after_the_ttl(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write that moves no max id (as a PostgreSQL writer committing an earlier id after a later
    one) is hidden at most `web_cache_seconds`, by the cache and the facet index alike."""
    app = create_app(Settings(database_url=db_url, web_secret=SECRET, web_cache_seconds=60))
    clock = Clock()
    app.state.ctx.cache._clock = clock
    # the facet index ages with the same clock
    started = time.monotonic()
    monkeypatch.setattr(facet_index.time, "monotonic", lambda: started + clock.now - 1000.0)
    with TestClient(app) as c:
        app.state.ctx.facet_index.refresh(wait=True)  # the first answer is counted from it
        first = c.get("/api/records", params={"province": "Atlantis City"}).json()
        assert first["total"] == 0
        engine = make_engine(db_url)
        try:
            with session_factory(engine)() as s, s.begin():
                s.execute(
                    update(CurrentRecord).values(
                        province="Atlantis City", province_key=province_key("Atlantis City")
                    )
                )
        finally:
            engine.dispose()
        assert c.get("/api/records", params={"province": "Atlantis City"}).json() == first
        clock.now += 61
        assert c.get("/api/records", params={"province": "Atlantis City"}).json()["total"] > 0


def test_the_cache_can_be_turned_off(db_url: str) -> None:
    app = create_app(Settings(database_url=db_url, web_secret=SECRET, web_cache_size=0))
    with TestClient(app) as c:
        for _ in range(2):
            assert c.get("/api/records").headers[HEADER] == "miss"
