"""one name per concept: leases, flow decisions as a reason and a message, the ui probe

- documents: a worker holds a document under a *lease* (the word "claim" is the credit
  claim's): ``claim_token`` becomes ``lease_token`` and ``claimed_by`` becomes ``leased_by``.
- batches and flow_changes: a flow decision is stored as documents store a refusal, a stable
  ``reason`` code and a ``message`` sentence, where one column held "code: sentence". A stored
  value without a code (rows older than the codes) keeps its sentence and gets an empty reason.
- probe_measurements: the web interface's probe is ``ui`` (the booklet's "IHM").

Each data rewrite is one set-based statement: batches, flow changes and probe measurements are
small tables next to documents, whose rename touches no row.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

# (table, column holding "code: sentence", the new column for the sentence)
_DECISIONS = (("batches", "flow_reason", "flow_message"),
              ("flow_changes", "from_reason", "from_message"),
              ("flow_changes", "to_reason", "to_message"))


def upgrade() -> None:
    # A plain RENAME COLUMN (SQLite 3.25 and later, PostgreSQL): no copy of the documents table.
    op.execute("ALTER TABLE documents RENAME COLUMN claim_token TO lease_token")
    op.execute("ALTER TABLE documents RENAME COLUMN claimed_by TO leased_by")
    for table, reason, message in _DECISIONS:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column(message, sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False,
                                       server_default=""))
        _split(table, reason, message)
    op.execute("UPDATE probe_measurements SET probe = 'ui' WHERE probe = 'ihm'")


def _split(table: str, reason: str, message: str) -> None:
    find = "strpos" if op.get_bind().dialect.name == "postgresql" else "instr"
    at = f"{find}({reason}, ': ')"
    code = f"substr({reason}, 1, {at} - 1)"
    coded = f"{at} > 0 AND {find}({code}, ' ') = 0"
    # Every SET reads the row as it was before the statement, on both backends.
    op.execute(f"UPDATE {table} SET {message} = CASE WHEN {coded} THEN substr({reason}, {at} + 2) ELSE {reason} END, "
               f"{reason} = CASE WHEN {coded} THEN {code} ELSE '' END WHERE {reason} <> ''")


def downgrade() -> None:
    op.execute("UPDATE probe_measurements SET probe = 'ihm' WHERE probe = 'ui'")
    for table, reason, message in reversed(_DECISIONS):
        op.execute(f"UPDATE {table} SET {reason} = {reason} || ': ' || {message} WHERE {reason} <> ''")
        op.execute(f"UPDATE {table} SET {reason} = {message} WHERE {reason} = ''")
        with op.batch_alter_table(table) as batch:
            batch.drop_column(message)
    op.execute("ALTER TABLE documents RENAME COLUMN leased_by TO claimed_by")
    op.execute("ALTER TABLE documents RENAME COLUMN lease_token TO claim_token")
