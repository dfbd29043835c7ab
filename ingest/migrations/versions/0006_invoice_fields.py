"""invoice understanding: fields, flags, e-invoice profile, invoice date, duplicates

Revision ID: 0006
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("fields", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("flags", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("einvoice_profile", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("invoice_date", sa.Date(), nullable=True))
        # supplier | invoice number | total incl. tax: the key duplicates share.
        batch.add_column(sa.Column("invoice_key", sa.String(length=300), nullable=True))
        batch.add_column(sa.Column("duplicate_of", sa.String(length=36), nullable=True))
        batch.create_index("ix_documents_invoice_key", ["invoice_key"])


def downgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.drop_index("ix_documents_invoice_key")
        for column in ("duplicate_of", "invoice_key", "invoice_date", "einvoice_profile", "flags", "fields"):
            batch.drop_column(column)
