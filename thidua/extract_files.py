"""Run the extractor over a folder of article texts (the measurement contract of `thidua extract-text`).

Every `DIR/*.txt` gets one record, whatever sits beside it: a file that cannot be read (not a regular
file, above the size cap, not UTF-8, not text) gets an empty record and an error; a `.meta.json` that
cannot be read is ignored with a warning and the text is extracted without it.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extract.api import extract_article
from extract.limits import MAX_ARTICLE_BYTES, MAX_META_BYTES
from extract.record import Record, empty_record
from thidua.safe_read import read_capped, shown, text_id

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FileResult:
    doc_id: str
    record: Record
    error: str | None
    warnings: tuple[str, ...] = ()


class MetadataError(ValueError):
    """A .meta.json that is not a JSON object."""


def _meta(path: Path) -> dict[str, Any]:
    """The article's metadata, {} when it has none; raises on a file that is there but unreadable."""
    meta_path = path.with_name(path.stem + ".meta.json")
    try:
        os.lstat(meta_path)
    except FileNotFoundError:
        return {}
    data = json.loads(read_capped(meta_path, MAX_META_BYTES).decode("utf-8"))
    if not isinstance(data, dict):
        raise MetadataError(f"expected a JSON object with url/published, got {type(data).__name__}")
    return data


def _meta_or_warning(path: Path) -> tuple[dict[str, Any], tuple[str, ...]]:
    try:
        return _meta(path), ()
    except Exception as exc:  # bad metadata must not cost the article its record
        meta_name = shown(path.with_name(path.stem + ".meta.json"))
        return {}, (f"{meta_name}: metadata ignored: {type(exc).__name__}: {exc}",)


def extract_dir(
    directory: Path, only: Collection[str] | None = None, *, max_bytes: int = MAX_ARTICLE_BYTES
) -> Iterator[FileResult]:
    """Extract every DIR/*.txt (or only the ids in `only`); a file that fails yields an empty record
    and its error, a file whose metadata fails yields its record and a warning."""
    for path in sorted(directory.glob("*.txt")):
        doc_id = text_id(path.stem)
        if only is not None and doc_id not in only:
            continue
        warnings: tuple[str, ...] = ()
        try:
            text = read_capped(path, max_bytes).decode("utf-8")
            meta, warnings = _meta_or_warning(path)
            url = meta.get("url") if isinstance(meta.get("url"), str) else None
            published = meta.get("published") if isinstance(meta.get("published"), str) else None
            record = extract_article(
                doc_id=doc_id, text=text, url=url, published=published, max_bytes=max_bytes
            )
            yield FileResult(doc_id, record, None, warnings)
        except Exception as exc:  # one bad file must never stop the run
            log.debug("extraction failed for %s", shown(path), exc_info=True)
            yield FileResult(
                doc_id, empty_record(doc_id), f"{shown(path)}: {type(exc).__name__}: {exc}", warnings
            )


def write_jsonl(
    results: Iterator[FileResult],
    out: Path,
    *,
    full: bool = False,
    on_error: Callable[[str], None] | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> dict[str, dict[str, Any]]:
    """Write one record per line; return the schema records by doc_id.

    Errors go to `on_error`, warnings to `on_warning` (else to `on_error`) as they come, so a long run
    shows them at once.
    """
    on_warning = on_warning or on_error
    records: dict[str, dict[str, Any]] = {}
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as fh:
        for res in results:
            for message in res.warnings:
                if on_warning:
                    on_warning(message)
            if res.error and on_error:
                on_error(res.error)
            data = res.record.to_full() if full else res.record.to_schema()
            records[res.doc_id] = res.record.to_schema()
            fh.write(json.dumps(data, ensure_ascii=False) + "\n")
    return records
