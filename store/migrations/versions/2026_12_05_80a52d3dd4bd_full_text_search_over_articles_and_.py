"""Full-text search over articles, and indexes for the researchers' queries.

Revision ID: 80a52d3dd4bd
Revises: 2a896bba3534 (re-chained after the entities and web branches landed first)
Create Date: 2026-12-05 23:25:00.000000

House rules (see ../shared/STYLE.md, habit 10):
- Autogenerate, then review: the title above says what the revision does, in one line.
- Explain every hand edit in a comment here (data backfills, recomputed key columns).
- Portable types only (JSON, LargeBinary, Date, DateTime(timezone=True)): SQLite and PostgreSQL.
- Never UPDATE machine output or corrections in a data migration; add new rows instead.

Written by hand (autogenerate cannot see these tables: they are engine-specific and kept out of
store.models, see store.search):
- SQLite: the FTS5 table ``article_search(title, body)``, contentless (``content=''``), rowid =
  article id. PostgreSQL: ``article_search(article_id, document tsvector)`` with a GIN index;
  the ``simple`` configuration is built in, so no extension is needed.
- Backfill: every stored article is indexed, its title and text folded by `_fold_words` below, a
  frozen copy of `store.fulltext.fold_words` as of this revision (migrations must not import
  application code that later changes; tests/store/test_store_search.py checks the two agree).
  Should the folding ever change, a new revision must rebuild the index the same way.
- ix_extracted_record_article_id now covers (article_id, run_id): every query of current records
  asks for each article's newest record (store.queries.is_newest_record), which the index then
  answers alone (measured in bench/store_scale.py).
"""

import re
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "80a52d3dd4bd"
down_revision: str | Sequence[str] | None = "2a896bba3534"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MAX_INDEXED_CHARS = 200_000
BATCH = 500


def _strip(c: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFD", c) if not unicodedata.combining(ch))


_FOLD: dict[int, str | None] = {
    **dict.fromkeys(range(768, 880)),
    **{c: _strip(chr(c)) for c in range(0xC0, 0x1F00) if chr(c).isalpha() and _strip(chr(c)) != chr(c)},
    ord("đ"): "d",
    ord("Đ"): "D",
}
_WORD = re.compile(r"[^\W_]+")


def _fold_words(value: str | None) -> str:
    return " ".join(_WORD.findall(unicodedata.normalize("NFC", value or "").translate(_FOLD).lower()))


def upgrade() -> None:
    op.drop_index("ix_extracted_record_article_id", table_name="extracted_record")
    op.create_index("ix_extracted_record_article_id", "extracted_record", ["article_id", "run_id"])
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    if postgres:
        op.create_table(
            "article_search",
            sa.Column("article_id", sa.Integer(), nullable=False),
            sa.Column("document", sa.dialects.postgresql.TSVECTOR(), nullable=False),
            sa.ForeignKeyConstraint(
                ["article_id"], ["article.id"], name=op.f("fk_article_search_article_id_article")
            ),
            sa.PrimaryKeyConstraint("article_id", name=op.f("pk_article_search")),
        )
        op.create_index(
            op.f("ix_article_search_document"), "article_search", ["document"], postgresql_using="gin"
        )
        insert = sa.text(
            "INSERT INTO article_search (article_id, document) VALUES "
            "(:id, setweight(to_tsvector('simple', :title), 'A') || to_tsvector('simple', :body))"
        )
    else:
        op.execute("CREATE VIRTUAL TABLE article_search USING fts5(title, body, content='')")
        insert = sa.text("INSERT INTO article_search (rowid, title, body) VALUES (:id, :title, :body)")

    last = 0
    while True:
        rows = bind.execute(
            sa.text("SELECT id, title, text FROM article WHERE id > :last ORDER BY id LIMIT :n"),
            {"last": last, "n": BATCH},
        ).all()
        if not rows:
            break
        params = []
        for article_id, title, body in rows:
            t = _fold_words(title)[:MAX_INDEXED_CHARS]
            params.append(
                {"id": article_id, "title": t, "body": _fold_words(body)[: MAX_INDEXED_CHARS - len(t)]}
            )
        bind.execute(insert, params)
        last = rows[-1][0]


def downgrade() -> None:
    op.drop_index("ix_extracted_record_article_id", table_name="extracted_record")
    op.create_index("ix_extracted_record_article_id", "extracted_record", ["article_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.drop_table("article_search")  # its index goes with it
    else:
        op.execute("DROP TABLE article_search")  # and FTS5's shadow tables
