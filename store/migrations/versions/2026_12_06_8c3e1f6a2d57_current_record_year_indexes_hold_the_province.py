"""The current_record year indexes also hold the province (year and province filters together).

Revision ID: 8c3e1f6a2d57
Revises: 5b7d2c91e0a4
Create Date: 2026-12-06 08:30:00

House rules (see ../shared/STYLE.md, habit 10):
- Autogenerate, then review: the title above says what the revision does, in one line.
- Explain every hand edit in a comment here (data backfills, recomputed key columns).
- Portable types only (JSON, LargeBinary, Date, DateTime(timezone=True)): SQLite and PostgreSQL.
- Never UPDATE machine output or corrections in a data migration; add new rows instead.

Why: `store.queries` filters a year over three columns (the event's, the record's publication's,
the article's). With a province as well, SQLite used the province's index and read every record
of the province (5,000 at 100,000 records, 4 ms of the web app's 3-facet search) to test the
years. The condition now puts the province inside each year's term, and each year index ends
with the province, so both engines look up (year, province) three times (0.2 ms). A year alone
still uses each index's first column. The indexes keep their names (the naming convention names
an index by its first column), so they are dropped and made again.
"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "8c3e1f6a2d57"
down_revision: str | Sequence[str] | None = "5b7d2c91e0a4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

YEARS = ("event_year", "published_year", "article_year")


def upgrade() -> None:
    for column in YEARS:
        op.drop_index(f"ix_current_record_{column}", table_name="current_record")
        op.create_index(f"ix_current_record_{column}", "current_record", [column, "province_key"])


def downgrade() -> None:
    for column in YEARS:
        op.drop_index(f"ix_current_record_{column}", table_name="current_record")
        op.create_index(f"ix_current_record_{column}", "current_record", [column])
