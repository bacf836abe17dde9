"""The results cache's second level, a directory shared by a server's worker processes, and the
pages rendered for anonymous viewers (thidua/web/cache.py); `thidua serve`'s private directory."""

from __future__ import annotations

import logging
import multiprocessing
import os
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from seed import EDITOR, EDITOR_PASSWORD
from webclient import SECRET, sign_in

from thidua.settings import Settings
from thidua.web.app import create_app
from thidua.web.cache import HEADER, MAGIC, RAW, ResultCache, SharedDirectory, model_codec
from thidua.web.schemas import FacetValue
from thidua.web_cli import CACHE_DIR_ENV, shared_cache_dir


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _directory(
    path: Path, *, ttl: float = 60.0, size: int = 100, clock: Clock | None = None
) -> SharedDirectory:
    shared = SharedDirectory.open(path, ttl=ttl, size=size)
    assert shared is not None
    if clock is not None:
        shared.clock = clock
    return shared


def _entries(path: Path) -> list[Path]:
    return [p for p in path.iterdir() if "." not in p.name]


# --- the directory alone ---------------------------------------------------------------------


def test_two_caches_over_one_directory_compute_a_key_once_between_them(tmp_path: Path) -> None:
    """As two worker processes: each its own memory and its own view of the directory."""
    first = ResultCache(8, 60.0, shared=_directory(tmp_path))
    second = ResultCache(8, 60.0, shared=_directory(tmp_path))
    calls: list[str] = []
    started = threading.Event()
    results: list[tuple[object, bool]] = []

    def slow() -> bytes:
        calls.append("computed")
        started.set()
        time.sleep(0.3)
        return b"the result"

    def ask(cache: ResultCache) -> None:
        results.append(cache.get_or_compute(("k", 1), slow, RAW))

    threads = [threading.Thread(target=ask, args=(first,))]
    threads[0].start()
    assert started.wait(5)
    # the second "process" misses in memory while the first is computing: it waits on the lock
    threads += [threading.Thread(target=ask, args=(c,)) for c in (second, second, first)]
    for t in threads[1:]:
        t.start()
    for t in threads:
        t.join(10)
    assert calls == ["computed"]
    assert sorted(results, key=lambda r: r[1]) == [(b"the result", False)] + [(b"the result", True)] * 3
    assert second.stats.shared_hits == 1 and second.stats.misses == 0
    # and now from the second's memory, without the directory
    assert second.get_or_compute(("k", 1), lambda: b"other", RAW) == (b"the result", True)


def _worker(path: str, counter: str, start: Any, out: Any) -> None:
    """One worker process: its own cache over the shared directory, asking one new key."""
    shared = SharedDirectory.open(Path(path), ttl=60.0, size=100)
    assert shared is not None
    cache = ResultCache(8, 60.0, shared=shared)

    def compute() -> bytes:
        with open(counter, "a") as f:
            f.write(f"{os.getpid()}\n")
        time.sleep(0.5)
        return b"computed once"

    start.wait(30)
    out.put(cache.get_or_compute(("search", "q"), compute, RAW))


def test_two_processes_compute_a_new_key_once_in_all(tmp_path: Path) -> None:
    counter = tmp_path / "computed.txt"
    shared = tmp_path / "cache"
    mp = multiprocessing.get_context(
        "fork"
    )  # quicker than spawn (uvicorn's); the processes are apart either way
    start, out = mp.Barrier(2), mp.Queue()
    procs = [mp.Process(target=_worker, args=(str(shared), str(counter), start, out)) for _ in range(2)]
    for p in procs:
        p.start()
    results = sorted([out.get(timeout=60), out.get(timeout=60)], key=lambda r: r[1])
    for p in procs:
        p.join(30)
        assert p.exitcode == 0
    assert len(counter.read_text().splitlines()) == 1
    assert results == [(b"computed once", False), (b"computed once", True)]


def test_a_directory_entry_expires_after_the_ttl_from_when_its_data_was_read(tmp_path: Path) -> None:
    wall = Clock()
    writer = ResultCache(8, 60.0, shared=_directory(tmp_path, clock=wall))
    assert writer.get_or_compute("k", lambda: b"old", RAW) == (b"old", False)
    wall.now += 50
    mono = Clock()
    reader = ResultCache(8, 60.0, clock=mono, shared=_directory(tmp_path, clock=wall))
    assert reader.get_or_compute("k", lambda: b"new", RAW) == (b"old", True)
    # in the reader's memory the entry is 50 s old already: it goes when the file does
    mono.now += 10.1
    wall.now += 10.1
    assert reader.get_or_compute("k", lambda: b"new", RAW) == (b"new", False)
    fresh = ResultCache(8, 60.0, shared=_directory(tmp_path, clock=wall))
    assert fresh.get_or_compute("k", lambda: b"newer", RAW) == (b"new", True)


def test_a_model_goes_through_the_directory_as_json(tmp_path: Path) -> None:
    codec = model_codec(FacetValue)
    ResultCache(8, 60.0, shared=_directory(tmp_path)).get_or_compute(
        "k", lambda: FacetValue(value="2023", count=3), codec
    )
    (entry,) = _entries(tmp_path)
    assert entry.read_bytes().endswith(b'{"value":"2023","count":3}')
    got = ResultCache(8, 60.0, shared=_directory(tmp_path)).get_or_compute("k", lambda: None, codec)
    assert got == (FacetValue(value="2023", count=3), True)


def test_a_file_being_written_under_its_temporary_name_is_not_read(tmp_path: Path) -> None:
    shared = _directory(tmp_path)
    name = shared.name("k")
    (tmp_path / f"{name}.abc123.tmp").write_bytes(b"half of a pa")
    assert shared.read("k") is None
    assert ResultCache(8, 60.0, shared=shared).get_or_compute("k", lambda: b"whole", RAW) == (b"whole", False)
    written = shared.read("k")
    assert written is not None and written[0] == b"whole"


def test_a_reader_sees_whole_entries_while_another_writes(tmp_path: Path) -> None:
    writer, reader = _directory(tmp_path), _directory(tmp_path)
    payloads = (b"a" * 300_000, b"b" * 500_000)
    stop = threading.Event()

    def write() -> None:
        i = 0
        while not stop.is_set():
            writer.write("k", payloads[i % 2], time.time())
            i += 1

    writer.write("k", payloads[1], time.time())
    thread = threading.Thread(target=write)
    thread.start()
    seen: list[bytes | None] = []
    try:
        deadline = time.monotonic() + 0.5
        while time.monotonic() < deadline:
            got = reader.read("k")
            seen.append(None if got is None else got[0])
    finally:
        stop.set()
        thread.join(10)
    # the entry is there all along, whole: never missing, never half (which would fail its check)
    assert seen and set(seen) <= set(payloads)


def test_a_corrupt_entry_is_a_miss_and_is_replaced(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    shared = _directory(tmp_path)
    ResultCache(8, 60.0, shared=shared).get_or_compute("k", lambda: b"right", RAW)
    entry = tmp_path / shared.name("k")
    blob = entry.read_bytes()
    entry.write_bytes(blob[:-1] + b"X")  # one byte changed: the check fails
    with caplog.at_level(logging.WARNING, logger="thidua.web.cache"):
        got = ResultCache(8, 60.0, shared=_directory(tmp_path)).get_or_compute("k", lambda: b"again", RAW)
    assert got == (b"again", False)
    assert "corrupt" in caplog.text
    assert entry.read_bytes().startswith(MAGIC) and entry.read_bytes().endswith(b"again")
    # a model entry whose bytes pass the check but do not parse is a miss too
    codec = model_codec(FacetValue)
    shared.write("m", b'{"value": 1}', time.time())  # no count
    fresh = ResultCache(8, 60.0, shared=_directory(tmp_path))
    assert fresh.get_or_compute("m", lambda: FacetValue(value=1, count=2), codec) == (
        FacetValue(value=1, count=2),
        False,
    )
    replaced = shared.read("m")
    assert replaced is not None and replaced[0] == b'{"value":1,"count":2}'


def test_the_directory_is_pruned_of_expired_and_oldest_entries(tmp_path: Path) -> None:
    wall = Clock(time.time())
    shared = SharedDirectory(tmp_path, ttl=60.0, size=3, clock=wall, prune_every=8)
    for i in range(4):
        shared.write(("old", i), b"x", wall.now - 61)  # expired
    (tmp_path / "notes.txt").write_text("not ours")
    held = shared.lock(("held", 0))  # a lock in use stays, whatever its age
    shared.unlock(shared.lock(("free", 0)))
    for i in range(4):
        shared.write(("new", i), b"y", wall.now + i)  # the 8th write prunes
        assert len(_entries(tmp_path)) == (5 + i if i < 3 else 3)
    assert {p.name for p in _entries(tmp_path)} == {shared.name(("new", i)) for i in (1, 2, 3)}
    wall.now += 120
    shared.prune()
    try:
        assert {p.name for p in tmp_path.iterdir()} == {"notes.txt", f"{shared.name(('held', 0))}.lock"}
    finally:
        shared.unlock(held)


def test_an_unusable_directory_leaves_the_cache_in_memory(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with caplog.at_level(logging.WARNING, logger="thidua.web.cache"):
        assert SharedDirectory.open(blocker / "cache", ttl=60.0, size=10) is None
    assert "unusable" in caplog.text
    shared_by_all = tmp_path / "open"
    shared_by_all.mkdir()
    shared_by_all.chmod(0o777)
    assert SharedDirectory.open(shared_by_all, ttl=60.0, size=10) is None
    made = tmp_path / "new" / "cache"
    assert SharedDirectory.open(made, ttl=60.0, size=10) is not None
    assert stat.S_IMODE(made.stat().st_mode) == 0o700


# --- in the app -------------------------------------------------------------------------------


def _app(db_url: str, cache_dir: Path | None, **more: object) -> FastAPI:
    return create_app(Settings(database_url=db_url, web_secret=SECRET, web_cache_dir=cache_dir, **more))  # type: ignore[arg-type]


@pytest.fixture
def workers(db_url: str, tmp_path: Path) -> Iterator[tuple[TestClient, TestClient, Path]]:
    """Two apps over one store and one cache directory, as two worker processes of a server."""
    cache_dir = tmp_path / "web-cache"
    with TestClient(_app(db_url, cache_dir)) as a, TestClient(_app(db_url, cache_dir)) as b:
        yield a, b, cache_dir


def test_a_query_one_worker_computed_is_a_hit_in_the_other(
    workers: tuple[TestClient, TestClient, Path],
) -> None:
    a, b, cache_dir = workers
    params = {"province": "Bắc Ninh"}
    first = a.get("/api/records", params=params)
    other = b.get("/api/records", params=params)
    assert (first.headers[HEADER], other.headers[HEADER]) == ("miss", "hit")
    assert other.content == first.content
    assert other.headers["content-type"] == "application/json"
    assert b.app.state.ctx.cache.stats.shared_hits == 1  # type: ignore[attr-defined]
    # the API keeps its body only: the page computes its result once, then the other worker
    # serves the page from the directory
    assert b.get("/search", params=params).headers[HEADER] == "miss"
    assert a.get("/search", params=params).headers[HEADER] == "hit"
    assert a.get("/api/overview").headers[HEADER] == "miss"
    assert b.get("/api/overview").content == a.get("/api/overview").content
    assert b.get("/").headers[HEADER] == "hit"
    assert _entries(cache_dir)


def test_an_anonymous_page_hit_is_the_bytes_of_the_miss(workers: tuple[TestClient, TestClient, Path]) -> None:
    a, b, _ = workers
    miss = a.get("/search", params={"q": "Sở", "sort": "title"})
    hit = a.get("/search", params={"sort": "title", "q": "Sở", "year": ""})  # the same, normalised
    shared = b.get("/search", params={"q": "Sở", "sort": "title"})
    assert miss.status_code == 200 and "Sở Y tế" in miss.text
    assert (miss.headers[HEADER], hit.headers[HEADER], shared.headers[HEADER]) == ("miss", "hit", "hit")
    assert hit.content == miss.content and shared.content == miss.content
    for r in (hit, shared):
        assert r.headers["content-type"] == "text/html; charset=utf-8"
        assert r.headers["content-security-policy"] == miss.headers["content-security-policy"]
        assert r.headers["cache-control"] == "no-store"
    home = a.get("/")
    assert b.get("/").content == home.content == a.get("/").content


def test_a_signed_in_page_is_neither_served_from_nor_put_in_the_anonymous_cache(
    workers: tuple[TestClient, TestClient, Path],
) -> None:
    a, b, cache_dir = workers
    anonymous = a.get("/search", params={"q": "Sở"})
    csrf = sign_in(b, EDITOR, EDITOR_PASSWORD)
    theirs = b.get("/search", params={"q": "Sở"})
    assert EDITOR in theirs.text and f'data-csrf="{csrf}"' in theirs.text
    assert EDITOR not in anonymous.text and "data-csrf" not in anonymous.text
    # a query only the editor asked: its result is shared, its page is not
    before = set(_entries(cache_dir))
    assert b.get("/search", params={"q": "Sở", "page": 2}).status_code == 200
    assert b.get("/").status_code == 200
    kept = [k for k in b.app.state.ctx.cache._entries if k[0] in ("search.html", "home.html")]  # type: ignore[attr-defined]
    assert kept == []
    (new,) = set(_entries(cache_dir)) - before  # the result of page 2 (the home page's was there)
    assert new.read_bytes()[len(MAGIC) + 32 :].startswith(b'{"total":')
    assert not any(EDITOR.encode() in p.read_bytes() for p in _entries(cache_dir))
    for page in (a.get("/search", params={"q": "Sở", "page": 2}), a.get("/")):
        assert page.status_code == 200 and EDITOR not in page.text and "data-csrf" not in page.text


def test_a_correction_is_seen_by_the_next_request_through_the_directory(
    workers: tuple[TestClient, TestClient, Path], ids: dict[str, int]
) -> None:
    a, b, _ = workers
    aid = ids["bac-ninh"]

    def members(c: TestClient) -> int:
        rows = c.get("/api/records", params={"q": "Sở"}).json()["rows"]
        return next(int(r["members"]) for r in rows if r["article_id"] == aid)

    before = members(a)
    assert members(b) == before and b.get("/api/records", params={"q": "Sở"}).headers[HEADER] == "hit"
    page_before = b.get("/search", params={"q": "Sở"}).content
    csrf = sign_in(a, EDITOR, EDITOR_PASSWORD)
    made = a.post(
        f"/api/records/{aid}/corrections",
        json={"action": "delete", "fact": "member#1"},
        headers={"X-CSRF-Token": csrf},
    )
    assert made.status_code == 201
    after = b.get("/api/records", params={"q": "Sở"})
    assert after.headers[HEADER] == "miss"
    assert members(b) == before - 1 and members(a) == before - 1
    page_after = b.get("/search", params={"q": "Sở"})
    assert page_after.headers[HEADER] == "miss"  # the new data version: computed and rendered afresh
    assert page_after.content != page_before


def test_a_broken_directory_never_fails_a_request(
    db_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache_dir = tmp_path / "web-cache"
    with TestClient(_app(db_url, cache_dir)) as a:
        assert a.get("/search", params={"q": "Sở"}).status_code == 200
    # an entry that cannot be read (a directory where the file should be) and one that is garbage
    entries = _entries(cache_dir)
    assert len(entries) == 2  # the result and the page
    entries[0].unlink()
    entries[0].mkdir()
    entries[1].write_bytes(b"garbage")
    with (
        caplog.at_level(logging.WARNING, logger="thidua.web.cache"),
        TestClient(_app(db_url, cache_dir)) as b,
    ):
        r = b.get("/search", params={"q": "Sở"})
        assert r.status_code == 200 and r.headers[HEADER] == "miss" and "Sở Y tế" in r.text
        # the directory vanishes under the running server: requests compute, one warning
        for p in cache_dir.iterdir():
            if p.is_dir():
                p.rmdir()
            else:
                p.unlink()
        cache_dir.rmdir()
        for q in ("Y tế", "Tư pháp", "Nội vụ"):
            assert b.get("/api/records", params={"q": q}).status_code == 200
            assert b.get("/search", params={"q": q}).status_code == 200
        again = b.get("/search", params={"q": "Nội vụ"})
        assert again.status_code == 200 and again.headers[HEADER] == "hit"  # memory still works
    assert (
        len([r for r in caplog.records if r.name == "thidua.web.cache" and r.levelno == logging.WARNING]) == 1
    )


def test_an_unusable_directory_setting_serves_from_memory(
    db_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with caplog.at_level(logging.WARNING, logger="thidua.web.cache"):
        app = _app(db_url, blocker / "cache")
    assert "caching in memory only" in caplog.text
    assert app.state.ctx.cache.shared is None
    with TestClient(app) as c:
        assert [c.get("/search").headers[HEADER] for _ in range(2)] == ["miss", "hit"]


def test_without_a_directory_setting_the_cache_is_in_memory_only(client: TestClient) -> None:
    assert client.app.state.ctx.cache.shared is None  # type: ignore[attr-defined]
    assert [client.get("/search").headers[HEADER] for _ in range(2)] == ["miss", "hit"]


# --- thidua serve -------------------------------------------------------------------------------


def test_serve_makes_a_private_directory_for_its_workers_and_removes_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    environ: dict[str, str] = {}
    with shared_cache_dir(Settings(), 2, environ) as made:
        assert made is not None and made.is_dir()
        assert stat.S_IMODE(made.stat().st_mode) == 0o700
        assert environ[CACHE_DIR_ENV] == str(made)
        (made / "entry").write_bytes(b"x")
        # a worker reads it from the environment it inherits
        monkeypatch.setenv(CACHE_DIR_ENV, environ[CACHE_DIR_ENV])
        assert Settings().web_cache_dir == made
    assert not made.exists() and CACHE_DIR_ENV not in environ


def test_serve_removes_its_directory_when_uvicorn_fails() -> None:
    environ: dict[str, str] = {}
    with pytest.raises(RuntimeError), shared_cache_dir(Settings(), 2, environ) as made:
        raise RuntimeError("uvicorn stopped")
    assert made is not None and not made.exists() and environ == {}


def test_serve_uses_a_given_directory_and_makes_none_without_need(tmp_path: Path) -> None:
    environ: dict[str, str] = {}
    with shared_cache_dir(Settings(web_cache_dir=tmp_path), 2, environ) as given:
        assert given == tmp_path and environ == {}
    assert tmp_path.is_dir()  # not ours to remove
    for settings, workers in ((Settings(), 1), (Settings(web_cache_size=0), 4)):
        with shared_cache_dir(settings, workers, environ) as none:
            assert none is None and environ == {}
