"""A SQLite snapshot Datasette opens with facets and canned queries configured.

``thidua.db`` holds the tables of `store.exports.tables` (typed columns, primary and foreign
keys, an index on every facet column) and ``export_metadata`` (the manifest, one key a row,
values as JSON). Beside it, ``metadata.json`` (Datasette 0.x: title, licence, source, table
and column descriptions, facets, canned queries) and ``datasette.yaml`` (Datasette 1.x, where
facets and queries moved to the configuration; written as JSON, which is YAML). So either of

    datasette serve --immutable EXPORT/thidua.db --metadata EXPORT/metadata.json
    datasette EXPORT        # configuration-folder mode reads thidua.db and metadata.json

opens it. The stdlib `sqlite3` writes it: the file is new, one writer, no ORM needed.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any, Final

from store.exports.tables import TABLES, Rows, Table

DATABASE: Final = "thidua.db"
DATABASE_NAME: Final = "thidua"  # what Datasette calls it: the file's stem
METADATA_TABLE: Final = "export_metadata"
_SQL_TYPES = {"string": "TEXT", "integer": "INTEGER", "number": "REAL", "date": "TEXT", "boolean": "INTEGER"}

# Canned queries: the questions researchers asked first. Named parameters (:unit) become form
# fields in Datasette.
CANNED_QUERIES: Final[dict[str, dict[str, str]]] = {
    "awards_by_province_and_year": {
        "title": "Awards by province and year",
        "description": "How many awards of each kind and status each province's blocs proposed or conferred.",
        "sql": (
            "SELECT r.province, a.award_year AS year, a.award, a.status, count(*) AS awards\n"
            "FROM awards AS a JOIN records AS r ON r.article_id = a.article_id\n"
            "GROUP BY r.province, a.award_year, a.award, a.status\n"
            "ORDER BY r.province, year DESC, awards DESC"
        ),
    },
    "bloc_leaders_by_year": {
        "title": "Bloc leaders by year",
        "description": "Who led (khoi_truong) or deputised (khoi_pho) each bloc, year by year.",
        "sql": (
            "SELECT r.province, r.bloc_names, ro.role_year AS year, ro.role, ro.unit, ro.source,\n"
            "       r.article_id, r.url\n"
            "FROM roles AS ro JOIN records AS r ON r.article_id = ro.article_id\n"
            "ORDER BY r.province, r.bloc_names, year DESC, ro.role"
        ),
    },
    "unit_timeline": {
        "title": "A unit's blocs, roles and awards by year",
        "description": "Every role and award of the units whose name contains the words given.",
        "sql": (
            "SELECT r.year, 'role' AS what, ro.unit, ro.role AS detail, ro.role_year AS for_year,\n"
            "       r.province, r.bloc_names, r.url\n"
            "FROM roles AS ro JOIN records AS r ON r.article_id = ro.article_id\n"
            "WHERE ro.unit LIKE '%' || :unit || '%'\n"
            "UNION ALL\n"
            "SELECT r.year, 'award', a.recipient, a.award || ' (' || a.status || ')', a.award_year,\n"
            "       r.province, r.bloc_names, r.url\n"
            "FROM awards AS a JOIN records AS r ON r.article_id = a.article_id\n"
            "WHERE a.recipient LIKE '%' || :unit || '%'\n"
            "ORDER BY 1 DESC, 2"
        ),
    },
    "corrected_records": {
        "title": "Records editors corrected",
        "description": "Records with editors' corrections, those awaiting review first.",
        "sql": (
            "SELECT article_id, province, year, bloc_names, corrected_facts, review_state, url\n"
            "FROM records WHERE corrected_facts > 0\n"
            "ORDER BY review_state = 'review' DESC, corrected_facts DESC, article_id"
        ),
    },
}


def _quote(name: str) -> str:
    # identifiers come from `tables.TABLES`, not from users; quoting keeps SQL keywords safe
    return '"' + name.replace('"', '""') + '"'


def create_table_sql(table: Table) -> str:
    """Return the CREATE TABLE statement of `table`."""
    parts = [
        f"{_quote(c.name)} {_SQL_TYPES[c.type]}{' NOT NULL' if c.required else ''}" for c in table.columns
    ]
    parts.append(f"PRIMARY KEY ({', '.join(map(_quote, table.primary_key))})")
    if table.foreign_key:
        parts.append('FOREIGN KEY ("article_id") REFERENCES "records" ("article_id")')
    return f"CREATE TABLE {_quote(table.name)} (\n  " + ",\n  ".join(parts) + "\n)"


def _value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def datasette_metadata(manifest: dict[str, Any]) -> dict[str, Any]:
    """Return Datasette's ``metadata.json`` for a snapshot with `manifest`."""
    versions = ", ".join(manifest["extractor_versions"]) or "none"
    description = (
        f"Current records (machine facts with editors' corrections), exported "
        f"{manifest['exported_at']}: {manifest['counts']['records']} records, "
        f"{manifest['corrected_facts']} corrected facts, extractor versions {versions}. "
        f"Provenance: the {METADATA_TABLE} table."
    )
    tables: dict[str, Any] = {}
    for table in TABLES:
        tables[table.name] = {
            "description": table.description,
            "columns": {c.name: c.description for c in table.columns},
            "facets": list(table.facets),
        }
    tables["records"]["sort_desc"] = "year"
    tables[METADATA_TABLE] = {"description": "Provenance of this export: one key a row, values as JSON."}
    return {
        "title": manifest["title"],
        "description": description,
        "license": f"{manifest['code_license']} (the thidua code)",
        "license_url": "https://www.gnu.org/licenses/gpl-3.0.html",
        "source": manifest["source"],
        "databases": {
            DATABASE_NAME: {
                "description": description,
                "tables": tables,
                "queries": {name: dict(q) for name, q in CANNED_QUERIES.items()},
            }
        },
    }


def datasette_config(metadata: dict[str, Any]) -> dict[str, Any]:
    """Return ``datasette.yaml`` (Datasette 1.x): the facets and queries of `metadata`."""
    database = metadata["databases"][DATABASE_NAME]
    return {
        "databases": {
            DATABASE_NAME: {
                "tables": {
                    name: {k: v for k, v in spec.items() if k in ("facets", "sort_desc")}
                    for name, spec in database["tables"].items()
                    if "facets" in spec
                },
                "queries": database["queries"],
            }
        }
    }


class SqliteWriter:
    """Writes ``thidua.db`` batch by batch; indexes, metadata and Datasette's files at the end."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._db = sqlite3.connect(folder / DATABASE)
        self._db.execute("PRAGMA foreign_keys=ON")
        with self._db:
            for table in TABLES:
                self._db.execute(create_table_sql(table))
        self._inserts = {
            t.name: (
                f"INSERT INTO {_quote(t.name)} ({', '.join(map(_quote, t.names))}) "
                f"VALUES ({', '.join('?' for _ in t.columns)})"
            )
            for t in TABLES
        }
        self._open = True

    def write(self, records: list[dict[str, Any]], rows: Rows) -> None:
        with self._db:  # one transaction a batch
            for table, table_rows in rows:
                names = table.names
                self._db.executemany(
                    self._inserts[table.name], [[_value(row[n]) for n in names] for row in table_rows]
                )

    def finish(self, manifest: dict[str, Any]) -> None:
        from store.exports import write_json

        with self._db:
            for table in TABLES:
                for column in table.facets:
                    self._db.execute(
                        f"CREATE INDEX {_quote(f'ix_{table.name}_{column}')} "
                        f"ON {_quote(table.name)} ({_quote(column)})"
                    )
            self._db.execute(f"CREATE TABLE {METADATA_TABLE} (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            self._db.executemany(
                f"INSERT INTO {METADATA_TABLE} (key, value) VALUES (?, ?)",
                [(k, json.dumps(v, ensure_ascii=False, default=str)) for k, v in manifest.items()],
            )
        self._db.execute("ANALYZE")  # so Datasette's facet counts use the indexes
        self.close()
        metadata = datasette_metadata(manifest)
        write_json(self._folder / "metadata.json", metadata)
        # JSON is YAML: no YAML library needed to write Datasette 1.x's configuration
        write_json(self._folder / "datasette.yaml", datasette_config(metadata))

    def close(self) -> None:
        if self._open:
            self._open = False
            self._db.close()
