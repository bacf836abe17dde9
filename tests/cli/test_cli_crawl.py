"""`thidua crawl` refuses a database it cannot use, before any request: one line, exit status 1.

Measured before: on a corrupt, read-only or wrong-schema database it exited 0 with every counter 0.
These refusals come before the reactor starts, so they run in this process.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from crawler.runlock import CrawlLock
from thidua.cli import main

# a proxy nobody listens on: a crawl that got as far as fetching would record fetch failures
DEAD_PROXY = "http://127.0.0.1:9"


def crawl(url: str, *args: str) -> Result:
    env = {"THIDUA_DATABASE_URL": url, "THIDUA_HTTP_PROXY": DEAD_PROXY}
    return CliRunner().invoke(main, ["crawl", "-p", "hoabinh", *args], env=env)


def assert_refused(result: Result, fragment: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert fragment in lines[0], lines[0]
    assert result.stdout == ""  # no counters: nothing was crawled


@pytest.fixture(scope="module")
def initialised(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db_file = tmp_path_factory.mktemp("crawl-cli") / "thidua.sqlite"
    result = CliRunner().invoke(main, ["init-db"], env={"THIDUA_DATABASE_URL": f"sqlite:///{db_file}"})
    assert result.exit_code == 0, result.output
    return db_file


@pytest.fixture
def db_file(initialised: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "thidua.sqlite"
    shutil.copyfile(initialised, copy)
    return copy


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    db_file = tmp_path / "thidua.sqlite"
    db_file.write_bytes(b"not a database at all " * 500)
    assert_refused(crawl(f"sqlite:///{db_file}"), "is damaged (file is not a database)")
    assert db_file.read_bytes() == b"not a database at all " * 500


def test_damaged_pages(db_file: Path) -> None:
    with db_file.open("r+b") as f:
        f.seek(4096 * 3)
        f.write(b"\xde\xad\xbe\xef" * 1500)
    assert_refused(crawl(f"sqlite:///{db_file}"), "is damaged (database disk image is malformed)")


def test_a_schema_changed_by_hand(db_file: Path) -> None:
    with sqlite3.connect(db_file) as conn:
        conn.execute("ALTER TABLE page DROP COLUMN encoding")
    assert_refused(crawl(f"sqlite:///{db_file}"), "missing column page.encoding")


def test_a_schema_from_a_newer_thidua(db_file: Path) -> None:
    with sqlite3.connect(db_file) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'ffffffffffff'")
    assert_refused(crawl(f"sqlite:///{db_file}"), "a schema revision this thidua does not know")


def test_a_read_only_database(
    shared_folder: Path, without_write_access: Callable[[Path], AbstractContextManager[None]]
) -> None:
    url = f"sqlite:///{shared_folder / 'thidua.sqlite'}"
    assert CliRunner().invoke(main, ["init-db"], env={"THIDUA_DATABASE_URL": url}).exit_code == 0
    with without_write_access(shared_folder):
        result = crawl(url)
    assert_refused(result, "cannot use sqlite:///")


def test_real_portals_are_not_crawled_without_a_contact(db_file: Path) -> None:
    env = {"THIDUA_DATABASE_URL": f"sqlite:///{db_file}", "THIDUA_HTTP_PROXY": DEAD_PROXY}
    result = CliRunner().invoke(main, ["crawl", "-p", "hoabinh.gov.vn"], env=env)
    assert_refused(
        result, "set THIDUA_CRAWL_CONTACT to an e-mail or URL where the webmasters of hoabinh.gov.vn"
    )
    everything = CliRunner().invoke(main, ["nightly"], env=env)
    assert everything.exit_code == 1 and "and 138 more can reach you" in everything.stderr


def test_another_crawl_holding_the_lock(db_file: Path) -> None:
    url = f"sqlite:///{db_file}"
    with CrawlLock(url):
        result = crawl(url)
        waited = crawl(url, "--wait", "0.5")
    assert_refused(result, "another crawl is writing into")
    assert "pid " in result.stderr and "--wait SECONDS" in result.stderr
    assert_refused(waited, "after waiting 0.5 s")
    with sqlite3.connect(db_file) as conn:  # a refused crawl opens no run
        assert conn.execute("select count(*) from extraction_run").fetchone() == (0,)
