"""Signing in and out, and changing one's password, as pages (the twins of ``api/routes/auth.py``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from api.deps import CSRF_COOKIE, SESSION_COOKIE, ResourcesDep, SessionDep, client_address
from api.routes.auth import set_session_cookies
from api.web.auth import (
    LOGIN_CSRF_COOKIE,
    AnyViewerDep,
    Viewer,
    form_is_ours,
    login_form_is_ours,
    new_login_token,
)
from api.web.render import Page, language, render
from ingest.accounts import login
from ingest.platform.columns import utcnow
from ingest.platform.errors import DomainError

router = APIRouter(prefix="/app", include_in_schema=False)
FormText = Annotated[str, Form(max_length=1_000)]


def refusal(page: Page, error: DomainError) -> str:
    """A refusal in the page's language when there is a text for its code, else its own sentence."""
    retry = getattr(error, "retry_after", None)
    key = f"error.{error.code}"
    try:
        return page.t(key, seconds=retry) if retry else page.t(key)
    except KeyError:
        return error.message


def _login_page(request: Request, error: str | None = None, status: int = 200, email: str = "") -> HTMLResponse:
    page = Page(request, language(request), csrf=new_login_token())
    response = render(page, "login.html", status=status, error=error, email=email)
    response.set_cookie(LOGIN_CSRF_COOKIE, page.csrf, httponly=True, samesite="strict", path="/app/login")
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> HTMLResponse:
    return _login_page(request)


@router.post("/login", response_class=HTMLResponse)
def login_submit(request: Request, resources: ResourcesDep, session: SessionDep, email: FormText,
                 password: FormText, csrf_token: FormText = "") -> Response:
    page = Page(request, language(request))
    if not login_form_is_ours(request, csrf_token):
        return _login_page(request, page.t("error.csrf"), 403, email)
    try:
        signed = login.log_in(session, email, password, address=client_address(request), now=utcnow(),
                              brakes=resources.login_brakes, lifetimes=resources.session_lifetimes)
    except DomainError as exc:
        status = 429 if getattr(exc, "retry_after", None) else 401 if exc.code == "invalid_credentials" else 403
        return _login_page(request, refusal(page, exc), status, email)
    target = "/app/password" if signed.user.password_initial else "/app/"
    response = RedirectResponse(target, status_code=303)
    set_session_cookies(response, resources, signed.token)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/app/login")
    return response


def _password_page(request: Request, viewer: Viewer, error: str | None = None, status: int = 200) -> HTMLResponse:
    page = Page(request, language(request), viewer.user, viewer.csrf)
    return render(page, "password.html", status=status, error=error,
                  initial=viewer.principal.must_change_password)


@router.get("/password", response_class=HTMLResponse)
def password_form(request: Request, viewer: AnyViewerDep) -> HTMLResponse:
    return _password_page(request, viewer)


@router.post("/password", response_class=HTMLResponse)
def password_submit(request: Request, viewer: AnyViewerDep, session: SessionDep, current_password: FormText,
                    new_password: FormText, confirm_password: FormText, csrf_token: FormText = "") -> Response:
    page = Page(request, language(request), viewer.user, viewer.csrf)
    if not form_is_ours(request, csrf_token):
        return _password_page(request, viewer, page.t("error.csrf"), 403)
    if new_password != confirm_password:
        return _password_page(request, viewer, page.t("password.mismatch"), 422)
    try:
        login.change_password(session, viewer.principal, current_password, new_password,
                              address=client_address(request), now=utcnow())
    except DomainError as exc:
        return _password_page(request, viewer, refusal(page, exc), 422)
    return RedirectResponse("/app/", status_code=303)


@router.post("/logout")
def logout(request: Request, viewer: AnyViewerDep, resources: ResourcesDep, csrf_token: FormText = "") -> Response:
    if not form_is_ours(request, csrf_token):  # another site's form: sign nobody out
        return RedirectResponse("/app/", status_code=303)
    with Session(resources.engine) as session:
        login.log_out(session, viewer.principal, address=client_address(request), now=utcnow())
    response = RedirectResponse("/app/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response
