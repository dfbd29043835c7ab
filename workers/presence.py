"""A worker's presence (`ingest.processing.presence`): announced from its main process, on the worker's timer.

The main process, not the pool, so a pool busy with long documents still announces. It keeps no
database connection open between heartbeats (no pool): the prefork pool forks replacement
children from this process at any time, and they must not inherit a live connection.
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from celery import bootsteps
from sqlalchemy.pool import NullPool

from ingest.platform.broker import QUEUES, queue_name
from ingest.platform.columns import utcnow
from ingest.platform.db import make_engine
from ingest.processing import presence

log = logging.getLogger(__name__)


HEARTBEAT_TIMEOUT_S = 5


def _engine(url: str) -> sa.Engine:
    """No pool, and on PostgreSQL bounded waits: on RabbitMQ the heartbeat runs in the worker's
    event loop, which must not hang on an unreachable database."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "postgresql":
        parsed = parsed.update_query_dict({"connect_timeout": str(HEARTBEAT_TIMEOUT_S),
                                           "options": f"-c statement_timeout={HEARTBEAT_TIMEOUT_S * 1000}"})
    return make_engine(parsed.render_as_string(hide_password=False), poolclass=NullPool)


class Presence(bootsteps.StartStopStep):  # type: ignore[misc]  # Celery ships no type information
    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker: Any, **kwargs: Any) -> None:
        super().__init__(worker, **kwargs)
        self.tref: Any = None
        self.engine: sa.Engine | None = None

    def start(self, worker: Any) -> None:
        settings = worker.app.conf.bordereau_settings
        consumed = set(worker.app.amqp.queues.consume_from or {})
        self.queues = [q for q in QUEUES if queue_name(settings, q) in consumed]
        self.engine = _engine(settings.effective_database_url())
        self._announce(worker)
        self.tref = worker.timer.call_repeatedly(presence.HEARTBEAT_S, self._announce, (worker,), priority=10)

    def stop(self, worker: Any) -> None:
        if self.tref is not None:
            worker.timer.cancel(self.tref)
            self.tref = None
        if self.engine is not None:
            try:
                presence.withdraw(self.engine, worker.hostname)
            except sa.exc.SQLAlchemyError as exc:  # it goes stale instead
                log.warning("could not withdraw the worker's presence: %s", type(exc).__name__)
            self.engine.dispose()
            self.engine = None

    def _announce(self, worker: Any) -> None:
        if self.engine is None:
            return
        try:
            presence.announce(self.engine, worker.hostname, self.queues, worker.concurrency, utcnow())
        except sa.exc.SQLAlchemyError as exc:
            # The database is away: the next heartbeat tries again; meanwhile the ETAs fall
            # back to measured figures. Never a reason to stop working.
            log.warning("could not announce the worker's presence: %s", type(exc).__name__)
