"""Tenant isolation for reads by id: one rule for every resource."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlmodel import Session

from api.problems import Problem
from ingest.accounts.lifecycle import Principal

Row = TypeVar("Row")


def visible(session: Session, principal: Principal, model: type[Row], row_id: str, noun: str) -> Row:
    """The row if it belongs to the caller's account (operators see every account).

    Another account's row answers exactly like a missing one (404), so ids reveal nothing.
    """
    row: Any = session.get(model, row_id)
    if row is None or (row.account_id != principal.account_id and not principal.is_operator):
        raise Problem(404, "not_found", f"No {noun} {row_id}.")
    return row  # type: ignore[no-any-return]
