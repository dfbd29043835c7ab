"""Uploading from the browser: drag and drop of files, folders and ZIP archives into a dossier.

The page sends the files itself (``static/upload.js``) to the API's own upload, ``POST /v1/batches``,
with the session cookie and its CSRF header, so that a page's upload and an API client's are the
same thing: same limits, same answers, same idempotency. The script

- cuts a large selection into parts of at most `PART_FILES` files and `PART_BYTES` bytes, sent one
  after the other as batches of one upload (``upload_total`` says how many files the whole upload
  has, so the flow is chosen for all of it, docs/contract.md §6);
- shows each file's progress from the bytes of its part already sent;
- keeps each part's ``Idempotency-Key`` in the browser's storage: when the connection drops it
  sends the part again under the same key (the service answers with the batch the first sending
  created, or takes it now), and after a reload the same files dropped again resume where they
  stopped, the parts already received being skipped;
- waits and tries again when the service says to (429, 409 and 503 with ``Retry-After``);
- shows each batch as the batch page does (its documents, rejections in a sentence, live).

Without JavaScript the page says to use the API or ``bordereau upload``: a plain form cannot carry
the CSRF header nor resume.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from api.deps import ResourcesDep, SessionDep
from api.web.auth import ViewerDep
from api.web.render import Page, language, render
from ingest.accounts import dossiers

router = APIRouter(prefix="/app", include_in_schema=False)

# A part is small enough to be sent again cheaply when the connection drops, large enough that an
# archive of thousands of files is not thousands of batches.
PART_FILES = 100
PART_BYTES = 64 * 1024 * 1024
# What the script says, in the page's language.
SCRIPT_TEXTS = ("upload.summary", "upload.state_waiting", "upload.state_sending", "upload.bar", "upload.sending",
                "upload.sent", "upload.skipped", "upload.waiting_retry", "upload.offline", "upload.refused",
                "upload.failed", "upload.too_large", "upload.empty", "upload.part", "upload.done", "upload.resumed",
                "upload.no_dossier", "upload.no_files")
# Refusals of the upload the page says in its own words (by the problem's code); for any other,
# the service's sentence.
SCRIPT_ERRORS = ("too_many_files", "upload_too_slow", "dossier_not_found", "idempotency_key_reused",
                 "malformed_multipart", "no_files", "session_ended", "unauthenticated", "csrf_failed")


@router.get("/upload", response_class=HTMLResponse)
def upload_page(request: Request, viewer: ViewerDep, session: SessionDep, resources: ResourcesDep,
                dossier: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_-]{0,64}$")] = None) -> HTMLResponse:
    choices, _ = dossiers.list_dossiers(session, viewer.principal, limit=500, offset=0)
    page = Page(request, language(request), viewer.user, viewer.csrf)
    limits = resources.settings
    script: dict[str, Any] = {
        "csrf": viewer.csrf,
        "partFiles": min(PART_FILES, limits.max_batch_files),
        "partBytes": PART_BYTES,
        "maxFileBytes": limits.max_file_bytes,
        "maxFileMb": limits.max_file_bytes // (1024 * 1024),
        "texts": {key: page.t(key) for key in SCRIPT_TEXTS},
        "errors": {code: page.t(f"error.{code}") for code in SCRIPT_ERRORS},
    }
    return render(page, "upload.html", choices=choices, chosen=dossier or "", script=script,
                  max_file_mb=limits.max_file_bytes // (1024 * 1024))
