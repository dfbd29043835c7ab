"""Database tables (SQLModel). API shapes live in ``api/schemas.py``, apart from these.

Identifiers are UUID strings so that SQLite and PostgreSQL store them the same
way; instants are timezone-aware UTC (see :class:`UTCDateTime`).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


def new_id() -> str:
    return str(uuid.uuid4())


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
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


class AccountKind(StrEnum):
    firm = "firm"
    company = "company"


class Role(StrEnum):
    operator = "operator"
    admin = "admin"
    user = "user"


class Flow(StrEnum):
    daily = "daily"
    bulk = "bulk"


class DocumentState(StrEnum):
    received = "received"
    queued = "queued"
    processing = "processing"
    processed = "processed"
    rejected = "rejected"
    failed = "failed"


FINAL_STATES = frozenset({DocumentState.processed, DocumentState.rejected, DocumentState.failed})


class Account(SQLModel, table=True):
    __tablename__ = "accounts"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=16)
    active: bool = True
    created_at: datetime = instant(default=True)


class User(SQLModel, table=True):
    __tablename__ = "users"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    # Operators are the provider's staff and belong to no client account.
    account_id: str | None = Field(default=None, foreign_key="accounts.id", index=True)
    email: str = Field(max_length=320, unique=True)
    role: str = Field(max_length=16)
    active: bool = True
    created_at: datetime = instant(default=True)


class ApiKey(SQLModel, table=True):
    __tablename__ = "api_keys"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    user_id: str = Field(foreign_key="users.id", index=True)
    # The public prefix finds the row; only a hash of the secret is kept.
    prefix: str = Field(max_length=16, unique=True)
    secret_hash: str = Field(max_length=64)
    created_at: datetime = instant(default=True)
    revoked_at: datetime | None = instant(nullable=True)


class Dossier(SQLModel, table=True):
    __tablename__ = "dossiers"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    account_id: str = Field(foreign_key="accounts.id", index=True)
    name: str = Field(max_length=200)
    siren: str | None = Field(default=None, max_length=9)
    # A dossier under legal hold is never purged (CONTRACT §5).
    legal_hold: bool = False
    created_at: datetime = instant(default=True)


class Batch(SQLModel, table=True):
    __tablename__ = "batches"
    __table_args__ = (sa.UniqueConstraint("account_id", "idempotency_key"),)
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    account_id: str = Field(foreign_key="accounts.id", index=True)
    dossier_id: str = Field(foreign_key="dossiers.id", index=True)
    flow: str = Field(default=Flow.daily, max_length=8)
    flow_reason: str = Field(default="", max_length=500)
    idempotency_key: str | None = Field(default=None, max_length=200)
    received_at: datetime = instant(default=True, index=True)
    # Daily flow: due 48 h after receipt; bulk: a live ETA (CONTRACT §6).
    due_at: datetime | None = instant(nullable=True)
    eta: datetime | None = instant(nullable=True)
    eta_computed_at: datetime | None = instant(nullable=True)
    reclassified_at: datetime | None = instant(nullable=True)
    sla_state: str | None = Field(default=None, max_length=16)
    finished_at: datetime | None = instant(nullable=True)


class Document(SQLModel, table=True):
    __tablename__ = "documents"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    account_id: str = Field(foreign_key="accounts.id", index=True)
    dossier_id: str = Field(foreign_key="dossiers.id", index=True)
    batch_id: str = Field(foreign_key="batches.id", index=True)
    filename: str = Field(max_length=500)
    kind: str = Field(max_length=8)
    sha256: str = Field(max_length=64, index=True)
    size: int
    object_key: str = Field(max_length=200)
    state: str = Field(default=DocumentState.received, max_length=16, index=True)
    reason: str | None = Field(default=None, max_length=64)
    message: str | None = Field(default=None, max_length=1000)
    attempts: int = 0
    # A claim lets exactly one worker process the document at a time.
    claim_token: str | None = Field(default=None, max_length=36)
    # host:pid of the process holding the claim, so that a process on the same
    # host can tell a dead holder from a busy one (virtual transports such as
    # the embedded broker do not flag redeliveries).
    claimed_by: str | None = Field(default=None, max_length=300)
    lease_until: datetime | None = instant(nullable=True)
    pages: int | None = None
    text_chars: int | None = None
    einvoice_flavour: str | None = Field(default=None, max_length=32)
    facts: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    # The date that decides the two-year history: the validated invoice date,
    # else the receipt date (CONTRACT §5). Set at intake, refined by processing.
    reference_date: date | None = Field(default=None, index=True)
    # Invoice understanding (fields, flags, duplicates)
    fields: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    flags: list[dict[str, str]] | None = Field(default=None, sa_type=sa.JSON)
    einvoice_profile: str | None = Field(default=None, max_length=32)
    invoice_date: date | None = None
    # "supplier|invoice number|total incl. tax" when all three are known (duplicate lookups).
    invoice_key: str | None = Field(default=None, max_length=300, index=True)
    duplicate_of: str | None = Field(default=None, max_length=36)
    received_at: datetime = instant(default=True)
    queued_at: datetime | None = instant(nullable=True)
    started_at: datetime | None = instant(nullable=True)
    finished_at: datetime | None = instant(nullable=True)


class Rejection(SQLModel, table=True):
    """A file refused at upload: it never became a document."""

    __tablename__ = "rejections"
    id: int | None = Field(default=None, primary_key=True)
    batch_id: str = Field(foreign_key="batches.id", index=True)
    filename: str = Field(max_length=500)
    reason: str = Field(max_length=64)
    message: str = Field(max_length=1000)


class OutboxMessage(SQLModel, table=True):
    """A task to publish, written in the transaction that made it necessary."""

    __tablename__ = "outbox"
    id: int | None = Field(default=None, primary_key=True)
    task: str = Field(max_length=100)
    queue: str = Field(max_length=32)
    document_id: str | None = Field(default=None, max_length=36)
    created_at: datetime = instant(default=True)
    published_at: datetime | None = instant(nullable=True, index=True)


class UsageRecord(SQLModel, table=True):
    """One row per counted document: the primary key makes counting exactly-once,
    whatever the redeliveries and however many workers finish at once."""

    __tablename__ = "usage_records"
    document_id: str = Field(primary_key=True, max_length=36)
    account_id: str = Field(foreign_key="accounts.id", index=True)
    dossier_id: str = Field(max_length=36)
    counted_at: datetime = instant(default=True, index=True)
