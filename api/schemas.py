"""Shapes of the API's answers, apart from the tables."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field


class DossierCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    siren: str | None = Field(default=None, description="9-digit SIREN, checked (Luhn)")


class DossierPublic(BaseModel):
    id: str
    name: str
    siren: str | None
    created_at: datetime


class DocumentBrief(BaseModel):
    id: str
    filename: str
    state: str
    reason: str | None = None
    message: str | None = None


class RejectedFile(BaseModel):
    filename: str
    reason: str
    message: str


class FlowFields(BaseModel):
    """Where a batch stands: its flow and why, and when it will be (or was) done."""

    flow: str = Field(description="daily (48-hour commitment) or bulk (archive, live ETA)")
    flow_code: str = Field(description="stable code of the rule that set the flow, e.g. above_daily_volume")
    flow_reason: str = Field(description="that rule in words, with its figures")
    reclassified_at: datetime | None = Field(None, description="when invoice dates moved the batch to bulk")
    due_at: datetime | None = Field(None, description="daily flow: receipt + 48 hours")
    expected_at: datetime | None = Field(None, description="daily flow: expected finish")
    eta: datetime | None = Field(None, description="bulk: expected finish under the fair schedule")
    eta_computed_at: datetime | None = None
    sla_state: str | None = Field(None, description="daily flow: on_track, at_risk, breached or met")
    finished_at: datetime | None = None


class BatchPublic(FlowFields):
    id: str
    dossier_id: str
    received_at: datetime
    state: str = Field(description="open while any document is unfinished, then done")
    counts: dict[str, int]
    documents: list[DocumentBrief]
    rejected: list[RejectedFile]


class BatchSummary(FlowFields):
    id: str
    dossier_id: str
    received_at: datetime
    state: str
    counts: dict[str, int]


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int
    next_offset: int | None


class DocumentPublic(BaseModel):
    id: str
    batch_id: str
    dossier_id: str
    filename: str
    kind: str
    size: int
    sha256: str
    state: str
    reason: str | None
    message: str | None
    pages: int | None
    text_chars: int | None
    einvoice_flavour: str | None
    attempts: int
    received_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    facts: dict[str, Any] | None
