"""The tables every wing reads: batches and their documents.

A batch is received by intake, its documents are processed under a lease by processing,
scheduled by flow, counted by billing and purged by history: no one wing owns them, so they live
on the floor. API shapes live in ``api/schemas.py``, apart from these.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from ingest.platform.columns import instant, new_id


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


class Batch(SQLModel, table=True):
    __tablename__ = "batches"
    __table_args__ = (sa.UniqueConstraint("account_id", "idempotency_key"),)
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    account_id: str = Field(foreign_key="accounts.id", index=True)
    dossier_id: str = Field(foreign_key="dossiers.id", index=True)
    # The user who sent it (None for batches recorded before users were tracked). No foreign key
    # (see migration 0014): a deleted user's row stays, so the id always names a user.
    uploaded_by: str | None = Field(default=None, max_length=36)
    flow: str = Field(default=Flow.daily, max_length=8)
    # The rule that set the flow: a stable code and its sentence with the figures (docs/contract.md §6).
    flow_reason: str = Field(default="", max_length=500)
    flow_message: str = Field(default="", max_length=500)
    idempotency_key: str | None = Field(default=None, max_length=200)
    # What the request under that key was (ingest.intake.idempotency.fingerprint).
    request_fingerprint: str | None = Field(default=None, max_length=64)
    received_at: datetime = instant(default=True, index=True)
    # Daily flow: due 48 h after receipt; bulk: a live ETA (docs/contract.md §6).
    due_at: datetime | None = instant(nullable=True)
    eta: datetime | None = instant(nullable=True)
    eta_computed_at: datetime | None = instant(nullable=True)
    # What the ETA stands on (ingest.flow.eta.EtaBasis): the bulk flow's own measurements, the daily
    # flow's borrowed, or none (priors). When it is not measured, the ETA is given as a range too.
    eta_basis: str | None = Field(default=None, max_length=8)
    eta_earliest: datetime | None = instant(nullable=True)
    eta_latest: datetime | None = instant(nullable=True)
    reclassified_at: datetime | None = instant(nullable=True)
    sla_state: str | None = Field(default=None, max_length=16)
    finished_at: datetime | None = instant(nullable=True)


class Document(SQLModel, table=True):
    __tablename__ = "documents"
    # By dossier and state: a dossier's figures are read from the index alone (migration 0018).
    __table_args__ = (sa.Index("ix_documents_dossier_id_state", "dossier_id", "state"),)
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    account_id: str = Field(foreign_key="accounts.id", index=True)
    dossier_id: str = Field(foreign_key="dossiers.id")
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
    # A lease lets exactly one worker process the document at a time.
    lease_token: str | None = Field(default=None, max_length=36)
    # host:pid of the process holding the lease, so that a process on the same
    # host can tell a dead holder from a busy one (virtual transports such as
    # the embedded broker do not flag redeliveries).
    leased_by: str | None = Field(default=None, max_length=300)
    lease_until: datetime | None = instant(nullable=True)
    pages: int | None = None
    text_chars: int | None = None
    einvoice_flavour: str | None = Field(default=None, max_length=32)
    facts: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    # The date that decides the two-year history: the validated invoice date,
    # else the receipt date (docs/contract.md §5). Set at intake, refined by processing.
    reference_date: date | None = Field(default=None, index=True)
    # Invoice understanding (fields, flags, duplicates)
    fields: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    flags: list[dict[str, str]] | None = Field(default=None, sa_type=sa.JSON)
    einvoice_profile: str | None = Field(default=None, max_length=32)
    invoice_date: date | None = None
    # "supplier|invoice number|total incl. tax" when all three are known (duplicate lookups).
    invoice_key: str | None = Field(default=None, max_length=300, index=True)
    duplicate_of: str | None = Field(default=None, max_length=36)
    # Tesseract's run time over the pages it read (null: no OCR), for the OCR seconds per page metric.
    ocr_seconds: float | None = None
    ocr_pages: int | None = None
    received_at: datetime = instant(default=True)
    queued_at: datetime | None = instant(nullable=True)
    started_at: datetime | None = instant(nullable=True)
    finished_at: datetime | None = instant(nullable=True)
