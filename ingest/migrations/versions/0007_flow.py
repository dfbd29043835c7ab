"""daily flow and bulk archive: dispatcher cursor, flow changes, SLA breaches

Revision ID: 0007
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import ingest.platform.columns

revision = "0007"
down_revision = "0001"
branch_labels = None
depends_on = None


def _str(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def _instant() -> ingest.platform.columns.UTCDateTime:
    return ingest.platform.columns.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "dispatch_cursors",
        sa.Column("name", _str(32), nullable=False),
        sa.Column("cursor", sa.JSON(), nullable=False),
        sa.Column("rounds", sa.Integer(), nullable=False),
        sa.Column("dispatched", sa.Integer(), nullable=False),
        sa.Column("updated_at", _instant(), nullable=True),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "flow_changes",
        sa.Column("id", _str(36), nullable=False),
        sa.Column("batch_id", _str(36), sa.ForeignKey("batches.id"), nullable=False),
        sa.Column("changed_at", _instant(), nullable=False),
        sa.Column("from_flow", _str(8), nullable=False),
        sa.Column("to_flow", _str(8), nullable=False),
        sa.Column("from_reason", _str(500), nullable=False),
        sa.Column("to_reason", _str(500), nullable=False),
        sa.Column("previous_due_at", _instant(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_flow_changes_batch_id", "flow_changes", ["batch_id"])
    op.create_table(
        "sla_breaches",
        sa.Column("batch_id", _str(36), sa.ForeignKey("batches.id"), nullable=False),
        sa.Column("document_id", _str(36), nullable=False),
        sa.Column("account_id", _str(36), sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("due_at", _instant(), nullable=False),
        sa.Column("recorded_at", _instant(), nullable=False),
        sa.PrimaryKeyConstraint("batch_id", "document_id"),
    )
    op.create_index("ix_sla_breaches_account_id", "sla_breaches", ["account_id"])
    op.create_index("ix_sla_breaches_recorded_at", "sla_breaches", ["recorded_at"])
    # The dispatcher reads a dossier's oldest waiting documents; the ETA job groups the
    # unfinished ones. Both filter on state first, then dossier.
    op.create_index("ix_documents_state_dossier", "documents", ["state", "dossier_id"])
    # Open batches (not finished) are what the ETA and SLA job walks.
    op.create_index("ix_batches_finished_at", "batches", ["finished_at"])


def downgrade() -> None:
    op.drop_index("ix_batches_finished_at", table_name="batches")
    op.drop_index("ix_documents_state_dossier", table_name="documents")
    op.drop_table("sla_breaches")
    op.drop_table("flow_changes")
    op.drop_table("dispatch_cursors")
