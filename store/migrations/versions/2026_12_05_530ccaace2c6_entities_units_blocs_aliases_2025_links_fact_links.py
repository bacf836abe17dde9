"""Entities across articles: units and blocs per province, aliases, 2025 links, fact links, merges.

Revision ID: 530ccaace2c6
Revises: 25b893894a62
Create Date: 2026-12-05 23:27:00.382555

House rules (see ../shared/STYLE.md, habit 10):
- Autogenerate, then review: the title above says what the revision does, in one line.
- Explain every hand edit in a comment here (data backfills, recomputed key columns).
- Portable types only (JSON, LargeBinary, Date, DateTime(timezone=True)): SQLite and PostgreSQL.
- Never UPDATE machine output or corrections in a data migration; add new rows instead.

Hand edits after autogenerate:
- store.types.UTCDateTime rendered as sa.DateTime(timezone=True) and the server defaults as
  sa.func.now(), as in the earlier revisions.
- indexes created with op.create_index instead of batch blocks; the downgrade drops the tables.
- triggers that refuse UPDATE and DELETE on `entity_correction` on both engines, as on
  `correction`: merges and splits are undone by one more correction, never by a delete.
- no data migration: existing databases get their entities with `thidua link-entities`.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "530ccaace2c6"
down_revision: str | Sequence[str] | None = "25b893894a62"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = (
    "entity corrections are append-only: add a correction (an undo to cancel one), never update or delete"
)


def upgrade() -> None:
    op.create_table(
        "entity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("province", sa.String(length=64), nullable=False),
        sa.Column("province_2025", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("place_kind", sa.String(length=16), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.CheckConstraint("kind IN ('unit', 'bloc')", name=op.f("ck_entity_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entity")),
        sa.UniqueConstraint("kind", "province", "key", name=op.f("uq_entity_kind_province_key")),
    )
    op.create_index(op.f("ix_entity_key"), "entity", ["key"])
    op.create_index(op.f("ix_entity_province_2025"), "entity", ["province_2025"])

    op.create_table(
        "entity_alias",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("alias", sa.String(), nullable=False),
        sa.Column("alias_key", sa.String(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["entity_id"], ["entity.id"], name=op.f("fk_entity_alias_entity_id_entity")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entity_alias")),
        sa.UniqueConstraint("entity_id", "alias", name=op.f("uq_entity_alias_entity_id_alias")),
    )
    op.create_index(op.f("ix_entity_alias_alias_key"), "entity_alias", ["alias_key"])
    op.create_index(op.f("ix_entity_alias_entity_id"), "entity_alias", ["entity_id"])

    op.create_table(
        "entity_correction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("editor_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("entity_ids", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("undoes_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(action = 'undo' AND undoes_id IS NOT NULL) OR (action <> 'undo' AND undoes_id IS NULL)",
            name=op.f("ck_entity_correction_undo_target"),
        ),
        sa.CheckConstraint("action IN ('merge', 'split', 'undo')", name=op.f("ck_entity_correction_action")),
        sa.ForeignKeyConstraint(
            ["editor_id"], ["editor.id"], name=op.f("fk_entity_correction_editor_id_editor")
        ),
        sa.ForeignKeyConstraint(
            ["undoes_id"],
            ["entity_correction.id"],
            name=op.f("fk_entity_correction_undoes_id_entity_correction"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entity_correction")),
    )
    op.create_index(op.f("ix_entity_correction_editor_id"), "entity_correction", ["editor_id"])

    op.create_table(
        "entity_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("from_id", sa.Integer(), nullable=False),
        sa.Column("to_id", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=256), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.CheckConstraint("relation IN ('successor_2025')", name=op.f("ck_entity_link_relation")),
        sa.ForeignKeyConstraint(["from_id"], ["entity.id"], name=op.f("fk_entity_link_from_id_entity")),
        sa.ForeignKeyConstraint(["to_id"], ["entity.id"], name=op.f("fk_entity_link_to_id_entity")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entity_link")),
        sa.UniqueConstraint(
            "from_id", "to_id", "relation", name=op.f("uq_entity_link_from_id_to_id_relation")
        ),
    )
    op.create_index(op.f("ix_entity_link_from_id"), "entity_link", ["from_id"])
    op.create_index(op.f("ix_entity_link_to_id"), "entity_link", ["to_id"])

    op.create_table(
        "fact_entity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("fact_key", sa.String(), nullable=False),
        sa.Column("province", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["article_id"], ["article.id"], name=op.f("fk_fact_entity_article_id_article")
        ),
        sa.ForeignKeyConstraint(["entity_id"], ["entity.id"], name=op.f("fk_fact_entity_entity_id_entity")),
        sa.ForeignKeyConstraint(
            ["record_id"], ["extracted_record.id"], name=op.f("fk_fact_entity_record_id_extracted_record")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fact_entity")),
        sa.UniqueConstraint(
            "article_id", "fact_key", "province", name=op.f("uq_fact_entity_article_id_fact_key_province")
        ),
    )
    op.create_index(op.f("ix_fact_entity_article_id"), "fact_entity", ["article_id"])
    op.create_index(op.f("ix_fact_entity_entity_id"), "fact_entity", ["entity_id"])

    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION entity_correction_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER entity_correction_append_only BEFORE UPDATE OR DELETE ON entity_correction "
            "FOR EACH ROW EXECUTE FUNCTION entity_correction_append_only()"
        )
    else:
        for event in ("update", "delete"):
            op.execute(
                f"CREATE TRIGGER entity_correction_append_only_{event} BEFORE {event.upper()} "
                f"ON entity_correction BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
            )


def downgrade() -> None:
    # the tables' indexes and triggers go with them
    op.drop_table("fact_entity")
    op.drop_table("entity_link")
    op.drop_table("entity_correction")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION entity_correction_append_only()")
    op.drop_table("entity_alias")
    op.drop_table("entity")
