"""Parquet through pyarrow: one file per table, typed columns, the manifest in the file metadata.

Each file's schema has the columns of `store.exports.tables` with their Arrow types (string,
int64, float64, date32), nullable unless required, each with its description as field
metadata; the export's manifest is the file-level key-value metadata ``thidua`` (JSON), so a
Parquet file copied on its own still says where it came from.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from store.exports.tables import TABLES, Rows, Table

_TYPES = {
    "string": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "date": pa.date32(),
    "boolean": pa.bool_(),
}
METADATA_KEY = "thidua"


def arrow_schema(table: Table) -> pa.Schema:
    """Return the Arrow schema of `table`."""
    return pa.schema(
        [
            pa.field(c.name, _TYPES[c.type], nullable=not c.required, metadata={"description": c.description})
            for c in table.columns
        ],
        metadata={"description": table.description},
    )


class ParquetWriter:
    """Writes ``<table>.parquet`` for every table, batch by batch."""

    def __init__(self, folder: Path) -> None:
        self._schemas = {t.name: arrow_schema(t) for t in TABLES}
        self._writers = {
            t.name: pq.ParquetWriter(folder / f"{t.name}.parquet", self._schemas[t.name], compression="zstd")
            for t in TABLES
        }
        self._open = True

    def write(self, records: list[dict[str, Any]], rows: Rows) -> None:
        for table, table_rows in rows:
            if table_rows:
                batch = pa.Table.from_pylist(table_rows, schema=self._schemas[table.name])
                self._writers[table.name].write_table(batch)

    def finish(self, manifest: dict[str, Any]) -> None:
        encoded = json.dumps(manifest, ensure_ascii=False, default=str)
        for writer in self._writers.values():
            writer.add_key_value_metadata({METADATA_KEY: encoded})
        self.close()

    def close(self) -> None:
        if self._open:
            self._open = False
            for writer in self._writers.values():
                writer.close()
