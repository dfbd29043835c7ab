"""Statements: list, one with its lines (JSON), and a CSV export."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel
from sqlmodel import Session

from api.access import visible
from api.bounds import IdPath, IdQuery, Offset
from api.deps import OperatorDep, PrincipalDep, SessionDep
from api.downloads import content_disposition
from api.schemas import Page
from ingest.billing import statements
from ingest.billing.statements import lines_of
from ingest.billing.tables import Statement, StatementLine
from ingest.contract.money import cents_to_euros
from ingest.contract.periods import PARIS
from ingest.platform.spreadsheet import text_cell

router = APIRouter(prefix="/v1/statements", tags=["billing"])


class StatementSummary(BaseModel):
    id: str
    account_id: str
    number: int
    kind: str
    period_index: int
    period_start: datetime
    period_end: datetime
    corrects_id: str | None
    total_cents: int
    issued_at: datetime


class LinePublic(BaseModel):
    position: int
    kind: str
    period_index: int
    quantity: int
    unit_price_cents: str
    amount_cents: int
    label: str


class StatementPublic(StatementSummary):
    lines: list[LinePublic]


def summary(s: Statement) -> StatementSummary:
    return StatementSummary(id=s.id, account_id=s.account_id, number=s.number, kind=s.kind,
                            period_index=s.period_index, period_start=s.period_start.astimezone(PARIS),
                            period_end=s.period_end.astimezone(PARIS), corrects_id=s.corrects_id,
                            total_cents=s.total_cents, issued_at=s.issued_at.astimezone(PARIS))


def as_csv(statement: Statement, lines: list[StatementLine]) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(["statement_number", "position", "kind", "period_index", "quantity", "unit_price_eur",
                "amount_cents", "amount_eur", "label"])
    for line in lines:
        w.writerow([statement.number, line.position, line.kind, line.period_index, line.quantity,
                    _euros(line.unit_price_cents),
                    line.amount_cents, f"{cents_to_euros(line.amount_cents):.2f}", text_cell(line.label)])
    w.writerow([statement.number, "", "total", "", "", "", statement.total_cents,
                f"{cents_to_euros(statement.total_cents):.2f}", ""])
    return out.getvalue()


def _euros(unit_price_cents: str) -> str:
    # The exact unit price (it may hold a fraction of a cent after the surcharge).
    return f"{(Decimal(unit_price_cents) / 100).normalize():f}"


@router.get("", response_model=Page[StatementSummary])
def list_statements(principal: PrincipalDep, session: SessionDep, account_id: IdQuery = None,
                    limit: int = Query(50, ge=1, le=500), offset: Offset = 0) -> Page[StatementSummary]:
    rows, total = statements.list_statements(session, principal, account_id=account_id, limit=limit,
                                             offset=offset)
    return Page[StatementSummary].of([summary(s) for s in rows], total, limit, offset)


def _csv_response(statement: Statement, session: Session) -> Response:
    body = as_csv(statement, lines_of(session, statement.id))
    name = f"statement-{statement.number}.csv"
    return Response(body, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": content_disposition(name)})


@router.get("/{statement_id}.csv", response_class=Response)
def get_statement_csv(statement_id: IdPath, principal: PrincipalDep, session: SessionDep) -> Response:
    return _csv_response(visible(session, principal, Statement, statement_id, "statement"), session)


@router.get("/{statement_id}", response_model=StatementPublic)
def get_statement(statement_id: IdPath, principal: PrincipalDep, session: SessionDep,
                  format: str = Query("json", pattern="^(json|csv)$")) -> StatementPublic | Response:
    statement = visible(session, principal, Statement, statement_id, "statement")
    if format == "csv":
        return _csv_response(statement, session)
    lines = [LinePublic.model_validate(line, from_attributes=True) for line in lines_of(session, statement.id)]
    return StatementPublic(**summary(statement).model_dump(), lines=lines)


@router.post("/{statement_id}/corrections", status_code=201, response_model=StatementPublic)
def correct_statement(statement_id: IdPath, _: OperatorDep, session: SessionDep) -> StatementPublic:
    """Issue a correction (operators): a new statement that cancels every line of this one and bills
    its period again from today's data. The original stays as it was."""
    correction = statements.issue_correction(session, statement_id)
    lines = [LinePublic.model_validate(line, from_attributes=True) for line in lines_of(session, correction.id)]
    return StatementPublic(**summary(correction).model_dump(), lines=lines)
