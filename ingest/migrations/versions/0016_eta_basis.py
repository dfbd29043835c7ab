"""a batch's ETA says what it stands on, and gives a range when that is not the flow's own history;
the bulk dispatcher books its next round

`eta_basis` is `measured`, `borrowed` or `none` (ingest.flow.eta.EtaBasis); `eta_earliest` and
`eta_latest` bound the ETA when it is not measured. Rows written before have none of them until
the next ETA refresh, a few seconds after the upgrade. `dispatch_cursors.next_round_at`: when the
round a dispatch round booked is due (null: none booked; beat's safety net starts the next chain).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ingest.platform.columns

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("batches") as batch:
        batch.add_column(sa.Column("eta_basis", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("eta_earliest", ingest.platform.columns.UTCDateTime(timezone=True),
                                   nullable=True))
        batch.add_column(sa.Column("eta_latest", ingest.platform.columns.UTCDateTime(timezone=True),
                                   nullable=True))
    with op.batch_alter_table("dispatch_cursors") as cursors:
        cursors.add_column(sa.Column("next_round_at", ingest.platform.columns.UTCDateTime(timezone=True),
                                     nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dispatch_cursors") as cursors:
        cursors.drop_column("next_round_at")
    with op.batch_alter_table("batches") as batch:
        batch.drop_column("eta_latest")
        batch.drop_column("eta_earliest")
        batch.drop_column("eta_basis")
