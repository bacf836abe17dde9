"""Migrations build exactly the schema the models describe, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, func, inspect, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from store.db import MIGRATIONS_DIR, alembic_config, head_revision, make_engine, migrate
from store.fulltext import SEARCH_TABLES, include_in_schema_check
from store.models import NAMING_CONVENTION, Base, Failure, ScalarFact


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_empty_database_to_head_matches_models_then_downgrade(empty_database_url: str) -> None:
    url = empty_database_url
    migrate(url)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            # the full-text tables are engine-specific and not among the models (store.search)
            opts = {"compare_type": True, "include_name": include_in_schema_check}
            diff = compare_metadata(MigrationContext.configure(conn, opts=opts), Base.metadata)
            search_tables = set(inspect(conn).get_table_names()) & SEARCH_TABLES
            assert MigrationContext.configure(conn).get_current_revision() == head_revision()
    finally:
        engine.dispose()
    assert diff == []
    command.check(alembic_config(url))  # `alembic check`, through env.py's own compare settings
    assert "article_search" in search_tables
    assert _tables(url) == {*Base.metadata.tables, "alembic_version", *search_tables}

    command.downgrade(alembic_config(url), "base")
    assert _tables(url) == {"alembic_version"}
    migrate(url)  # and up again, on the same database
    assert set(Base.metadata.tables) <= _tables(url)


def test_every_constraint_and_index_follows_the_naming_convention(engine: Engine) -> None:
    # the names later migrations (and SQLite batch mode) rely on; reflected from the database
    assert set(NAMING_CONVENTION) == {"ix", "uq", "ck", "fk", "pk"}
    insp = inspect(engine)
    for table in Base.metadata.tables:
        assert insp.get_pk_constraint(table)["name"] == f"pk_{table}"
        for fk in insp.get_foreign_keys(table):
            assert fk["name"] == f"fk_{table}_{fk['constrained_columns'][0]}_{fk['referred_table']}"
        for uq in insp.get_unique_constraints(table):
            assert uq["name"] == f"uq_{table}_{'_'.join(uq['column_names'])}"
        for ix in insp.get_indexes(table):
            if ix.get("duplicates_constraint"):  # PostgreSQL lists a unique constraint's index too
                continue
            assert ix["name"] == f"ix_{table}_{ix['column_names'][0]}"
        for ck in insp.get_check_constraints(table):
            assert str(ck["name"]).startswith(f"ck_{table}_")


def test_sqlite_migrate_creates_the_folders(tmp_path: Path) -> None:
    db_file = tmp_path / "not" / "yet" / "there.sqlite"
    migrate(f"sqlite:///{db_file}")
    assert db_file.is_file()


def test_one_head_and_every_revision_has_a_title() -> None:
    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert scripts.get_heads() == [head_revision()]
    for rev in scripts.walk_revisions():
        assert rev.doc and rev.doc.strip()[0].isupper(), f"revision {rev.revision} needs a docstring title"


def test_sqlite_engine_uses_wal_and_foreign_keys(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'pragmas.sqlite'}"
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        engine.dispose()


def test_foreign_keys_are_enforced(session: Session) -> None:
    orphan = ScalarFact(
        record_id=999_999, position=0, confidence=1.0, rule="test", field_name="province", value="Huế"
    )
    session.add(orphan)
    with pytest.raises(IntegrityError):
        session.flush()


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


BROKEN_REVISION = '''"""A revision that fails half-way, for the test.

Revision ID: brokenbroken
Revises: {down}
"""

import sqlalchemy as sa
from alembic import op

revision = "brokenbroken"
down_revision = "{down}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("half_done", sa.Column("id", sa.Integer(), primary_key=True))
    op.add_column("failure", sa.Column("half_done_note", sa.Text(), nullable=True))
    op.execute("INSERT INTO no_such_table VALUES (1)")


def downgrade() -> None:
    pass
'''


def test_a_failing_migration_leaves_no_half_applied_schema(empty_database_url: str, tmp_path: Path) -> None:
    # a copy of the migrations plus a revision that creates a table, adds a column, then fails
    scripts = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "brokenbroken_broken.py").write_text(
        BROKEN_REVISION.format(down=head_revision()), encoding="utf-8"
    )
    cfg = alembic_config(empty_database_url)
    cfg.set_main_option("script_location", str(scripts))

    # from empty: the whole upgrade (good revisions included) is one transaction
    with pytest.raises(DBAPIError, match="no_such_table"):
        command.upgrade(cfg, "head")
    assert _tables(empty_database_url) <= {"alembic_version"}

    # from the previous head: the database stays at it, without the table or the column
    migrate(empty_database_url)
    with pytest.raises(DBAPIError, match="no_such_table"):
        command.upgrade(cfg, "head")
    engine = make_engine(empty_database_url)
    try:
        with engine.connect() as conn:
            assert MigrationContext.configure(conn).get_current_revision() == head_revision()
            assert "half_done" not in inspect(conn).get_table_names()
            assert "half_done_note" not in {c["name"] for c in inspect(conn).get_columns("failure")}
    finally:
        engine.dispose()
