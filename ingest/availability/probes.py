"""The two availability probes: measuring them, storing measurements, importing others'.

docs/contract.md §3. ``ui`` fetches a static asset of the web interface, ``api`` the echo API.
A measurement keeps what happened (status, latency); whether it is OK is decided later by
``ingest.contract.availability``, so a changed threshold never needs new measurements.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col, select

from ingest.availability.tables import PROBER_SOURCE, ProbeMeasurement
from ingest.contract.availability import Measurement
from ingest.contract.calendar import require_aware
from ingest.platform.columns import utcnow
from ingest.platform.pages import fetch_page

# What each probe fetches, relative to the base URL.
PROBE_PATHS = {"ui": "/ui/ui.css", "api": "/v1/echo"}
# Rows per INSERT: well under PostgreSQL's 65,535 bind parameters (6 per row).
_CHUNK = 2000

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class StoreResult:
    received: int
    stored: int

    @property
    def duplicates(self) -> int:
        return self.received - self.stored


def measure(client: httpx.Client, base_url: str, probe: str, clock: Clock) -> Measurement:
    """One GET of ``probe``'s target. No response (timeout, refused, reset) gives a
    measurement with neither status nor latency, which the contract counts as KO."""
    url = base_url.rstrip("/") + PROBE_PATHS[probe]
    at = require_aware(clock(), "clock()")
    started = time.perf_counter()
    try:
        response = client.get(url)  # reads the whole body: latency covers the transfer
    except httpx.TransportError:
        return Measurement(probe, at, None, None)
    latency_ms = (time.perf_counter() - started) * 1000
    return Measurement(probe, at, response.status_code, round(latency_ms, 3))


def measure_probes(base_url: str, clock: Clock = utcnow, timeout: float = 10.0) -> list[Measurement]:
    """Both probes against ``base_url``, one after the other, each bounded by ``timeout``.

    A fresh client per round: no connection is reused, so each measurement includes
    connecting, as an outside visitor's would."""
    limits = httpx.Limits(max_keepalive_connections=0)
    with httpx.Client(timeout=httpx.Timeout(timeout), limits=limits, follow_redirects=False) as client:
        return [measure(client, base_url, probe, clock) for probe in PROBE_PATHS]


def _insert(session: Session, rows: list[dict[str, object]]) -> int:
    """Insert ``rows``, skipping those already stored; returns how many were new."""
    table = SQLModel.metadata.tables[ProbeMeasurement.__tablename__]
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    stmt = module.insert(table).on_conflict_do_nothing(index_elements=["probe", "at", "source"])
    stored = 0
    for first in range(0, len(rows), _CHUNK):
        # RETURNING lists only the rows actually inserted, on both backends.
        result = session.execute(stmt.returning(table.c.id), rows[first:first + _CHUNK])
        stored += len(result.all())
    return stored


def store_measurements(session: Session, measurements: Iterable[Measurement], source: str) -> StoreResult:
    """Store measurements under ``source``; the same (probe, at, source) is kept once.

    Adds and flushes; the caller commits."""
    now, received = utcnow(), 0
    # Duplicates inside one call are dropped here too, so that one INSERT never holds the
    # same key twice.
    rows: dict[tuple[str, datetime], dict[str, object]] = {}
    for m in measurements:
        received += 1
        at = require_aware(m.at, "at").astimezone(UTC)
        rows.setdefault((m.probe, at), {
            "probe": m.probe, "at": at, "status": m.status, "latency_ms": m.latency_ms,
            "source": source, "recorded_at": now})
    stored = _insert(session, list(rows.values())) if rows else 0
    return StoreResult(received=received, stored=stored)


def import_measurements(engine: Engine, measurements: Sequence[Measurement], source: str) -> StoreResult:
    """The import use case (API and command line): store and commit in one transaction."""
    with Session(engine) as session:
        result = store_measurements(session, measurements, source)
        session.commit()
    return result


def run_probes(engine: Engine, base_url: str, timeout: float, clock: Clock = utcnow) -> list[Measurement]:
    """The beat job's use case: measure both probes and store them as the prober's."""
    measurements = measure_probes(base_url, clock, timeout)
    with Session(engine) as session:
        store_measurements(session, measurements, PROBER_SOURCE)
        session.commit()
    return measurements


def stored_between(session: Session, start: datetime, end: datetime) -> list[Measurement]:
    """Every source's measurements with ``start <= at < end``."""
    rows = session.execute(
        sa.select(col(ProbeMeasurement.probe), col(ProbeMeasurement.at), col(ProbeMeasurement.status),
                  col(ProbeMeasurement.latency_ms))
        .where(col(ProbeMeasurement.at) >= start, col(ProbeMeasurement.at) < end)
    ).all()
    return [Measurement(probe, at, status, latency) for probe, at, status, latency in rows]


def stored_measurements(session: Session, *, probe: str | None = None, source: str | None = None,
                        since: datetime | None = None, until: datetime | None = None, limit: int,
                        offset: int) -> tuple[list[ProbeMeasurement], int]:
    """Stored measurements, newest first, of one probe and source if asked; `since` inclusive,
    `until` exclusive."""
    stmt = select(ProbeMeasurement)
    if probe:
        stmt = stmt.where(ProbeMeasurement.probe == probe)
    if source:
        stmt = stmt.where(ProbeMeasurement.source == source)
    if since:
        stmt = stmt.where(col(ProbeMeasurement.at) >= since)
    if until:
        stmt = stmt.where(col(ProbeMeasurement.at) < until)
    return fetch_page(session, stmt, col(ProbeMeasurement.at).desc(), col(ProbeMeasurement.id), limit=limit,
                      offset=offset)


def latest_measurements(session: Session) -> dict[str, Measurement]:
    """Each probe's newest measurement, whatever its source (probes with none are left out)."""
    latest: dict[str, Measurement] = {}
    for probe in PROBE_PATHS:
        row = session.execute(
            sa.select(col(ProbeMeasurement.at), col(ProbeMeasurement.status), col(ProbeMeasurement.latency_ms))
            .where(col(ProbeMeasurement.probe) == probe).order_by(col(ProbeMeasurement.at).desc()).limit(1)
        ).first()
        if row is not None:
            latest[probe] = Measurement(probe, row.at, row.status, row.latency_ms)
    return latest
