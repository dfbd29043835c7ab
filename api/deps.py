"""Dependencies shared by the routes, with short aliases (``SessionDep`` …)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from api.problems import Problem
from ingest.accounts.lifecycle import authenticate
from ingest.accounts.principal import Principal
from ingest.resources import Resources


def get_resources(request: Request) -> Resources:
    """What the API process holds, built once at start-up (see ``api.app``)."""
    resources: Resources = request.app.state.resources
    return resources


ResourcesDep = Annotated[Resources, Depends(get_resources)]


def get_session(resources: ResourcesDep) -> Iterator[Session]:
    with Session(resources.engine, expire_on_commit=False) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def get_principal(request: Request, session: SessionDep) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Problem(401, "unauthenticated", "Send your API key as 'Authorization: Bearer <key>'.")
    principal = authenticate(session, token.strip())
    if principal is None:
        raise Problem(401, "invalid_api_key", "This API key is unknown, revoked, or its account is inactive.")
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require_operator(principal: PrincipalDep) -> Principal:
    if not principal.is_operator:
        raise Problem(403, "operators_only", "This action is reserved to the provider's operators.")
    return principal


OperatorDep = Annotated[Principal, Depends(require_operator)]
