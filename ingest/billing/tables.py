"""Billing tables (docs/contract.md §4): subscriptions, plan versions, usage warnings, statements.

Usage itself is ``usage_records``: one row per counted document, written by processing (through
``ingest.billing.usage.count_document``) in the same transaction as the ``processed`` state.

The constraints carry the guarantees, so that two issuers racing cannot break them:

- ``statements`` is unique on (account_id, number): numbers never repeat; an issuer takes
  max + 1 inside its transaction, so a loser rolls back whole and leaves no gap;
- ``statements`` is unique on (account_id, regular_period_index): one regular statement per
  period (corrections leave it NULL, and NULLs never collide);
- ``billed_lines`` has the primary key (account_id, period_index, kind): a period's overage,
  fee or credit is billed once, whatever runs twice.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from ingest.platform.columns import instant, new_id


class UsageRecord(SQLModel, table=True):
    """One row per counted document: the primary key makes counting exactly-once,
    whatever the redeliveries and however many workers finish at once."""

    __tablename__ = "usage_records"
    # Consumption is counted per account over a period's bounds (migration 0004 creates it).
    __table_args__ = (sa.Index("ix_usage_records_account_counted", "account_id", "counted_at"),)
    document_id: str = Field(primary_key=True, max_length=36)
    account_id: str = Field(foreign_key="accounts.id", index=True)
    dossier_id: str = Field(max_length=36)
    counted_at: datetime = instant(default=True, index=True)


class Subscription(SQLModel, table=True):
    """An account's subscription: the activation instant is fixed once set (periods hang on it)."""

    __tablename__ = "subscriptions"
    account_id: str = Field(foreign_key="accounts.id", primary_key=True, max_length=36)
    activation_at: datetime = instant()
    created_at: datetime = instant(default=True)


class PlanVersion(SQLModel, table=True):
    """One version of the plan; in force from ``effective_period_index`` until a later version.

    Versions are never updated or deleted: the history is the table. When two versions target
    the same period, the later one (higher id) wins.
    """

    __tablename__ = "plan_versions"
    id: int | None = Field(default=None, primary_key=True)
    account_id: str = Field(foreign_key="accounts.id", index=True, max_length=36)
    effective_period_index: int
    packs: int
    pack_size: int
    pack_price_cents: int
    named_users: int
    extra_document_price_cents: int
    extra_user_price_cents: int
    created_at: datetime = instant(default=True)
    created_by: str | None = Field(default=None, max_length=36)


class UsageWarning(SQLModel, table=True):
    """A usage threshold (80 or 100 % of the allowance) reached in a period, recorded once."""

    __tablename__ = "usage_warnings"
    account_id: str = Field(foreign_key="accounts.id", primary_key=True, max_length=36)
    period_index: int = Field(primary_key=True)
    threshold: int = Field(primary_key=True)
    # The counted_at of the document that reached the threshold, and when we noticed.
    reached_at: datetime = instant()
    recorded_at: datetime = instant(default=True)


class Statement(SQLModel, table=True):
    """An issued statement. Immutable: a correction is another statement."""

    __tablename__ = "statements"
    __table_args__ = (
        sa.UniqueConstraint("account_id", "number", name="uq_statements_account_number"),
        sa.UniqueConstraint("account_id", "regular_period_index", name="uq_statements_account_period"),
        # A statement is corrected once; a later correction corrects the correction (migration 0012).
        sa.UniqueConstraint("corrects_id", name="uq_statements_corrects"),
    )
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    account_id: str = Field(foreign_key="accounts.id", index=True, max_length=36)
    number: int
    kind: str = Field(max_length=16)  # regular | correction
    period_index: int
    # Equals period_index on regular statements, NULL on corrections (see the unique constraint).
    regular_period_index: int | None = None
    period_start: datetime = instant()
    period_end: datetime = instant()
    corrects_id: str | None = Field(default=None, max_length=36)
    total_cents: int
    issued_at: datetime = instant(default=True)


class StatementLine(SQLModel, table=True):
    __tablename__ = "statement_lines"
    statement_id: str = Field(foreign_key="statements.id", primary_key=True, max_length=36)
    position: int = Field(primary_key=True)
    kind: str = Field(max_length=32)
    period_index: int
    quantity: int
    # Exact (a surcharged unit price may hold a fraction of a cent), kept as a decimal string.
    unit_price_cents: str = Field(max_length=40)
    amount_cents: int
    label: str = Field(max_length=300)


class BilledLine(SQLModel, table=True):
    """What has been billed: a (period, kind) key appears on one statement only."""

    __tablename__ = "billed_lines"
    account_id: str = Field(foreign_key="accounts.id", primary_key=True, max_length=36)
    period_index: int = Field(primary_key=True)
    kind: str = Field(primary_key=True, max_length=32)
    statement_id: str = Field(foreign_key="statements.id", max_length=36)
