"""What the administration pages say about people: a user's rights and state, and each audit entry
as a sentence an accountant reads ("marie@… a ajouté paul@… (Utilisateur, limité à SARL Dupont).").

Kept apart from the routes (as ``billing_view`` is for statements) so that the sentences are made in
one place from what the audit log stores: ids and short facts. People are named by their e-mail
address; the provider's staff, who belong to no account, are not named to the account.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from api.web.render import Page
from ingest.accounts import users
from ingest.accounts.audit import Action
from ingest.accounts.tables import AuditEntry, User

# Where a deleted user's freed address is cut (ingest.accounts.users.delete_user suffixes it).
_DELETED_MARK = "#deleted-"


@dataclass(frozen=True)
class ShownUser:
    """A user as the list and its page show it: its dossiers by name (None: all of them) and its
    states (``active`` or ``deactivated``, then ``locked`` and ``initial`` when they apply)."""

    user: User
    dossiers: list[str] | None
    states: tuple[str, ...]


def states(user: User) -> tuple[str, ...]:
    shown = ["active" if user.active else "deactivated"]
    if user.locked_at is not None:
        shown.append("locked")
    if user.password_initial and user.active:
        shown.append("initial")
    return tuple(shown)


def shown_user(session: Session, user: User, names: dict[str, str]) -> ShownUser:
    """`user` with the names of the dossiers it is limited to (`names`: the account's dossiers)."""
    ids = users.user_dossier_ids(session, user)
    dossiers = None if ids is None else sorted(names.get(i, i) for i in ids)
    return ShownUser(user, dossiers, states(user))


def dossiers_said(page: Page, dossier_ids: list[str] | None, names: dict[str, str]) -> str:
    """"Tous les dossiers", "Aucun dossier", or the dossiers' names."""
    if dossier_ids is None:
        return page.t("admin.dossiers.all")
    if not dossier_ids:
        return page.t("admin.dossiers.none")
    return ", ".join(sorted(names.get(i, i) for i in dossier_ids))


def role_said(page: Page, role: Any) -> str:
    return page.t(f"admin.role.{role}") if role in ("admin", "user", "operator") else str(role)


def address_of(user: User) -> str:
    """A user's e-mail address, also once deleted (its stored address is then suffixed)."""
    return user.email.split(_DELETED_MARK, 1)[0]


@dataclass(frozen=True)
class AuditWords:
    """What a page needs to put the entries of one account's audit log into words."""

    page: Page
    account_id: str
    people: dict[str, User]
    dossiers: dict[str, str]

    @classmethod
    def of(cls, session: Session, page: Page, account_id: str, rows: list[AuditEntry],
           dossiers: dict[str, str]) -> AuditWords:
        ids = {i for e in rows for i in (e.actor_id, e.target_id) if i}
        return cls(page, account_id, users.users_by_id(session, ids), dossiers)

    def person(self, user_id: str | None, fallback: str = "") -> str:
        """Who a user id is, as the account may be told: its address (marked once deleted), an
        operator of the provider, or the provider itself (its command line, no user)."""
        if user_id is None:
            return self.page.t("admin.audit.provider")
        user = self.people.get(user_id)
        if user is None:
            return fallback or self.page.t("admin.audit.someone")
        if user.account_id != self.account_id:
            return self.page.t("admin.audit.operator")
        if user.deleted_at is not None:
            return self.page.t("admin.audit.deleted", email=address_of(user))
        return user.email

    def changes(self, detail: dict[str, Any]) -> str:
        said = []
        if "role" in detail:
            said.append(self.page.t("admin.audit.change.role", role=role_said(self.page, detail["role"]).lower()))
        if "dossier_ids" in detail:
            said.append(self.page.t("admin.audit.change.dossiers",
                                    dossiers=dossiers_said(self.page, detail["dossier_ids"], self.dossiers)))
        return "; ".join(said) or "—"

    def sentence(self, entry: AuditEntry) -> str:
        """The entry in one sentence of the page's language."""
        detail = entry.detail or {}
        values = {
            "actor": self.person(entry.actor_id),
            "target": self.person(entry.target_id, str(detail.get("email") or detail.get("admin_email") or "")),
            "name": detail.get("name", ""), "prefix": f"bdr_{detail.get('prefix', '')}_…",
            "role": role_said(self.page, detail.get("role", "")).lower(),
            "dossiers": dossiers_said(self.page, detail.get("dossier_ids"), self.dossiers),
            "changes": self.changes(detail), "count": detail.get("failed_logins", ""),
            "document": entry.target_id or "", "fields": ", ".join(map(str, detail.get("fields") or [])) or "—",
        }
        if entry.action not in {a.value for a in Action}:
            return self.page.t("admin.audit.s.other", action=entry.action, **values)
        return self.page.t(f"admin.audit.s.{entry.action}", **values)
