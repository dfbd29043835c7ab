"""Prometheus metrics read from the database at scrape time, so that every API
and worker process reports the same truth (no per-process counters to merge)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from ingest.models import Document, OutboxMessage


class _DatabaseCollector:
    def __init__(self, engine: Engine):
        self.engine = engine

    def collect(self):  # type: ignore[no-untyped-def]
        docs = GaugeMetricFamily("bordereau_documents", "Documents by state and kind", labels=["state", "kind"])
        with Session(self.engine) as session:
            for state, kind, n in session.exec(select(Document.state, Document.kind, func.count())
                                               .group_by(Document.state, Document.kind)).all():
                docs.add_metric([state, kind], n)
            pending = session.exec(select(func.count()).select_from(OutboxMessage)
                                   .where(OutboxMessage.published_at.is_(None))).one()  # type: ignore[union-attr]
        yield docs
        outbox = GaugeMetricFamily("bordereau_outbox_pending", "Task messages not yet published")
        outbox.add_metric([], pending)
        yield outbox


def render_metrics(engine: Engine) -> bytes:
    registry = CollectorRegistry()
    registry.register(_DatabaseCollector(engine))  # type: ignore[arg-type]
    return generate_latest(registry)
