"""``/v1/probes/measurements``: operators import an external monitor's measurements and
read what is stored (docs/contract.md §3)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Query
from pydantic import BaseModel, Field, model_validator
from starlette.concurrency import run_in_threadpool

from api.bounds import Instant, Offset
from api.deps import OperatorDep, ResourcesDep, SessionDep
from api.problems import ApiCode, Problem
from api.schemas import Page
from ingest.availability.probes import import_measurements, stored_measurements
from ingest.availability.tables import PROBER_SOURCE
from ingest.contract.availability import Measurement, probe_name

router = APIRouter(prefix="/v1/probes", tags=["probes"])

MAX_MEASUREMENTS_PER_REQUEST = 20_000  # a month of both probes from one monitor is ~30,000: send it in two
SOURCE_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,63}$"


class MeasurementIn(BaseModel):
    probe: Literal["ui", "api", "ihm"] = Field(description="ui or api (ihm: the deprecated name of ui)")
    at: Instant = Field(description="ISO 8601 with an offset")
    status: int | None = Field(None, ge=100, le=599, description="null when nothing answered")
    latency_ms: float | None = Field(None, ge=0, allow_inf_nan=False, description="null when nothing answered")

    @model_validator(mode="after")
    def _both_or_neither(self) -> MeasurementIn:
        if (self.status is None) != (self.latency_ms is None):
            raise ValueError("status and latency_ms must both be null (no response) or both be set")
        return self


class ImportResult(BaseModel):
    received: int
    stored: int
    duplicates: int = Field(description="already stored for this probe, instant and source: ignored")


class MeasurementPublic(BaseModel):
    probe: str
    at: datetime
    status: int | None
    latency_ms: float | None
    source: str
    ok: bool = Field(description="2xx and under the probe's latency limit (1 s ui, 5 s api)")


@router.post("/measurements", response_model=ImportResult)
async def import_probe_measurements(
    operator: OperatorDep, resources: ResourcesDep,
    measurements: Annotated[list[MeasurementIn], Body(max_length=MAX_MEASUREMENTS_PER_REQUEST)],
    source: str = Query("import", pattern=SOURCE_PATTERN, description="the external monitor's name"),
) -> ImportResult:
    if source == PROBER_SOURCE:
        raise Problem(ApiCode.reserved_source, f"The source '{PROBER_SOURCE}' is the service's own prober; "
                      "name the monitor these measurements come from.")
    values = [Measurement(probe_name(m.probe), m.at, m.status, m.latency_ms) for m in measurements]
    result = await run_in_threadpool(import_measurements, resources.engine, values, source)
    return ImportResult(received=result.received, stored=result.stored, duplicates=result.duplicates)


@router.get("/measurements", response_model=Page[MeasurementPublic])
def list_probe_measurements(
    operator: OperatorDep, session: SessionDep, probe: Literal["ui", "api"] | None = None,
    source: Annotated[str | None, Query(pattern=SOURCE_PATTERN)] = None, since: Instant | None = None,
    until: Instant | None = None,
    limit: int = Query(100, ge=1, le=1000), offset: Offset = 0,
) -> Page[MeasurementPublic]:
    """Stored measurements, newest first; ``since`` inclusive, ``until`` exclusive."""
    rows, total = stored_measurements(session, probe=probe, source=source, since=since, until=until, limit=limit,
                                      offset=offset)
    items = [MeasurementPublic(probe=r.probe, at=r.at, status=r.status, latency_ms=r.latency_ms, source=r.source,
                               ok=Measurement(r.probe, r.at, r.status, r.latency_ms).ok) for r in rows]
    return Page[MeasurementPublic].of(items, total, limit, offset)
