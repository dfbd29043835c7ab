"""BORDEREAU_QUEUE_TYPE: what each type declares, and the combinations refused with a sentence."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from ingest.platform.broker import QUEUES, declarations
from ingest.platform.settings import Settings

REPO = Path(__file__).resolve().parents[3]
AMQP = "amqp://guest:guest@127.0.0.1:5672/bordereau"


def test_classic_is_the_default_and_declares_no_queue_type(tmp_path: Path) -> None:
    queues = declarations(Settings(data_dir=tmp_path))
    assert [q.name for q in queues] == [*QUEUES, "dead"]
    assert all("x-queue-type" not in (q.queue_arguments or {}) for q in queues)
    assert {q.exchange.type for q in queues} == {"direct"}


def test_quorum_declares_every_queue_quorum_on_topic_exchanges(tmp_path: Path) -> None:
    queues = declarations(Settings(data_dir=tmp_path, broker_url=AMQP, queue_type="quorum"))
    assert {q.name: q.queue_arguments["x-queue-type"] for q in queues} == dict.fromkeys([*QUEUES, "dead"], "quorum")
    # Celery's delayed delivery routes only to non-direct exchanges.
    assert {q.exchange.type for q in queues} == {"topic"}
    assert queues[0].queue_arguments["x-dead-letter-exchange"] == "bordereau.dead"


@pytest.mark.parametrize(("fields", "says"), [
    ({}, "quorum queues need RabbitMQ"),
    ({"broker_url": AMQP, "queue_prefix": "a."}, "its own RabbitMQ virtual host"),
])
def test_quorum_refusals_say_what_to_do(tmp_path: Path, fields: dict[str, str], says: str) -> None:
    with pytest.raises(ValidationError, match=says):
        Settings(data_dir=tmp_path, queue_type="quorum", **fields)


def test_the_worker_command_refuses_a_bad_queue_type_in_one_line(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "BORDEREAU_DATA_DIR": str(tmp_path), "BORDEREAU_QUEUE_TYPE": "quorum"}
    done = subprocess.run([sys.executable, "-m", "cli.main", "worker"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip() == ("bordereau: invalid configuration: quorum queues need RabbitMQ: set "
                                   "BORDEREAU_BROKER_URL, or leave BORDEREAU_QUEUE_TYPE at classic for the "
                                   "embedded broker")
