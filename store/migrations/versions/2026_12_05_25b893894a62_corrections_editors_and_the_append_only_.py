"""Corrections: editors and the append-only correction table.

Revision ID: 25b893894a62
Revises: c00b9fa0bf84
Create Date: 2026-12-05 22:00:40.111043

House rules (see ../shared/STYLE.md, habit 10):
- Autogenerate, then review: the title above says what the revision does, in one line.
- Explain every hand edit in a comment here (data backfills, recomputed key columns).
- Portable types only (JSON, LargeBinary, Date, DateTime(timezone=True)): SQLite and PostgreSQL.
- Never UPDATE machine output or corrections in a data migration; add new rows instead.

Hand edits after autogenerate:
- store.types.UTCDateTime rendered as sa.DateTime(timezone=True) and the server defaults as
  sa.func.now(), as in the initial schema.
- indexes created with op.create_index instead of batch blocks; the downgrade drops the tables.
- triggers that refuse UPDATE and DELETE on `correction` on both engines: the ORM already refuses
  them (store.models), the triggers also stop a hand-written SQL statement, so "undo is a new
  correction, never a delete" holds for every client of the database.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "25b893894a62"
down_revision: str | Sequence[str] | None = "c00b9fa0bf84"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = "corrections are append-only: add a correction (an undo to cancel one), never update or delete"


def upgrade() -> None:
    op.create_table(
        "editor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_editor")),
        sa.UniqueConstraint("name", name=op.f("uq_editor_name")),
    )
    op.create_table(
        "correction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=True),
        sa.Column("editor_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("field", sa.String(length=32), nullable=True),
        sa.Column("fact_id", sa.Integer(), nullable=True),
        sa.Column("fact_keys", sa.JSON(), nullable=False),
        sa.Column("result_keys", sa.JSON(), nullable=False),
        sa.Column("machine_values", sa.JSON(), nullable=False),
        sa.Column("old_value", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("new_value", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("evidence_start", sa.Integer(), nullable=True),
        sa.Column("evidence_end", sa.Integer(), nullable=True),
        sa.Column("evidence_text", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("undoes_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint(
            "(action = 'undo' AND undoes_id IS NOT NULL) OR (action <> 'undo' AND undoes_id IS NULL)",
            name=op.f("ck_correction_undo_target"),
        ),
        sa.CheckConstraint(
            "action IN ('accept', 'change', 'add', 'delete', 'verify', 'merge', 'split', 'undo')",
            name=op.f("ck_correction_action"),
        ),
        sa.CheckConstraint(
            "field IN ('published', 'province', 'event_date', 'event_kind', "
            "'bloc', 'member', 'role', 'award')",
            name=op.f("ck_correction_field"),
        ),
        sa.ForeignKeyConstraint(
            ["article_id"], ["article.id"], name=op.f("fk_correction_article_id_article")
        ),
        sa.ForeignKeyConstraint(["editor_id"], ["editor.id"], name=op.f("fk_correction_editor_id_editor")),
        sa.ForeignKeyConstraint(
            ["record_id"], ["extracted_record.id"], name=op.f("fk_correction_record_id_extracted_record")
        ),
        sa.ForeignKeyConstraint(
            ["undoes_id"], ["correction.id"], name=op.f("fk_correction_undoes_id_correction")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_correction")),
    )
    op.create_index(op.f("ix_correction_article_id"), "correction", ["article_id"])
    op.create_index(op.f("ix_correction_editor_id"), "correction", ["editor_id"])

    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION correction_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER correction_append_only BEFORE UPDATE OR DELETE ON correction "
            "FOR EACH ROW EXECUTE FUNCTION correction_append_only()"
        )
    else:
        for event in ("update", "delete"):
            op.execute(
                f"CREATE TRIGGER correction_append_only_{event} BEFORE {event.upper()} ON correction "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
            )


def downgrade() -> None:
    op.drop_table("correction")  # its triggers go with it
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION correction_append_only()")
    op.drop_table("editor")
