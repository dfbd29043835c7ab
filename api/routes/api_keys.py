"""API keys for programs: each acts with its user's rights. Users manage their own; an account's
administrators see and revoke every key of the account."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from api.bounds import IdPath
from api.deps import PrincipalDep, SessionDep, client_address
from api.schemas_accounts import KeyCreate, KeyPublic, NewKeyPublic
from ingest.accounts import keys
from ingest.accounts.audit import Actor
from ingest.accounts.tables import ApiKey, User
from ingest.platform.columns import utcnow

router = APIRouter(prefix="/v1/api-keys", tags=["api keys"])


def _public(key: ApiKey, user: User) -> KeyPublic:
    return KeyPublic(id=key.id, name=key.name, prefix=key.prefix, user_id=user.id, user_email=user.email,
                     created_at=key.created_at, last_used_at=key.last_used_at)


@router.get("", response_model=list[KeyPublic])
def list_keys(principal: PrincipalDep, session: SessionDep) -> list[KeyPublic]:
    """Live keys: the caller's own; an administrator's, every key of the account."""
    return [_public(k, u) for k, u in keys.keys_of(session, principal)]


@router.post("", status_code=201, response_model=NewKeyPublic)
def create_key(body: KeyCreate, request: Request, principal: PrincipalDep, session: SessionDep) -> NewKeyPublic:
    """A new key of the caller's, shown once."""
    user = session.get(User, principal.user_id)
    assert user is not None
    key, plaintext = keys.create_key(session, Actor.of(principal, client_address(request)), user, body.name,
                                     utcnow())
    return NewKeyPublic(**_public(key, user).model_dump(), api_key=plaintext)


@router.delete("/{key_id}", status_code=204, response_class=Response)
def revoke_key(key_id: IdPath, request: Request, principal: PrincipalDep, session: SessionDep) -> Response:
    """Revoke a key at once (its next request answers 401)."""
    keys.revoke_key(session, Actor.of(principal, client_address(request)), principal, key_id, utcnow())
    return Response(status_code=204)
