"""The journal's refusals: a stable code and a sentence a client can act on."""

from __future__ import annotations

from ingest.platform.errors import Code, DomainError


class JournalCode(Code):
    siren_required = ("siren_required", "A FEC file is named by the dossier's SIREN: give the dossier its SIREN "
                      "first.")
    period_reversed = "period_reversed", "The period ends before it starts: 'from' must be on or before 'to'."
    supplier_not_found = "supplier_not_found", "No such supplier account in the dossier."
    invalid_supplier_name = "invalid_supplier_name", "A supplier account's name is 1 to 200 characters."


class JournalError(DomainError):
    """A journal request refused (see `JournalCode`)."""
