"""The broker as every process sees it: queue names, their declarations, and publishing.

Both sides build on this module: the API and the commands publish task messages (the outbox
relay), the workers consume them (``workers/app.py`` adds the worker settings to the app built
here). Messages are named tasks with a document id, so publishing needs no task code.

Queues: ``daily`` and ``bulk`` carry documents, ``ops`` the periodic jobs; a message rejected
without requeue goes to ``dead`` through the dead-letter exchange. Every name takes the
deployment's prefix (``BORDEREAU_QUEUE_PREFIX``), so several deployments or test runs can share
one RabbitMQ virtual host.

``BORDEREAU_QUEUE_TYPE=quorum`` declares every queue as a quorum queue (the Kubernetes deployment,
whose ``infra/rabbitmq/definitions.json`` holds the same arguments: RabbitMQ refuses a declaration
that differs). The exchanges are then topic exchanges: Celery delivers a delayed task on quorum
queues (``send_ops_later``) through its own delay exchanges, which route only to non-direct ones.
The routing keys have no wildcard, so a topic exchange routes them exactly as a direct one.
Celery's workers see the quorum queues (``worker_detect_quorum_queues``, on by default) and set
their prefetch per consumer, since quorum queues have no global QoS.

The embedded defaults use kombu's SQLAlchemy transport on a SQLite file, made at-least-once and
polled every 0.1 s while work comes and every second when idle (``ingest.platform.embedded_broker``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from kombu.entity import Exchange, Queue

from ingest.platform.outbox import Pending, Publisher
from ingest.platform.settings import Settings

if TYPE_CHECKING:
    from celery import Celery

log = logging.getLogger(__name__)

QUEUES = ("daily", "bulk", "ops")
DEAD = "dead"
# RabbitMQ closes the channel of a delivery unacknowledged for longer than this (its default
# consumer_timeout): task time limits and retry countdowns must stay well below it.
CONSUMER_TIMEOUT_S = 30 * 60
# The task message header that carries the id of the API request behind a document's message.
REQUEST_ID_HEADER = "bordereau_request_id"


def queue_name(settings: Settings, logical: str) -> str:
    return f"{settings.queue_prefix}{logical}"


def declarations(settings: Settings) -> list[Queue]:
    """Every queue with its exchange and dead-letter routing, the dead-letter queue included."""
    kind = "topic" if settings.queue_type == "quorum" else "direct"
    exchange = Exchange(f"{settings.queue_prefix}bordereau",  # type: ignore[no-untyped-call]  # kombu: untyped init
                        type=kind, durable=True)
    dead = Exchange(f"{settings.queue_prefix}bordereau.dead",  # type: ignore[no-untyped-call]  # kombu: untyped init
                    type=kind, durable=True)
    typed = queue_arguments(settings)
    dead_args = {**typed, "x-dead-letter-exchange": dead.name, "x-dead-letter-routing-key": DEAD}
    queues = [Queue(queue_name(settings, q), exchange,  # type: ignore[no-untyped-call]  # kombu: untyped init
                    routing_key=q, durable=True, queue_arguments=dead_args)
              for q in QUEUES]
    queues.append(Queue(queue_name(settings, DEAD), dead,  # type: ignore[no-untyped-call]  # kombu: untyped init
                        routing_key=DEAD, durable=True, queue_arguments=typed or None))
    return queues


def queue_arguments(settings: Settings) -> dict[str, str]:
    """The argument that sets a queue's type: none for classic, RabbitMQ's default."""
    return {"x-queue-type": "quorum"} if settings.queue_type == "quorum" else {}


def _connection(settings: Settings) -> dict[str, object]:
    url = settings.effective_broker_url()
    if settings.uses_embedded_broker:
        # Our subclass of kombu's SQLAlchemy transport takes the plain SQLAlchemy URL; the file
        # lock is waited for rather than failed on by concurrent processes.
        return {"broker_url": url.removeprefix("sqla+"),
                "broker_transport": "ingest.platform.embedded_broker:EmbeddedTransport",
                "broker_transport_options": {"connect_args": {"timeout": 30}}}
    # Under a broker alarm RabbitMQ would drop publishes silently: confirms make them fail,
    # and the outbox keeps the row for the next round.
    return {"broker_url": url, "broker_transport_options": {"confirm_publish": True}}


def restore_orphaned_messages(settings: Settings) -> int:
    """On the embedded broker, show again the messages of consumers that died holding them (RabbitMQ
    does this itself when their connection drops): the number shown again."""
    if not settings.uses_embedded_broker:
        return 0
    from ingest.platform.embedded_broker import restore_orphans
    return restore_orphans(settings.effective_broker_url().removeprefix("sqla+"))


def celery_app(settings: Settings, *, set_as_current: bool = False) -> Celery:
    """A Celery app connected to the deployment's broker, with its queues and JSON messages.

    The workers add their own settings to it; a publisher uses it as it is."""
    from celery import Celery

    app = Celery("bordereau", set_as_current=set_as_current)
    app.conf.update(
        **_connection(settings),
        broker_connection_retry_on_startup=True,
        task_serializer="json",
        accept_content=["json"],
        result_backend=None,
        task_ignore_result=True,
        task_queues=declarations(settings),
        task_default_queue=queue_name(settings, "ops"),
        task_default_exchange=f"{settings.queue_prefix}bordereau",
        task_default_routing_key="ops",
        task_create_missing_queues=False,
        timezone="Europe/Paris",
    )
    return app


def publisher(app: Celery, settings: Settings) -> Publisher:
    """Publishes an outbox row as its task message on its queue."""

    def publish(message: Pending) -> None:
        # The queue's own exchange and routing key come from task_queues. A failed or unconfirmed
        # publish raises: the outbox row stays for the next round.
        # The request id rides in the headers, where the previous release's workers ignore it.
        headers = {REQUEST_ID_HEADER: message.request_id} if message.request_id else None
        app.send_task(message.task, args=[message.document_id], queue=queue_name(settings, message.queue),
                      headers=headers,
                      confirm_timeout=settings.confirm_timeout, retry=True,
                      retry_policy={"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5})
    return publish


def ops_options(settings: Settings, expires: float = 60) -> dict[str, object]:
    """Where periodic jobs go: the ``ops`` queue, never behind documents."""
    return {"queue": queue_name(settings, "ops"), "routing_key": "ops", "expires": expires}


def send_ops_later(app: Celery, settings: Settings, task: str, countdown: float) -> bool:
    """Publish an ops task due in `countdown` seconds (it expires one more such wait later); False,
    logged, when the broker cannot take it: the periodic safety net runs the task in its stead."""
    try:
        app.send_task(task, countdown=countdown, confirm_timeout=settings.confirm_timeout,
                      **ops_options(settings, expires=2 * countdown + 1))
    except Exception:
        log.warning("could not publish %s; the periodic job will run it", task, exc_info=True)
        return False
    return True


def queue_depths(settings: Settings, timeout: float = 2.0) -> dict[str, int]:
    """Messages ready on each queue, the dead-letter queue included, by logical name: a passive
    declare per queue, which RabbitMQ and the embedded broker both answer with a count (messages a
    worker holds are not counted). A queue not declared yet holds nothing. Raises when the broker
    cannot be reached within about `timeout` seconds."""
    from kombu.connection import Connection
    from kombu.exceptions import ChannelError

    conf = _connection(settings)
    connection = Connection(str(conf["broker_url"]),  # type: ignore[no-untyped-call]  # kombu: untyped
                            transport=conf.get("broker_transport"),
                            transport_options=conf.get("broker_transport_options"), connect_timeout=timeout)
    depths: dict[str, int] = {}
    with connection:
        connection.ensure_connection(  # type: ignore[no-untyped-call]  # kombu: untyped
            max_retries=1, interval_start=0, timeout=timeout)
        for logical in (*QUEUES, DEAD):
            channel = connection.channel()  # type: ignore[no-untyped-call]  # kombu: untyped
            try:
                depths[logical] = int(channel.queue_declare(queue=queue_name(settings, logical),
                                                            passive=True).message_count)
            except ChannelError:  # RabbitMQ's 404: no queue of that name (and the channel is closed)
                depths[logical] = 0
            finally:
                channel.close()
    return depths
