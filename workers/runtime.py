"""Per-process resources for tasks: built on first use, rebuilt after a fork
(a database pool or an HTTP client must never be shared across processes)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta

from celery import Celery
from sqlalchemy.engine import Engine

from ingest.db import make_engine
from ingest.documents.limits import Limits
from ingest.outbox import Pending, Publisher
from ingest.settings import Settings
from ingest.store import ObjectStore, open_store
from workers.app import queue_name


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    store: ObjectStore
    limits: Limits

    @property
    def lease(self) -> timedelta:
        # A claim outlives the hard time limit, so a live worker never loses it.
        return timedelta(seconds=self.settings.task_time_limit + 60)


_runtime: tuple[int, Runtime] | None = None


def limits_from(settings: Settings) -> Limits:
    return Limits(max_file_bytes=settings.max_file_bytes, max_pages=settings.max_pages,
                  max_image_pixels=settings.max_image_pixels,
                  max_archive_entries=settings.max_archive_entries,
                  max_archive_expanded_bytes=settings.max_archive_expanded_bytes,
                  max_archive_ratio=settings.max_archive_ratio)


def runtime(settings: Settings) -> Runtime:
    global _runtime
    if _runtime is None or _runtime[0] != os.getpid():
        _runtime = (os.getpid(), Runtime(settings, make_engine(settings.effective_database_url(), pre_ping=False),
                                         open_store(settings), limits_from(settings)))
    return _runtime[1]


def make_publisher(app: Celery, settings: Settings) -> Publisher:
    def publish(message: Pending) -> None:
        # The queue's own exchange and routing key come from task_queues. A failed
        # or unconfirmed publish raises: the outbox row stays for the next round.
        app.send_task(message.task, args=[message.document_id], queue=queue_name(settings, message.queue),
                      confirm_timeout=settings.confirm_timeout, retry=True,
                      retry_policy={"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5})
    return publish
