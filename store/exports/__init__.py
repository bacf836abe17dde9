"""Exports of the current (corrected) records: JSON Lines, CSV, Parquet, a SQLite snapshot.

`export_records` is the one entry point (`thidua export` wraps it). It takes the same filters
as `thidua query` (`store.queries.matching_article_ids` checks and applies them), reads every
matching article's current record through `store.current.current_records` in batches, and
writes one folder:

- jsonl: ``records.jsonl``, one current record a line with every fact's provenance;
- csv: one ``<table>.csv`` per table of `store.exports.tables` and ``datapackage.json``;
- parquet: one ``<table>.parquet`` per table, the manifest in each file's key-value metadata;
- sqlite: ``thidua.db`` (tables, indexes, an ``export_metadata`` table) with Datasette's
  ``metadata.json`` and ``datasette.yaml`` beside it;

and ``manifest.json`` in each: every export carries its provenance, the export time (UTC),
the extractor versions and runs of the records, the filters, the row counts and the count of
corrected facts.

Decisions:

- **A folder, written whole or not at all.** The export is built in a hidden sibling folder
  and renamed into place once complete, so a crash, a full disk or Ctrl-C never leaves a
  half-written export where a researcher would find it.
- **`force` replaces only an export.** An existing target is refused unless `force`; even
  then only an empty folder or an earlier export (its ``manifest.json`` says so) is replaced,
  so a mistyped ``-o ~`` can never delete a home folder.
- **One snapshot.** The records are read in one transaction (REPEATABLE READ on PostgreSQL,
  one read transaction on SQLite), so a crawl or an editor writing meanwhile cannot make the
  counts disagree with the rows.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any, Final, Protocol

from packaging.version import InvalidVersion, Version
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from store.current import current_records
from store.errors import ExportError, ExportTargetError, ExportTargetExistsError, UnknownFormatError
from store.exports.tables import TABLES, Rows, add_record
from store.queries import batches, matching_article_ids

FORMATS: Final = ("jsonl", "csv", "parquet", "sqlite")
MANIFEST: Final = "manifest.json"
# marks a folder as a thidua export, the only kind of folder `force` replaces
EXPORT_MARK: Final = "thidua-export"
FILTER_NAMES: Final = ("province", "year", "bloc", "unit", "award")
TITLE: Final = "thidua: emulation-bloc records from Vietnamese provincial news"
CODE_LICENSE: Final = "GPL-3.0-or-later"
SOURCE: Final = (
    "News articles of Vietnamese provincial portals about emulation blocs (khối, cụm thi đua), "
    "extracted by thidua and corrected by its editors"
)


class Writer(Protocol):
    """What each format's module provides: rows in, files out."""

    def write(self, records: list[dict[str, Any]], rows: Rows) -> None:
        """Write one batch: the current records and their table rows."""

    def finish(self, manifest: dict[str, Any]) -> None:
        """Write what needs the whole export's manifest, and close every file."""

    def close(self) -> None:
        """Close every file (again: it does nothing the second time); on failure, before cleanup."""


@dataclass(slots=True)
class _Tally:
    counts: dict[str, int] = field(default_factory=lambda: {t.name: 0 for t in TABLES})
    versions: set[str] = field(default_factory=set)
    runs: set[int] = field(default_factory=set)
    corrected_facts: int = 0
    corrected_records: int = 0
    in_review: int = 0

    def add(self, records: list[dict[str, Any]], rows: Rows) -> None:
        for table, table_rows in rows:
            self.counts[table.name] += len(table_rows)
        for r in records:
            if r["extractor_version"]:
                self.versions.add(r["extractor_version"])
            self.runs.add(r["run_id"])
            self.corrected_facts += r["corrected_facts"]
            self.corrected_records += bool(r["corrected_facts"])
            self.in_review += bool(r["review"])


@dataclass(frozen=True, slots=True)
class ExportResult:
    """What `export_records` wrote."""

    path: Path
    format: str
    manifest: dict[str, Any]


def _version_order(version: str) -> tuple[int, Any, str]:
    try:
        return (0, Version(version), version)
    except InvalidVersion:  # a hand-written version sorts after every proper one
        return (1, None, version)


def _thidua_version() -> str:
    try:
        return importlib_metadata.version("thidua")
    except importlib_metadata.PackageNotFoundError:  # run from a source tree without installing
        return "unknown"


def is_export(path: Path) -> bool:
    """Tell whether `path` is a folder an earlier `export_records` wrote."""
    try:
        data = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("kind") == EXPORT_MARK


def check_target(target: Path, *, force: bool) -> None:
    """Refuse a target the export may not write: see the module docstring.

    Raises:
        ExportTargetExistsError: `target` exists and `force` is false.
        ExportTargetError: its folder is missing or not writable, or `force` would replace
            something that is not an empty folder or an earlier export.
    """
    parent = target.absolute().parent
    if not parent.is_dir():
        raise ExportTargetError(f"folder {parent} does not exist; create it first or choose another -o")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ExportTargetError(f"cannot write in {parent}: permission denied")
    if not (target.exists() or target.is_symlink()):
        return
    if not force:
        raise ExportTargetExistsError(
            f"{target} already exists; choose another -o or give --force to replace it"
        )
    if target.is_symlink() or not target.is_dir() or not (is_export(target) or not any(target.iterdir())):
        raise ExportTargetError(
            f"{target} is not an earlier thidua export (no {MANIFEST} of one); --force replaces only "
            "an export or an empty folder"
        )


def _replace(staging: Path, target: Path) -> None:
    """Move the finished `staging` folder to `target`, replacing an earlier export there."""
    if not target.exists():
        staging.rename(target)
        return
    # rename the old one aside first: a rename is atomic, a recursive delete is not
    old = target.parent / f".{target.name}.{secrets.token_hex(6)}.old"
    target.rename(old)
    try:
        staging.rename(target)
    except OSError:
        old.rename(target)  # put the earlier export back
        raise
    shutil.rmtree(old, ignore_errors=True)


def _writer(fmt: str, folder: Path) -> Writer:
    # imported here: pyarrow takes a second to import, and only the Parquet export needs it
    if fmt == "jsonl":
        from store.exports.jsonl import JsonlWriter

        return JsonlWriter(folder)
    if fmt == "csv":
        from store.exports.csv_package import CsvWriter

        return CsvWriter(folder)
    if fmt == "parquet":
        from store.exports.parquet import ParquetWriter

        return ParquetWriter(folder)
    from store.exports.sqlite import SqliteWriter

    return SqliteWriter(folder)


def _snapshot(session: Session) -> None:
    """Read everything that follows from one snapshot of the database."""
    bind = session.get_bind()
    # a session bound to a Connection (a caller's transaction, the tests') keeps its isolation
    if isinstance(bind, Engine) and bind.dialect.name == "postgresql" and not session.in_transaction():
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    else:
        session.connection()  # SQLite: the BEGIN of store.db holds one read transaction


def export_records(
    session: Session,
    *,
    fmt: str,
    target: Path,
    filters: Mapping[str, Any] | None = None,
    force: bool = False,
    now: datetime | None = None,
    progress: Callable[[int], None] | None = None,
    article_ids: Sequence[int] | None = None,
) -> ExportResult:
    """Export the current records that pass `filters` as `fmt` into the folder `target`.

    Args:
        session: an open session (read-only is enough).
        fmt: one of `FORMATS`.
        target: the folder to create.
        filters: `thidua query`'s filters by name (province, year, bloc, unit, award); a
            None value is no filter.
        force: replace an earlier export at `target`.
        now: the export time (UTC); the clock by default.
        progress: called with the number of records written after each batch.
        article_ids: export these articles, a selection the caller made (the web app's search
            with its text and facets); `filters` then only describes it in the manifest and may
            name any filter.

    Returns:
        The folder, the format and the manifest written into it.

    Raises:
        UnknownFormatError: `fmt` is not one of `FORMATS`.
        ExportTargetExistsError, ExportTargetError: see `check_target`; also a write that fails
            (disk full, permissions). Nothing is left behind.
        QueryError: a filter that cannot be used (see `store.queries.find_records`).
    """
    if fmt not in FORMATS:
        raise UnknownFormatError(f"unknown export format {fmt[:40]!r}; use one of {', '.join(FORMATS)}")
    given = {k: v for k, v in (filters or {}).items() if v is not None}
    unknown = sorted(set(given) - set(FILTER_NAMES))
    if unknown and article_ids is None:
        raise ExportError(f"unknown filter {unknown[0]!r}; use {', '.join(FILTER_NAMES)}")
    check_target(target, force=force)
    when = (now or datetime.now(UTC)).astimezone(UTC)
    _snapshot(session)
    # a bad filter fails before any file exists
    ids = matching_article_ids(session, **given) if article_ids is None else sorted(set(article_ids))

    folder = target.absolute().parent
    try:
        # mkdir, not mkdtemp: the export's folder gets the user's umask, not mkdtemp's 0700
        staging = folder / f".{target.name}.{secrets.token_hex(6)}.partial"
        staging.mkdir()
    except OSError as exc:
        raise ExportTargetError(f"cannot write in {folder}: {exc.strerror}") from exc
    writer: Writer | None = None
    try:
        writer = _writer(fmt, staging)
        tally = _Tally()
        for chunk in batches(ids):
            records = current_records(session, chunk)
            rows = Rows()
            for record in records:
                add_record(rows, record)
            writer.write(records, rows)
            tally.add(records, rows)
            if progress is not None:
                progress(len(records))
        manifest = {
            "kind": EXPORT_MARK,
            "title": TITLE,
            "format": fmt,
            "exported_at": when.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "thidua_version": _thidua_version(),
            "extractor_versions": sorted(tally.versions, key=_version_order),
            "run_ids": sorted(tally.runs),
            "filters": given,
            "counts": dict(tally.counts),
            "corrected_facts": tally.corrected_facts,
            "corrected_records": tally.corrected_records,
            "records_in_review": tally.in_review,
            "database": session.get_bind().dialect.name,
            "source": SOURCE,
            "code_license": CODE_LICENSE,
        }
        writer.finish(manifest)
        manifest["files"] = [*sorted(p.name for p in staging.iterdir()), MANIFEST]
        write_json(staging / MANIFEST, manifest)
        _replace(staging, target)
    except OSError as exc:
        _discard(writer, staging)
        raise ExportTargetError(f"cannot write the export to {target}: {exc.strerror or exc}") from exc
    except BaseException:  # Ctrl-C or a store error: no half-written export stays behind
        _discard(writer, staging)
        raise
    return ExportResult(target, fmt, manifest)


def _discard(writer: Writer | None, staging: Path) -> None:
    if writer is not None:
        # the folder goes anyway; the error that got us here is the one to report
        with contextlib.suppress(Exception):
            writer.close()
    shutil.rmtree(staging, ignore_errors=True)


def write_json(path: Path, data: Any) -> None:
    """Write `data` as indented UTF-8 JSON (Vietnamese kept as letters, not escapes)."""
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
