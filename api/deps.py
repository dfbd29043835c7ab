"""Dependencies shared by the routes, with short aliases (``SessionDep`` …)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends, Request
from sqlmodel import Session

from api.problems import ApiCode, Problem
from api.schemas_accounts import UserPublic
from api.uploads import UploadGate
from ingest.accounts.identify import by_key, by_session, dossier_rights
from ingest.accounts.principal import Principal
from ingest.accounts.sessions import csrf_matches
from ingest.accounts.tables import User
from ingest.platform.columns import utcnow
from ingest.resources import Resources

log = logging.getLogger(__name__)


def get_resources(request: Request) -> Resources:
    """What the API process holds, built once at start-up (see ``api.app``)."""
    resources: Resources = request.app.state.resources
    return resources


ResourcesDep = Annotated[Resources, Depends(get_resources)]


def get_session(resources: ResourcesDep) -> Iterator[Session]:
    """A session for the route's short transactions. Closing it can meet a connection the database
    dropped meanwhile (a restart, a terminated backend): that is logged and the connection thrown
    away, never raised into a response that is already written."""
    session = Session(resources.engine, expire_on_commit=False)
    try:
        yield session
    finally:
        try:
            session.close()
        except sa.exc.SQLAlchemyError as exc:
            log.warning("a request's database connection was lost before it was closed: %s", type(exc).__name__)
            session.invalidate()


SessionDep = Annotated[Session, Depends(get_session)]


SESSION_COOKIE = "bordereau_session"
CSRF_COOKIE = "bordereau_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# What a user whose password is initial may still do: change it, see who it is, sign out.
BEFORE_PASSWORD_CHANGE = frozenset({"/v1/auth/password", "/v1/auth/me", "/v1/auth/logout"})


def client_address(request: Request) -> str | None:
    """The client's address as the server saw it (behind a proxy, uvicorn's --proxy-headers)."""
    return request.client.host if request.client else None


def get_principal(request: Request, resources: ResourcesDep) -> Principal:
    """Who is calling: an API key (``Authorization: Bearer``) or a session cookie, resolved on a
    connection of its own, given back at once: a route that then reads a long body (an upload)
    holds no connection while the client sends it.

    With a session, a request that changes something must echo the CSRF token in ``X-CSRF-Token``,
    and a user whose password is initial may do nothing but change it (docs/contract.md §7). The
    initial password is the sign-in's: an API key, made for a program, is not held back by it."""
    header = request.headers.get("authorization", "")
    token = request.cookies.get(SESSION_COOKIE, "")
    if header:
        return _by_key(resources, header)
    if not token:
        raise Problem(ApiCode.unauthenticated, "Send your API key as 'Authorization: Bearer <key>', or sign in.")
    principal = session_principal(resources, token)
    if principal is None:
        raise Problem(ApiCode.session_ended, "Your session has ended (signed out, expired or stopped): sign in again.")
    if request.method not in SAFE_METHODS and not csrf_matches(token, request.headers.get(CSRF_HEADER)):
        raise Problem(ApiCode.csrf_failed, f"Send the CSRF token of your session in the {CSRF_HEADER} header "
                      f"(the page reads it from the {CSRF_COOKIE} cookie).")
    if principal.must_change_password and request.url.path not in BEFORE_PASSWORD_CHANGE:
        raise Problem(ApiCode.password_change_required, "Your password is an initial one: change it first "
                      "(POST /v1/auth/password).")
    return principal


def session_principal(resources: Resources, token: str) -> Principal | None:
    """The principal behind a session token, on a connection given back at once (its last-seen
    instant moved on); None when the session is unknown, ended or expired."""
    with Session(resources.engine) as session:
        principal = by_session(session, token, utcnow(), resources.session_lifetimes.idle)
        session.commit()
    return principal


def _by_key(resources: Resources, header: str) -> Principal:
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Problem(ApiCode.unauthenticated, "Send your API key as 'Authorization: Bearer <key>'.")
    with Session(resources.engine) as session:
        principal = by_key(session, token.strip(), utcnow())
        session.commit()
    if principal is None:
        raise Problem(ApiCode.invalid_api_key, "This API key is unknown, revoked, or its user or account is inactive.")
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def get_upload_gate(request: Request) -> UploadGate:
    gate: UploadGate = request.app.state.upload_gate
    return gate


UploadGateDep = Annotated[UploadGate, Depends(get_upload_gate)]


def require_operator(principal: PrincipalDep) -> Principal:
    if not principal.is_operator:
        raise Problem(ApiCode.operators_only, "This action is reserved to the provider's operators.")
    return principal


OperatorDep = Annotated[Principal, Depends(require_operator)]


def require_admin(principal: PrincipalDep) -> Principal:
    if not principal.is_admin:
        raise Problem(ApiCode.admins_only, "Only the account's administrators may do this.")
    return principal


AdminDep = Annotated[Principal, Depends(require_admin)]


def target_account(principal: Principal, account_id: str | None) -> str:
    """An account reads its own rows; an operator names the account."""
    if principal.is_operator:
        if not account_id:
            raise Problem(ApiCode.account_required, "Operators name the account with ?account_id=….")
        return account_id
    if account_id and account_id != principal.account_id:
        raise Problem(ApiCode.not_found, f"No account {account_id}.")
    assert principal.account_id is not None
    return principal.account_id


def user_public(session: Session, user: User) -> UserPublic:
    rights = dossier_rights(session, user)
    return UserPublic(id=user.id, email=user.email, role=user.role, account_id=user.account_id, active=user.active,
                      locked=user.locked_at is not None, password_change_required=user.password_initial,
                      dossier_ids=sorted(rights) if rights is not None else None, created_at=user.created_at,
                      last_login_at=user.last_login_at)
