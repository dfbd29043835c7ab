"""Tables of the availability probes and the credit claims (docs/contract.md §3)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from ingest.platform.columns import instant, new_id

PROBER_SOURCE = "prober"  # the service's own prober; imports name their monitor


class ProbeMeasurement(SQLModel, table=True):
    """One probe measurement. ``status`` and ``latency_ms`` are null when nothing answered.

    (probe, at, source) is unique so that importing the same file twice stores nothing new."""

    __tablename__ = "probe_measurements"
    __table_args__ = (
        sa.UniqueConstraint("probe", "at", "source", name="uq_probe_measurements_probe_at_source"),
    )
    id: int | None = Field(default=None, primary_key=True)
    probe: str = Field(max_length=8)
    at: datetime = instant(index=True)
    status: int | None = None
    latency_ms: float | None = None
    source: str = Field(max_length=64)
    recorded_at: datetime = instant(default=True)


class ClaimOutcome(StrEnum):
    pending = "pending"  # filed; the month has not closed yet
    granted = "granted"  # the month closed below 98 %: a credit on the next statement
    refused = "refused"  # the month closed at or above 98 %


class CreditClaim(SQLModel, table=True):
    """A client's claim for a month's credit; decided once, when the month has closed.

    The figures of the decision are kept on the row, so the outcome stays explained even if
    measurements are imported later."""

    __tablename__ = "credit_claims"
    __table_args__ = (sa.UniqueConstraint("account_id", "month", name="uq_credit_claims_account_month"),)
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    account_id: str = Field(foreign_key="accounts.id", index=True, max_length=36)
    filed_by: str = Field(foreign_key="users.id", max_length=36)
    month: str = Field(max_length=7)  # 'YYYY-MM'
    filed_at: datetime = instant()
    outcome: str = Field(default=ClaimOutcome.pending, max_length=16, index=True)
    decided_at: datetime | None = instant(nullable=True)
    counted_hours: int | None = None
    ko_hours: int | None = None
    # Two decimals as text ('97.98'): exact on every backend, for display only; the decision
    # was taken on the exact ratio (see ingest.contract.availability).
    availability_percent: str | None = Field(default=None, max_length=8)
    credit_percent: int | None = None
