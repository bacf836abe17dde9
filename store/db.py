"""Engines, sessions and migrations (see ../shared/STYLE.md, habits 10 and 11).

SQLite is the zero-setup default and PostgreSQL the production backend; both go through
`make_engine`. The schema is only ever created by Alembic (`migrate`), never by `create_all`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def _sqlite_file(url: str) -> Path | None:
    """Return the file behind a sqlite URL, None for memory databases and other backends."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    if parsed.database.startswith("file:"):  # sqlite URI form: leave it to the driver
        return None
    return Path(parsed.database)


def ensure_sqlite_dir(url: str) -> None:
    """Create the parent folder of a sqlite database file, if the URL names one."""
    path = _sqlite_file(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)


def make_engine(url: str, *, foreign_keys: bool = True, **kwargs: Any) -> Engine:
    """Create an engine for `url`; on SQLite turn on foreign keys, WAL and real transactions.

    Args:
        url: a SQLAlchemy URL, e.g. ``sqlite:///var/thidua.sqlite`` or ``postgresql+psycopg://…``.
        foreign_keys: enforce foreign keys on SQLite. Only migrations turn this off: Alembic's
            batch mode rebuilds tables, and with enforcement on, dropping a parent table would
            cascade-delete the child rows.
        **kwargs: passed on to `sqlalchemy.create_engine`.

    Returns:
        The engine. For a sqlite file the parent folder is created first.
    """
    ensure_sqlite_dir(url)
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine, foreign_keys=foreign_keys)
    return engine


def _configure_sqlite(engine: Engine, *, foreign_keys: bool) -> None:
    """Apply the SQLite settings every connection of `engine` needs."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Python's sqlite3 (legacy transaction control, Python < 3.16) does not BEGIN before a
        # SELECT or a SAVEPOINT, so a rolled-back test or a nested transaction would leak writes.
        # Take over BEGIN ourselves (SQLAlchemy docs, "sqlite_enabling_transactions").
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            # off by default in SQLite; must be set outside a transaction, hence here
            cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
            # WAL lets the CLI read while the crawler writes; memory databases answer "memory"
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=5000")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return the session factory for `engine` (objects stay readable after commit)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def alembic_config(url: str) -> Config:
    """Return an Alembic config for `url` that works without the repository's alembic.ini."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    # configparser treats "%" as interpolation; URL-encoded passwords contain it
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def migrate(url: str, revision: str = "head") -> None:
    """Bring the database at `url` up to `revision` (``alembic upgrade head``).

    Args:
        url: the database to migrate; a sqlite file and its folder are created if missing.
            A ``sqlite://`` memory database is useless here: it vanishes with the connection.
        revision: the target revision, ``head`` by default.
    """
    ensure_sqlite_dir(url)
    log.info("migrating %s to %s", make_url(url).render_as_string(hide_password=True), revision)
    command.upgrade(alembic_config(url), revision)
