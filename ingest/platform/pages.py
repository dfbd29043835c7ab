"""One page of a list: its rows and the total they were taken from."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlmodel import Session, func, select
from sqlmodel.sql.expression import SelectOfScalar

Row = TypeVar("Row")


def fetch_page(session: Session, stmt: SelectOfScalar[Row], *order_by: Any, limit: int,
               offset: int) -> tuple[list[Row], int]:
    """`limit` rows of `stmt` from `offset` in the given order, and how many rows `stmt` has."""
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = session.exec(stmt.order_by(*order_by).offset(offset).limit(limit)).all()
    return list(rows), int(total)
