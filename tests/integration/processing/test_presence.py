"""Workers announce themselves, with their queues and pool size, and withdraw when they stop."""

from __future__ import annotations

import socket
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from fastapi.testclient import TestClient

from ingest.platform.columns import utcnow
from ingest.processing import presence
from ingest.processing.tables import WorkerPresence
from tests.integration.conftest import Stack, WorkerProcess, wait_for


def _row(stack: Stack, w: WorkerProcess) -> tuple[str, int] | None:
    assert w.proc is not None
    node = f"bordereau-{w.proc.pid}@{socket.gethostname()}"
    table = WorkerPresence.__table__  # type: ignore[attr-defined]
    with stack.engine.connect() as conn:
        row = conn.execute(sa.select(table.c.queues, table.c.concurrency).where(table.c.node == node)).first()
    return (row[0], row[1]) if row else None


def test_workers_announce_their_pool_and_withdraw_when_they_stop(stack: Stack, client: TestClient,
                                                                 operator_headers: dict[str, str],
                                                                 tmp_path: Path) -> None:
    bulk = WorkerProcess(stack, tmp_path / "bulk.log", concurrency=2, queues="bulk").start()
    daily = WorkerProcess(stack, tmp_path / "daily.log", concurrency=1, queues="daily,ops").start()
    try:
        wait_for(lambda: _row(stack, bulk) is not None and _row(stack, daily) is not None, 60,
                 what="both workers' presence")
        assert _row(stack, bulk) == ("bulk", 2)
        assert _row(stack, daily) == ("daily,ops", 1)
        with stack.engine.connect() as conn:
            concurrency = presence.live_concurrency(conn, utcnow())
        assert concurrency["bulk"] >= 2 and concurrency["daily"] >= 1 and concurrency["ops"] >= 1
        metrics = client.get("/metrics", headers=operator_headers).text
        assert f'bordereau_worker_concurrency{{queue="bulk"}} {float(concurrency["bulk"])}' in metrics
        assert f'bordereau_worker_slots{{queue="bulk"}} {float(concurrency["bulk"])}' in metrics  # deprecated

        bulk.stop()  # a warm shutdown withdraws
        assert _row(stack, bulk) is None, bulk.log()
        daily.stop(9)  # a killed worker cannot: its row stays, and stops counting once stale
        assert _row(stack, daily) == ("daily,ops", 1)
        later = utcnow() + presence.STALE_AFTER + timedelta(seconds=1)
        with stack.engine.connect() as conn:
            assert presence.live_concurrency(conn, later) == {}
    finally:
        bulk.stop(9)
        daily.stop(9)
