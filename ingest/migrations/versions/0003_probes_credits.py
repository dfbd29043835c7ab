"""probe measurements and credit claims

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ingest.platform.columns import UTCDateTime

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "probe_measurements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("probe", sa.String(length=8), nullable=False),
        sa.Column("at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("latency_ms", sa.Float(), nullable=True),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("probe", "at", "source", name="uq_probe_measurements_probe_at_source"),
    )
    op.create_index("ix_probe_measurements_at", "probe_measurements", ["at"])
    op.create_table(
        "credit_claims",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("filed_by", sa.String(length=36), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("filed_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("decided_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("counted_hours", sa.Integer(), nullable=True),
        sa.Column("ko_hours", sa.Integer(), nullable=True),
        sa.Column("availability_percent", sa.String(length=8), nullable=True),
        sa.Column("credit_percent", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"]),
        sa.ForeignKeyConstraint(["filed_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("account_id", "month", name="uq_credit_claims_account_month"),
    )
    op.create_index("ix_credit_claims_account_id", "credit_claims", ["account_id"])
    op.create_index("ix_credit_claims_outcome", "credit_claims", ["outcome"])


def downgrade() -> None:
    op.drop_index("ix_credit_claims_outcome", table_name="credit_claims")
    op.drop_index("ix_credit_claims_account_id", table_name="credit_claims")
    op.drop_table("credit_claims")
    op.drop_index("ix_probe_measurements_at", table_name="probe_measurements")
    op.drop_table("probe_measurements")
