"""`thidua init-db` and `thidua query` with bad input, tried as a user would (issue 8, item 8).

Every case ends in one clear line on stderr and a non-zero exit, never a traceback; a read-only
command never creates or writes a database. The store functions behind them are tested on both
engines in tests/store/.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from thidua.cli import main


def run(url: str, *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env={"THIDUA_DATABASE_URL": url})


def assert_one_line_error(result: Result, fragment: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert fragment in lines[0], lines[0]


@pytest.fixture(scope="module")
def initialised(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database made once by `thidua init-db`; each test gets its own copy."""
    db_file = tmp_path_factory.mktemp("cli") / "thidua.sqlite"
    url = f"sqlite:///{db_file}"
    result = run(url, "init-db")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"database ready: {url}\n"
    assert sorted(p.name for p in db_file.parent.iterdir()) == ["thidua.sqlite"]  # WAL checkpointed
    return db_file


@pytest.fixture
def db_url(initialised: Path, tmp_path: Path) -> str:
    copy = tmp_path / "thidua.sqlite"
    shutil.copyfile(initialised, copy)
    return f"sqlite:///{copy}"


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--year", "0"], "year must be between 1 and 9999, not 0"),
        (["--year", "-1"], "year must be between 1 and 9999, not -1"),
        (["--year", "10000"], "year must be between 1 and 9999, not 10,000"),
        (["--limit", str(2**63)], "limit must be between 1 and 9,223,372,036,854,775,807"),
        (["--limit", "0"], "limit must be between 1 and"),
        (["--bloc", "%"], "bloc '%' has no letters or digits to match"),
        (["--bloc", "Kh\udcf4i 6"], "holds bytes that are not UTF-8 text"),
        (["--unit", "Sở Y tế " * 15_000], "unit is 120,000 characters long; give at most 500"),
        (["--province", "..."], "province '...' has no letters or digits"),
    ],
)
def test_query_refuses_bad_filters_in_one_line(db_url: str, args: list[str], fragment: str) -> None:
    assert_one_line_error(run(db_url, "query", *args), fragment)


def test_query_accepts_the_last_year(db_url: str) -> None:
    result = run(db_url, "query", "--year", "9999")
    assert result.exit_code == 0, result.output
    assert result.stderr == "no records match\n"


def test_query_year_that_is_not_an_integer_is_a_usage_error(db_url: str) -> None:
    result = run(db_url, "query", "--year", "1e20")
    assert result.exit_code == 2
    assert "Error: Invalid value for '--year': '1e20' is not a valid integer." in result.stderr
    assert "Traceback" not in result.output


def test_query_with_undecodable_bytes_on_the_real_command_line(db_url: str) -> None:
    # the terminal sends Latin-1 bytes; Python turns them into lone surrogates (PEP 383)
    bloc = os.fsdecode(b"Kh\xf4i 6")
    proc = subprocess.run(
        [sys.executable, "-m", "thidua.cli", "query", "--bloc", bloc],
        env={**os.environ, "THIDUA_DATABASE_URL": db_url},
        capture_output=True,
        text=True,
        errors="replace",
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.strip().splitlines() == [
        r"Error: bloc 'Kh\udcf4i 6' holds bytes that are not UTF-8 text; check the terminal's encoding"
    ]


def test_query_on_a_missing_folder_creates_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nowhere' / 'thidua.sqlite'}"
    assert_one_line_error(run(url, "query", "--province", "Hòa Bình"), "no database at")
    assert "thidua init-db" in run(url, "query").stderr
    assert list(tmp_path.iterdir()) == []


def test_query_on_an_empty_file_asks_for_init_db(tmp_path: Path) -> None:
    db_file = tmp_path / "thidua.sqlite"
    db_file.touch()
    assert_one_line_error(run(f"sqlite:///{db_file}", "query"), "holds no thidua schema; create it with")
    assert db_file.stat().st_size == 0


def test_query_never_writes_the_database(db_url: str) -> None:
    db_file = Path(db_url.removeprefix("sqlite:///"))
    before = db_file.read_bytes()
    assert run(db_url, "query", "--year", "2020").exit_code == 0
    assert db_file.read_bytes() == before


def test_query_in_a_read_only_folder(
    shared_folder: Path, without_write_access: Callable[[Path], AbstractContextManager[None]]
) -> None:
    url = f"sqlite:///{shared_folder / 'thidua.sqlite'}"
    assert run(url, "init-db").exit_code == 0
    with without_write_access(shared_folder):
        result = run(url, "query", "--province", "Hòa Bình")
        refused = run(url, "init-db")
    assert result.exit_code == 0, result.output
    assert result.stderr == "no records match\n"
    assert_one_line_error(refused, "cannot use sqlite:///")


def test_init_db_refuses_corrupted_pages(db_url: str) -> None:
    db_file = Path(db_url.removeprefix("sqlite:///"))
    with db_file.open("r+b") as f:
        f.seek(4096 * 3)
        f.write(b"\xde\xad\xbe\xef" * 1500)
    assert_one_line_error(run(db_url, "init-db"), "is damaged (database disk image is malformed)")


def test_init_db_refuses_a_missing_column(db_url: str) -> None:
    import sqlite3

    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as conn:
        conn.execute("ALTER TABLE award_fact DROP COLUMN issuer")
    assert_one_line_error(run(db_url, "init-db"), "missing column award_fact.issuer")


def test_init_db_hides_the_password() -> None:
    result = run("postgresql+psycopg://thidua:s3cret@127.0.0.1:1/thidua", "init-db")
    assert_one_line_error(result, "cannot use postgresql+psycopg://thidua:***@127.0.0.1:1/thidua")
    assert "s3cret" not in result.output


def test_a_bad_database_url_is_one_line(tmp_path: Path) -> None:
    assert_one_line_error(
        run("mysql://root@localhost/thidua", "query"), "THIDUA_DATABASE_URL must be a sqlite:/// or"
    )
