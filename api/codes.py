"""Every code a client can meet, with its HTTP status and meaning, from the code's own enums.

    .venv/bin/python -m api.codes          # prints the README's list of codes (Markdown)

The README's section between ``<!-- codes:begin -->`` and ``<!-- codes:end -->`` is this output;
a test fails when they differ, so the list cannot drift from the code.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from enum import StrEnum

from api.problems import STATUS, ApiCode
from ingest.accounts.dossiers import DossierCode
from ingest.accounts.keys import ApiKeyCode
from ingest.accounts.lifecycle import AccountCode
from ingest.accounts.login import AuthCode
from ingest.accounts.passwords import PasswordCode
from ingest.accounts.users import UserCode
from ingest.availability.credit_claims import CreditClaimCode
from ingest.billing.subscriptions import BillingCode
from ingest.documents.einvoice import EInvoiceErrorCode
from ingest.documents.reasons import Reason
from ingest.history.lock import HistoryCode
from ingest.intake.errors import IntakeCode
from ingest.journal.errors import JournalCode
from ingest.processing.process import Failure, Refusal
from ingest.processing.waiting import Waiting
from ingest.support.maintenance import MaintenanceCode
from ingest.support.rules import SupportCode

# Problems: the answers of a refused request (application/problem+json, its `code`).
PROBLEM_CODES: tuple[type[StrEnum], ...] = (ApiCode, AuthCode, PasswordCode, UserCode, ApiKeyCode, IntakeCode,
                                             DossierCode, AccountCode, BillingCode, CreditClaimCode, SupportCode,
                                             MaintenanceCode, HistoryCode, JournalCode)
# A file's or a document's `reason`: rejected (its fault), failed (ours), or waiting.
REJECTED: tuple[type[StrEnum], ...] = (Reason, EInvoiceErrorCode, Refusal)


def meaning(code: StrEnum) -> str:
    return str(getattr(code, "meaning", "") or getattr(code, "summary", ""))


def _rows(enums: Iterable[type[StrEnum]]) -> Iterator[StrEnum]:
    seen: set[str] = set()
    for enum in enums:
        for code in enum:
            if code.value not in seen:  # a code shared by two wings means the same, at the same status
                seen.add(code.value)
                yield code


def markdown() -> str:
    lines = ["Refusals of a request (`application/problem+json`; match on `code`):", ""]
    problems = [c for c in _rows(PROBLEM_CODES) if c is not ApiCode.http_error]
    lines += [f"- `{c.value}` ({STATUS.get(c, 422)}): {meaning(c)}"
              for c in sorted(problems, key=lambda c: (STATUS.get(c, 422), c.value))]
    lines.append(f"- `{ApiCode.http_error.value}` (its own status): {meaning(ApiCode.http_error)}")
    lines += ["", "A file or document `rejected` (its `reason`; the `message` gives the figures):", ""]
    lines += [f"- `{c.value}`: {meaning(c)}" for c in _rows(REJECTED)]
    lines += ["", "A document `failed` (the service's fault or the environment's, not the file's):", ""]
    lines += [f"- `{c.value}`: {meaning(c)}" for c in _rows([Failure])]
    lines += ["", "A document `queued` and waiting:", ""]
    lines += [f"- `{c.value}`: {meaning(c)}" for c in _rows([Waiting])]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(markdown(), end="")
