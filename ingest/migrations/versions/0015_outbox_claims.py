"""outbox rows are claimed before they are published

Several relays run at once (the API after each upload, the periodic relay, the dispatcher). Each
now claims the rows it will publish for a short lease, in one statement, so that no two publish the
same row; a relay that dies after claiming leaves its rows to the next one once the lease is over.
Rows written before have no claim and are taken as usual.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ingest.platform.columns

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("claimed_until", ingest.platform.columns.UTCDateTime(timezone=True),
                                   nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("claimed_until")
