"""JSON Lines: one current record a line, as `store.current.current_record` returns it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from store.exports.tables import Rows

FILE = "records.jsonl"


class JsonlWriter:
    """Writes ``records.jsonl``: the SCHEMA.md record plus every fact's provenance, per line."""

    def __init__(self, folder: Path) -> None:
        self._file = (folder / FILE).open("w", encoding="utf-8", newline="\n")

    def write(self, records: list[dict[str, Any]], rows: Rows) -> None:
        for record in records:
            # ensure_ascii=False: Vietnamese stays readable UTF-8, not \\u escapes
            self._file.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")

    def finish(self, manifest: dict[str, Any]) -> None:
        # the manifest goes beside the file (manifest.json), so every line stays a record
        self.close()

    def close(self) -> None:
        self._file.close()
