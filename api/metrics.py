"""Prometheus metrics read from the database at scrape time, so that every API
and worker process reports the same truth (no per-process counters to merge).

Each scrape is a handful of bounded reads: counts grouped by state, the pending outbox rows, the
latest purge run and probe measurements, this month's probe measurements, the documents finished in
the last hour (`api.metrics_latency`), and a passive declare per queue at the broker
(`api.metrics_operations`). The README lists every metric; infra/prometheus/alerts.yaml and
infra/grafana/bordereau.json use them."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy.engine import Engine

from api.metrics_latency import latency_families
from api.metrics_operations import broker_families, outbox_families, probe_families, purge_families
from ingest.flow.classification import SlaState
from ingest.flow.reports import daily_batches_by_state
from ingest.platform.broker import QUEUES
from ingest.platform.columns import utcnow
from ingest.platform.settings import Settings
from ingest.processing.presence import live_concurrency
from ingest.processing.status import documents_by_state_and_kind


class _DatabaseCollector:
    def __init__(self, engine: Engine, settings: Settings):
        self.engine, self.settings = engine, settings

    def collect(self) -> Iterator[Metric]:
        now = utcnow()
        docs = GaugeMetricFamily("bordereau_documents", "Documents by state and kind", labels=["state", "kind"])
        for (state, kind), n in documents_by_state_and_kind(self.engine).items():
            docs.add_metric([state, kind], n)
        yield docs
        yield from outbox_families(self.engine, now)
        yield from _worker_concurrency(self.engine)
        yield from _flow_metrics(self.engine)
        yield from latency_families(self.engine)
        yield from broker_families(self.settings)
        yield from purge_families(self.engine)
        yield from probe_families(self.engine, now)


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
    late = GaugeMetricFamily("bordereau_daily_batches_late", "Daily batches past their 48 hours and not finished")
    late.add_metric([], counts[SlaState.breached.value] - counts["breached_finished"])
    yield late
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


def render_metrics(engine: Engine, settings: Settings) -> bytes:
    registry = CollectorRegistry()
    registry.register(_DatabaseCollector(engine, settings))
    return generate_latest(registry)
