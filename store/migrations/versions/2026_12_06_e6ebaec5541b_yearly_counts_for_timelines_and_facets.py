"""Yearly counts for timelines and the unfiltered facet counts.

Revision ID: e6ebaec5541b
Revises: 14677da6462e
Create Date: 2026-12-06 06:05:00

House rules (see ../shared/STYLE.md, habit 10):
- Autogenerate, then review: the title above says what the revision does, in one line.
- Explain every hand edit in a comment here (data backfills, recomputed key columns).
- Portable types only (JSON, LargeBinary, Date, DateTime(timezone=True)): SQLite and PostgreSQL.
- Never UPDATE machine output or corrections in a data migration; add new rows instead.

Hand edits:
- Backfill: the counts of every materialised current record, through `store.counts.recount`
  (application code on purpose, as in 14677da6462e: the counts are a cache of
  `store.counts.contributions`, and a frozen copy here would be a second definition). It reads
  only `current_record` and `current_fact`, which exist at this revision.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "e6ebaec5541b"
down_revision: str | Sequence[str] | None = "14677da6462e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "current_count",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("number", sa.String(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("part", sa.String(length=32), nullable=False),
        sa.Column("k0", sa.String(), nullable=True),
        sa.Column("k1", sa.String(), nullable=True),
        sa.Column("k2", sa.String(), nullable=True),
        sa.Column("k3", sa.String(), nullable=True),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("folded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_current_count")),
    )
    with op.batch_alter_table("current_count", schema=None) as batch_op:
        batch_op.create_index("ix_current_count_key", ["key", "scope"], unique=False)
        batch_op.create_index("ix_current_count_number", ["number", "scope"], unique=False)
        batch_op.create_index("ix_current_count_folded", ["folded", "scope", "key"], unique=False)
    _backfill()


def _backfill() -> None:
    """Count every materialised current record (see the docstring)."""
    from sqlalchemy.orm import Session

    from store.counts import recount

    session = Session(bind=op.get_bind())
    try:
        recount(session)
        session.flush()
    finally:
        session.close()


def downgrade() -> None:
    with op.batch_alter_table("current_count", schema=None) as batch_op:
        batch_op.drop_index("ix_current_count_folded")
        batch_op.drop_index("ix_current_count_number")
        batch_op.drop_index("ix_current_count_key")
    op.drop_table("current_count")
