"""Dependencies shared by the routes, with short aliases (``SessionDep`` …)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends, Request
from sqlmodel import Session

from api.problems import ApiCode, Problem
from api.uploads import UploadGate
from ingest.accounts.lifecycle import authenticate
from ingest.accounts.principal import Principal
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


def get_principal(request: Request, resources: ResourcesDep) -> Principal:
    """Who is calling. The key is checked on a connection of its own, given back at once: a route
    that then reads a long body (an upload) holds no connection while the client sends it."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Problem(ApiCode.unauthenticated, "Send your API key as 'Authorization: Bearer <key>'.")
    with Session(resources.engine) as session:
        principal = authenticate(session, token.strip())
    if principal is None:
        raise Problem(ApiCode.invalid_api_key, "This API key is unknown, revoked, or its account is inactive.")
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
