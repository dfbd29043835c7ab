"""support requests, their events and attachments; maintenance windows

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ingest.platform.columns import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _id(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.String(length=36), nullable=nullable)


def _instant(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "support_requests",
        _id("id"), _id("account_id"), _id("registered_by"),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("context", sa.Text(), nullable=False),
        sa.Column("error_messages", sa.Text(), nullable=False),
        sa.Column("steps", sa.Text(), nullable=False),
        _instant("registered_at"), _instant("picked_up_at", True), _instant("qualified_at", True),
        sa.Column("qualification", sa.String(length=16), nullable=True),
        sa.Column("criticality", sa.Integer(), nullable=True),
        _instant("due_at", True), _instant("met_at", True), _instant("closed_at", True),
        _instant("last_event_at"),
        sa.Column("attachment_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"]),
        sa.ForeignKeyConstraint(["registered_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_support_requests_account_id", "support_requests", ["account_id"])
    op.create_index("ix_support_requests_due_at", "support_requests", ["due_at"])
    op.create_index("ix_support_requests_registered_at", "support_requests", ["registered_at"])

    op.create_table(
        "support_events",
        sa.Column("id", sa.Integer(), nullable=False),
        _id("request_id"),
        sa.Column("kind", sa.String(length=32), nullable=False),
        _instant("at"), _id("by_user_id"),
        sa.Column("by_role", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("criticality", sa.Integer(), nullable=True),
        _instant("recorded_at"),
        sa.ForeignKeyConstraint(["request_id"], ["support_requests.id"]),
        sa.ForeignKeyConstraint(["by_user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_support_events_request_id", "support_events", ["request_id"])

    op.create_table(
        "support_attachments",
        _id("id"), _id("request_id"),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=500), nullable=False),
        sa.Column("object_key", sa.String(length=300), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=200), nullable=False),
        _id("uploaded_by"), _instant("uploaded_at"),
        sa.ForeignKeyConstraint(["request_id"], ["support_requests.id"]),
        sa.ForeignKeyConstraint(["uploaded_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("request_id", "number"),
    )
    op.create_index("ix_support_attachments_request_id", "support_attachments", ["request_id"])

    op.create_table(
        "maintenance_windows",
        _id("id"), _instant("starts_at"), _instant("ends_at"),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        _instant("recorded_at"), _id("recorded_by"),
        sa.ForeignKeyConstraint(["recorded_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_maintenance_windows_starts_at", "maintenance_windows", ["starts_at"])
    op.create_index("ix_maintenance_windows_ends_at", "maintenance_windows", ["ends_at"])


def downgrade() -> None:
    op.drop_table("maintenance_windows")
    op.drop_table("support_attachments")
    op.drop_table("support_events")
    op.drop_table("support_requests")
