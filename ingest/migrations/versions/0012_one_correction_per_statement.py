"""a statement is corrected at most once

A correction cancels what its target billed; correcting the same statement twice would cancel it
twice. Only the latest statement of a chain may be corrected (``ingest.billing.statements``), and
this constraint settles two operators correcting at the same moment. NULLs (regular statements,
and corrections' own ``corrects_id`` is never NULL) never collide.

On SQLite the rule is a unique index of the same name. A unique constraint there means copying
the table, and dropping the old `statements` fails once statement lines refer to it (the
upgrade test found it: a database with a statement could not pass this revision). SQLite
enforces the index exactly as it would the constraint. PostgreSQL adds the constraint in place.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

_NAME = "uq_statements_corrects"


def _sqlite() -> bool:
    return bool(op.get_bind().dialect.name == "sqlite")


def upgrade() -> None:
    if _sqlite():
        op.create_index(_NAME, "statements", ["corrects_id"], unique=True)
        return
    op.create_unique_constraint(_NAME, "statements", ["corrects_id"])


def downgrade() -> None:
    if _sqlite() and _NAME in {ix["name"] for ix in sa.inspect(op.get_bind()).get_indexes("statements")}:
        op.drop_index(_NAME, table_name="statements")
        return
    with op.batch_alter_table("statements") as batch:  # PostgreSQL, or a SQLite database upgraded before
        batch.drop_constraint(_NAME, type_="unique")
