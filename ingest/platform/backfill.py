"""Rewriting a large table a batch at a time, for migrations (docs/operations.md, "Upgrades").

One UPDATE over a whole table holds a lock on every row it touched until it commits: the API and
the workers wait on those rows for the whole rewrite. A batch at a time, each committed on its own,
holds a few thousand rows for a moment instead. Each batch commits as it ends only on a connection
in autocommit: in a migration, Alembic's autocommit block; elsewhere ``ingest.platform.db.autocommit``::

    with op.get_context().autocommit_block():
        backfill(op.get_bind(), "documents", "new_column = old_column", "new_column IS NULL")
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

BATCH_ROWS = 5_000


@dataclass(frozen=True)
class Backfilled:
    rows: int
    batches: int


def backfill(conn: sa.Connection, table: str, assignments: str, pending: str, *, key: str = "id",
             batch_rows: int = BATCH_ROWS) -> Backfilled:
    """``UPDATE table SET assignments`` on the rows where ``pending`` holds, ``batch_rows`` at a time.

    ``pending`` must stop holding once a row is rewritten (``new IS NULL`` for ``new = f(old)``):
    it is how each batch finds the next rows, and how a backfill cut short goes on where it stopped.
    The names are the migration's own text, never a user's."""
    if batch_rows < 1:
        raise ValueError(f"batch_rows must be 1 or more, not {batch_rows}")
    statement = sa.text(f"UPDATE {table} SET {assignments} WHERE {key} IN "
                        f"(SELECT {key} FROM {table} WHERE {pending} ORDER BY {key} LIMIT :n)")
    rows = batches = 0
    while True:
        done = conn.execute(statement, {"n": batch_rows}).rowcount
        if not done:
            return Backfilled(rows, batches)
        rows, batches = rows + done, batches + 1
