"""The current record holds its line of the results table (date shown, first bloc, counts, version).

Revision ID: 5b7d2c91e0a4
Revises: f1f0a785860e
Create Date: 2026-12-06 08:00:00

House rules (see ../shared/STYLE.md, habit 10):
- Autogenerate, then review: the title above says what the revision does, in one line.
- Explain every hand edit in a comment here (data backfills, recomputed key columns).
- Portable types only (JSON, LargeBinary, Date, DateTime(timezone=True)): SQLite and PostgreSQL.
- Never UPDATE machine output or corrections in a data migration; add new rows instead.

Why: the search page and the records API read each shown row's whole document (a page of 50
rows decoded ~250 kB of JSON, a third of an uncached request's CPU: bench/README.md, web_load);
the row's few values now live in `current_record`, which the page reads anyway.

Hand edits:
- Backfill: every materialised current record's new columns from its document
  (`current_document`, the record as `store.current.current_record` returns it) through
  `store.current_table.table_row`, the function every write uses (application code on purpose,
  as in 14677da6462e: a frozen copy here would be a second definition of the row). `current_record`
  is a cache of the records, not machine output, so updating it is allowed.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "5b7d2c91e0a4"
down_revision: str | Sequence[str] | None = "f1f0a785860e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 2000


def upgrade() -> None:
    with op.batch_alter_table("current_record", schema=None) as batch_op:
        batch_op.add_column(sa.Column("row_date", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("first_bloc", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("members", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("roles", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("awards", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("extractor_version", sa.String(), nullable=True))
    _backfill()
    # the defaults only filled the rows already there; the application writes every column
    with op.batch_alter_table("current_record", schema=None) as batch_op:
        for column in ("members", "roles", "awards"):
            batch_op.alter_column(column, server_default=None)


def _backfill() -> None:
    """Fill the new columns of every current record from its document (see the docstring)."""
    from store.current_table import table_row

    bind = op.get_bind()
    record = sa.table(
        "current_record",
        sa.column("article_id", sa.Integer),
        sa.column("row_date", sa.String),
        sa.column("first_bloc", sa.String),
        sa.column("members", sa.Integer),
        sa.column("roles", sa.Integer),
        sa.column("awards", sa.Integer),
        sa.column("extractor_version", sa.String),
    )
    document = sa.table(
        "current_document", sa.column("article_id", sa.Integer), sa.column("document", sa.JSON)
    )
    article = sa.table("article", sa.column("id", sa.Integer), sa.column("published", sa.Date))
    update = (
        sa.update(record)
        .where(record.c.article_id == sa.bindparam("aid"))
        .values(
            row_date=sa.bindparam("row_date"),
            first_bloc=sa.bindparam("first_bloc"),
            members=sa.bindparam("members"),
            roles=sa.bindparam("roles"),
            awards=sa.bindparam("awards"),
            extractor_version=sa.bindparam("extractor_version"),
        )
    )
    after = 0
    while True:
        rows = bind.execute(
            sa.select(document.c.article_id, document.c.document, article.c.published)
            .join(article, article.c.id == document.c.article_id)
            .where(document.c.article_id > after)
            .order_by(document.c.article_id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        bind.execute(update, [{"aid": aid, **table_row(doc, published)} for aid, doc, published in rows])
        after = rows[-1][0]


def downgrade() -> None:
    with op.batch_alter_table("current_record", schema=None) as batch_op:
        for column in ("extractor_version", "awards", "roles", "members", "first_bloc", "row_date"):
            batch_op.drop_column(column)
