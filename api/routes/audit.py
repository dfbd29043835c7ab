"""The audit log of an account: readable by its administrators, and by operators naming it."""

from __future__ import annotations

from fastapi import APIRouter, Query

from api.bounds import Offset, OperatorsAccount
from api.deps import AdminDep, SessionDep, target_account
from api.schemas import Page
from api.schemas_accounts import AuditPublic
from ingest.accounts.audit import Action, entries

router = APIRouter(prefix="/v1/audit", tags=["audit"])


@router.get("", response_model=Page[AuditPublic])
def audit_log(principal: AdminDep, session: SessionDep, account_id: OperatorsAccount = None,
              action: Action | None = None, limit: int = Query(50, ge=1, le=500),
              offset: Offset = 0) -> Page[AuditPublic]:
    """Who changed what, when and from where: newest first, of one kind of action if asked."""
    rows, total = entries(session, target_account(principal, account_id), limit=limit, offset=offset,
                          action=action.value if action else None)
    items = [AuditPublic(id=e.id, at=e.at, action=e.action, actor_id=e.actor_id, target_id=e.target_id,
                         address=e.address, detail=e.detail) for e in rows]
    return Page[AuditPublic].of(items, total, limit, offset)
