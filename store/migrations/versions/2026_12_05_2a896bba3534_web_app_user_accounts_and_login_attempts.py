"""Web app: user accounts and login attempts.

Revision ID: 2a896bba3534
Revises: 530ccaace2c6 (re-chained after the entities branch landed first)
Create Date: 2026-12-05 23:23:20.420722

House rules (see ../shared/STYLE.md, habit 10):
- Autogenerate, then review: the title above says what the revision does, in one line.
- Explain every hand edit in a comment here (data backfills, recomputed key columns).
- Portable types only (JSON, LargeBinary, Date, DateTime(timezone=True)): SQLite and PostgreSQL.
- Never UPDATE machine output or corrections in a data migration; add new rows instead.

Hand edits after autogenerate:
- store.types.UTCDateTime rendered as sa.DateTime(timezone=True) and the server default as
  sa.func.now(), as in the earlier revisions.
- indexes created with op.create_index instead of batch blocks; the downgrade drops the tables.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "2a896bba3534"
down_revision: str | Sequence[str] | None = "530ccaace2c6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("role IN ('editor', 'admin')", name=op.f("ck_user_account_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint("name", name=op.f("uq_user_account_name")),
    )
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempt")),
    )
    op.create_index(op.f("ix_login_attempt_at"), "login_attempt", ["at"], unique=False)
    op.create_index(op.f("ix_login_attempt_ip"), "login_attempt", ["ip"], unique=False)
    op.create_index(op.f("ix_login_attempt_name"), "login_attempt", ["name"], unique=False)


def downgrade() -> None:
    op.drop_table("login_attempt")
    op.drop_table("user_account")
