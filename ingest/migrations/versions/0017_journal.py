"""the purchase journal: supplier accounts, each dossier's journal settings, field corrections

`supplier_accounts` holds each dossier's suppliers' auxiliary accounts (under 401), opened the first
time an invoice of the supplier is exported or reviewed, renamable; `journal_settings` a dossier's
expense account when it is not the default (607000); `field_corrections` what a person corrected of
a document's fields, kept apart so that reprocessing never overwrites it. Entries are not stored: they are made from the
documents' fields at each export. Nothing existing changes.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import ingest.platform.columns

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

_ID = sqlmodel.sql.sqltypes.AutoString(length=36)


def upgrade() -> None:
    op.create_table(
        "supplier_accounts",
        sa.Column("id", _ID, nullable=False),
        sa.Column("dossier_id", _ID, nullable=False),
        sa.Column("supplier_key", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("expense_account", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
        sa.Column("created_at", ingest.platform.columns.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["dossier_id"], ["dossiers.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dossier_id", "supplier_key"),
    )
    op.create_index("ix_supplier_accounts_dossier_id", "supplier_accounts", ["dossier_id"])
    op.create_table(
        "journal_settings",
        sa.Column("dossier_id", _ID, nullable=False),
        sa.Column("expense_account", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.ForeignKeyConstraint(["dossier_id"], ["dossiers.id"]),
        sa.PrimaryKeyConstraint("dossier_id"),
    )
    op.create_table(
        "field_corrections",
        sa.Column("document_id", _ID, nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("corrected_by", _ID, nullable=True),
        sa.Column("corrected_at", ingest.platform.columns.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("document_id"),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE"),
    )


def downgrade() -> None:
    op.drop_table("field_corrections")
    op.drop_table("journal_settings")
    op.drop_index("ix_supplier_accounts_dossier_id", table_name="supplier_accounts")
    op.drop_table("supplier_accounts")
