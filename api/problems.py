"""Errors as ``application/problem+json`` (RFC 9457), each with a stable type.

A domain refusal (``ingest.platform.errors.DomainError``) becomes a problem here, in one place:
`STATUS` gives the HTTP status of each code that is not a plain 422. Routes raise `Problem` only
for what the API itself checks (credentials, the shape of a multipart body).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ingest.accounts.dossiers import DossierCode
from ingest.accounts.keys import ApiKeyCode
from ingest.accounts.lifecycle import AccountCode
from ingest.accounts.login import AuthCode
from ingest.accounts.users import UserCode
from ingest.availability.credit_claims import CreditClaimCode
from ingest.billing.subscriptions import BillingCode
from ingest.history.lock import HistoryCode
from ingest.intake.errors import IntakeCode
from ingest.journal.errors import JournalCode
from ingest.platform.db import TRANSIENT_DB_ERRORS
from ingest.platform.errors import Code, DomainError
from ingest.store import StoreUnavailable
from ingest.support.maintenance import MaintenanceCode
from ingest.support.rules import SupportCode

PROBLEM_BASE = "https://bordereau.invalid/problems/"

_TITLES = {400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found",
           408: "Request timeout", 409: "Conflict", 413: "Payload too large", 415: "Unsupported media type",
           422: "Unprocessable content", 429: "Too many requests", 503: "Service unavailable"}

class ApiCode(Code):
    """What the API itself refuses: credentials, a request's shape or pace, a resource's absence."""

    unauthenticated = "unauthenticated", "Send your API key as 'Authorization: Bearer <key>', or sign in."
    invalid_api_key = "invalid_api_key", "The API key is unknown, revoked, or its user or account is inactive."
    session_ended = "session_ended", "The session was signed out, expired or stopped: sign in again."
    csrf_failed = "csrf_failed", "A change made with a session must echo its CSRF token in X-CSRF-Token."
    password_change_required = ("password_change_required", "The password is an initial one: change it first "
                                "(POST /v1/auth/password).")
    operators_only = "operators_only", "The action is reserved to the provider's operators."
    admins_only = "admins_only", "The action is reserved to the account's administrators."
    not_found = "not_found", "No such resource in your account (another account's answers the same)."
    method_not_allowed = "method_not_allowed", "The resource does not take that method."
    invalid_request = "invalid_request", "A parameter or a field is missing, of the wrong type, or out of range."
    not_multipart = "not_multipart", "Send the files as multipart/form-data."
    malformed_multipart = "malformed_multipart", "The multipart body could not be read, or ended inside a file."
    unexpected_file = "unexpected_file", "A file was sent in another form field than 'files'."
    too_many_files = "too_many_files", "More files than one upload takes."
    field_too_large = "field_too_large", "A form field is too large."
    dossier_required = "dossier_required", "The form field 'dossier_id' is required."
    invalid_upload_total = "invalid_upload_total", "upload_total is a whole number of files."
    invalid_idempotency_key = "invalid_idempotency_key", "An Idempotency-Key is 1 to 200 printable characters."
    no_file = "no_file", "Send one or more files in the form field 'files'."
    attachment_too_large = "attachment_too_large", "Attachments sent in one call are larger than allowed."
    upload_too_slow = ("upload_too_slow", "The upload's body came too slowly or took too long; nothing was "
                       "recorded, send it again.")
    too_many_uploads = ("too_many_uploads", "Your account has as many uploads in progress as one server takes; "
                        "retry after Retry-After.")
    server_busy = "server_busy", "The server receives as many uploads as it takes; retry after Retry-After."
    content_missing = "content_missing", "The document's original is no longer in the store."
    account_required = "account_required", "Operators name the account with ?account_id=…."
    invalid_month = "invalid_month", "A month is YYYY-MM, from 2000 to 2999."
    invalid_range = "invalid_range", "'to' must be after 'from'."
    reserved_source = "reserved_source", "'prober' is the service's own prober: name your monitor."
    store_unavailable = ("store_unavailable", "The object store is unreachable; nothing was changed, try again "
                         "after Retry-After.")
    database_unavailable = ("database_unavailable", "The database is unreachable or busy; nothing was changed, try "
                            "again after Retry-After.")
    http_error = "http_error", "Any other refusal of the HTTP layer."


# The HTTP status of every code that is not 422 (a request the caller must change).
STATUS: dict[StrEnum, int] = {
    ApiCode.unauthenticated: 401, ApiCode.invalid_api_key: 401, ApiCode.session_ended: 401,
    ApiCode.csrf_failed: 403, ApiCode.password_change_required: 403, ApiCode.operators_only: 403,
    ApiCode.admins_only: 403,
    ApiCode.not_found: 404, ApiCode.content_missing: 404, ApiCode.method_not_allowed: 405,
    ApiCode.not_multipart: 415, ApiCode.malformed_multipart: 400, ApiCode.too_many_files: 413,
    ApiCode.field_too_large: 413, ApiCode.attachment_too_large: 413, ApiCode.upload_too_slow: 408,
    ApiCode.too_many_uploads: 429, ApiCode.server_busy: 429, ApiCode.store_unavailable: 503,
    ApiCode.database_unavailable: 503,
    AccountCode.account_not_found: 404,
    UserCode.user_not_found: 404, UserCode.account_not_found: 404, UserCode.email_taken: 409, UserCode.last_admin: 409,
    AuthCode.invalid_credentials: 401, AuthCode.too_many_attempts: 429, AuthCode.user_locked: 403,
    AuthCode.wrong_current_password: 403, AuthCode.no_password: 409,
    ApiKeyCode.key_not_found: 404,
    DossierCode.no_account: 403, DossierCode.limited_to_dossiers: 403,
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
    JournalCode.supplier_not_found: 404, JournalCode.not_processed: 409, JournalCode.account_users_only: 403,
    JournalCode.not_a_pdf: 409, JournalCode.original_missing: 404, JournalCode.pdfa_unavailable: 503,
    JournalCode.pdfa_failed: 422,
}
_STATUS_BY_CODE = {str(code): status for code, status in STATUS.items()}


class Problem(Exception):
    """A refusal the API itself decides (credentials, a request's shape or pace): its status comes
    from `STATUS`; `extra` joins the body, `headers` the response (``Retry-After``, say)."""

    def __init__(self, code: ApiCode, detail: str, *, headers: dict[str, str] | None = None, **extra: Any):
        super().__init__(detail)
        self.status, self.code, self.detail, self.extra = status_of(code), str(code), detail, extra
        self.headers = headers or {}


def status_of(code: str) -> int:
    return _STATUS_BY_CODE.get(code, 422)


def problem_response(status: int, code: str, detail: str, *, headers: dict[str, str] | None = None,
                     **extra: Any) -> JSONResponse:
    body = {"type": PROBLEM_BASE + code, "title": _TITLES.get(status, "Error"), "status": status,
            "code": code, "detail": detail, **extra}
    headers = {**({"WWW-Authenticate": "Bearer"} if status == 401 else {}), **(headers or {})}
    return JSONResponse(body, status_code=status, media_type="application/problem+json", headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(_: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc.status, exc.code, exc.detail, headers=exc.headers, **exc.extra)

    @app.exception_handler(DomainError)
    async def _refused(_: Request, exc: DomainError) -> JSONResponse:
        retry_after = getattr(exc, "retry_after", None)
        headers = {"Retry-After": str(retry_after)} if retry_after else None
        return problem_response(status_of(exc.code), exc.code, exc.message, headers=headers)

    @app.exception_handler(StoreUnavailable)
    async def _store(_: Request, exc: StoreUnavailable) -> JSONResponse:
        return problem_response(503, ApiCode.store_unavailable, "The object store is unreachable, so nothing was "
                                "changed; try again in a moment (an upload with the same Idempotency-Key).",
                                headers={"Retry-After": "5"})

    async def _database(_: Request, exc: Exception) -> JSONResponse:
        # Unreachable, restarting, or every connection of the pool busy: a wait, not a fault of the
        # request. Nothing of a use case's transaction was committed.
        return problem_response(503, ApiCode.database_unavailable, "The database is unreachable or busy, so nothing "
                                "was changed; try again in a moment.", headers={"Retry-After": "5"})

    for error in (*TRANSIENT_DB_ERRORS, sa.exc.TimeoutError):
        app.add_exception_handler(error, _database)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in exc.errors()]
        return problem_response(422, ApiCode.invalid_request, "The request is not valid: " +
                                "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors),
                                errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: ApiCode.not_found, 405: ApiCode.method_not_allowed}.get(exc.status_code, ApiCode.http_error)
        return problem_response(exc.status_code, code, str(exc.detail))
