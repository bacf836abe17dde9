"""Run the extractor over a folder of article texts (the measurement contract of `thidua extract-text`)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extract.api import extract_article
from extract.record import Record, empty_record

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FileResult:
    doc_id: str
    record: Record
    error: str | None


def _meta(path: Path) -> dict[str, Any]:
    meta_path = path.with_name(path.stem + ".meta.json")
    if not meta_path.exists():
        return {}
    data = json.loads(meta_path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{meta_path}: expected a JSON object with url/published")
    return data


def extract_dir(directory: Path, only: Collection[str] | None = None) -> Iterator[FileResult]:
    """Extract every DIR/*.txt (or only the ids in `only`); a file that fails yields an empty record
    and its error."""
    for path in sorted(directory.glob("*.txt")):
        doc_id = path.stem
        if only is not None and doc_id not in only:
            continue
        try:
            meta = _meta(path)
            text = path.read_bytes().decode("utf-8")
            url = meta.get("url") if isinstance(meta.get("url"), str) else None
            published = meta.get("published") if isinstance(meta.get("published"), str) else None
            yield FileResult(
                doc_id, extract_article(doc_id=doc_id, text=text, url=url, published=published), None
            )
        except Exception as exc:  # one bad file must never stop the run
            log.debug("extraction failed for %s", path, exc_info=True)
            yield FileResult(doc_id, empty_record(doc_id), f"{path}: {type(exc).__name__}: {exc}")


def write_jsonl(
    results: Iterator[FileResult],
    out: Path,
    *,
    full: bool = False,
    on_error: Callable[[str], None] | None = None,
) -> dict[str, dict[str, Any]]:
    """Write one record per line; return the schema records by doc_id."""
    records: dict[str, dict[str, Any]] = {}
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as fh:
        for res in results:
            if res.error and on_error:
                on_error(res.error)
            data = res.record.to_full() if full else res.record.to_schema()
            records[res.doc_id] = res.record.to_schema()
            fh.write(json.dumps(data, ensure_ascii=False) + "\n")
    return records
