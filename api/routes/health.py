"""Liveness, readiness and the probes' targets, with no authentication; metrics, for operators.

``/v1/echo`` (the ``api`` probe) and the web asset (the ``ui`` probe) touch no
database, so they measure the service's front door and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.concurrency import run_in_threadpool

from api.deps import OperatorDep, ResourcesDep
from api.metrics import render_metrics
from ingest.documents.ocr import ocr_status
from ingest.platform.db import ping as db_ping

router = APIRouter(tags=["health"])


@router.get("/v1/echo")
def echo(msg: Annotated[str | None, Query(max_length=200)] = None) -> dict[str, str]:
    return {"echo": msg or "ok", "at": datetime.now(UTC).isoformat()}


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


def _check(fn: Callable[[], object]) -> str:
    try:
        fn()
        return "ok"
    except Exception as exc:  # the reason goes to the operator, not a stack trace
        return f"down: {type(exc).__name__}"


def _broker_ping(resources: ResourcesDep) -> None:
    with resources.broker.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


@router.get("/readyz")
async def readyz(resources: ResourcesDep) -> JSONResponse:
    checks = {
        "database": await run_in_threadpool(_check, lambda: db_ping(resources.engine)),
        "broker": await run_in_threadpool(_check, lambda: _broker_ping(resources)),
        "store": await run_in_threadpool(_check, resources.store.ping),
    }
    ready = all(v == "ok" for v in checks.values())
    # OCR is reported, not required: only scans need it, and they wait for it
    # (queued, ocr_unavailable) instead of failing; the API itself does not OCR.
    checks["ocr"] = await run_in_threadpool(ocr_status, resources.ocr)
    return JSONResponse({"status": "ready" if ready else "not_ready", "checks": checks},
                        status_code=200 if ready else 503)


@router.get("/metrics")
async def metrics(_: OperatorDep, resources: ResourcesDep) -> Response:
    """Prometheus metrics, for the provider's monitoring: they count every account's documents, so
    they need an operator's key (a scrape sends it as a bearer token)."""
    body = await run_in_threadpool(render_metrics, resources.engine, resources.settings)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
