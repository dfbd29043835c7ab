from __future__ import annotations

import logging
from collections.abc import Iterator

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from api.access import visible
from api.bounds import IdPath
from api.deps import PrincipalDep, ResourcesDep, SessionDep
from api.downloads import content_disposition
from api.problems import ApiCode, Problem
from api.schemas import DocumentPublic, FieldValue
from ingest.documents.sniff import Kind
from ingest.journal.corrections import fields_as_corrected
from ingest.platform.models import Document

log = logging.getLogger(__name__)


router = APIRouter(prefix="/v1/documents", tags=["documents"])

MEDIA_TYPES = {Kind.pdf: "application/pdf", Kind.jpeg: "image/jpeg", Kind.png: "image/png",
               Kind.tiff: "image/tiff", Kind.xml: "application/xml", Kind.zip: "application/zip"}


@router.get("/{document_id}", response_model=DocumentPublic)
def get_document(document_id: IdPath, principal: PrincipalDep, session: SessionDep) -> DocumentPublic:
    doc = visible(session, principal, Document, document_id, "document")
    public = DocumentPublic.model_validate(doc, from_attributes=True)
    corrected = fields_as_corrected(session, doc)
    public.fields = None if corrected is None else {k: FieldValue.model_validate(v) for k, v in corrected.items()}
    return public


@router.get("/{document_id}/content", response_class=StreamingResponse,
            responses={200: {"content": {"application/octet-stream": {}}}})
def get_content(document_id: IdPath, principal: PrincipalDep, session: SessionDep,
                resources: ResourcesDep) -> StreamingResponse:
    doc = visible(session, principal, Document, document_id, "document")
    try:
        stream = resources.store.open(doc.object_key)
    except FileNotFoundError as exc:
        raise Problem(ApiCode.content_missing, "The original is no longer in the store.") from exc

    def chunks() -> Iterator[bytes]:
        with stream:
            while chunk := stream.read(256 * 1024):
                yield chunk

    return StreamingResponse(chunks(), media_type=MEDIA_TYPES.get(Kind(doc.kind), "application/octet-stream"),
                             headers={"Content-Disposition": content_disposition(doc.filename),
                                      "Content-Length": str(doc.size)})
