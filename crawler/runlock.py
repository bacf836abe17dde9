"""One crawl at a time per database: a lock the operating system or the server releases on death.

Two crawls writing into one store would race on the same pages and, on SQLite, fight for its one
write lock. A second crawl therefore waits for the first (up to `wait` seconds) or refuses with
`CrawlLockedError`. The lock is one that cannot outlive its holder, so a crawl killed with
SIGKILL never blocks the next one:

- SQLite: ``flock`` on ``<database file>.crawl-lock`` beside the database; the kernel drops it
  when the process dies.
- PostgreSQL: a session advisory lock (``pg_try_advisory_lock``) on a connection kept open for
  the whole crawl; the server drops it when the connection goes. The key is derived from the
  schema, so crawls into two schemas of one database do not exclude each other.

Whoever holds the lock knows that any crawl run still marked "running" is dead
(`store.repository.close_dead_runs`).

The workers of one distributed crawl (crawler/distributed.py) take the same lock *shared*
(`shared=True`: ``LOCK_SH``, ``pg_try_advisory_lock_shared``): they run side by side, while an
ordinary crawl, which takes it exclusive, waits for all of them or refuses, and they for it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import socket
import time
import zlib
from pathlib import Path
from types import TracebackType
from typing import IO

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url

from crawler.errors import CrawlLockedError, CrawlLockError
from store.db import describe_url, make_engine

_POLL = 0.25  # seconds between two attempts while waiting


def _holder() -> str:
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return f"pid {os.getpid()} on {socket.gethostname()} since {started}"


class CrawlLock:
    """The crawl lock of one database. `acquire(wait)` then `release()`, or use it as a context."""

    def __init__(self, database_url: str, *, shared: bool = False) -> None:
        self.database_url = database_url
        self.shared = shared
        parsed = make_url(database_url)
        self.backend = parsed.get_backend_name()
        self._file: IO[str] | None = None
        self._engine: Engine | None = None
        self._connection: Connection | None = None
        self.path: Path | None = None
        if self.backend == "sqlite" and parsed.database not in (None, "", ":memory:"):
            self.path = Path(f"{parsed.database}.crawl-lock")

    @property
    def held(self) -> bool:
        return self._file is not None or self._connection is not None

    def acquire(self, wait: float = 0.0, *, running: str = "") -> None:
        """Take the lock, waiting up to `wait` seconds for the crawl holding it.

        Args:
            wait: seconds to wait; 0 refuses at once when another crawl holds the lock.
            running: what the caller knows about the crawl holding it, for the message.

        Raises:
            CrawlLockedError: another crawl still holds the lock after `wait` seconds.
            CrawlLockError: the lock cannot be taken at all (no permission to create its file).
        """
        deadline = time.monotonic() + max(0.0, wait)
        while True:
            holder = self._try()
            if holder is None:
                return
            if time.monotonic() >= deadline:
                self.release()  # the connection or file opened to try
                waited = f" after waiting {wait:g} s" if wait > 0 else ""
                raise CrawlLockedError(
                    f"another crawl is writing into {describe_url(self.database_url)} ({holder}"
                    f"{'; ' + running if running else ''}){waited}; let it finish, or run with "
                    "--wait SECONDS to wait for it"
                )
            time.sleep(_POLL)

    def _try(self) -> str | None:
        """Try once; return None when taken, else what is known of the holder."""
        if self.backend == "sqlite":
            return self._try_file()
        if self.backend == "postgresql":
            return self._try_advisory()
        return None

    def _try_file(self) -> str | None:
        if self.path is None:  # a memory database lives in one process: nothing to exclude
            self._file = open(os.devnull, "w")  # noqa: SIM115 - held until release()
            return None
        try:
            handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held until release()
        except OSError as exc:
            raise CrawlLockError(
                f"cannot create the crawl lock {self.path}: {exc.strerror}; the database's folder "
                "must be writable by the crawler"
            ) from exc
        try:
            fcntl.flock(handle.fileno(), (fcntl.LOCK_SH if self.shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "holder unknown"
            handle.close()
            return holder
        if not self.shared:  # shared holders are several: the file names none of them
            handle.seek(0)
            handle.truncate()
        handle.write(_holder() + ("\n" if self.shared else ""))
        handle.flush()
        self._file = handle
        return None

    def _try_advisory(self) -> str | None:
        if self._engine is None:
            self._engine = make_engine(self.database_url)
        if self._connection is None:
            self._connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        schema = self._connection.execute(text("select current_schema()")).scalar_one()
        key = zlib.crc32(f"thidua-crawl:{schema}".encode())
        take = "pg_try_advisory_lock_shared" if self.shared else "pg_try_advisory_lock"
        if self._connection.execute(text(f"select {take}(:k)"), {"k": key}).scalar_one():
            return None
        holder = self._connection.execute(
            text(
                "select a.pid, a.client_addr, a.backend_start from pg_locks l "
                "join pg_stat_activity a on a.pid = l.pid "
                "where l.locktype = 'advisory' and l.granted and l.objid = :k limit 1"
            ),
            {"k": key & 0xFFFFFFFF},
        ).first()
        self._connection.close()
        self._connection = None
        if holder is None:
            return f"advisory lock {key} held"
        return f"server backend {holder[0]} from {holder[1] or 'local'} since {holder[2]:%Y-%m-%d %H:%M}"

    def release(self) -> None:
        """Let the next crawl in (idempotent)."""
        if self._file is not None:
            with contextlib.suppress(OSError, ValueError):  # closing unlocks anyway
                fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None
        if self._connection is not None:
            self._connection.close()  # the advisory lock goes with the session
            self._connection = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def __enter__(self) -> CrawlLock:
        self.acquire()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()
