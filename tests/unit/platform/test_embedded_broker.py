"""The embedded broker loses nothing with a consumer that dies, and keeps no message once done."""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from queue import Empty

import pytest
from kombu import Connection, Exchange, Queue

from ingest.platform.embedded_broker import TAKEN, restore_orphans

QUEUE = Queue("work", Exchange("ex", type="direct"), routing_key="work")


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'broker.sqlite3'}"


@pytest.fixture
def connection(url: str) -> Iterator[Connection]:
    with Connection(url, transport="ingest.platform.embedded_broker:EmbeddedTransport") as conn:
        yield conn


def _publish(connection: Connection, *bodies: str) -> None:
    with connection.Producer() as producer:
        for body in bodies:
            producer.publish(body, exchange=QUEUE.exchange, routing_key="work", declare=[QUEUE])


def _take(connection: Connection) -> object:
    return connection.SimpleQueue(QUEUE).get(block=False)


def _rows(url: str, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
        return db.execute(sql).fetchall()


def _take_then_die(url: str) -> None:
    """A consumer in a child process takes one message and is killed before it acknowledges."""
    pid = os.fork()
    if pid == 0:  # a fresh connection of its own, as a worker has
        with Connection(url, transport="ingest.platform.embedded_broker:EmbeddedTransport") as conn:
            _take(conn)
            os.kill(os.getpid(), signal.SIGKILL)
    os.waitpid(pid, 0)


def test_a_message_taken_by_a_consumer_that_died_comes_back(connection: Connection, url: str) -> None:
    _publish(connection, "a")
    _take_then_die(url)
    assert _rows(url, f"SELECT count(*) FROM {TAKEN}") == [(1,)]
    with pytest.raises(Empty):
        _take(connection)  # hidden while its taker is written down
    assert restore_orphans(url) == 1
    again = _take(connection)
    assert again.payload == "a"  # type: ignore[attr-defined]
    assert restore_orphans(url) == 0  # its taker (this process) runs


def test_an_acknowledged_message_leaves_the_file(connection: Connection, url: str) -> None:
    _publish(connection, "a", "b")
    message = _take(connection)
    message.ack()  # type: ignore[attr-defined]
    assert _rows(url, "SELECT count(*) FROM kombu_message") == [(1,)]  # "b" only
    assert _rows(url, f"SELECT count(*) FROM {TAKEN}") == [(0,)]


def test_a_requeued_message_is_not_kept_twice(connection: Connection, url: str) -> None:
    _publish(connection, "a")
    _take(connection).requeue()  # type: ignore[attr-defined]
    assert _rows(url, "SELECT visible FROM kombu_message") == [(1,)]
    assert _rows(url, f"SELECT count(*) FROM {TAKEN}") == [(0,)]
    assert _take(connection).payload == "a"  # type: ignore[attr-defined]


def test_hidden_messages_an_earlier_release_left_are_deleted_after_a_day(connection: Connection, url: str) -> None:
    _publish(connection, "old", "recent")
    long_ago = (datetime.now() - timedelta(days=2)).strftime("%Y-%m-%d %H:%M:%S.%f")
    (old,), (recent,) = _rows(url, "SELECT id FROM kombu_message ORDER BY id")
    with sqlite3.connect(url.removeprefix("sqlite:///")) as db:  # as kombu's own transport left them
        db.execute("UPDATE kombu_message SET visible = 0, timestamp = ? WHERE id = ?", (long_ago, old))
        db.execute("UPDATE kombu_message SET visible = 0, timestamp = ? WHERE id = ?",
                   (datetime.now().strftime("%Y-%m-%d %H:%M:%S.%f"), recent))
    restore_orphans(url)
    assert _rows(url, "SELECT id FROM kombu_message") == [(recent,)]


def test_a_file_no_consumer_opened_yet_has_nothing_to_restore(tmp_path: Path) -> None:
    assert restore_orphans(f"sqlite:///{tmp_path / 'fresh.sqlite3'}") == 0


def _consume(connection: Connection, received: list[object]) -> object:
    consumer = connection.Consumer(QUEUE, callbacks=[lambda body, message: received.append(body)], no_ack=True)
    consumer.consume()
    return consumer


def test_an_idle_consumer_polls_seldom(connection: Connection) -> None:
    received: list[object] = []
    _consume(connection, received)
    transport = connection.transport
    transport.BUSY_S, transport.IDLE_POLL_S = 0, 0.5
    polls = 0
    channel_get = connection.default_channel._get

    def counted(queue: str, timeout: object = None) -> object:
        nonlocal polls
        polls += 1
        return channel_get(queue, timeout)

    connection.default_channel._get = counted
    with pytest.raises(TimeoutError):
        connection.drain_events(timeout=1.0)
    assert 1 <= polls <= 3  # every 0.5 s, not every 0.1 s (which made ten)


def test_a_worker_free_again_polls_at_once(connection: Connection, url: str) -> None:
    received: list[object] = []
    _consume(connection, received)
    transport = connection.transport
    transport.BUSY_S, transport.IDLE_POLL_S = 0, 30  # idle: the next poll is 30 s away

    def publish_then_wake() -> None:  # while the consumer waits out its idle pause
        with Connection(url, transport="ingest.platform.embedded_broker:EmbeddedTransport") as other:
            _publish(other, "next")
        transport.woken()  # what an acknowledgement does

    threading.Timer(0.5, publish_then_wake).start()
    connection.drain_events(timeout=10)  # would time out without the wake
    assert received == ["next"]


def test_a_shutting_down_worker_stops_waiting_at_once_and_takes_nothing_more(connection: Connection, url: str) -> None:
    received: list[object] = []
    _consume(connection, received)
    _publish(connection, "left for the next worker")
    transport = connection.transport
    transport.BUSY_S, transport.IDLE_POLL_S = 0, 30
    outcome: list[BaseException] = []

    def wait_without_end() -> None:
        try:
            connection.drain_events(timeout=None)  # no timeout: only the stop can end this wait
        except BaseException as exc:  # noqa: BLE001  # the outcome is what the test looks at
            outcome.append(exc)

    transport.stop_waiting()  # what the worker's shutdown signal does to each of its connections
    waiter = threading.Thread(target=wait_without_end, daemon=True)
    waiter.start()
    waiter.join(30)
    assert not waiter.is_alive()
    assert [type(e) for e in outcome] == [TimeoutError]
    assert received == []
    assert _rows(url, "SELECT COUNT(*) FROM kombu_message") == [(1,)]
