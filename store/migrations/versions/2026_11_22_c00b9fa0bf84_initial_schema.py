"""Initial schema: portals, pages, articles, extraction runs with their facts, failures.

Revision ID: c00b9fa0bf84
Revises:
Create Date: 2026-11-22 03:37:32.411998

House rules (see ../shared/STYLE.md, habit 10):
- Autogenerate, then review: the title above says what the revision does, in one line.
- Explain every hand edit in a comment here (data backfills, recomputed key columns).
- Portable types only (JSON, LargeBinary, Date, DateTime(timezone=True)): SQLite and PostgreSQL.
- Never UPDATE machine output or corrections in a data migration; add new rows instead.

Hand edits after autogenerate:
- store.types.UTCDateTime rendered as sa.DateTime(timezone=True): the decorator only converts
  values in Python, and migrations must not import application code that later changes.
- server defaults written as sa.func.now() / sa.false() instead of the SQLite-specific
  "(CURRENT_TIMESTAMP)" / "0" (PostgreSQL refuses an integer default on a boolean column).
- indexes of new tables created with op.create_index instead of batch blocks; the downgrade
  only drops tables, which drops their indexes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "c00b9fa0bf84"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "extraction_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("extractor_version", sa.String(length=64), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("stats", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "status IN ('running', 'finished', 'failed', 'interrupted')",
            name=op.f("ck_extraction_run_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_extraction_run")),
    )
    op.create_table(
        "failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=32), nullable=False),
        sa.Column("url", sa.String(), nullable=False),
        sa.Column("portal", sa.String(length=64), nullable=True),
        sa.Column("error_type", sa.String(length=128), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.Column("resolved", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.CheckConstraint(
            "stage IN ('fetch', 'decode', 'clean', 'relevance', 'extract', 'store')",
            name=op.f("ck_failure_stage"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_failure")),
    )
    op.create_index(op.f("ix_failure_stage"), "failure", ["stage"])
    op.create_index(op.f("ix_failure_url"), "failure", ["url"])

    op.create_table(
        "portal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("province", sa.String(), nullable=True),
        sa.Column("family", sa.String(length=32), nullable=False),
        sa.Column("hosts", sa.JSON(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal")),
        sa.UniqueConstraint("name", name=op.f("uq_portal_name")),
    )
    op.create_table(
        "page",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("portal_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.String(), nullable=False),
        sa.Column("canonical_url", sa.String(), nullable=False),
        sa.Column("final_url", sa.String(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("encoding", sa.String(length=64), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fetch_count", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["portal_id"], ["portal.id"], name=op.f("fk_page_portal_id_portal")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_page")),
        sa.UniqueConstraint("canonical_url", name=op.f("uq_page_canonical_url")),
    )
    op.create_index(op.f("ix_page_content_hash"), "page", ["content_hash"])
    op.create_index(op.f("ix_page_portal_id"), "page", ["portal_id"])

    op.create_table(
        "article",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(), nullable=False),
        sa.Column("canonical_url", sa.String(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("content_key", sa.String(length=64), nullable=False),
        sa.Column("is_bloc_news", sa.Boolean(), nullable=False),
        sa.Column("relevance_reason", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["page_id"], ["page.id"], name=op.f("fk_article_page_id_page")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article")),
        sa.UniqueConstraint("canonical_url", name=op.f("uq_article_canonical_url")),
        sa.UniqueConstraint("content_key", name=op.f("uq_article_content_key")),
    )
    op.create_index(op.f("ix_article_is_bloc_news"), "article", ["is_bloc_news"])
    op.create_index(op.f("ix_article_page_id"), "article", ["page_id"])

    op.create_table(
        "page_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(), nullable=False),
        sa.Column("final_url", sa.String(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("encoding", sa.String(length=64), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["page_id"], ["page.id"], name=op.f("fk_page_version_page_id_page"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_page_version")),
    )
    op.create_index(op.f("ix_page_version_page_id"), "page_version", ["page_id"])

    op.create_table(
        "article_alias",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(), nullable=False),
        sa.Column("canonical_url", sa.String(), nullable=False),
        sa.Column("matched_by", sa.String(length=32), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.CheckConstraint(
            "matched_by IN ('first', 'canonical_url', 'content_key')",
            name=op.f("ck_article_alias_matched_by"),
        ),
        sa.ForeignKeyConstraint(
            ["article_id"], ["article.id"], name=op.f("fk_article_alias_article_id_article")
        ),
        sa.ForeignKeyConstraint(["page_id"], ["page.id"], name=op.f("fk_article_alias_page_id_page")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article_alias")),
        sa.UniqueConstraint("page_id", name=op.f("uq_article_alias_page_id")),
    )
    op.create_index(op.f("ix_article_alias_article_id"), "article_alias", ["article_id"])
    op.create_index(op.f("ix_article_alias_canonical_url"), "article_alias", ["canonical_url"])

    op.create_table(
        "extracted_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("doc_id", sa.String(), nullable=False),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("province", sa.String(), nullable=True),
        sa.Column("province_key", sa.String(), nullable=True),
        sa.Column("event_date", sa.Date(), nullable=True),
        sa.Column("event_kinds", sa.JSON(), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["article_id"], ["article.id"], name=op.f("fk_extracted_record_article_id_article")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["extraction_run.id"], name=op.f("fk_extracted_record_run_id_extraction_run")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_extracted_record")),
        sa.UniqueConstraint("run_id", "article_id", name=op.f("uq_extracted_record_run_id_article_id")),
    )
    op.create_index(op.f("ix_extracted_record_article_id"), "extracted_record", ["article_id"])
    op.create_index(op.f("ix_extracted_record_province_key"), "extracted_record", ["province_key"])
    op.create_index(op.f("ix_extracted_record_run_id"), "extracted_record", ["run_id"])

    op.create_table(
        "award_fact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("evidence_start", sa.Integer(), nullable=True),
        sa.Column("evidence_end", sa.Integer(), nullable=True),
        sa.Column("evidence_text", sa.Text(), nullable=True),
        sa.Column("confidence", sa.Double(), nullable=False),
        sa.Column("rule", sa.String(length=128), nullable=False),
        sa.Column("recipient", sa.String(), nullable=False),
        sa.Column("award", sa.String(length=32), nullable=False),
        sa.Column("issuer", sa.String(length=32), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("recipient_key", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["extracted_record.id"],
            name=op.f("fk_award_fact_record_id_extracted_record"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_award_fact")),
    )
    op.create_index(op.f("ix_award_fact_award"), "award_fact", ["award"])
    op.create_index(op.f("ix_award_fact_record_id"), "award_fact", ["record_id"])

    op.create_table(
        "bloc_fact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("evidence_start", sa.Integer(), nullable=True),
        sa.Column("evidence_end", sa.Integer(), nullable=True),
        sa.Column("evidence_text", sa.Text(), nullable=True),
        sa.Column("confidence", sa.Double(), nullable=False),
        sa.Column("rule", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("number", sa.String(length=16), nullable=True),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("names_key", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["extracted_record.id"],
            name=op.f("fk_bloc_fact_record_id_extracted_record"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bloc_fact")),
    )
    op.create_index(op.f("ix_bloc_fact_record_id"), "bloc_fact", ["record_id"])

    op.create_table(
        "member_fact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("evidence_start", sa.Integer(), nullable=True),
        sa.Column("evidence_end", sa.Integer(), nullable=True),
        sa.Column("evidence_text", sa.Text(), nullable=True),
        sa.Column("confidence", sa.Double(), nullable=False),
        sa.Column("rule", sa.String(length=128), nullable=False),
        sa.Column("unit", sa.String(), nullable=False),
        sa.Column("surface", sa.String(), nullable=False),
        sa.Column("unit_key", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["extracted_record.id"],
            name=op.f("fk_member_fact_record_id_extracted_record"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_fact")),
    )
    op.create_index(op.f("ix_member_fact_record_id"), "member_fact", ["record_id"])

    op.create_table(
        "role_fact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("evidence_start", sa.Integer(), nullable=True),
        sa.Column("evidence_end", sa.Integer(), nullable=True),
        sa.Column("evidence_text", sa.Text(), nullable=True),
        sa.Column("confidence", sa.Double(), nullable=False),
        sa.Column("rule", sa.String(length=128), nullable=False),
        sa.Column("unit", sa.String(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("unit_key", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["extracted_record.id"],
            name=op.f("fk_role_fact_record_id_extracted_record"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role_fact")),
    )
    op.create_index(op.f("ix_role_fact_record_id"), "role_fact", ["record_id"])

    op.create_table(
        "scalar_fact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("evidence_start", sa.Integer(), nullable=True),
        sa.Column("evidence_end", sa.Integer(), nullable=True),
        sa.Column("evidence_text", sa.Text(), nullable=True),
        sa.Column("confidence", sa.Double(), nullable=False),
        sa.Column("rule", sa.String(length=128), nullable=False),
        sa.Column("field_name", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["extracted_record.id"],
            name=op.f("fk_scalar_fact_record_id_extracted_record"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scalar_fact")),
    )
    op.create_index(op.f("ix_scalar_fact_record_id"), "scalar_fact", ["record_id"])


def downgrade() -> None:
    # dropping a table drops its indexes and constraints with it
    op.drop_table("scalar_fact")
    op.drop_table("role_fact")
    op.drop_table("member_fact")
    op.drop_table("bloc_fact")
    op.drop_table("award_fact")
    op.drop_table("extracted_record")
    op.drop_table("article_alias")
    op.drop_table("page_version")
    op.drop_table("article")
    op.drop_table("page")
    op.drop_table("portal")
    op.drop_table("failure")
    op.drop_table("extraction_run")
