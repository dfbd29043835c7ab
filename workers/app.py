"""The Celery application and, in one place, the settings our delivery
guarantees rest on. Each was established by experiment on Celery 5.7 with
RabbitMQ 3.10 (see tests/integration/test_delivery.py for those that apply):

* ``task_acks_late``: a message is acknowledged after the task, so a killed
  worker's message is redelivered instead of lost.
* ``task_reject_on_worker_lost``: without it, ``acks_late`` still acknowledges
  (and so loses) the message when only the pool child dies.
* ``worker_cancel_long_running_tasks_on_connection_loss``: after a broker
  restart the broker redelivers unacknowledged messages; without this the old
  run goes on too, and the document is processed twice in parallel.
* ``confirm_publish`` with a bounded confirm timeout: under a broker alarm
  publishes are otherwise dropped silently; the outbox keeps the row instead.
* RabbitMQ's ``consumer_timeout`` (30 min by default) closes the channel of any
  delivery unacknowledged for longer: hard time limits and retry countdowns stay
  well below it.
* ``worker_prefetch_multiplier = 1``: tasks are long; a worker must not hoard
  messages another idle worker could take.
* Poison messages: the document's attempt counter sets aside a document that
  keeps killing workers; messages rejected without requeue go to a dead-letter
  queue instead of circling forever.
"""

from __future__ import annotations

from celery import Celery
from kombu import Exchange, Queue

from ingest.settings import Settings

CONSUMER_TIMEOUT_S = 30 * 60
QUEUES = ("daily", "bulk", "ops")


def queue_name(settings: Settings, logical: str) -> str:
    return f"{settings.queue_prefix}{logical}"


def _queues(settings: Settings) -> list[Queue]:
    exchange = Exchange(f"{settings.queue_prefix}bordereau", type="direct", durable=True)
    dead = Exchange(f"{settings.queue_prefix}bordereau.dead", type="direct", durable=True)
    dead_args = {"x-dead-letter-exchange": dead.name, "x-dead-letter-routing-key": "dead"}
    queues = [Queue(queue_name(settings, q), exchange, routing_key=q, durable=True, queue_arguments=dead_args)
              for q in QUEUES]
    queues.append(Queue(queue_name(settings, "dead"), dead, routing_key="dead", durable=True))
    return queues


def _broker(settings: Settings) -> dict[str, object]:
    url = settings.effective_broker_url()
    if settings.uses_embedded_broker:
        # Our subclass of kombu's SQLAlchemy transport (faster polling) takes the
        # plain SQLAlchemy URL.
        return {"broker_url": url.removeprefix("sqla+"),
                "broker_transport": "workers.embedded_broker:EmbeddedTransport"}
    return {"broker_url": url}


def _transport_options(settings: Settings) -> dict[str, object]:
    if settings.uses_embedded_broker:
        # The SQLite broker hands these to SQLAlchemy's create_engine: let
        # concurrent processes wait for the file lock instead of failing.
        return {"connect_args": {"timeout": 30}}
    return {"confirm_publish": True}


def create_app(settings: Settings) -> Celery:
    if settings.task_time_limit >= CONSUMER_TIMEOUT_S:
        raise ValueError("task_time_limit must stay below RabbitMQ's 30-minute consumer_timeout")
    app = Celery("bordereau", set_as_current=True)
    app.conf.update(
        **_broker(settings),
        broker_connection_retry_on_startup=True,
        broker_transport_options=_transport_options(settings),
        task_serializer="json",
        accept_content=["json"],
        result_backend=None,
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_cancel_long_running_tasks_on_connection_loss=True,
        worker_prefetch_multiplier=1,
        task_soft_time_limit=settings.task_soft_time_limit,
        task_time_limit=settings.task_time_limit,
        task_queues=_queues(settings),
        task_default_queue=queue_name(settings, "ops"),
        task_default_exchange=f"{settings.queue_prefix}bordereau",
        task_default_routing_key="ops",
        task_create_missing_queues=False,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        beat_schedule=beat_schedule(settings),
        timezone="Europe/Paris",
        include=task_modules(),
    )
    app.conf.bordereau_settings = settings
    from workers.presence import Presence  # it reads QUEUES and queue_name from here

    app.steps["worker"].add(Presence)
    return app


def task_modules() -> list[str]:
    """Every ``workers/tasks*.py`` module: a feature adds its tasks in a module of its own."""
    import pkgutil

    import workers

    return sorted(f"workers.{m.name}" for m in pkgutil.iter_modules(workers.__path__)
                  if m.name.startswith("tasks"))


def beat_schedule(settings: Settings) -> dict[str, dict[str, object]]:
    """The beat entries of every task module (a ``beat_entries(settings)`` function)."""
    import importlib

    schedule: dict[str, dict[str, object]] = {}
    for name in task_modules():
        entries = getattr(importlib.import_module(name), "beat_entries", None)
        if entries:
            schedule.update(entries(settings))
    return schedule


def ops_options(settings: Settings, expires: float = 60) -> dict[str, object]:
    """Where periodic jobs go: the ``ops`` queue, never behind documents."""
    return {"queue": queue_name(settings, "ops"), "routing_key": "ops", "expires": expires}
