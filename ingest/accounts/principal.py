"""Who is calling, and the one account rule every read follows.

An account's users see their account's rows; the provider's operators see every account's. A
row of another account is treated exactly as a missing one, so that ids reveal nothing.
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

    @property
    def is_operator(self) -> bool:
        return self.role is Role.operator

    def sees(self, account_id: str | None) -> bool:
        """Whether a row of `account_id` is visible to this principal."""
        return self.is_operator or (account_id is not None and account_id == self.account_id)


def scoped(stmt: Statement, account_column: Any, principal: Principal) -> Statement:
    """`stmt` limited to the rows `principal` sees (all of them for an operator)."""
    if principal.is_operator:
        return stmt
    return stmt.where(col(account_column) == principal.account_id)
