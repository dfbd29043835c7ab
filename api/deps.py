"""Dependencies shared by the routes, with short aliases (``SessionDep`` …)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from celery import Celery
from fastapi import Depends, Request
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.problems import Problem
from ingest.accounts import Principal, authenticate
from ingest.documents.limits import Limits
from ingest.settings import Settings
from ingest.store import ObjectStore


@dataclass
class Services:
    """What a running API process holds: built once at start-up (lifespan)."""

    settings: Settings
    engine: Engine
    store: ObjectStore
    limits: Limits
    celery: Celery


def get_services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


ServicesDep = Annotated[Services, Depends(get_services)]


def get_session(services: ServicesDep) -> Iterator[Session]:
    with Session(services.engine, expire_on_commit=False) as session:
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
