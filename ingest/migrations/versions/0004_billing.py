"""billing: subscriptions, plan versions, usage warnings, statements

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ingest.platform.columns

revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None

UTC = ingest.platform.columns.UTCDateTime(timezone=True)


def _id(name: str, *args: object, **kw: object) -> sa.Column:
    return sa.Column(name, sa.String(36), *args, **kw)  # type: ignore[arg-type]


def upgrade() -> None:
    op.create_table(
        "subscriptions",
        _id("account_id", sa.ForeignKey("accounts.id"), primary_key=True),
        sa.Column("activation_at", UTC, nullable=False),
        sa.Column("created_at", UTC, nullable=False),
    )
    op.create_table(
        "plan_versions",
        sa.Column("id", sa.Integer(), primary_key=True),
        _id("account_id", sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("effective_period_index", sa.Integer(), nullable=False),
        sa.Column("packs", sa.Integer(), nullable=False),
        sa.Column("pack_size", sa.Integer(), nullable=False),
        sa.Column("pack_price_cents", sa.Integer(), nullable=False),
        sa.Column("named_users", sa.Integer(), nullable=False),
        sa.Column("extra_document_price_cents", sa.Integer(), nullable=False),
        sa.Column("extra_user_price_cents", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        _id("created_by", nullable=True),
    )
    op.create_index("ix_plan_versions_account_id", "plan_versions", ["account_id"])
    op.create_table(
        "usage_warnings",
        _id("account_id", sa.ForeignKey("accounts.id"), primary_key=True),
        sa.Column("period_index", sa.Integer(), primary_key=True),
        sa.Column("threshold", sa.Integer(), primary_key=True),
        sa.Column("reached_at", UTC, nullable=False),
        sa.Column("recorded_at", UTC, nullable=False),
    )
    op.create_table(
        "statements",
        _id("id", primary_key=True),
        _id("account_id", sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("period_index", sa.Integer(), nullable=False),
        sa.Column("regular_period_index", sa.Integer(), nullable=True),
        sa.Column("period_start", UTC, nullable=False),
        sa.Column("period_end", UTC, nullable=False),
        _id("corrects_id", nullable=True),
        sa.Column("total_cents", sa.Integer(), nullable=False),
        sa.Column("issued_at", UTC, nullable=False),
        sa.UniqueConstraint("account_id", "number", name="uq_statements_account_number"),
        sa.UniqueConstraint("account_id", "regular_period_index", name="uq_statements_account_period"),
    )
    op.create_index("ix_statements_account_id", "statements", ["account_id"])
    op.create_table(
        "statement_lines",
        _id("statement_id", sa.ForeignKey("statements.id"), primary_key=True),
        sa.Column("position", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("period_index", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price_cents", sa.String(40), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(300), nullable=False),
    )
    op.create_table(
        "billed_lines",
        _id("account_id", sa.ForeignKey("accounts.id"), primary_key=True),
        sa.Column("period_index", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(32), primary_key=True),
        _id("statement_id", sa.ForeignKey("statements.id"), nullable=False),
    )
    # Consumption is counted per account over a period's bounds: one composite index serves
    # it (0001 indexes the two columns apart).
    op.create_index("ix_usage_records_account_counted", "usage_records", ["account_id", "counted_at"])


def downgrade() -> None:
    op.drop_index("ix_usage_records_account_counted", table_name="usage_records")
    op.drop_table("billed_lines")
    op.drop_table("statement_lines")
    op.drop_index("ix_statements_account_id", table_name="statements")
    op.drop_table("statements")
    op.drop_table("usage_warnings")
    op.drop_index("ix_plan_versions_account_id", table_name="plan_versions")
    op.drop_table("plan_versions")
    op.drop_table("subscriptions")
