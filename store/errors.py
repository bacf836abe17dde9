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


class DatabaseError(StoreError):
    """Base class of the errors about the database itself (missing, unreachable, wrong schema)."""


class DatabaseMissingError(DatabaseError):
    """Raised when a reader opens a SQLite file that does not exist: reading never creates one."""


class DatabaseUnavailableError(DatabaseError):
    """Raised when the database cannot be opened or reached (permissions, server down, bad URL)."""


class DatabaseCorruptError(DatabaseError):
    """Raised when SQLite's integrity check fails or the file is not a database at all."""


class SchemaError(DatabaseError):
    """Raised when the database's schema is not the one the models describe.

    Either it was never created (no Alembic version), it is at another revision, or a table,
    column, index or constraint differs from `store.models` (see `store.db.check_schema`).
    """


class InvalidRecordError(StoreError):
    """Raised by `save_record` for a record that breaks SCHEMA.md; nothing of it is written."""


class ArticleNotFoundError(StoreError):
    """Raised when an article id (or URL) names no stored article."""


class NoRecordError(StoreError):
    """Raised when an article has no extracted record yet, so there is nothing to show or correct."""


class CorrectionError(StoreError):
    """Base class of the refusals of `store.corrections`: when one is raised, nothing was written."""


class InvalidEditorError(CorrectionError):
    """Raised when the editor's name is empty, too long or not text."""


class UnknownFieldError(CorrectionError):
    """Raised when a correction names a field SCHEMA.md does not have, or one the action cannot use."""


class FactNotFoundError(CorrectionError):
    """Raised when a correction names a fact the article's current record does not hold."""


class DuplicateFactError(CorrectionError):
    """Raised when a correction would put a fact into the record that is already there."""


class InvalidValueError(CorrectionError):
    """Raised when a correction's value, evidence span or reason breaks SCHEMA.md or the store."""


class CorrectionNotFoundError(CorrectionError):
    """Raised when an undo names a correction that does not exist."""


class UndoConflictError(CorrectionError):
    """Raised when an undo is refused: already undone, or a later correction builds on it."""


class ReextractError(StoreError):
    """Raised by `store.reextract` for a selection it cannot use (no filter, unknown portal, bad version)."""


class ExportError(StoreError):
    """Base class of the refusals of `store.exports`: when one is raised, no export was left behind."""


class UnknownFormatError(ExportError):
    """Raised when an export format is not one of `store.exports.FORMATS`."""


class ExportTargetExistsError(ExportError):
    """Raised when the export's target exists and `force` was not given."""


class ExportTargetError(ExportError):
    """Raised when the export cannot be written where asked (missing folder, no permission, not an export)."""


class EntityCorrectionError(CorrectionError):
    """Base class of the refusals of `store.entity_corrections`: nothing was written."""


class EntityNotFoundError(EntityCorrectionError):
    """Raised when an entity id names no stored unit or bloc."""


class SelfMergeError(EntityCorrectionError):
    """Raised when a merge names one entity twice, or entities already merged into one."""


class EntityKindError(EntityCorrectionError):
    """Raised when a merge joins a unit with a bloc."""


class NotMergedError(EntityCorrectionError):
    """Raised when a split names an entity that is not merged with any other."""


class PreviewOutdatedError(EntityCorrectionError):
    """Raised when the groups a preview showed changed before its confirmation (another editor)."""


class AccountError(StoreError):
    """Raised by `store.accounts` for a user that cannot be added (unknown role, no password hash)."""


class DuplicateUserError(AccountError):
    """Raised when a user of that name exists already."""
