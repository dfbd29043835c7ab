"""Why an upload as a whole is refused."""

from __future__ import annotations

from ingest.platform.errors import Code, DomainError


class IntakeCode(Code):
    no_account = "no_account", "Operators upload on behalf of no one: use a client's key."
    invalid_flow = "invalid_flow", "The flow asked for is daily or bulk."
    invalid_upload_total = "invalid_upload_total", "upload_total is a whole number of files, 1 or more."
    dossier_not_found = "dossier_not_found", "No such dossier in your account."
    no_files = "no_files", "The upload has no file."
    idempotency_key_reused = ("idempotency_key_reused",
                              "The Idempotency-Key was used for another upload within the last day.")


class IntakeError(DomainError):
    """The request as a whole is refused (nothing is recorded); see `IntakeCode`."""
