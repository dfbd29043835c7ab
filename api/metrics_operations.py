"""What operators watch beside the documents: the broker's queues, the outbox's lag, the nightly
purge, the availability probes and this month's availability. Read at scrape time like the rest
(`api.metrics`); a part that cannot be read says so in its own gauge instead of failing the scrape.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime

from prometheus_client.core import GaugeMetricFamily
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ingest.availability.probes import latest_measurements
from ingest.availability.report import current_month, month_report
from ingest.contract.availability import PROBES
from ingest.history.runs import purge_status
from ingest.history.tables import RunState
from ingest.platform.broker import DEAD, QUEUES, queue_depths
from ingest.platform.outbox import pending_summary
from ingest.platform.settings import Settings

log = logging.getLogger(__name__)


def broker_families(settings: Settings) -> Iterator[GaugeMetricFamily]:
    """Messages ready on each queue; `bordereau_broker_up` 0 (and no depths) when the broker cannot
    be reached: the scrape still answers with everything else."""
    up = GaugeMetricFamily("bordereau_broker_up", "1 when the broker answered this scrape, else 0")
    try:
        depths = queue_depths(settings)
    except Exception as exc:  # noqa: BLE001 - kombu raises socket, AMQP and its own errors alike
        log.warning("metrics: the broker did not answer: %s: %s", type(exc).__name__, exc)
        up.add_metric([], 0)
        yield up
        return
    up.add_metric([], 1)
    yield up
    queue = GaugeMetricFamily("bordereau_queue_depth", "Messages ready on each queue (dead: dead letters)",
                              labels=["queue"])
    for name in (*QUEUES, DEAD):
        queue.add_metric([name], depths.get(name, 0))
    yield queue


def outbox_families(engine: Engine, now: datetime) -> Iterator[GaugeMetricFamily]:
    count, oldest = pending_summary(engine)
    pending = GaugeMetricFamily("bordereau_outbox_pending", "Task messages not yet published")
    pending.add_metric([], count)
    yield pending
    lag = GaugeMetricFamily("bordereau_outbox_lag_seconds",
                            "Age of the oldest task message not yet published (0 when none waits)")
    lag.add_metric([], max((now - oldest).total_seconds(), 0.0) if oldest else 0.0)
    yield lag


def purge_families(engine: Engine) -> Iterator[GaugeMetricFamily]:
    """The latest purge run: its state (one series per state, 1 for the current one), what it
    removed and failed to remove, and when a run last ended without error (0: never)."""
    with Session(engine) as session:
        status = purge_status(session)
    last = status.last
    state = GaugeMetricFamily("bordereau_purge_last_run_state", "1 for the state of the latest purge run",
                              labels=["state"])
    for value in RunState:
        state.add_metric([value.value], 1 if last is not None and last.state == value.value else 0)
    yield state
    for name, help_text, figure in (
            ("bordereau_purge_last_run_documents", "Documents the latest purge run removed so far",
             last.documents if last else 0),
            ("bordereau_purge_last_run_failures", "Objects the latest purge run could not delete",
             last.failure_count if last else 0),
            ("bordereau_purge_last_success_timestamp_seconds", "When a purge run last ended without error",
             status.last_success_at.timestamp() if status.last_success_at else 0)):
        gauge = GaugeMetricFamily(name, help_text)
        gauge.add_metric([], figure)
        yield gauge


def probe_families(engine: Engine, now: datetime) -> Iterator[GaugeMetricFamily]:
    """Each probe's latest measurement, and this month's availability as the contract counts it
    (over the month's hours that have ended; 1 before any hour counts)."""
    with Session(engine) as session:
        latest = latest_measurements(session)
        report = month_report(session, current_month(now), now)
    ok = GaugeMetricFamily("bordereau_probe_ok", "1 when the probe's latest measurement was OK", labels=["probe"])
    latency = GaugeMetricFamily("bordereau_probe_latency_seconds", "The probe's latest latency (-1: no answer)",
                                labels=["probe"])
    at = GaugeMetricFamily("bordereau_probe_last_timestamp_seconds", "When the probe was last measured",
                           labels=["probe"])
    for probe in PROBES:
        if (m := latest.get(probe)) is not None:
            ok.add_metric([probe], 1 if m.ok else 0)
            latency.add_metric([probe], m.latency_ms / 1000 if m.latency_ms is not None else -1)
            at.add_metric([probe], m.at.timestamp())
    yield from (ok, latency, at)
    month = GaugeMetricFamily("bordereau_availability_month_ratio",
                              "This month's availability so far (the contract's rule; 1 before any hour counts)")
    counted = report.counted_hours
    month.add_metric([], (counted - report.ko_hours) / counted if counted else 1.0)
    yield month
