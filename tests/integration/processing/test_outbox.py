"""The outbox relay publishes each message once, however many relays run at once, and gives back
what it could not publish (issue: under load on the embedded defaults every upload's relay
published every pending row, and workers spent their time on duplicates)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ingest.platform.columns import utcnow
from ingest.platform.db import make_engine, migrate
from ingest.platform.outbox import PROCESS_DOCUMENT, OutboxMessage, Pending, Relay, claim, pending_count, relay


@pytest.fixture
def engine(empty_database: str) -> Iterator[Engine]:
    migrate(empty_database)
    engine = make_engine(empty_database)
    yield engine
    engine.dispose()


def add_messages(engine: Engine, count: int) -> list[int]:
    with Session(engine) as session:
        rows = [OutboxMessage(task=PROCESS_DOCUMENT, queue="daily", document_id=f"doc-{n}") for n in range(count)]
        session.add_all(rows)
        session.commit()
        return [r.id for r in rows if r.id is not None]


class Recorder:
    """Stands for the broker: what was published, in order, slowly enough for relays to overlap."""

    def __init__(self, delay: float = 0.0, fail_at: int | None = None) -> None:
        self.sent: list[int] = []
        self.delay, self.fail_at = delay, fail_at
        self.lock = threading.Lock()

    def __call__(self, message: Pending) -> None:
        if self.fail_at is not None and len(self.sent) == self.fail_at:
            raise ConnectionError("broker unreachable")
        time.sleep(self.delay)
        with self.lock:
            self.sent.append(message.id)


def test_relays_running_at_once_publish_each_message_once(engine: Engine) -> None:
    ids = add_messages(engine, 300)
    publish = Recorder(delay=0.001)
    go = threading.Barrier(8)

    def relay_twice() -> None:
        go.wait()
        relay(engine, publish, limit=60)
        relay(engine, publish, limit=60)

    threads = [threading.Thread(target=relay_twice) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    while relay(engine, publish):
        pass
    times = Counter(publish.sent)
    assert sorted(times) == sorted(ids)
    assert set(times.values()) == {1}
    assert pending_count(engine) == 0


def test_a_failed_publish_gives_the_rest_back_at_once(engine: Engine) -> None:
    ids = add_messages(engine, 5)
    assert relay(engine, Recorder(fail_at=2)) == 2
    assert pending_count(engine) == 3
    later = Recorder()
    assert relay(engine, later) == 3  # not held until the claim's lease is over
    assert later.sent == ids[2:]


def test_a_relay_that_died_after_claiming_leaves_its_rows_to_the_next_once_the_lease_is_over(engine: Engine) -> None:
    ids = add_messages(engine, 4)
    assert [m.id for m in claim(engine, 10, timedelta(seconds=60))] == ids  # ... and died here
    assert relay(engine, Recorder()) == 0
    assert [m.id for m in claim(engine, 10, timedelta(seconds=60), now=utcnow() + timedelta(seconds=61))] == ids


def test_one_round_at_a_time_per_process_and_none_asked_for_is_missed(engine: Engine) -> None:
    publish = Recorder(delay=0.002)
    process_relay = Relay(engine, publish)
    ids: list[int] = []
    ids_lock = threading.Lock()

    def upload_then_relay() -> None:
        new = add_messages(engine, 3)
        with ids_lock:
            ids.extend(new)
        process_relay.run()

    threads = [threading.Thread(target=upload_then_relay) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Every message written before its writer asked for a round went out, once, with no round left to run.
    assert sorted(publish.sent) == sorted(ids)
    assert pending_count(engine) == 0
