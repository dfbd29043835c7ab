"""Errors as ``application/problem+json`` (RFC 9457), each with a stable type.

A domain refusal (``ingest.platform.errors.DomainError``) becomes a problem here, in one place:
`STATUS` gives the HTTP status of each code that is not a plain 422. Routes raise `Problem` only
for what the API itself checks (credentials, the shape of a multipart body).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ingest.accounts.dossiers import DossierCode
from ingest.accounts.lifecycle import AccountCode
from ingest.availability.credit_claims import CreditClaimCode
from ingest.billing.subscriptions import BillingCode
from ingest.history.lock import HistoryCode
from ingest.intake.receive import IntakeCode
from ingest.platform.errors import DomainError
from ingest.store import StoreUnavailable
from ingest.support.maintenance import MaintenanceCode
from ingest.support.rules import SupportCode

PROBLEM_BASE = "https://bordereau.invalid/problems/"

_TITLES = {400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found",
           409: "Conflict", 413: "Payload too large", 422: "Unprocessable content",
           503: "Service unavailable"}

# The HTTP status of every domain code that is not 422 (a request the caller must change).
STATUS: dict[StrEnum, int] = {
    AccountCode.account_not_found: 404, AccountCode.email_taken: 409,
    DossierCode.no_account: 403,
    IntakeCode.no_account: 403, IntakeCode.dossier_not_found: 404,
    BillingCode.account_not_found: 404, BillingCode.no_subscription: 404,
    BillingCode.period_not_found: 404, BillingCode.statement_not_found: 404,
    BillingCode.statement_corrected: 409, BillingCode.activation_fixed: 409,
    MaintenanceCode.OPERATORS_ONLY: 403,
    SupportCode.NO_ACCOUNT: 403, SupportCode.NOT_FOUND: 404, SupportCode.ALREADY_PICKED_UP: 409,
    SupportCode.NOT_PICKED_UP: 409, SupportCode.ALREADY_QUALIFIED: 409, SupportCode.NOT_QUALIFIED: 409,
    SupportCode.NOT_AN_ANOMALY: 409, SupportCode.CLOSED: 409, SupportCode.OUT_OF_ORDER: 409,
    SupportCode.TOO_MANY_ATTACHMENTS: 413, SupportCode.ATTACHMENT_CONFLICT: 409,
    CreditClaimCode.clients_only: 403, CreditClaimCode.claim_exists: 409,
    HistoryCode.purge_busy: 409,
}
_STATUS_BY_CODE = {str(code): status for code, status in STATUS.items()}


class Problem(Exception):
    def __init__(self, status: int, code: str, detail: str, **extra: Any):
        super().__init__(detail)
        self.status, self.code, self.detail, self.extra = status, code, detail, extra


def status_of(error: DomainError) -> int:
    return _STATUS_BY_CODE.get(error.code, 422)


def problem_response(status: int, code: str, detail: str, **extra: Any) -> JSONResponse:
    body = {"type": PROBLEM_BASE + code, "title": _TITLES.get(status, "Error"), "status": status,
            "code": code, "detail": detail, **extra}
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type="application/problem+json", headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(_: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc.status, exc.code, exc.detail, **exc.extra)

    @app.exception_handler(DomainError)
    async def _refused(_: Request, exc: DomainError) -> JSONResponse:
        return problem_response(status_of(exc), exc.code, exc.message)

    @app.exception_handler(StoreUnavailable)
    async def _store(_: Request, exc: StoreUnavailable) -> JSONResponse:
        return problem_response(503, "store_unavailable", "The object store is unreachable, so nothing was "
                                "changed; try again in a moment (an upload with the same Idempotency-Key).")

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in exc.errors()]
        return problem_response(422, "invalid_request", "The request is not valid: " +
                                "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors),
                                errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return problem_response(exc.status_code, code, str(exc.detail))
