"""The current_fact index by article also holds the name, for the search page's bloc and unit facets.

Revision ID: f1f0a785860e
Revises: e6ebaec5541b
Create Date: 2026-12-06 05:30:00.000000

House rules (see ../shared/STYLE.md, habit 10):
- Autogenerate, then review: the title above says what the revision does, in one line.
- Explain every hand edit in a comment here (data backfills, recomputed key columns).
- Portable types only (JSON, LargeBinary, Date, DateTime(timezone=True)): SQLite and PostgreSQL.
- Never UPDATE machine output or corrections in a data migration; add new rows instead.

Why: `store.browse._facets` joins every match to its bloc and member facts and counts distinct
articles per name; with `name` at its end, the index a record's facts are read by
(article_id, field, position) answers that join alone, without reading the fact rows (EXPLAIN
on 100,000 records: bench/README.md, web_load). The index keeps its name (the naming convention
names an index by its first column), so it is dropped and made again.
"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "f1f0a785860e"
down_revision: str | Sequence[str] | None = "e6ebaec5541b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_current_fact_article_id", table_name="current_fact")
    op.create_index("ix_current_fact_article_id", "current_fact", ["article_id", "field", "position", "name"])


def downgrade() -> None:
    op.drop_index("ix_current_fact_article_id", table_name="current_fact")
    op.create_index("ix_current_fact_article_id", "current_fact", ["article_id", "field", "position"])
