"""the request behind each idempotency key

An upload sent again under its Idempotency-Key is answered with the first one's batch; sent under
the same key with other files, dossier or flow it is refused. The batch keeps the fingerprint of
the request that created it to tell the two apart. Batches recorded before have none and are
replayed as before.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("batches") as batch:
        batch.add_column(sa.Column("request_fingerprint", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("batches") as batch:
        batch.drop_column("request_fingerprint")
