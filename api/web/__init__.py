"""The web application under ``/app/``: server-rendered pages over the same use cases as the API.

`install` mounts the pages, their static files (the vendored htmx among them) and what every page
answer carries: a strict Content-Security-Policy (scripts and styles from this origin only, no
inline script), no framing, no referrer leaving the site.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from api.web import (
    pages_account,
    pages_account_billing,
    pages_admin,
    pages_availability,
    pages_document,
    pages_history,
    pages_ops,
    pages_support,
    pages_upload,
    pages_work,
)
from api.web.auth import Redirect, Refused
from api.web.pages_work import NotVisible
from api.web.render import Page, language, render

STATIC = Path(__file__).with_name("static")
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
ROUTERS = (pages_account.router, pages_work.router, pages_upload.router, pages_account_billing.router,
           pages_document.router, pages_availability.router, pages_support.router, pages_history.router,
           pages_admin.router, pages_ops.router)


def install(app: FastAPI) -> None:
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/app/static", StaticFiles(directory=STATIC), name="app-static")

    @app.exception_handler(Redirect)
    async def _redirect(_: Request, exc: Redirect) -> Response:
        return RedirectResponse(exc.location, status_code=303)

    @app.exception_handler(NotVisible)
    async def _not_visible(request: Request, _: NotVisible) -> HTMLResponse:
        return render(Page(request, language(request)), "error.html", status=404, message_key="error.not_found")

    @app.exception_handler(Refused)
    async def _refused(request: Request, exc: Refused) -> HTMLResponse:
        page = Page(request, language(request), exc.viewer.user, exc.viewer.csrf)
        return render(page, "error.html", status=exc.status, message_key=exc.message_key)

    @app.middleware("http")
    async def _page_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        if request.url.path.startswith("/app"):
            response.headers["Content-Security-Policy"] = CSP
            response.headers["X-Frame-Options"] = "DENY"
            response.headers["Referrer-Policy"] = "same-origin"
            if not request.url.path.startswith("/app/static/"):  # pages hold an account's data
                response.headers.setdefault("Cache-Control", "no-store")
        return response
