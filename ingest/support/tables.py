"""Tables of support requests (docs/contract.md §2) and maintenance windows (docs/contract.md §3, §8).

A support request keeps its history as events; the columns of the request itself are a summary of
those events (when it was picked up, qualified, when its deadline was met), kept so that the lists
can be filtered and sorted in SQL.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from ingest.platform.columns import instant, new_id


class SupportRequest(SQLModel, table=True):
    __tablename__ = "support_requests"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    account_id: str = Field(foreign_key="accounts.id", index=True, max_length=36)
    registered_by: str = Field(foreign_key="users.id", max_length=36)
    description: str = Field(sa_type=sa.Text)
    context: str = Field(default="", sa_type=sa.Text)
    error_messages: str = Field(default="", sa_type=sa.Text)
    steps: str = Field(default="", sa_type=sa.Text)
    registered_at: datetime = instant(default=True, index=True)
    picked_up_at: datetime | None = instant(nullable=True)
    qualified_at: datetime | None = instant(nullable=True)
    # 'anomaly' or 'not_an_anomaly' once qualified; criticality 1, 2, 3 for an anomaly.
    qualification: str | None = Field(default=None, max_length=16)
    criticality: int | None = None
    due_at: datetime | None = instant(nullable=True, index=True)
    # The first event that meets the deadline: the action plan (1), a workaround or a fix (2).
    met_at: datetime | None = instant(nullable=True)
    closed_at: datetime | None = instant(nullable=True)
    # Instant of the latest event: a new event may not be recorded before it.
    last_event_at: datetime = instant(default=True)
    attachment_count: int = 0


class SupportEvent(SQLModel, table=True):
    """One step of a request's history: who did what, when, and what they wrote."""

    __tablename__ = "support_events"
    id: int | None = Field(default=None, primary_key=True)
    request_id: str = Field(foreign_key="support_requests.id", index=True, max_length=36)
    kind: str = Field(max_length=32)
    at: datetime = instant(default=True)
    by_user_id: str = Field(foreign_key="users.id", max_length=36)
    by_role: str = Field(max_length=16)
    text: str = Field(default="", sa_type=sa.Text)
    criticality: int | None = None
    recorded_at: datetime = instant(default=True)


class SupportAttachment(SQLModel, table=True):
    __tablename__ = "support_attachments"
    __table_args__ = (sa.UniqueConstraint("request_id", "number"),)
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    request_id: str = Field(foreign_key="support_requests.id", index=True, max_length=36)
    number: int  # 1, 2, … within the request; part of the object key
    filename: str = Field(max_length=500)
    object_key: str = Field(max_length=300)
    size: int
    content_type: str = Field(default="application/octet-stream", max_length=200)
    uploaded_by: str = Field(foreign_key="users.id", max_length=36)
    uploaded_at: datetime = instant(default=True)


class MaintenanceWindow(SQLModel, table=True):
    """An announced maintenance window [starts_at, ends_at); ``kind`` is fixed when it is recorded.
    The availability rule reads it as ``ingest.contract.availability.MaintenanceWindow``."""

    __tablename__ = "maintenance_windows"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    starts_at: datetime = instant(index=True)
    ends_at: datetime = instant(index=True)
    description: str = Field(default="", sa_type=sa.Text)
    kind: str = Field(max_length=16)  # WindowKind: 'scheduled' or 'urgent'
    recorded_at: datetime = instant(default=True)
    recorded_by: str = Field(foreign_key="users.id", max_length=36)
