"""The FastAPI application. ``create_app`` builds it; nothing runs at import."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import uuid

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles

from api import problems
from api.deps import Services
from api.routes import discover_routers
from ingest import logs
from ingest.db import make_engine, migrate
from ingest.settings import Settings, get_settings
from ingest.store import open_store
from workers.app import create_app as create_celery
from workers.runtime import limits_from

STATIC_DIR = Path(__file__).with_name("static")
log = logging.getLogger(__name__)


def build_services(settings: Settings) -> Services:
    engine = make_engine(settings.effective_database_url())
    return Services(settings=settings, engine=engine, store=open_store(settings),
                    limits=limits_from(settings), celery=create_celery(settings))


def create_app(settings: Settings | None = None, *, run_migrations: bool = True) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if run_migrations:
            migrate(settings.effective_database_url())
        services = build_services(settings)
        ensure_bucket = getattr(services.store, "ensure_bucket", None)
        if ensure_bucket is not None:  # S3: create the bucket on first start
            ensure_bucket()
        app.state.services = services
        yield
        services.engine.dispose()

    app = FastAPI(title="bordereau", version="0.1.0", lifespan=lifespan,
                  description="Invoice ingestion with a processing SLA: upload batches, follow them, "
                              "read what each document says.")
    problems.install(app)
    app.middleware("http")(_request_id)
    for router in discover_routers():
        app.include_router(router)
    app.mount("/ui", StaticFiles(directory=STATIC_DIR, html=True), name="ui")
    return app


async def _request_id(request: Request, call_next):  # type: ignore[no-untyped-def]
    """Tag every log line of a request with its id (the caller's, or a new one)."""
    rid = request.headers.get("x-request-id") or uuid.uuid4().hex
    token = logs.request_id.set(rid)
    try:
        response = await call_next(request)
    finally:
        logs.request_id.reset(token)
    response.headers["X-Request-ID"] = rid
    return response


def app_factory() -> FastAPI:
    """Entry point for ``uvicorn --factory api.app:app_factory``."""
    return create_app()
