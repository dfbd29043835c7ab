"""Tables of the daily/bulk flow: the dispatcher's cursor, flow changes, SLA breaches."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from ingest.platform.columns import instant, new_id


class DispatchCursor(SQLModel, table=True):
    """The bulk dispatcher's round-robin position (`ingest.flow.fairness.Cursor` as JSON).

    One row, also the dispatchers' lock: a round starts by locking it, so two dispatchers
    never interleave their rounds (SKIP LOCKED on PostgreSQL, the write lock on SQLite).
    """

    __tablename__ = "dispatch_cursors"
    name: str = Field(primary_key=True, max_length=32)
    cursor: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    rounds: int = 0
    dispatched: int = 0
    updated_at: datetime | None = instant(nullable=True)
    # When the round booked by the last one is due (`ingest.flow.dispatch.book_next`): while it is
    # ahead, no other round books one, so that uploads during an archive do not start more chains.
    next_round_at: datetime | None = instant(nullable=True)


class FlowChange(SQLModel, table=True):
    """A batch moved from one flow to another after upload, with when and why."""

    __tablename__ = "flow_changes"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    batch_id: str = Field(foreign_key="batches.id", index=True)
    changed_at: datetime = instant(default=True)
    from_flow: str = Field(max_length=8)
    to_flow: str = Field(max_length=8)
    from_reason: str = Field(max_length=500)
    from_message: str = Field(default="", max_length=500)
    to_reason: str = Field(max_length=500)
    to_message: str = Field(default="", max_length=500)
    previous_due_at: datetime | None = instant(nullable=True)


class SlaBreach(SQLModel, table=True):
    """One document of a daily batch not finished by the batch's 48-hour due time."""

    __tablename__ = "sla_breaches"
    batch_id: str = Field(foreign_key="batches.id", primary_key=True, max_length=36)
    document_id: str = Field(primary_key=True, max_length=36)
    account_id: str = Field(foreign_key="accounts.id", index=True)
    due_at: datetime = instant()
    recorded_at: datetime = instant(default=True, index=True)

