"""The FastAPI application. ``create_app`` builds it; nothing runs at import."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from api import problems, web
from api.routes import (
    api_keys,
    audit,
    auth,
    availability,
    batches,
    credit_claims,
    documents,
    dossiers,
    health,
    history,
    invoices,
    journal,
    maintenance,
    probes,
    purge,
    sla,
    statements,
    subscriptions,
    support_requests,
    usage,
    users,
)
from api.uploads import UploadGate
from ingest.documents.ocr import ocr_status
from ingest.platform import logs
from ingest.platform.db import migrate
from ingest.platform.settings import Settings, get_settings
from ingest.resources import Resources

STATIC_DIR = Path(__file__).with_name("static")
ROUTERS = (health.router, auth.router, users.router, api_keys.router, audit.router, dossiers.router,
           batches.router, documents.router, sla.router, history.router, subscriptions.router, usage.router,
           statements.router, availability.router, credit_claims.router, probes.router, maintenance.router,
           support_requests.router, purge.router, journal.router,
           invoices.router)
log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, *, run_migrations: bool = True) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if run_migrations:
            migrate(settings.effective_database_url())
        resources = Resources.from_settings(settings)
        ensure_bucket = getattr(resources.store, "ensure_bucket", None)
        if ensure_bucket is not None:  # S3: create the bucket on first start
            ensure_bucket()
        app.state.resources = resources
        await _say_if_ocr_is_missing(resources)
        yield
        resources.close()

    app = FastAPI(title="bordereau", version="0.1.0", lifespan=lifespan,
                  description="Invoice ingestion with a processing SLA: upload batches, follow them, "
                              "read what each document says.")
    problems.install(app)
    app.state.upload_gate = UploadGate.from_settings(settings)
    app.middleware("http")(_request_id)
    for router in ROUTERS:
        app.include_router(router)
    web.install(app)
    app.mount("/ui", StaticFiles(directory=STATIC_DIR, html=True), name="ui")
    return app


async def _say_if_ocr_is_missing(resources: Resources) -> None:
    """Warn when this host cannot OCR: documents that need it will wait."""
    status = await run_in_threadpool(ocr_status, resources.ocr)
    if status != "ok":
        log.warning("OCR %s: scans and PDF pages without text will wait until it is installed", status)


async def _request_id(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Tag every log line of a request with its id (the caller's if sane, or a new one); the outbox
    carries it into the tasks the request causes."""
    rid = logs.sane_request_id(request.headers.get("x-request-id")) or uuid.uuid4().hex
    token = logs.request_id.set(rid)
    try:
        response = await call_next(request)
    finally:
        logs.request_id.reset(token)
    response.headers["X-Request-ID"] = rid
    # Every answer is what its Content-Type says: a browser never guesses (a client's file served
    # as a download could otherwise be sniffed into a page).
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def app_factory() -> FastAPI:
    """Entry point for ``uvicorn --factory api.app:app_factory``."""
    return create_app()
