"""Alembic environment (see ../shared/STYLE.md, habit 10).

The URL comes from the Alembic config (``sqlalchemy.url``, which `store.db.migrate` sets) and
otherwise from ``Settings().database_url`` (``THIDUA_DATABASE_URL``), so the plain
``alembic upgrade head`` command line migrates the configured database.
The target metadata is `store.models.Base.metadata`.
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy.pool import NullPool

from store.db import make_engine
from store.fulltext import include_in_schema_check
from store.models import Base
from thidua.settings import Settings

config = context.config
if config.config_file_name is not None:  # the alembic command line; migrate() keeps app logging
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or Settings().database_url


def run_migrations_offline() -> None:
    """Emit the SQL to stdout instead of running it (``alembic upgrade head --sql``)."""
    url = _url()
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        include_name=include_in_schema_check,
        render_as_batch=url.startswith("sqlite"),
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations against the database."""
    engine = make_engine(_url(), foreign_keys=False, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                # SQLite cannot ALTER most things; batch mode copies the table instead
                render_as_batch=connection.dialect.name == "sqlite",
                compare_type=True,
                # the full-text tables are engine-specific and not among the models (store.search)
                include_name=include_in_schema_check,
                # make_engine emits BEGIN itself on SQLite, so its DDL is transactional too:
                # a failing revision rolls back whole instead of leaving half a schema
                transactional_ddl=True,
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
