"""Opening a database: readers never create or write one, init-db proves the schema is right.

Each case was first tried as a user would (issue 8, item 8) and ended in a traceback, a silent
empty database or a false "database ready"; here each must end in a named store error.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from store.db import check_revision, init_database, make_engine, migrate, open_store
from store.errors import (
    DatabaseCorruptError,
    DatabaseMissingError,
    DatabaseUnavailableError,
    SchemaError,
)
from store.models import Failure
from store.queries import find_records


def _execute(url: str, sql: str) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


def _corrupt(db_file: Path) -> None:
    """Overwrite pages in the middle of a SQLite file, as a failing disk would."""
    with db_file.open("r+b") as f:
        f.seek(4096 * 3)
        f.write(b"\xde\xad\xbe\xef" * 1500)


# --- readers ------------------------------------------------------------------------------


def test_reader_refuses_a_missing_sqlite_file_and_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "folder" / "thidua.sqlite"
    with pytest.raises(DatabaseMissingError, match=r"no database at .*thidua\.sqlite; create it with"):
        open_store(f"sqlite:///{missing}", read_only=True)
    assert not (tmp_path / "no").exists()


def test_reader_refuses_a_database_without_schema(empty_database_url: str) -> None:
    if empty_database_url.startswith("sqlite"):
        Path(empty_database_url.removeprefix("sqlite:///")).touch()  # an empty file, as `touch` makes
    with pytest.raises(SchemaError, match="holds no thidua schema; create it with `thidua init-db`"):
        open_store(empty_database_url, read_only=True)


def test_reader_refuses_a_revision_it_does_not_know(empty_database_url: str) -> None:
    migrate(empty_database_url)
    _execute(empty_database_url, "UPDATE alembic_version SET version_num = 'ffffffffffff'")
    with pytest.raises(SchemaError, match="ffffffffffff, which this thidua does not know"):
        open_store(empty_database_url, read_only=True)


def test_reader_refuses_every_write(database_url: str) -> None:
    engine = open_store(database_url, read_only=True)
    try:
        with pytest.raises(DBAPIError, match=r"read-only|readonly"), engine.begin() as conn:
            conn.execute(insert(Failure).values(stage="fetch", url="https://example.gov.vn/x", message="m"))
    finally:
        engine.dispose()


def test_reader_leaves_the_sqlite_file_unchanged(tmp_path: Path) -> None:
    db_file = tmp_path / "thidua.sqlite"
    url = f"sqlite:///{db_file}"
    init_database(url)
    before = db_file.read_bytes()
    engine = open_store(url, read_only=True)
    try:
        with Session(engine) as session:
            assert find_records(session, province="Hòa Bình") == []
    finally:
        engine.dispose()
    assert db_file.read_bytes() == before


def test_reader_reads_a_database_in_a_read_only_folder(
    shared_folder: Path, without_write_access: Callable[[Path], AbstractContextManager[None]]
) -> None:
    url = f"sqlite:///{shared_folder / 'thidua.sqlite'}"
    init_database(url)  # WAL mode, as every writer leaves it
    assert sorted(p.name for p in shared_folder.iterdir()) == ["thidua.sqlite"]
    with without_write_access(shared_folder):
        # a writer's engine must fail: it sets WAL, which writes
        with pytest.raises(DatabaseUnavailableError, match="cannot use"):
            open_store(url)
        engine = open_store(url, read_only=True)
        try:
            with Session(engine) as session:
                assert find_records(session, year=2020) == []
        finally:
            engine.dispose()
    assert sorted(p.name for p in shared_folder.iterdir()) == ["thidua.sqlite"]


def test_postgres_reader_names_a_missing_database(postgres_admin_url: str) -> None:
    # the SQLite case is test_reader_refuses_a_missing_sqlite_file_and_creates_nothing
    missing = make_url(postgres_admin_url).set(database="thidua_no_such_database").render_as_string(False)
    with pytest.raises(DatabaseUnavailableError, match='database "thidua_no_such_database" does not exist'):
        open_store(missing, read_only=True)


# --- init-db ------------------------------------------------------------------------------


def test_init_database_creates_then_accepts_its_own_database(empty_database_url: str) -> None:
    init_database(empty_database_url)
    init_database(empty_database_url)  # a second run is an upgrade with nothing to do
    engine = open_store(empty_database_url, read_only=True)
    try:
        with engine.connect() as conn:
            check_revision(conn)
    finally:
        engine.dispose()


def test_init_database_reports_a_dropped_column(empty_database_url: str) -> None:
    init_database(empty_database_url)
    _execute(empty_database_url, "ALTER TABLE article DROP COLUMN relevance_reason")
    with pytest.raises(
        SchemaError, match=r"differs from the models \(missing column article\.relevance_reason"
    ):
        init_database(empty_database_url)


def test_init_database_reports_an_extra_table(empty_database_url: str) -> None:
    init_database(empty_database_url)
    _execute(empty_database_url, "CREATE TABLE scratch (id INTEGER PRIMARY KEY)")
    with pytest.raises(SchemaError, match="table scratch is not in the models"):
        init_database(empty_database_url)


def test_init_database_refuses_corrupted_pages(tmp_path: Path) -> None:
    db_file = tmp_path / "thidua.sqlite"
    url = f"sqlite:///{db_file}"
    init_database(url)
    _corrupt(db_file)
    damaged = db_file.read_bytes()
    with pytest.raises(DatabaseCorruptError, match="restore it from a backup"):
        init_database(url)
    assert db_file.read_bytes() == damaged  # refused before any write


def test_init_database_refuses_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    db_file = tmp_path / "notes.sqlite"
    db_file.write_text("Khối thi đua số 6: ghi chép\n" * 400, encoding="utf-8")
    with pytest.raises(DatabaseCorruptError, match="file is not a database"):
        init_database(f"sqlite:///{db_file}")


def test_init_database_in_a_read_only_folder_says_so(
    shared_folder: Path, without_write_access: Callable[[Path], AbstractContextManager[None]]
) -> None:
    url = f"sqlite:///{shared_folder / 'thidua.sqlite'}"
    with without_write_access(shared_folder), pytest.raises(DatabaseUnavailableError, match="cannot use"):
        init_database(url)


def test_fixture_engine_is_writable(engine: Engine) -> None:
    # the other half of test_reader_refuses_every_write: the same insert works on a writer
    with engine.connect() as conn:
        outer = conn.begin()
        conn.execute(insert(Failure).values(stage="fetch", url="https://example.gov.vn/x", message="m"))
        outer.rollback()
