"""Column helpers every table uses: identifiers, the clock, and instants stored as aware UTC.

Identifiers are UUID strings so that SQLite and PostgreSQL store them the same
way; instants are timezone-aware UTC (see :class:`UTCDateTime`).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field


def new_id() -> str:
    return str(uuid.uuid4())


def is_id(value: str) -> bool:
    """Whether `value` could be an id the service handed out (a UUID string): anything else names no
    row, and is refused before it reaches a database that may choke on it (a NUL byte, say)."""
    try:
        return str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite drops the offset otherwise)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def instant(*, nullable: bool = False, index: bool = False, default: bool = False) -> Any:
    kwargs: dict[str, Any] = {"sa_type": UTCDateTime, "nullable": nullable, "index": index}
    if default:
        return Field(default_factory=utcnow, **kwargs)
    return Field(default=None, **kwargs)

