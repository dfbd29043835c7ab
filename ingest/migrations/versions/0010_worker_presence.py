"""workers that are up, with their queues and pool size

A flow with no measurements of its own (the first archive a deployment sees)
is costed on the other flow's: the per-document cost carries over, but the
pool does not, since daily and bulk workers are deployed apart and in different
numbers. Each worker records here which queues it consumes and with how many
processes, so such a first estimate is scaled to the pool that will do the work.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import ingest.platform.columns

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "worker_presence",
        sa.Column("node", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("queues", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("concurrency", sa.Integer(), nullable=False),
        sa.Column("started_at", ingest.platform.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("seen_at", ingest.platform.columns.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("node"),
    )
    op.create_index("ix_worker_presence_seen_at", "worker_presence", ["seen_at"])


def downgrade() -> None:
    op.drop_index("ix_worker_presence_seen_at", table_name="worker_presence")
    op.drop_table("worker_presence")
