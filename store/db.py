"""Engines, sessions, migrations and the checks that a database is fit to use.

See ../shared/STYLE.md, habits 10 and 11. SQLite is the zero-setup default and PostgreSQL the
production backend; both go through `make_engine`, one code path. The schema is only ever
created by Alembic (`migrate`, `init_database`), never by `create_all`.

Readers and writers open a database differently:

- `open_store(url, read_only=True)` (``thidua query`` and every read-only command) never
  creates or writes a database: a missing SQLite file is an error, not a new empty file; the
  file is opened with SQLite's ``mode=ro`` and ``PRAGMA query_only``, and no WAL setting is
  written; a PostgreSQL session is ``default_transaction_read_only``. The schema must be at
  the Alembic head, so a reader fails with "run thidua init-db" instead of "no such table".
- `init_database(url)` (``thidua init-db``) checks SQLite's integrity before and after
  migrating and compares the migrated schema with the models, so it never says "ready" over
  corrupted pages or a dropped column.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

from store.errors import (
    DatabaseCorruptError,
    DatabaseMissingError,
    DatabaseUnavailableError,
    SchemaError,
)

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# SQLite's own words for a file that is damaged or is not a database at all
_CORRUPT_MARKERS = ("malformed", "file is not a database", "disk image")


def describe_url(url: str | URL) -> str:
    """Return `url` fit for a message: the password hidden."""
    return make_url(url).render_as_string(hide_password=True)


def _sqlite_file(url: str | URL) -> Path | None:
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


def _read_only_sqlite_url(url: str) -> URL:
    """Return a URL opening the sqlite file of `url` read-only, refusing a missing file.

    Raises:
        DatabaseMissingError: the file does not exist (a reader must not create it).
    """
    parsed = make_url(url)
    path = _sqlite_file(parsed)
    if path is None:  # memory database or a URI the caller wrote: nothing to protect
        return parsed
    if not path.is_file():
        raise DatabaseMissingError(
            f"no database at {path}; create it with `thidua init-db` "
            f"(THIDUA_DATABASE_URL={describe_url(url)})"
        )
    query = {"mode": "ro", "uri": "true"}
    folder_writable = os.access(
        path.resolve().parent, os.W_OK, effective_ids=os.access in os.supports_effective_ids
    )
    if not folder_writable and not Path(f"{path}-shm").exists():
        # A WAL database can only be read once its -shm file exists, and SQLite cannot create
        # it in a read-only folder ("attempt to write a readonly database"). No WAL writer is
        # active either (it would hold that file open), so the file cannot change under us and
        # SQLite may read it without locks or side files.
        query["immutable"] = "1"
    # "file:" URI form so mode=ro applies; the path is percent-encoded ("?" and "#" are legal
    # in file names but end the path of a URI)
    return parsed.set(database=f"file:{quote(str(path.resolve()))}", query=query)


def make_engine(
    url: str,
    *,
    foreign_keys: bool = True,
    read_only: bool = False,
    writer: bool = False,
    busy_timeout: float = 5.0,
    **kwargs: Any,
) -> Engine:
    """Create an engine for `url`; on SQLite turn on foreign keys, WAL and real transactions.

    Args:
        url: a SQLAlchemy URL, e.g. ``sqlite:///var/thidua.sqlite`` or ``postgresql+psycopg://…``.
        foreign_keys: enforce foreign keys on SQLite. Only migrations turn this off: Alembic's
            batch mode rebuilds tables, and with enforcement on, dropping a parent table would
            cascade-delete the child rows.
        read_only: open for reading only. SQLite: the file must exist, is opened with
            ``mode=ro`` and ``PRAGMA query_only``, and the WAL setting is not written;
            PostgreSQL: every transaction is read-only. No folder is created.
        writer: SQLite only: every transaction takes the write lock when it begins
            (``BEGIN IMMEDIATE``). A transaction that reads, then writes, would otherwise try to
            upgrade its read lock once another connection has written, and SQLite answers
            "database is locked" at once, without waiting (the busy timeout does not apply to
            that upgrade). For processes that write most of what they read: the crawler.
        busy_timeout: SQLite only: seconds to wait for another connection's lock.
        **kwargs: passed on to `sqlalchemy.create_engine`.

    Returns:
        The engine. For a writable sqlite file the parent folder is created first.

    Raises:
        DatabaseMissingError: `read_only` and the sqlite file does not exist.
    """
    target: str | URL = url
    backend = make_url(url).get_backend_name()
    if read_only and backend == "sqlite":
        target = _read_only_sqlite_url(url)
    elif read_only and backend == "postgresql":
        connect_args = dict(kwargs.pop("connect_args", {}))
        # a libpq option, so the server refuses any write whatever the code does; added to the
        # options the URL or the caller already give (connect_args would replace the URL's)
        given = [connect_args.get("options"), make_url(url).query.get("options")]
        options = [str(o) for o in given if o] + ["-c default_transaction_read_only=on"]
        connect_args["options"] = " ".join(options)
        kwargs["connect_args"] = connect_args
    elif not read_only:
        ensure_sqlite_dir(url)
    engine = create_engine(target, **kwargs)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(
            engine,
            foreign_keys=foreign_keys,
            read_only=read_only,
            begin="BEGIN IMMEDIATE" if writer and not read_only else "BEGIN",
            busy_ms=int(busy_timeout * 1000),
        )
    return engine


def _configure_sqlite(
    engine: Engine, *, foreign_keys: bool, read_only: bool, begin: str = "BEGIN", busy_ms: int = 5000
) -> None:
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
            if read_only:
                # mode=ro already refuses writes; query_only also covers a URI the caller wrote
                cursor.execute("PRAGMA query_only=ON")
            else:
                # WAL lets the CLI read while the crawler writes; memory databases answer
                # "memory". It writes the file header, so readers never set it.
                cursor.execute("PRAGMA journal_mode=WAL")
                # in WAL mode NORMAL syncs at checkpoints, not at every commit: a power cut may
                # lose the last commits but never corrupts the file, and the crawler fetches what
                # was lost again (nothing marks it seen). FULL cost ~5 ms a page (bench/crawl_speed.py)
                cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)


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


def head_revision() -> str:
    """Return the Alembic head revision these models correspond to."""
    heads = ScriptDirectory(str(MIGRATIONS_DIR)).get_heads()
    if len(heads) != 1:  # a merge of two branches forgot its merge revision
        raise SchemaError(
            f"the migrations have {len(heads)} heads ({', '.join(heads)}); add a merge revision"
        )
    return heads[0]


@contextmanager
def translate_errors(url: str | URL) -> Iterator[None]:
    """Turn the driver's errors about opening `url` into the store's named errors, one line each."""
    where = describe_url(url)
    try:
        yield
    except sa_exc.DBAPIError as exc:
        detail = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
        if make_url(url).get_backend_name() == "sqlite" and any(m in detail for m in _CORRUPT_MARKERS):
            raise DatabaseCorruptError(
                f"{where} is damaged ({detail}); restore it from a backup, or move it away and "
                "run `thidua init-db` for a new one"
            ) from exc
        if isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError):
            raise DatabaseUnavailableError(f"cannot use {where}: {detail}") from exc
        raise


def check_revision(connection: Connection, *, url: str | None = None) -> None:
    """Make sure the database behind `connection` is at the head revision.

    Args:
        connection: an open connection.
        url: the URL to name in messages (the engine's own may be a rewritten read-only one).

    Raises:
        SchemaError: no thidua schema (never initialised) or another revision.
    """
    where = describe_url(url or connection.engine.url)
    current = MigrationContext.configure(connection).get_current_revision()
    head = head_revision()
    if current is None:
        raise SchemaError(f"{where} holds no thidua schema; create it with `thidua init-db`")
    if current != head:
        scripts = ScriptDirectory(str(MIGRATIONS_DIR))
        try:
            scripts.get_revision(current)
        except CommandError:
            raise SchemaError(
                f"{where} is at schema revision {current}, which this thidua does not know; "
                "it was migrated by a newer thidua: upgrade thidua"
            ) from None
        raise SchemaError(
            f"{where} is at schema revision {current}, this thidua needs {head}; "
            "upgrade it with `thidua init-db`"
        )


def open_store(url: str, *, read_only: bool = False, **kwargs: Any) -> Engine:
    """Return an engine on an existing store whose schema is at the head revision.

    Args:
        url: the database.
        read_only: open it read-only (see `make_engine`); what every read-only command does.
        **kwargs: passed on to `make_engine` (the web app sizes its connection pool).

    Returns:
        The engine, checked once; dispose of it when done.

    Raises:
        DatabaseMissingError: `read_only` and the sqlite file does not exist.
        DatabaseUnavailableError: the database cannot be opened or reached.
        DatabaseCorruptError: the sqlite file is damaged or not a database.
        SchemaError: the database was never initialised or is at another revision.
    """
    engine = make_engine(url, read_only=read_only, **kwargs)
    try:
        with translate_errors(url), engine.connect() as connection:
            check_revision(connection, url=url)
    except BaseException:
        engine.dispose()
        raise
    return engine


def migrate(url: str, revision: str = "head") -> None:
    """Bring the database at `url` up to `revision` (``alembic upgrade head``).

    Args:
        url: the database to migrate; a sqlite file and its folder are created if missing.
            A ``sqlite://`` memory database is useless here: it vanishes with the connection.
        revision: the target revision, ``head`` by default.
    """
    ensure_sqlite_dir(url)
    log.info("migrating %s to %s", describe_url(url), revision)
    command.upgrade(alembic_config(url), revision)


def check_integrity(connection: Connection, *, url: str | None = None) -> None:
    """Run SQLite's ``PRAGMA integrity_check``; PostgreSQL checks its pages itself.

    Args:
        connection: an open connection.
        url: the URL to name in messages.

    Raises:
        DatabaseCorruptError: SQLite found damaged pages, indexes or records.
    """
    if connection.dialect.name != "sqlite":
        return
    # reads every page: linear in the file's size, acceptable for init-db, not for every query
    problems = [row[0] for row in connection.exec_driver_sql("PRAGMA integrity_check(20)")]
    if problems != ["ok"]:
        raise DatabaseCorruptError(
            f"{describe_url(url or connection.engine.url)} failed SQLite's integrity check ({problems[0]}"
            f"{f'; {len(problems) - 1} more problems' if len(problems) > 1 else ''}); "
            "restore it from a backup"
        )


def schema_differences(connection: Connection) -> list[str]:
    """Return how the schema behind `connection` differs from `store.models`, one line each."""
    from store.fulltext import include_in_schema_check  # imports the models: keep db.py light
    from store.models import Base

    # the search tables differ per engine and are not among the models (store.search)
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_name": include_in_schema_check}
    )
    return [_describe_diff(d) for d in compare_metadata(context, Base.metadata)]


def _describe_diff(diff: Any) -> str:
    """Say what one `compare_metadata` entry means for the database, in words."""
    if isinstance(diff, list):  # modify_* entries come as a list of tuples about one column
        return "; ".join(_describe_diff(d) for d in diff)
    kind = diff[0]
    if kind in ("add_table", "remove_table"):
        name = diff[1].name
        return f"missing table {name}" if kind == "add_table" else f"table {name} is not in the models"
    if kind in ("add_column", "remove_column"):
        where = f"{diff[2]}.{diff[3].name}"
        return f"missing column {where}" if kind == "add_column" else f"column {where} is not in the models"
    if kind in ("add_index", "remove_index", "add_constraint", "remove_constraint"):
        obj = diff[1]
        what = kind.split("_", 1)[1]
        table = getattr(getattr(obj, "table", None), "name", "?")
        state = "missing" if kind.startswith("add") else "unexpected"
        return f"{state} {what} {obj.name} on {table}"
    if kind.startswith("modify_"):  # ("modify_type", schema, table, column, info, old, new)
        return (
            f"column {diff[2]}.{diff[3]}: {kind[len('modify_') :]} is {diff[5]!r}, the models say {diff[6]!r}"
        )
    return repr(diff)


def init_database(url: str) -> None:
    """Create or upgrade the database at `url`, then prove it matches the models.

    A damaged SQLite file is refused before anything is written to it; after migrating, the
    schema is compared with `store.models`, so a column dropped by hand is reported instead of
    a "database ready".

    Raises:
        DatabaseUnavailableError: the database cannot be created, opened or written.
        DatabaseCorruptError: SQLite's integrity check fails.
        SchemaError: the migrated schema differs from the models.
    """
    path = _sqlite_file(url)
    if path is not None and path.is_file():
        reader = make_engine(url, read_only=True)
        try:
            with translate_errors(url), reader.connect() as connection:
                check_integrity(connection, url=url)
        finally:
            reader.dispose()
    with translate_errors(url):
        try:
            migrate(url)
        except OSError as exc:  # the folder cannot be created
            raise DatabaseUnavailableError(f"cannot create {describe_url(url)}: {exc}") from exc
        except CommandError as exc:  # Alembic cannot place the database's revision
            raise SchemaError(
                f"{describe_url(url)} is at a schema revision this thidua does not know ({exc}); "
                "it was migrated by a newer thidua: upgrade thidua"
            ) from exc
    engine = make_engine(url)
    try:
        with translate_errors(url), engine.connect() as connection:
            check_integrity(connection, url=url)
            check_revision(connection, url=url)
            differences = schema_differences(connection)
    finally:
        engine.dispose()
    if differences:
        shown = "; ".join(differences[:5]) + (
            f"; {len(differences) - 5} more" if len(differences) > 5 else ""
        )
        raise SchemaError(
            f"{describe_url(url)} differs from the models ({shown}); it was changed outside "
            "thidua's migrations: restore a backup or repair it by hand"
        )
