"""infra/rabbitmq/definitions.json declares what the application declares in quorum mode, argument
for argument: RabbitMQ refuses (PRECONDITION_FAILED) a queue or exchange declared otherwise. The
same file is loaded into a real RabbitMQ in tests/integration/processing/test_quorum_queues.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ingest.platform.broker import declarations
from ingest.platform.settings import Settings

DEFINITIONS = Path(__file__).resolve().parents[3] / "infra" / "rabbitmq" / "definitions.json"


def definitions() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DEFINITIONS.read_text())
    return loaded


def quorum_declarations() -> list[Any]:
    return declarations(Settings(broker_url="amqp://bordereau@rabbitmq:5672/bordereau", queue_type="quorum"))


def test_queues_are_the_applications_with_the_same_arguments() -> None:
    declared = {q.name: (q.durable, q.auto_delete, q.queue_arguments) for q in quorum_declarations()}
    defined = {q["name"]: (q["durable"], q["auto_delete"], q["arguments"]) for q in definitions()["queues"]}
    assert defined == declared
    assert {args["x-queue-type"] for _, _, args in defined.values()} == {"quorum"}


def test_exchanges_and_bindings_are_the_applications() -> None:
    queues = quorum_declarations()
    declared = {(q.exchange.name, q.exchange.type, q.exchange.durable, q.exchange.auto_delete) for q in queues}
    defined = {(e["name"], e["type"], e["durable"], e["auto_delete"]) for e in definitions()["exchanges"]}
    assert defined == declared
    bindings = {(b["source"], b["destination"], b["routing_key"]) for b in definitions()["bindings"]}
    assert bindings == {(q.exchange.name, q.name, q.routing_key) for q in queues}


def test_one_vhost_for_everything_and_no_password_committed() -> None:
    data = definitions()
    vhosts = {v["name"] for v in data["vhosts"]}
    used = {e["vhost"] for key in ("queues", "exchanges", "bindings", "permissions") for e in data[key]}
    assert vhosts == used == {"bordereau"}
    assert all(not user["password_hash"] and "password" not in user for user in data["users"])
    assert {p["user"] for p in data["permissions"]} == {u["name"] for u in data["users"]}
