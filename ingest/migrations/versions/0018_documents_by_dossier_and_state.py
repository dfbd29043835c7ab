"""documents indexed by dossier and state, so that a dossier's figures read the index alone

The dossiers page counts each dossier's documents and its unfinished ones. With the index on
`dossier_id` alone, that count read every document row of the account (447 ms for 200,000 documents,
bench_pages); with `(dossier_id, state)` it reads only the index. The new index leads with
`dossier_id`, so it replaces `ix_documents_dossier_id` for every other lookup by dossier.

On PostgreSQL the index is built CONCURRENTLY, outside the migration's transaction, so that writes
to `documents` go on while it builds (docs/operations.md, "Upgrades").

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

NEW = "ix_documents_dossier_id_state"
OLD = "ix_documents_dossier_id"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        with op.get_context().autocommit_block():
            op.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {NEW} ON documents (dossier_id, state)")
            op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {OLD}")
        return
    op.create_index(NEW, "documents", ["dossier_id", "state"])
    op.drop_index(OLD, table_name="documents")


def downgrade() -> None:
    op.create_index(OLD, "documents", ["dossier_id"])
    op.drop_index(NEW, table_name="documents")
