"""Named exceptions of the store (see ../shared/DESIGN.md, "The store").

Each message says what the caller should do next.
"""

from __future__ import annotations


class StoreError(Exception):
    """Base class of every error the store raises on purpose."""


class RunClosedError(StoreError):
    """Raised by `save_record`/`finish_run` when the extraction run is no longer running."""


class DuplicateRecordError(StoreError):
    """Raised by `save_record` when the run already holds a record for the article."""


class ImmutableRowError(StoreError):
    """Raised on flush when code tries to UPDATE a machine-written record or fact row."""


class QueryError(StoreError):
    """Raised by `store.queries` when a filter value cannot be used."""
