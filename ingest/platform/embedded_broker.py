"""The embedded broker: kombu's SQLAlchemy transport on a SQLite file, made at-least-once.

kombu's transport hides a message from other consumers when one takes it, and never looks at it
again: an acknowledgement changes nothing in the file, so the file keeps every message ever sent,
and a consumer killed before it acknowledges takes its messages with it (they stay hidden for
good). A worker killed mid-task lost its document until the next ``serve`` start.

Here a consumer that takes a message writes down, in the same transaction, that this process took
it (``bordereau_taken``: the message, the taker's name from ``ingest.platform.processes``). Its
acknowledgement deletes the message; a requeue (Celery's reject on a lost pool child, a warm
shutdown's restore) deletes the taken copy once the new one is written. `restore_orphans` shows again
the messages whose taker no longer runs: each worker calls it as it starts, and beat's stale sweep
every minute, so a worker killed while it held a message delays that document by a minute at most.
Messages a consumer takes without acknowledgement (Celery's remote-control mailbox) are deleted as
they are taken.

Polled every 0.1 s while work comes, every second after ten seconds without any (an idle worker
then costs almost nothing); a worker's acknowledgement wakes its poll at once. With ``acks_late``
and a prefetch of 1 a worker cannot take a message while its task runs: at kombu's fixed 1 s
interval a worker processed about one document a second however small the documents were.
"""

from __future__ import annotations

import json
import threading
import weakref
from datetime import datetime, timedelta
from queue import Empty
from time import monotonic
from typing import Any

import sqlalchemy as sa
from kombu.transport.sqlalchemy import Channel, Transport

from ingest.platform.processes import gone, this_process

TAKEN = "bordereau_taken"
_TAKEN_DDL = (f"CREATE TABLE IF NOT EXISTS {TAKEN} (message_id INTEGER PRIMARY KEY, taker TEXT NOT NULL, "
              "taken_at TEXT NOT NULL)")
_READY_INDEX = "CREATE INDEX IF NOT EXISTS bordereau_ready ON {messages} (queue_id, visible, id)"
# Hidden messages nobody wrote down were taken by a release before this one: they were acknowledged
# (a task runs for minutes at most), and are deleted once this old.
_UNTRACKED_AFTER = timedelta(days=1)


_prepared: set[sa.Engine] = set()  # the broker files whose table of taken messages exists


def _tune(dbapi_connection: Any, _record: Any) -> None:
    """Write-ahead logging: a commit appends to the log instead of rewriting the file, and reads
    never wait for a writer. ``synchronous=NORMAL`` may lose the last commits on a power cut (not
    on a crash of a process): the embedded service's start hands every unfinished document out
    again (``resume_unfinished``), so a message lost so is sent again."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _stamp(at: datetime) -> str:
    """A time as kombu's DateTime column holds it on SQLite (local, naive)."""
    return at.strftime("%Y-%m-%d %H:%M:%S.%f")


class EmbeddedChannel(Channel):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[no-untyped-call]  # kombu: untyped
        self._no_ack_queues: set[str] = set()
        self._taken: dict[str, int] = {}  # delivery tag -> message row, while this channel holds it
        self._queue_ids: dict[str, int] = {}
        # Built once: a poll runs them ten times a second per queue while work comes.
        messages = self.message_cls.__tablename__
        self._sql_ready = sa.text(f"SELECT 1 FROM {messages} WHERE queue_id = :queue AND visible = 1 LIMIT 1")
        self._sql_take = sa.text(f"UPDATE {messages} SET visible = 0, timestamp = :now WHERE id = (SELECT id FROM "
                             f"{messages} WHERE queue_id = :queue AND visible = 1 ORDER BY id LIMIT 1) "
                             "RETURNING id, payload")
        self._sql_delete = sa.text(f"DELETE FROM {messages} WHERE id = :id")
        self._sql_note_taker = sa.text(f"INSERT INTO {TAKEN} (message_id, taker, taken_at) VALUES (:id, :taker, :at)")
        self._sql_forget_taker = sa.text(f"DELETE FROM {TAKEN} WHERE message_id = :id")

    def _engine_from_config(self) -> sa.Engine:
        engine: sa.Engine = super()._engine_from_config()  # type: ignore[no-untyped-call]  # kombu: untyped
        sa.event.listen(engine, "connect", _tune)
        return engine

    def _open(self) -> Any:
        opened = super()._open()  # type: ignore[no-untyped-call]  # kombu: untyped
        engine = opened[0]
        if engine not in _prepared:
            with engine.begin() as conn:
                conn.execute(sa.text(_TAKEN_DDL))
                conn.execute(sa.text(_READY_INDEX.format(messages=self.message_cls.__tablename__)))
            _prepared.add(engine)
        return opened

    def _queue_id(self, queue: str) -> int:
        if queue not in self._queue_ids:
            self._queue_ids[queue] = self._get_or_create(queue).id  # type: ignore[no-untyped-call]  # kombu: untyped
        return self._queue_ids[queue]

    def basic_consume(self, queue: str, no_ack: bool, *args: Any, **kwargs: Any) -> Any:
        if no_ack:
            self._no_ack_queues.add(queue)
        return super().basic_consume(queue, no_ack, *args, **kwargs)  # type: ignore[no-untyped-call]  # kombu: untyped

    def _get(self, queue: str, timeout: Any = None) -> dict[str, Any]:
        queue_id = self._queue_id(queue)
        session = self.session
        # Most polls find nothing: a read says so without the file's write lock, which three
        # queues polled ten times a second by each worker would otherwise keep taking.
        ready = session.execute(self._sql_ready, {"queue": queue_id}).first()
        session.commit()
        if ready is None:
            raise Empty()
        session.execute(sa.text("BEGIN IMMEDIATE TRANSACTION"))  # one taker per message
        try:
            now = _stamp(datetime.now())
            row = session.execute(self._sql_take, {"queue": queue_id, "now": now}).first()
            if row is None:
                raise Empty()
            payload: dict[str, Any] = json.loads(row.payload)
            if queue in self._no_ack_queues:
                session.execute(self._sql_delete, {"id": row.id})
            else:
                session.execute(self._sql_note_taker, {"id": row.id, "taker": this_process(), "at": now})
                self._taken[payload["properties"]["delivery_tag"]] = row.id
            return payload
        finally:
            session.commit()

    def basic_ack(self, delivery_tag: str, multiple: bool = False) -> None:
        super().basic_ack(delivery_tag, multiple)  # type: ignore[no-untyped-call]  # kombu: untyped
        self._forget(delivery_tag)

    def basic_reject(self, delivery_tag: str, requeue: bool = False) -> None:
        # A requeue writes the new copy first (`_restore`).
        super().basic_reject(delivery_tag, requeue)  # type: ignore[no-untyped-call]  # kombu: untyped
        self._forget(delivery_tag)

    def _restore(self, message: Any) -> None:
        super()._restore(message)  # type: ignore[no-untyped-call]  # kombu: untyped
        self._forget(message.delivery_tag)

    def _forget(self, delivery_tag: str) -> None:
        """Delete the message this channel took under `delivery_tag` (done, or written again).

        On a connection of its own: Celery acknowledges from the pool's result thread while the
        consumer's thread polls with the channel's session."""
        message_id = self._taken.pop(delivery_tag, None)
        if message_id is None:
            return
        with self._open()[0].begin() as conn:
            conn.execute(self._sql_delete, {"id": message_id})
            conn.execute(self._sql_forget_taker, {"id": message_id})
        self.connection.woken()  # the worker may take its next message at once


class EmbeddedTransport(Transport):
    """Polls every 0.1 s while messages come, slowing to every `IDLE_POLL_S` after `BUSY_S` without
    one; an acknowledgement (the worker is free again) wakes it at once."""

    Channel = EmbeddedChannel
    polling_interval = 0.1
    IDLE_POLL_S = 1.0
    BUSY_S = 10.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[no-untyped-call]  # kombu: untyped
        self._wake = threading.Event()
        self._busy_at = monotonic()
        self._stopping = False
        _TRANSPORTS.add(self)

    def woken(self) -> None:
        self._busy_at = monotonic()
        self._wake.set()

    def stop_waiting(self) -> None:
        """Take no more messages and end the current wait at once (a worker's warm shutdown)."""
        self._stopping = True
        self._wake.set()

    def drain_events(self, connection: Any, timeout: Any = None) -> None:  # type: ignore[override]  # as kombu's virtual transport
        started = monotonic()
        while True:
            if self._stopping:
                # Celery's loop only looks at its shutdown flag between two waits (of up to 2 s).
                raise TimeoutError()
            try:
                self.cycle.get(self._deliver, timeout=timeout)  # type: ignore[union-attr]  # set by kombu's init
            except Empty:
                now = monotonic()
                if timeout is not None and now - started >= timeout:
                    raise TimeoutError() from None
                pause = self.polling_interval if now - self._busy_at < self.BUSY_S else self.IDLE_POLL_S
                woken = self._wake.wait(pause if timeout is None else min(pause, timeout - (now - started)))
                self._wake.clear()
                if not woken and timeout is not None and monotonic() - started >= timeout:
                    raise TimeoutError() from None
            else:
                self._busy_at = monotonic()
                return


_TRANSPORTS: weakref.WeakSet[EmbeddedTransport] = weakref.WeakSet()


def stop_waiting() -> None:
    """Called from a worker's shutdown signal: every embedded connection of this process stops
    waiting for messages, so a warm shutdown starts at once instead of after the current poll."""
    for transport in list(_TRANSPORTS):
        transport.stop_waiting()


def restore_orphans(broker_url: str, messages: str = "kombu_message") -> int:
    """Show again the messages taken by processes that no longer run; delete hidden messages an
    earlier release left. The number of messages shown again."""
    engine = sa.create_engine(broker_url, connect_args={"timeout": 30})
    try:
        with engine.begin() as conn:
            if not sa.inspect(conn).has_table(messages):
                return 0
            conn.execute(sa.text(_TAKEN_DDL))
            takers = conn.execute(sa.text(f"SELECT DISTINCT taker FROM {TAKEN}")).scalars().all()
            restored = 0
            for taker in filter(gone, takers):
                restored += conn.execute(sa.text(
                    f"UPDATE {messages} SET visible = 1, timestamp = NULL WHERE id IN "
                    f"(SELECT message_id FROM {TAKEN} WHERE taker = :taker)"), {"taker": taker}).rowcount
                conn.execute(sa.text(f"DELETE FROM {TAKEN} WHERE taker = :taker"), {"taker": taker})
            conn.execute(sa.text(
                f"DELETE FROM {messages} WHERE visible = 0 AND timestamp < :before "
                f"AND id NOT IN (SELECT message_id FROM {TAKEN})"),
                {"before": _stamp(datetime.now() - _UNTRACKED_AFTER)})
            return restored
    finally:
        engine.dispose()
