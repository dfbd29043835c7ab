"""An account's users, managed by its administrators (operators: any account's, naming it)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request, Response

from api.bounds import IdPath, Offset, OperatorsAccount
from api.deps import AdminDep, SessionDep, client_address, target_account, user_public
from api.schemas import Page
from api.schemas_accounts import NewUserPublic, UserCreate, UserPatch, UserPublic
from ingest.accounts import users
from ingest.accounts.audit import Actor
from ingest.platform.columns import utcnow

router = APIRouter(prefix="/v1/users", tags=["users"])


@router.get("", response_model=Page[UserPublic])
def list_users(principal: AdminDep, session: SessionDep, account_id: OperatorsAccount = None,
               limit: int = Query(50, ge=1, le=500), offset: Offset = 0) -> Page[UserPublic]:
    rows, total = users.list_users(session, target_account(principal, account_id), limit=limit, offset=offset)
    return Page[UserPublic].of([user_public(session, u) for u in rows], total, limit, offset)


@router.post("", status_code=201, response_model=NewUserPublic)
def create_user(body: UserCreate, request: Request, principal: AdminDep, session: SessionDep) -> NewUserPublic:
    """A new user with an initial password (generated and shown once unless one is given), limited
    to `dossier_ids` if given."""
    new = users.create_user(session, Actor.of(principal, client_address(request)),
                            target_account(principal, body.account_id), body.email, body.role,
                            dossier_ids=body.dossier_ids, password=body.password, now=utcnow())
    return NewUserPublic(**user_public(session, new.user).model_dump(), initial_password=new.initial_password)


@router.get("/{user_id}", response_model=UserPublic)
def get_user(user_id: IdPath, principal: AdminDep, session: SessionDep) -> UserPublic:
    return user_public(session, users.account_user(session, principal, user_id))


@router.patch("/{user_id}", response_model=NewUserPublic)
def change_user(user_id: IdPath, body: UserPatch, request: Request, principal: AdminDep,
                session: SessionDep) -> NewUserPublic:
    """Change a user's role, dossier rights (``null``: all dossiers), activity, lock; or reset its
    password to a new initial one, returned once in ``initial_password``."""
    actor, now = Actor.of(principal, client_address(request)), utcnow()
    user = users.account_user(session, principal, user_id)
    user = users.change_user(session, actor, user, role=body.role, active=body.active, locked=body.locked,
                             dossier_ids=body.dossier_ids if body.sets_dossiers() else users.KEEP, now=now)
    initial = users.reset_password(session, actor, user, now) if body.reset_password else None
    return NewUserPublic(**user_public(session, user).model_dump(), initial_password=initial)


@router.delete("/{user_id}", status_code=204, response_class=Response)
def delete_user(user_id: IdPath, request: Request, principal: AdminDep, session: SessionDep) -> Response:
    """Delete a user: it stops at once; what it uploaded stays, attributed to it."""
    user = users.account_user(session, principal, user_id)
    users.delete_user(session, Actor.of(principal, client_address(request)), user, utcnow())
    return Response(status_code=204)
