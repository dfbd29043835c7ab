"""a statement is corrected at most once

A correction cancels what its target billed; correcting the same statement twice would cancel it
twice. Only the latest statement of a chain may be corrected (``ingest.billing.statements``), and
this constraint settles two operators correcting at the same moment. NULLs (regular statements,
and corrections' own ``corrects_id`` is never NULL) never collide.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("statements") as batch:
        batch.create_unique_constraint("uq_statements_corrects", ["corrects_id"])


def downgrade() -> None:
    with op.batch_alter_table("statements") as batch:
        batch.drop_constraint("uq_statements_corrects", type_="unique")
