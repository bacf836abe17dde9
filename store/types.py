"""Reusable column types for store/models.py (see ../shared/STYLE.md, habit 9).

Every type here is portable between SQLite (the default) and PostgreSQL (production):
JSON, LargeBinary, Date and timezone-aware DateTime.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from sqlalchemy import DateTime, Dialect, String, Text, func
from sqlalchemy.orm import mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime, stored in UTC and always read back aware.

    PostgreSQL keeps the zone (timestamptz); SQLite has no zone, so the value is stored as naive
    UTC and the zone is put back on read. A naive value given by the caller is taken as UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(UTC)


intpk = Annotated[int, mapped_column(primary_key=True)]
created_at = Annotated[datetime, mapped_column(UTCDateTime(), server_default=func.now())]
long_text = Annotated[str, mapped_column(Text())]
# sha256 in hex is 64 characters
sha256_hex = Annotated[str, mapped_column(String(64))]
# short machine codes: stages, statuses, fact kinds, award/role/issuer codes
code = Annotated[str, mapped_column(String(32))]
json_dict = dict[str, Any]
