"""Signing in and out, and changing one's password (people; programs use API keys).

A session lives in an ``HttpOnly`` cookie; its CSRF token comes in a cookie the page can read and in
the ``X-CSRF-Token`` header of the sign-in answer; the page sends it back in that header with every
request that changes something (see ``api.deps``).
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from api.deps import (
    CSRF_COOKIE,
    CSRF_HEADER,
    SESSION_COOKIE,
    PrincipalDep,
    ResourcesDep,
    SessionDep,
    client_address,
    user_public,
)
from api.schemas_accounts import LoginIn, PasswordChangeIn, UserPublic
from ingest.accounts import login
from ingest.accounts.sessions import csrf_token
from ingest.accounts.tables import User
from ingest.platform.columns import utcnow
from ingest.resources import Resources

router = APIRouter(prefix="/v1/auth", tags=["auth"])


def set_session_cookies(response: Response, resources: Resources, token: str) -> None:
    secure = resources.settings.cookie_secure
    max_age = int(resources.session_lifetimes.absolute.total_seconds())
    response.set_cookie(SESSION_COOKIE, token, max_age=max_age, httponly=True, secure=secure, samesite="lax",
                        path="/")
    csrf = csrf_token(token)
    response.set_cookie(CSRF_COOKIE, csrf, max_age=max_age, httponly=False, secure=secure, samesite="lax", path="/")
    response.headers[CSRF_HEADER] = csrf


@router.post("/login", response_model=UserPublic)
def log_in(body: LoginIn, request: Request, response: Response, resources: ResourcesDep,
           session: SessionDep) -> UserPublic:
    """Sign in with an e-mail and a password: a session cookie, and the user. Wrong credentials answer
    401 ``invalid_credentials`` alike whether the address has an account or not."""
    signed_in = login.log_in(session, body.email, body.password, address=client_address(request), now=utcnow(),
                             brakes=resources.login_brakes, lifetimes=resources.session_lifetimes)
    set_session_cookies(response, resources, signed_in.token)
    return user_public(session, signed_in.user)


@router.get("/me", response_model=UserPublic)
def me(principal: PrincipalDep, session: SessionDep) -> UserPublic:
    """Who is signed in (or whose key this is)."""
    user = session.get(User, principal.user_id)
    assert user is not None
    return user_public(session, user)


@router.post("/password", response_model=UserPublic)
def change_password(body: PasswordChangeIn, request: Request, principal: PrincipalDep,
                    session: SessionDep) -> UserPublic:
    """Change one's own password (the only route a user with an initial password may call, besides
    ``/me`` and ``/logout``). The user's other sessions end."""
    user = login.change_password(session, principal, body.current_password, body.new_password,
                                 address=client_address(request), now=utcnow())
    return user_public(session, user)


@router.post("/logout", status_code=204, response_class=Response)
def log_out(request: Request, principal: PrincipalDep, session: SessionDep) -> Response:
    """End the session (its cookie is cleared); with an API key, nothing to end."""
    login.log_out(session, principal, address=client_address(request), now=utcnow())
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response
