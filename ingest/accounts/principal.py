"""Who is calling, and the one account rule every read follows.

An account's users see their account's rows; the provider's operators see every account's; a user
limited to some dossiers sees, of the rows that belong to a dossier, only those of its dossiers. A
row it may not see is treated exactly as a missing one, so that ids reveal nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, Self, TypeVar

from sqlalchemy import ColumnElement
from sqlmodel import col

from ingest.accounts.tables import Role


class _Filterable(Protocol):
    """A statement `scoped` can limit: its ``where`` returns a statement of the same kind."""

    def where(self, *whereclause: ColumnElement[bool]) -> Self: ...


Statement = TypeVar("Statement", bound=_Filterable)


@dataclass(frozen=True)
class Principal:
    """Who is calling: every read and write is scoped by ``account_id``."""

    user_id: str
    account_id: str | None
    role: Role
    # The dossiers the user is limited to; None: every dossier of its account.
    dossier_ids: frozenset[str] | None = None
    # The session the call came with (None: an API key).
    session_id: str | None = None
    # An initial password not yet changed (ingest.accounts.login).
    must_change_password: bool = False

    @property
    def is_operator(self) -> bool:
        return self.role is Role.operator

    @property
    def is_admin(self) -> bool:
        """An administrator of its account, or an operator (who may do what they do)."""
        return self.role in (Role.admin, Role.operator)

    def sees(self, account_id: str | None) -> bool:
        """Whether a row of `account_id` is visible to this principal."""
        return self.is_operator or (account_id is not None and account_id == self.account_id)

    def sees_dossier(self, dossier_id: str) -> bool:
        """Whether the dossier is within the user's rights (its account is checked by `sees`)."""
        return self.dossier_ids is None or dossier_id in self.dossier_ids


def scoped(stmt: Statement, account_column: Any, principal: Principal, dossier_column: Any = None) -> Statement:
    """`stmt` limited to the rows `principal` sees (all of them for an operator), and to its dossiers
    when it is limited to some and the rows have a `dossier_column`."""
    if principal.is_operator:
        return stmt
    stmt = stmt.where(col(account_column) == principal.account_id)
    if dossier_column is not None and principal.dossier_ids is not None:
        stmt = stmt.where(col(dossier_column).in_(sorted(principal.dossier_ids)))
    return stmt
