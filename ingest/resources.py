"""The composition root: what a process of the service holds, built once from its settings.

The API, the workers and every command build their `Resources` here and hand its parts to the
use cases, which take what they need as arguments (an engine, a store, limits) and read no
settings of their own. Nothing is contacted when it is built: the first use connects.

- the database engine (the API tests each pooled connection before use; workers do not: a stale
  one fails a task with a transient error, which is retried, and a ping would cost two round
  trips per document);
- the object store (a local folder, or S3 when an endpoint is configured);
- the limits a document must respect, the OCR configuration, the processing lease, people's
  session lifetimes and the brakes on password guessing;
- the broker, built on first use: a Celery app of the worker's own when the caller passes it
  (a worker publishes on its own connections), a publisher-only app otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING

import ingest.schema  # noqa: F401  (registers every table: see ingest.schema)
from ingest.accounts.login import Brakes
from ingest.accounts.sessions import Lifetimes
from ingest.documents.limits import Limits
from ingest.documents.ocr import OcrConfig
from ingest.platform import broker
from ingest.platform.db import make_engine, migrate
from ingest.platform.outbox import Publisher, Relay
from ingest.platform.settings import Settings, get_settings
from ingest.store import ObjectStore, open_store

if TYPE_CHECKING:
    from celery import Celery
    from sqlalchemy.engine import Engine

# A lease outlives the task's hard time limit by this much, so that a live worker never loses it.
LEASE_MARGIN = timedelta(seconds=60)


def limits_from(settings: Settings) -> Limits:
    return Limits(max_file_bytes=settings.max_file_bytes, max_pages=settings.max_pages,
                  max_image_pixels=settings.max_image_pixels,
                  max_archive_entries=settings.max_archive_entries,
                  max_archive_expanded_bytes=settings.max_archive_expanded_bytes,
                  max_archive_ratio=settings.max_archive_ratio)


def ocr_from(settings: Settings) -> OcrConfig:
    return OcrConfig(engine=settings.ocr_engine, command=settings.ocr_command, languages=settings.ocr_languages,
                     dpi=settings.ocr_dpi, page_timeout=settings.ocr_page_timeout)


@dataclass
class Resources:
    settings: Settings
    engine: Engine
    store: ObjectStore
    celery: Celery | None = field(default=None, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings | None = None, *, pre_ping: bool = True,
                      celery: Celery | None = None) -> Resources:
        settings = settings or get_settings()
        engine = make_engine(settings.effective_database_url(), pre_ping=pre_ping, pool_size=settings.db_pool_size,
                             max_overflow=settings.db_max_overflow, pool_timeout=settings.db_pool_timeout)
        return cls(settings, engine, open_store(settings), celery)

    @cached_property
    def limits(self) -> Limits:
        return limits_from(self.settings)

    @cached_property
    def ocr(self) -> OcrConfig:
        return ocr_from(self.settings)

    @cached_property
    def session_lifetimes(self) -> Lifetimes:
        return Lifetimes(idle=timedelta(minutes=self.settings.session_idle_minutes),
                         absolute=timedelta(hours=self.settings.session_absolute_hours))

    @cached_property
    def login_brakes(self) -> Brakes:
        s = self.settings
        return Brakes(window=timedelta(minutes=s.login_window_minutes), per_user=s.login_attempts_per_user,
                      per_address=s.login_attempts_per_address, lock_after=s.login_lockout_after)

    @property
    def lease_duration(self) -> timedelta:
        """How long a worker holds a document it processes."""
        return timedelta(seconds=self.settings.task_time_limit) + LEASE_MARGIN

    @cached_property
    def broker(self) -> Celery:
        return self.celery or broker.celery_app(self.settings)

    @cached_property
    def publisher(self) -> Publisher:
        return broker.publisher(self.broker, self.settings)

    @cached_property
    def relay(self) -> Relay:
        """This process's outbox relay (one round at a time: `ingest.platform.outbox.Relay`)."""
        return Relay(self.engine, self.publisher)

    def close(self) -> None:
        """Close the database connections (a command's last step; a process that forks must not
        share them)."""
        self.engine.dispose()


@contextmanager
def for_command(settings: Settings | None = None, *, migrate_first: bool = True) -> Iterator[Resources]:
    """Resources for one command line run: the schema brought up to date first, every connection
    closed on the way out."""
    settings = settings or get_settings()
    if migrate_first:
        migrate(settings.effective_database_url())
    resources = Resources.from_settings(settings)
    try:
        yield resources
    finally:
        resources.close()
