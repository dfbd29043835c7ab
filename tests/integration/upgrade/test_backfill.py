"""A backfill rewrites a table a batch at a time and goes on where it stopped; on both stacks."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ingest.platform.backfill import Backfilled, backfill
from ingest.platform.db import autocommit, make_engine


@pytest.fixture
def engine(empty_database: str) -> Iterator[Engine]:
    engine = make_engine(empty_database)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE items (id INTEGER PRIMARY KEY, old_reason VARCHAR(20), "
                             "reason VARCHAR(20))"))
        conn.execute(sa.text("INSERT INTO items (id, old_reason) VALUES (:id, :old)"),
                     [{"id": n, "old": f"code-{n}"} for n in range(1, 2_501)])
    yield engine
    engine.dispose()


def _left(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT count(*) FROM items WHERE reason IS NULL")).scalar_one())


def test_a_backfill_goes_batch_by_batch_and_a_second_run_takes_the_rest(engine: Engine) -> None:
    with autocommit(engine) as conn:
        first = backfill(conn, "items", "reason = old_reason", "reason IS NULL AND id <= 1200", batch_rows=500)
    assert first == Backfilled(rows=1200, batches=3)
    assert _left(engine) == 1300  # committed: seen from another connection
    with autocommit(engine) as conn:  # cut short above: the next run takes the rest, never a row twice
        rest = backfill(conn, "items", "reason = old_reason", "reason IS NULL", batch_rows=1000)
    assert rest == Backfilled(rows=1300, batches=2)
    with engine.connect() as conn:
        wrong = conn.execute(sa.text("SELECT count(*) FROM items WHERE reason <> old_reason")).scalar_one()
    assert _left(engine) == 0 and wrong == 0


def test_a_batch_of_no_rows_is_refused(engine: Engine) -> None:
    with autocommit(engine) as conn, pytest.raises(ValueError, match="batch_rows must be 1 or more"):
        backfill(conn, "items", "reason = old_reason", "reason IS NULL", batch_rows=0)
