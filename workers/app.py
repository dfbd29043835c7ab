"""The Celery application of the workers and beat and, in one place, the settings our delivery
guarantees rest on. Each was established by experiment on Celery 5.7 with RabbitMQ 3.10 (see
tests/integration/processing/test_delivery.py for those that apply):

* ``task_acks_late``: a message is acknowledged after the task, so a killed
  worker's message is redelivered instead of lost.
* ``task_reject_on_worker_lost``: without it, ``acks_late`` still acknowledges
  (and so loses) the message when only the pool child dies.
* ``worker_cancel_long_running_tasks_on_connection_loss``: after a broker
  restart the broker redelivers unacknowledged messages; without this the old
  run goes on too, and the document is processed twice in parallel.
* ``confirm_publish`` with a bounded confirm timeout (``ingest.platform.broker``): under a broker
  alarm publishes are otherwise dropped silently; the outbox keeps the row instead.
* RabbitMQ's ``consumer_timeout`` (30 min by default) closes the channel of any
  delivery unacknowledged for longer: hard time limits and retry countdowns stay
  well below it.
* ``worker_prefetch_multiplier = 1``: tasks are long; a worker must not hoard
  messages another idle worker could take.
* Poison messages: the document's attempt counter sets aside a document that
  keeps killing workers; messages rejected without requeue go to a dead-letter
  queue instead of circling forever.

The connection, the queues and the message format come from ``ingest.platform.broker``, which the
API's publisher shares.
"""

from __future__ import annotations

from typing import Any

from celery import Celery
from celery.signals import worker_shutting_down

from ingest.platform.broker import CONSUMER_TIMEOUT_S, celery_app
from ingest.platform.settings import Settings
from workers import (
    tasks,
    tasks_billing,
    tasks_flow,
    tasks_probes,
    tasks_purge,
    tasks_waiting,
)
from workers.orphans import RestoreOrphans
from workers.presence import Presence

TASK_MODULES = (tasks, tasks_flow, tasks_waiting, tasks_billing, tasks_probes, tasks_purge)


def create_app(settings: Settings) -> Celery:
    if settings.task_time_limit >= CONSUMER_TIMEOUT_S:
        raise ValueError("task_time_limit must stay below RabbitMQ's 30-minute consumer_timeout")
    app = celery_app(settings, set_as_current=True)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_cancel_long_running_tasks_on_connection_loss=True,
        worker_prefetch_multiplier=1,
        task_soft_time_limit=settings.task_soft_time_limit,
        task_time_limit=settings.task_time_limit,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        beat_schedule=beat_schedule(settings),
        include=[m.__name__ for m in TASK_MODULES],
    )
    app.conf.bordereau_settings = settings
    app.steps["worker"].add(Presence)
    app.steps["worker"].add(RestoreOrphans)
    if settings.uses_embedded_broker:
        worker_shutting_down.connect(_stop_waiting_for_messages, weak=False)
    return app


def _stop_waiting_for_messages(**_: Any) -> None:
    """A warm shutdown on the embedded broker starts at once, not after the poll under way (up to 2 s)."""
    from ingest.platform.embedded_broker import stop_waiting

    stop_waiting()


def beat_schedule(settings: Settings) -> dict[str, dict[str, object]]:
    """Every task module's beat entries (its ``beat_entries(settings)``)."""
    schedule: dict[str, dict[str, object]] = {}
    for module in TASK_MODULES:
        schedule.update(module.beat_entries(settings))
    return schedule
