"""two-year history: purge runs, per-dossier results, tombstones, lock, integrity reports

Revision ID: 0005
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ingest.platform.columns

revision = "0005"
down_revision = "0001"
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, ingest.platform.columns.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "purge_runs",
        sa.Column("id", sa.String(36), primary_key=True),
        _when("as_of"),
        sa.Column("history_start", sa.Date(), nullable=False),
        _when("started_at"),
        _when("ended_at", nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("documents", sa.Integer(), nullable=False),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.Column("objects", sa.Integer(), nullable=False),
        sa.Column("failures", sa.JSON(), nullable=False),
        sa.Column("failure_count", sa.Integer(), nullable=False),
        sa.Column("message", sa.String(1000), nullable=True),
    )
    op.create_index("ix_purge_runs_started_at", "purge_runs", ["started_at"])
    op.create_table(
        "purge_run_dossiers",
        sa.Column("run_id", sa.String(36), sa.ForeignKey("purge_runs.id"), primary_key=True),
        sa.Column("dossier_id", sa.String(36), primary_key=True),
        sa.Column("account_id", sa.String(36), nullable=False),
        sa.Column("documents", sa.Integer(), nullable=False),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_purge_run_dossiers_account_id", "purge_run_dossiers", ["account_id"])
    op.create_table(
        "tombstones",
        sa.Column("document_id", sa.String(36), primary_key=True),
        sa.Column("dossier_id", sa.String(36), nullable=False),
        sa.Column("account_id", sa.String(36), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        _when("received_at"),
        sa.Column("reference_date", sa.Date(), nullable=True),
        sa.Column("purge_run_id", sa.String(36), nullable=False),
        _when("purged_at"),
    )
    for column in ("dossier_id", "account_id", "purge_run_id"):
        op.create_index(f"ix_tombstones_{column}", "tombstones", [column])
    op.create_table(
        "purge_locks",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("holder", sa.String(64), nullable=True),
        _when("lease_until", nullable=True),
    )
    op.create_table(
        "integrity_reports",
        sa.Column("id", sa.String(36), primary_key=True),
        _when("started_at"),
        _when("ended_at", nullable=True),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("objects_scanned", sa.Integer(), nullable=False),
        sa.Column("orphans_found", sa.Integer(), nullable=False),
        sa.Column("orphans_removed", sa.Integer(), nullable=False),
        sa.Column("orphans_young", sa.Integer(), nullable=False),
        sa.Column("missing_count", sa.Integer(), nullable=False),
        sa.Column("missing", sa.JSON(), nullable=False),
        sa.Column("failures", sa.JSON(), nullable=False),
    )
    op.create_index("ix_integrity_reports_started_at", "integrity_reports", ["started_at"])


def downgrade() -> None:
    op.drop_table("integrity_reports")
    op.drop_table("purge_locks")
    op.drop_table("tombstones")
    op.drop_table("purge_run_dossiers")
    op.drop_table("purge_runs")
