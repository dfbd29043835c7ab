"""Prometheus metrics read from the database at scrape time, so that every API
and worker process reports the same truth (no per-process counters to merge)."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy.engine import Engine

from ingest.flow.classification import SlaState
from ingest.flow.reports import daily_batches_by_state
from ingest.platform.broker import QUEUES
from ingest.platform.columns import utcnow
from ingest.platform.outbox import pending_count
from ingest.processing.presence import live_concurrency
from ingest.processing.status import documents_by_state_and_kind


class _DatabaseCollector:
    def __init__(self, engine: Engine):
        self.engine = engine

    def collect(self) -> Iterator[GaugeMetricFamily]:
        docs = GaugeMetricFamily("bordereau_documents", "Documents by state and kind", labels=["state", "kind"])
        for (state, kind), n in documents_by_state_and_kind(self.engine).items():
            docs.add_metric([state, kind], n)
        yield docs
        outbox = GaugeMetricFamily("bordereau_outbox_pending", "Task messages not yet published")
        outbox.add_metric([], pending_count(self.engine))
        yield outbox
        yield from _worker_concurrency(self.engine)
        yield from _flow_metrics(self.engine)


def _worker_concurrency(engine: Engine) -> Iterator[GaugeMetricFamily]:
    """The pool each queue has now: a queue at 0 has nobody to work it (`ingest.processing.presence`).

    Also under its name of the previous release, `bordereau_worker_slots`, deprecated."""
    with engine.connect() as conn:
        concurrency = live_concurrency(conn, utcnow())
    for name, help_text in (("bordereau_worker_concurrency", "Pool processes of the workers that are up, by queue"),
                            ("bordereau_worker_slots", "Deprecated: bordereau_worker_concurrency")):
        gauge = GaugeMetricFamily(name, help_text, labels=["queue"])
        for queue in QUEUES:
            gauge.add_metric([queue], concurrency.get(queue, 0))
        yield gauge


def _flow_metrics(engine: Engine) -> Iterator[GaugeMetricFamily]:
    """The 48-hour commitment: finished daily batches on time, and breaches."""
    counts = daily_batches_by_state(engine)
    states = GaugeMetricFamily("bordereau_daily_batches", "Daily-flow batches by SLA state", labels=["sla_state"])
    for state in SlaState:
        states.add_metric([state.value], counts[state.value])
    yield states
    met, finished_breached = counts[SlaState.met.value], counts["breached_finished"]
    ratio = GaugeMetricFamily("bordereau_daily_on_time_ratio",
                              "Finished daily batches done within 48 hours, over all finished ones (1 when none)")
    ratio.add_metric([], met / (met + finished_breached) if met + finished_breached else 1.0)
    yield ratio
    breaches = GaugeMetricFamily("bordereau_sla_breaches", "Daily batches past their 48 hours (finished or not)")
    breaches.add_metric([], counts[SlaState.breached.value])
    yield breaches
    documents = GaugeMetricFamily("bordereau_sla_breached_documents", "Documents not finished by their due time")
    documents.add_metric([], counts["late_documents"])
    yield documents


def render_metrics(engine: Engine) -> bytes:
    registry = CollectorRegistry()
    registry.register(_DatabaseCollector(engine))
    return generate_latest(registry)
