"""Prometheus metrics read from the database at scrape time, so that every API
and worker process reports the same truth (no per-process counters to merge)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from ingest.flow.classification import SlaState
from ingest.flow.tables import SlaBreach
from ingest.platform.broker import QUEUES
from ingest.platform.columns import utcnow
from ingest.platform.models import Batch, Document, Flow
from ingest.platform.outbox import OutboxMessage
from ingest.processing.presence import live_slots


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
        yield _worker_slots(self.engine)
        yield from _flow_metrics(self.engine)


def _worker_slots(engine: Engine) -> GaugeMetricFamily:
    """The pool each queue has now: a queue at 0 has nobody to work it (`ingest.processing.presence`)."""
    with engine.connect() as conn:
        slots = live_slots(conn, utcnow())
    gauge = GaugeMetricFamily("bordereau_worker_slots", "Pool processes of the workers that are up, by queue",
                              labels=["queue"])
    for queue in QUEUES:
        gauge.add_metric([queue], slots.get(queue, 0))
    return gauge


def _flow_metrics(engine: Engine):  # type: ignore[no-untyped-def]
    """The 48-hour commitment: finished daily batches on time, and breaches."""
    with Session(engine) as session:
        by_state = dict(session.exec(select(Batch.sla_state, func.count())
                                     .where(Batch.flow == Flow.daily, Batch.sla_state.is_not(None))  # type: ignore[union-attr]
                                     .group_by(Batch.sla_state)).all())
        late = session.exec(select(func.count()).select_from(SlaBreach)).one()
    states = GaugeMetricFamily("bordereau_daily_batches", "Daily-flow batches by SLA state", labels=["sla_state"])
    for state in SlaState:
        states.add_metric([state.value], by_state.get(state.value, 0))
    yield states
    met, breached = by_state.get(SlaState.met.value, 0), by_state.get(SlaState.breached.value, 0)
    ratio = GaugeMetricFamily("bordereau_daily_on_time_ratio",
                              "Finished daily batches done within 48 hours, over all finished ones (1 when none)")
    finished_breached = _finished_breached(engine)
    ratio.add_metric([], met / (met + finished_breached) if met + finished_breached else 1.0)
    yield ratio
    breaches = GaugeMetricFamily("bordereau_sla_breaches", "Daily batches past their 48 hours (finished or not)")
    breaches.add_metric([], breached)
    yield breaches
    documents = GaugeMetricFamily("bordereau_sla_breached_documents", "Documents not finished by their due time")
    documents.add_metric([], late)
    yield documents


def _finished_breached(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(Batch).where(
            Batch.flow == Flow.daily, Batch.sla_state == SlaState.breached.value,
            Batch.finished_at.is_not(None))).one())  # type: ignore[union-attr]


def render_metrics(engine: Engine) -> bytes:
    registry = CollectorRegistry()
    registry.register(_DatabaseCollector(engine))  # type: ignore[arg-type]
    return generate_latest(registry)
