"""documents by finish time; originals by bytes and invoice key

The throughput the ETAs and the bulk dispatcher rest on is read from the most
recently finished documents (ORDER BY finished_at DESC LIMIT n): without an
index every reading sorted the whole table.

Finishing a document looks up the original it may repeat in its dossier
(`ingest.processing.duplicates.find_original`): the processed, non-duplicate documents
with the same bytes or invoice key. The plain sha256 index also holds every
duplicate, so a dossier that received one file many times made each lookup
walk all its copies (bench_flow, whose archives repeat one file: the bulk
rate fell by a third over 20,000 documents). Partial indexes hold originals
only: one entry per distinct file or invoice of a dossier.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

_ORIGINALS = "state = 'processed' AND duplicate_of IS NULL"


def upgrade() -> None:
    op.create_index("ix_documents_finished_at", "documents", ["finished_at"])
    for name, column in (("ix_documents_original_sha256", "sha256"),
                         ("ix_documents_original_invoice_key", "invoice_key")):
        op.create_index(name, "documents", ["dossier_id", column],
                        postgresql_where=sa.text(_ORIGINALS), sqlite_where=sa.text(_ORIGINALS))


def downgrade() -> None:
    op.drop_index("ix_documents_original_invoice_key", table_name="documents")
    op.drop_index("ix_documents_original_sha256", table_name="documents")
    op.drop_index("ix_documents_finished_at", table_name="documents")
