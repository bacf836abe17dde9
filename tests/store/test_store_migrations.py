"""Migrations build exactly the schema the models describe; the SQLite engine is configured."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, func, inspect, select, text
from sqlalchemy.orm import Session

from store.db import alembic_config, make_engine, migrate
from store.models import Base, Failure


def test_upgrade_head_on_empty_database_matches_models(tmp_path: Path) -> None:
    db_file = tmp_path / "not" / "yet" / "there.sqlite"  # migrate creates the folders
    url = f"sqlite:///{db_file}"
    migrate(url)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
            )
            tables = set(inspect(conn).get_table_names())
    finally:
        engine.dispose()
    assert diff == []
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_one_head_and_every_revision_has_a_title() -> None:
    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(scripts.get_heads()) == 1
    for rev in scripts.walk_revisions():
        assert rev.doc and rev.doc.strip()[0].isupper(), f"revision {rev.revision} needs a docstring title"


def test_downgrade_to_base_and_back(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'round.sqlite'}"
    migrate(url)
    command.downgrade(alembic_config(url), "base")
    engine = make_engine(url)
    try:
        assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    finally:
        engine.dispose()
    migrate(url)  # and up again, on the same file


def test_sqlite_engine_enforces_foreign_keys_and_uses_wal(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_savepoint_session_leaves_nothing_behind(engine: Engine) -> None:
    # what the `session` fixture relies on: a commit inside is only a savepoint
    with engine.connect() as conn:
        outer = conn.begin()
        db = Session(bind=conn, join_transaction_mode="create_savepoint")
        db.add(Failure(stage="fetch", url="https://example.gov.vn/savepoint-probe", message="probe"))
        db.commit()
        db.close()
        outer.rollback()
    with engine.connect() as conn:
        probe = select(func.count()).select_from(Failure).where(Failure.url.endswith("savepoint-probe"))
        assert conn.scalar(probe) == 0
        assert conn.execute(text("SELECT 1")).scalar() == 1
