"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

House rules (see ../shared/STYLE.md, habit 10):
- Autogenerate, then review: the title above says what the revision does, in one line.
- Explain every hand edit in a comment here (data backfills, recomputed key columns).
- Portable types only (JSON, LargeBinary, Date, DateTime(timezone=True)): SQLite and PostgreSQL.
- Never UPDATE machine output or corrections in a data migration; add new rows instead.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
${imports if imports else ""}

# revision identifiers, used by Alembic.
revision: str = ${repr(up_revision)}
down_revision: str | Sequence[str] | None = ${repr(down_revision)}
branch_labels: str | Sequence[str] | None = ${repr(branch_labels)}
depends_on: str | Sequence[str] | None = ${repr(depends_on)}


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    ${downgrades if downgrades else "pass"}
