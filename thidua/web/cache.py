"""The results cache of researchers' read pages: search, records API, home (issue 9's load target).

A search page over 100,000 records costs tens to hundreds of milliseconds of CPU (the facet counts
over every match); twenty clients on two CPUs need a typical request to cost a few. Researchers ask
the same questions again and again, and the data changes only when a crawl, a re-extraction or an
editor writes, so results are kept:

- **keyed** by the endpoint, its normalised parameters and the store's data version
  (`store.data_version`): any write that changes what the pages show changes the key, so the next
  request computes afresh; entries of older versions are never read again and age out;
- **bounded** in entries (least recently used dropped first, `Settings.web_cache_size`; 0 turns
  the cache off) and in age (`Settings.web_cache_seconds`), because the data version can miss a
  PostgreSQL writer that commits an earlier id after a later one (see `store.data_version`);
- **single-flight**: concurrent requests missing the same key wait for the one computing it
  rather than each computing it (twenty clients asking the same search at once cost one query).

Two levels. Each worker process keeps its own entries in memory (`ResultCache`); behind them, when
`Settings.web_cache_dir` is set (`thidua serve` makes a private one per run), the worker processes
of one server share a directory of files (`SharedDirectory`), so a query one worker computed is a
hit in the others. A lookup asks memory, then the directory, then computes. In the directory:

- an entry is one file named by the SHA-256 of the key's `repr` (the key holds the data version),
  holding a check of its bytes and the value as bytes: the rendered page or JSON body as it is, a
  result model as its JSON (`Codec`; never pickle, so a file cannot run code when read);
- it is written to a temporary name in the same directory, then renamed over the entry
  (`os.replace`, atomic): a reader sees the whole old file, the whole new one or none, never part;
  a file that fails its check or does not parse is a miss, and the computed value replaces it;
- its age is its modification time, set to when its data was read: past `web_cache_seconds` it is
  a miss, as in memory (a value read from the directory expires in memory when the file does);
- single-flight across processes: a miss takes an exclusive `flock` on the key's lock file, looks
  again, and computes only if the entry is still missing, so twenty clients on two workers asking
  one new query compute it once in all (the routes are sync, so the wait blocks a pool thread, not
  the event loop);
- every 64th write of a process prunes the directory: entries older than the TTL, then the oldest
  beyond `web_cache_size`, stale lock and temporary files;
- it can only make a request faster: an `OSError` (full disk, removed or unwritable directory)
  makes that lookup compute as without it, with one warning per process; a directory that cannot
  be made, or that others may write, is not used (memory only).

What is cached is data (a `SearchResult`, an `Overview`), the JSON bodies of the API, and the pages
`/search` and `/` **as rendered for an anonymous viewer**. A signed-in viewer's page carries their
name and CSRF token, so it is always rendered afresh and never stored; an anonymous viewer's page
(`Viewer()`: no user, no token, no refused cookie) is the same bytes for everyone who asks with the
same parameters at the same data version — the templates read nothing of the request but the
viewer and the route's data (not the URL, cookies or headers) — so one rendering can serve them all
(a route may cache its page only while that holds). Response headers are not cached: the app's
middleware adds the security headers to every response, the route the cache header.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import itertools
import logging
import os
import stat
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Generic, TypeVar

from pydantic import BaseModel

log = logging.getLogger(__name__)

HEADER: Final = "X-Thidua-Cache"  # "hit" or "miss" on cached endpoints (the load bench counts them)
MAGIC: Final = b"thidua-cache 1\n"  # then the SHA-256 of the payload, then the payload
PRUNE_EVERY: Final = 64  # writes of one process between two prunings of the directory
# results are not kept within this long of the data version changing (`ResultCache.settled`)
SETTLE_SECONDS: Final = 1.0
_UNSEEN: Final = object()
STALE_TEMP_SECONDS: Final = 60.0  # a temporary file this old is a crashed writer's (a write takes ms)
FUTURE_SLACK_SECONDS: Final = 1.0  # an mtime further ahead than this (a clock stepped back) is expired

V = TypeVar("V")
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Codec(Generic[V]):
    """How a value goes into a directory entry and back: bytes or JSON, never pickle."""

    dump: Callable[[V], bytes]
    load: Callable[[bytes], V]  # raises ValueError on bytes it cannot read


def _same_bytes(value: bytes) -> bytes:
    return bytes(value)


RAW: Final[Codec[bytes]] = Codec(dump=_same_bytes, load=_same_bytes)  # rendered pages, JSON bodies


def model_codec(model: type[M]) -> Codec[M]:
    """The codec of a pydantic model: its JSON, validated again when read (pydantic's
    ValidationError is a ValueError)."""

    def dump(value: M) -> bytes:
        return value.model_dump_json().encode()

    return Codec(dump=dump, load=model.model_validate_json)


@dataclass(slots=True)
class CacheStats:
    """What the cache did since it was made (per worker process)."""

    hits: int = 0
    misses: int = 0
    evictions: int = 0
    shared_hits: int = 0  # of the hits, those read from the shared directory


class SharedDirectory:
    """The second level: entries in files of one directory, shared by a server's worker processes.

    Every method is safe to call from any thread of any process. None raises `OSError`: a failure
    logs a warning (the first of this object; later ones at debug level) and reads as a miss.

    Args:
        path: the directory (made by `open`, or by `thidua serve`).
        ttl: seconds an entry is served after its data was read.
        size: the most entries kept after a pruning.
        clock: wall-clock time, comparable with file modification times (tests pass a fake one).
        prune_every: writes of this object between two prunings.
    """

    def __init__(
        self,
        path: Path,
        *,
        ttl: float,
        size: int,
        clock: Callable[[], float] = time.time,
        prune_every: int = PRUNE_EVERY,
    ) -> None:
        self.path = path
        self.ttl = ttl
        self.size = size
        self.clock = clock
        self.prune_every = prune_every
        self._writes = itertools.count(1)  # next() on it is atomic under the GIL
        self._warned = False

    @classmethod
    def open(cls, path: Path, *, ttl: float, size: int) -> SharedDirectory | None:
        """Return the directory at `path`, made (mode 0700) if missing, or None with a warning
        when it cannot be made or written, or when it is not this user's alone: another user able
        to write it could plant the pages it serves."""
        try:
            path.mkdir(mode=0o700, parents=True, exist_ok=True)
            info = path.stat()
            if info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
                log.warning(
                    "web cache directory %s is not writable by this user alone; caching in memory only",
                    path,
                )
                return None
            fd, probe = tempfile.mkstemp(dir=path, prefix="probe.", suffix=".tmp")
            os.close(fd)
            os.unlink(probe)
        except OSError as exc:
            log.warning("web cache directory %s is unusable (%s); caching in memory only", path, exc)
            return None
        return cls(path, ttl=ttl, size=size)

    def warn(self, what: str, exc: BaseException | None = None) -> None:
        """Log a problem of the directory: the first as a warning, the others at debug level."""
        message = f"web cache directory {self.path}: {what}" + (f" ({exc})" if exc else "")
        if self._warned:
            log.debug(message)
        else:
            self._warned = True  # a race may log twice; once per process is the aim, not a rule
            log.warning("%s; computing instead (further problems logged at debug level)", message)

    @staticmethod
    def name(key: Hashable) -> str:
        """The entry's file name: a key's `repr` must say all of it (str, int, None, tuples and
        dataclasses of them do), and the same in every process (no object addresses)."""
        return hashlib.sha256(repr(key).encode()).hexdigest()

    def read(self, key: Hashable) -> tuple[bytes, float] | None:
        """Return (the entry's payload, when its data was read), or None: missing, expired,
        failing its check, or unreadable."""
        path = self.path / self.name(key)
        try:
            with path.open("rb") as f:
                made = os.fstat(f.fileno()).st_mtime
                age = self.clock() - made
                if age >= self.ttl or age < -FUTURE_SLACK_SECONDS:
                    return None
                blob = f.read()
        except FileNotFoundError:
            return None
        except OSError as exc:
            self.warn(f"cannot read {path.name}", exc)
            return None
        head = len(MAGIC)
        payload = blob[head + 32 :]
        if blob[:head] != MAGIC or blob[head : head + 32] != hashlib.sha256(payload).digest():
            self.warn(f"{path.name} is corrupt; it is computed again and replaced")
            return None
        return payload, made

    def write(self, key: Hashable, payload: bytes, made: float) -> None:
        """Store `payload` as the key's entry, its data read at wall time `made`; atomically."""
        name = self.name(key)
        tmp: str | None = None
        try:
            fd, tmp = tempfile.mkstemp(dir=self.path, prefix=name + ".", suffix=".tmp")  # mode 0600
            with os.fdopen(fd, "wb") as f:
                f.write(MAGIC + hashlib.sha256(payload).digest() + payload)
            # no fsync: the directory lives as long as the server; atomicity comes from the rename
            os.utime(tmp, (made, made))
            os.replace(tmp, self.path / name)
            tmp = None
        except OSError as exc:
            self.warn(f"cannot write {name}", exc)
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):  # else pruned later as a stale temporary file
                    os.unlink(tmp)
        if next(self._writes) % self.prune_every == 0:
            self.prune()

    def lock(self, key: Hashable) -> int | None:
        """Wait for the key's exclusive lock (every process asking for it queues); return the
        descriptor holding it, for `unlock`, or None when the lock file cannot be used (the caller
        then computes without it: at worst twice)."""
        path = self.path / f"{self.name(key)}.lock"
        while True:
            try:
                fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError as exc:
                self.warn(f"cannot open {path.name}", exc)
                return None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                # a pruning may have removed the file while we waited, and a newcomer made another:
                # our lock then excludes no one, so take the lock of the file now at the path
                held, now = os.fstat(fd), os.stat(path)
                if (held.st_dev, held.st_ino) == (now.st_dev, now.st_ino):
                    return fd
            except FileNotFoundError:
                pass
            except OSError as exc:
                os.close(fd)
                self.warn(f"cannot lock {path.name}", exc)
                return None
            os.close(fd)

    def unlock(self, fd: int | None) -> None:
        if fd is not None:
            os.close(fd)  # closing the descriptor releases its flock

    def prune(self) -> None:
        """Remove expired entries, the oldest beyond the size, and stale lock and temporary files."""
        now = self.clock()
        entries: list[tuple[float, str]] = []
        try:
            with os.scandir(self.path) as found:
                for item in found:
                    try:
                        info = item.stat(follow_symlinks=False)
                    except FileNotFoundError:
                        continue
                    base, dot, suffix = item.name.partition(".")
                    if len(base) != 64 or not stat.S_ISREG(info.st_mode):
                        continue  # not ours
                    if not dot:
                        if now - info.st_mtime >= self.ttl:
                            self._remove(item.name)
                        else:
                            entries.append((info.st_mtime, item.name))
                    elif suffix.endswith(".tmp") and now - info.st_ctime > STALE_TEMP_SECONDS:
                        self._remove(item.name)
                    elif suffix == "lock" and now - info.st_mtime >= self.ttl:
                        self._remove_lock(item.name)
        except OSError as exc:
            self.warn("cannot prune", exc)
            return
        entries.sort()
        for _, name in entries[: max(0, len(entries) - self.size)]:
            self._remove(name)

    def _remove(self, name: str) -> None:
        try:
            os.unlink(self.path / name)  # a reader holding it open still reads it whole
        except FileNotFoundError:
            pass
        except OSError as exc:
            self.warn(f"cannot remove {name}", exc)

    def _remove_lock(self, name: str) -> None:
        """Remove a lock file no one holds: take it without waiting, unlink it, let go (a process
        that opened it meanwhile sees it gone once it holds it, and takes the new one: `lock`)."""
        try:
            fd = os.open(self.path / name, os.O_RDWR)
        except FileNotFoundError:
            return
        except OSError as exc:
            self.warn(f"cannot open {name}", exc)
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.unlink(self.path / name)
        except BlockingIOError:
            pass  # held: in use
        except FileNotFoundError:
            pass
        except OSError as exc:
            self.warn(f"cannot remove {name}", exc)
        finally:
            os.close(fd)


# How long ago the data a computation reads was read, when older than the computation itself (a
# result counted from the facet index is as old as the index, one made from a cached result as old
# as that entry): its entry's age counts from then, so staleness stays within `ttl` end to end.
# A context variable: each computation runs in its caller's thread, and the routes' threads each
# run a request in a copy of the context.
_data_age: ContextVar[float] = ContextVar("thidua_data_age", default=0.0)


def data_read_earlier(seconds: float) -> None:
    """Say, inside a computation the cache runs, that some of its data was read `seconds` ago."""
    if seconds > _data_age.get():
        _data_age.set(seconds)


class ResultCache:
    """A bounded, expiring, single-flight map from keys to computed results (thread-safe), in
    memory, over a `SharedDirectory` when given one.

    Args:
        size: the most entries kept; 0 keeps none (every call computes, the directory unused).
        ttl: seconds an entry is served after it was computed.
        clock: the time source (tests pass a fake one).
        shared: the directory shared with the server's other worker processes, if any.
    """

    def __init__(
        self,
        size: int,
        ttl: float,
        clock: Callable[[], float] = time.monotonic,
        shared: SharedDirectory | None = None,
    ) -> None:
        self.size = size
        self.ttl = ttl
        self.shared = shared
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._pending: dict[Hashable, Future[Any]] = {}
        self._version: Hashable = _UNSEEN  # the data version last seen (`settled`)
        self._changed_at = -float("inf")
        self.stats = CacheStats()

    def __len__(self) -> int:
        return len(self._entries)

    def settled(self, version: Hashable) -> bool:
        """Whether results at data version `version` are worth keeping: not within `SETTLE_SECONDS`
        of this worker seeing the version change. Every write is a new version, so while editors
        or a re-extraction write several times a second each entry is a miss that is never read
        again, and keeping it (a file in the shared folder, a lock) only adds to the search; those
        results are computed and not kept. The first version a worker sees counts as settled."""
        with self._lock:
            now = self._clock()
            if self._version is not _UNSEEN and version != self._version:
                self._changed_at = now
            self._version = version
            return now - self._changed_at >= SETTLE_SECONDS

    def get_or_compute(
        self, key: Hashable, compute: Callable[[], Any], codec: Codec[Any] | None = None
    ) -> tuple[Any, bool]:
        """Return (the result for `key`, whether it came from the cache).

        A miss calls `compute` once, however many threads miss the same key at once; the others
        wait for it and count as hits. An exception from `compute` reaches every waiting caller and
        is not cached. With a `codec` the result also goes through the shared directory (if any),
        where a miss is computed once by all the processes sharing it; without one it stays in
        this process's memory.
        """
        if self.size <= 0:
            with self._lock:
                self.stats.misses += 1
            return compute(), False
        with self._lock:
            now = self._clock()
            entry = self._entries.get(key)
            if entry is not None and now - entry[0] < self.ttl:
                self._entries.move_to_end(key)
                self.stats.hits += 1
                data_read_earlier(now - entry[0])  # an enclosing computation is as old
                return entry[1], True
            if entry is not None:  # expired
                del self._entries[key]
            waiting = self._pending.get(key)
            if waiting is None:
                mine: Future[Any] = Future()
                self._pending[key] = mine
            else:
                self.stats.hits += 1
        if waiting is not None:
            value, started = waiting.result()
            data_read_earlier(self._clock() - started)
            return value, True
        try:
            started, value, hit = self._fill(key, compute, codec)
        except BaseException as exc:
            with self._lock:
                del self._pending[key]
                self.stats.misses += 1
            mine.set_exception(exc)
            raise
        with self._lock:
            del self._pending[key]
            if hit:
                self.stats.hits += 1
                self.stats.shared_hits += 1
            else:
                self.stats.misses += 1
            self._entries[key] = (started, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
                self.stats.evictions += 1
        mine.set_result((value, started))
        return value, hit

    def _fill(
        self, key: Hashable, compute: Callable[[], Any], codec: Codec[Any] | None
    ) -> tuple[float, Any, bool]:
        """(when the value's data was read, on this cache's clock; the value; whether it came from
        the directory) for a key missing from memory."""
        shared = self.shared if codec is not None else None
        if shared is None or codec is None:
            started = self._clock()  # the entry's age counts from before the data was read
            value, age = self._computed(compute)
            return started - age, value, False
        found = self._read(shared, key, codec)
        if found is not None:
            return (*found, True)
        held = shared.lock(key)
        try:
            if held is not None:  # another process may have written it while we waited
                found = self._read(shared, key, codec)
                if found is not None:
                    return (*found, True)
            started, made = self._clock(), shared.clock()
            value, age = self._computed(compute)
            shared.write(key, codec.dump(value), made - age)
            return started - age, value, False
        finally:
            shared.unlock(held)

    @staticmethod
    def _computed(compute: Callable[[], Any]) -> tuple[Any, float]:
        """(`compute()`, how much older than now the data it read was: `data_read_earlier`); the
        age also reaches an enclosing computation."""
        token = _data_age.set(0.0)
        try:
            value = compute()
            age = _data_age.get()
        finally:
            _data_age.reset(token)
        data_read_earlier(age)
        return value, age

    def _read(self, shared: SharedDirectory, key: Hashable, codec: Codec[Any]) -> tuple[float, Any] | None:
        got = shared.read(key)
        if got is None:
            return None
        payload, made = got
        try:
            value = codec.load(payload)
        except ValueError as exc:
            shared.warn(f"{shared.name(key)} does not parse; it is computed again and replaced", exc)
            return None
        # the entry expires in memory when its file does
        age = max(0.0, shared.clock() - made)
        data_read_earlier(age)
        return self._clock() - age, value
