"""documents by finish time

The throughput the ETAs and the bulk dispatcher rest on is read from the most
recently finished documents (ORDER BY finished_at DESC LIMIT n): without this
index every reading sorted the whole table.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_documents_finished_at", "documents", ["finished_at"])


def downgrade() -> None:
    op.drop_index("ix_documents_finished_at", table_name="documents")
