"""Which workers are up, and how many pool processes each flow has: the workers say so themselves.

A worker announces itself when it starts and again every `HEARTBEAT_S` (`workers/presence.py`),
and withdraws when it stops. One killed without warning stops announcing: after `STALE_AFTER`
it no longer counts, and a day later its row is deleted by whichever worker announces next.

The ETA model reads the live pool of each flow (`live_concurrency`) to carry a measured per-process
rate from one flow to the other: daily and bulk workers are deployed apart, in different numbers
(the compose file runs four daily processes and two bulk ones).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

from ingest.platform.db import autocommit
from ingest.processing.tables import WorkerPresence

HEARTBEAT_S = 30.0
# Three missed heartbeats: a worker busy in a long task still announces (the heartbeat runs in its
# main process, not in the pool), so silence this long means it is gone.
STALE_AFTER = timedelta(seconds=3 * HEARTBEAT_S)
FORGET_AFTER = timedelta(days=1)

_table = SQLModel.metadata.tables[WorkerPresence.__tablename__]


def announce(engine: Engine, node: str, queues: Iterable[str], concurrency: int, now: datetime) -> None:
    """Record (or refresh) that `node` is up, consuming `queues` with `concurrency` processes."""
    values = {"queues": ",".join(queues), "concurrency": concurrency, "seen_at": now}
    with autocommit(engine) as conn:
        # One row per node, written only by that node: update, or insert the first time.
        if not conn.execute(_table.update().where(_table.c.node == node).values(**values)).rowcount:
            conn.execute(_table.insert().values(node=node, started_at=now, **values))
        conn.execute(_table.delete().where(_table.c.seen_at < now - FORGET_AFTER))


def withdraw(engine: Engine, node: str) -> None:
    """`node` is stopping: it no longer counts."""
    with autocommit(engine) as conn:
        conn.execute(_table.delete().where(_table.c.node == node))


def live_concurrency(conn: Connection, now: datetime) -> dict[str, int]:
    """Pool processes per logical queue, over the workers heard from within `STALE_AFTER`."""
    rows = conn.execute(sa.select(_table.c.queues, _table.c.concurrency)
                        .where(_table.c.seen_at >= now - STALE_AFTER)).all()
    pool: Counter[str] = Counter()
    for queues, concurrency in rows:
        for queue in filter(None, queues.split(",")):
            pool[queue] += concurrency
    return dict(pool)
