"""The crawl lock (crawler/runlock.py) on both engines: one crawl per database, gone with its holder."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from crawler.errors import CrawlLockedError
from crawler.runlock import CrawlLock

REPO = Path(__file__).resolve().parents[2]


def test_a_second_lock_is_refused_then_granted_once_the_first_is_released(empty_database_url: str) -> None:
    first, second = CrawlLock(empty_database_url), CrawlLock(empty_database_url)
    first.acquire()
    try:
        with pytest.raises(CrawlLockedError, match=r"another crawl is writing into .*--wait"):
            second.acquire()
        assert not second.held
        # a waiting crawl gets the lock as soon as the first lets go
        threading.Timer(0.5, first.release).start()
        started = time.monotonic()
        second.acquire(wait=30)
        assert second.held and 0.3 < time.monotonic() - started < 10
    finally:
        first.release()
        second.release()
    # released twice is harmless; the lock can be taken again
    with CrawlLock(empty_database_url) as again:
        assert again.held


def test_the_wait_runs_out_with_a_clear_refusal(empty_database_url: str) -> None:
    with CrawlLock(empty_database_url):
        started = time.monotonic()
        with pytest.raises(CrawlLockedError, match=r"after waiting 0\.6 s"):
            CrawlLock(empty_database_url).acquire(wait=0.6)
        assert time.monotonic() - started >= 0.6


def test_a_lock_holder_killed_with_sigkill_leaves_no_lock_behind(empty_database_url: str) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from crawler.runlock import CrawlLock\n"
            "lock = CrawlLock(sys.argv[1])\n"
            "lock.acquire()\n"
            "print('locked', flush=True)\n"
            "time.sleep(300)\n",
            empty_database_url,
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(CrawlLockedError, match="another crawl"):
            CrawlLock(empty_database_url).acquire()
    finally:
        holder.kill()
        holder.communicate(timeout=30)
    with CrawlLock(empty_database_url) as lock:  # the OS or the server dropped it with the process
        assert lock.held
