"""Why a document is refused: a stable code for programs, a sentence for people."""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    """Stable rejection codes. Clients see them; never rename a value."""

    unsupported_type = "unsupported_type"
    empty_file = "empty_file"
    too_large = "too_large"
    too_many_pages = "too_many_pages"
    too_many_pixels = "too_many_pixels"
    archive_rejected = "archive_rejected"
    unsafe_name = "unsafe_name"
    nested_archive = "nested_archive"
    encrypted = "encrypted"
    damaged = "damaged"
    too_complex = "too_complex"

    @property
    def summary(self) -> str:
        """A generic sentence for documentation and listings of codes."""
        return _SUMMARIES[self]


_SUMMARIES: dict[Reason, str] = {
    Reason.unsupported_type: "The file is not a PDF, a JPEG, PNG or TIFF image, an XML e-invoice or a ZIP archive.",
    Reason.empty_file: "The file is empty.",
    Reason.too_large: "The file is larger than the size limit.",
    Reason.too_many_pages: "The document has more pages than the limit.",
    Reason.too_many_pixels: "The image has more pixels than the limit.",
    Reason.archive_rejected: "The archive cannot be accepted as a whole (unreadable, encrypted or too large once "
                             "expanded).",
    Reason.unsafe_name: "The archive entry has a name that could escape its folder.",
    Reason.nested_archive: "The archive entry is itself an archive; archives inside archives are not opened.",
    Reason.encrypted: "The document is protected by a password.",
    Reason.damaged: "The document is damaged and cannot be read.",
    Reason.too_complex: "The document could not be read within the time limit.",
}


class DocumentRejected(Exception):
    """A document (or archive, or archive entry) refused for a stated reason.

    ``message`` is a full sentence that names the figures involved, e.g.
    "The file is 61.2 MB; the limit is 50 MB."
    """

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.message = message
