"""CSV, one file per table, described by a Frictionless Data Package (``datapackage.json``).

The package follows the Tabular Data Package spec (https://specs.frictionlessdata.io/): each
resource names its file, encoding and dialect, and its Table Schema gives every column's name,
type (string, integer, number, date), description and whether it is required, the primary key
and the foreign key to ``records``. The export's manifest travels in the package as the custom
property ``thidua``.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import IO, Any

from store.exports.tables import TABLES, Rows, Table


def _cell(value: Any) -> Any:
    # None is the empty cell (the schema's missing value); dates are ISO, as Table Schema wants
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return value


def table_schema(table: Table) -> dict[str, Any]:
    """Return the Frictionless Table Schema of `table`."""
    fields = []
    for column in table.columns:
        spec: dict[str, Any] = {"name": column.name, "type": column.type, "description": column.description}
        if column.required:
            spec["constraints"] = {"required": True}
        fields.append(spec)
    schema: dict[str, Any] = {
        "fields": fields,
        "primaryKey": list(table.primary_key),
        "missingValues": [""],
    }
    if table.foreign_key:
        schema["foreignKeys"] = [
            {"fields": ["article_id"], "reference": {"resource": "records", "fields": ["article_id"]}}
        ]
    return schema


def datapackage(manifest: dict[str, Any]) -> dict[str, Any]:
    """Return the ``datapackage.json`` of a CSV export with `manifest`."""
    return {
        "profile": "tabular-data-package",
        "name": "thidua-export",
        "title": manifest["title"],
        "description": manifest["source"],
        "created": manifest["exported_at"],
        "resources": [
            {
                "name": table.name,
                "path": f"{table.name}.csv",
                "profile": "tabular-data-resource",
                "title": table.name,
                "description": table.description,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "quoteChar": '"', "doubleQuote": True, "header": True},
                "schema": table_schema(table),
            }
            for table in TABLES
        ],
        "thidua": manifest,
    }


class CsvWriter:
    """Writes ``<table>.csv`` for every table and, at the end, ``datapackage.json``."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._files: list[IO[str]] = []
        self._writers: dict[str, Any] = {}
        for table in TABLES:
            # newline="": the csv module writes RFC 4180 line ends itself; no BOM, as the spec says
            f = (folder / f"{table.name}.csv").open("w", encoding="utf-8", newline="")
            self._files.append(f)
            writer = csv.writer(f)
            writer.writerow(table.names)
            self._writers[table.name] = writer

    def write(self, records: list[dict[str, Any]], rows: Rows) -> None:
        for table, table_rows in rows:
            names = table.names
            self._writers[table.name].writerows([_cell(row[n]) for n in names] for row in table_rows)

    def finish(self, manifest: dict[str, Any]) -> None:
        from store.exports import write_json

        self.close()
        write_json(self._folder / "datapackage.json", datapackage(manifest))

    def close(self) -> None:
        for f in self._files:
            f.close()
