"""Who is looking at a page, and the CSRF token of its forms.

Pages use the same sessions as the API (``ingest.accounts.identify``), the same rights and the same
forced password change; where the API answers 401 or 403, a page sends the person to sign in or to
change the password. Forms carry the session's CSRF token in a hidden field ``csrf_token``; the
sign-in form, before any session, carries a token of its own, set in a cookie by the page that
shows it (double submit), so that no other site can sign a browser in to another account.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from api.deps import SESSION_COOKIE, ResourcesDep, session_principal
from ingest.accounts.principal import Principal
from ingest.accounts.sessions import csrf_matches, csrf_token
from ingest.accounts.tables import User

LOGIN_CSRF_COOKIE = "bordereau_login_csrf"


class Redirect(Exception):
    """Send the browser elsewhere (303): to sign in, or to change an initial password."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


@dataclass(frozen=True)
class Viewer:
    """A signed-in person: the principal of its session, its user row, its session token's CSRF."""

    principal: Principal
    user: User
    csrf: str


class Refused(Exception):
    """A signed-in person refused a page or a form (its status, as the API would answer, and the
    text key of the sentence the error page shows): not an administrator, a form without its CSRF
    token."""

    def __init__(self, viewer: Viewer, status: int, message_key: str) -> None:
        super().__init__(message_key)
        self.viewer, self.status, self.message_key = viewer, status, message_key


def _viewer(request: Request, resources: ResourcesDep) -> Viewer | None:
    token = request.cookies.get(SESSION_COOKIE, "")
    principal = session_principal(resources, token) if token else None
    if principal is None:
        return None
    with Session(resources.engine) as session:
        user = session.get(User, principal.user_id)
    if user is None:
        return None
    return Viewer(principal, user, csrf_token(token))


def signed_in_any(request: Request, resources: ResourcesDep) -> Viewer:
    """A signed-in person, even one who must still change an initial password."""
    viewer = _viewer(request, resources)
    if viewer is None:
        raise Redirect("/app/login")
    return viewer


def signed_in(viewer: Annotated[Viewer, Depends(signed_in_any)]) -> Viewer:
    """A signed-in person free to use the application (its password is not an initial one)."""
    if viewer.principal.must_change_password:
        raise Redirect("/app/password")
    return viewer


ViewerDep = Annotated[Viewer, Depends(signed_in)]
AnyViewerDep = Annotated[Viewer, Depends(signed_in_any)]


def form_is_ours(request: Request, sent: str | None) -> bool:
    """Whether a form came with its session's CSRF token."""
    return csrf_matches(request.cookies.get(SESSION_COOKIE, ""), sent)


def new_login_token() -> str:
    return secrets.token_urlsafe(24)


def login_form_is_ours(request: Request, sent: str | None) -> bool:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    return bool(expected) and bool(sent) and hmac.compare_digest(expected, sent or "")
