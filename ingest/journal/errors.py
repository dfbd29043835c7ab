"""The journal's refusals: a stable code and a sentence a client can act on."""

from __future__ import annotations

from ingest.platform.errors import Code, DomainError


class JournalCode(Code):
    siren_required = ("siren_required", "A FEC file is named by the dossier's SIREN, and the dossier has none: "
                      "ask for a CSV.")
    period_reversed = "period_reversed", "The period ends before it starts: 'from' must be on or before 'to'."
    supplier_not_found = "supplier_not_found", "No such supplier account in the dossier."
    invalid_supplier_name = "invalid_supplier_name", "A supplier account's name is 1 to 200 characters."
    invalid_correction = "invalid_correction", "A corrected field's value is not what the field takes."
    not_processed = "not_processed", "Only a processed document has invoice fields to correct."
    einvoice_incomplete = ("einvoice_incomplete", "The invoice's fields lack what an EN 16931 invoice must say: "
                           "correct them first.")
    not_a_pdf = "not_a_pdf", "A Factur-X invoice is made from a PDF; this document is not one."
    original_missing = "original_missing", "The document's original is no longer in the store."
    pdfa_unavailable = ("pdfa_unavailable", "Factur-X PDFs cannot be made on this installation (Ghostscript is "
                        "missing); the EN 16931 XML can.")
    pdfa_failed = "pdfa_failed", "The original PDF could not be rewritten as PDF/A, which a Factur-X file must be."
    account_users_only = "account_users_only", "Invoice fields are corrected by the account's own users."
    invalid_expense_account = ("invalid_expense_account", "An expense account is a class 6 account (a charge) "
                               "or a class 2 one (a fixed asset): 3 to 10 digits.")


class JournalError(DomainError):
    """A journal request refused (see `JournalCode`)."""
