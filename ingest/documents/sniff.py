"""What a file is, from its first bytes only.

A name or a declared MIME type says what the sender believes; the bytes say what the parsers
will see. So the kind is decided here from the head of the content and nothing else.
"""

from __future__ import annotations

import codecs
from enum import StrEnum

SNIFF_BYTES = 8192
"""How many leading bytes callers should pass; enough for every rule below."""

# A PDF starts with its header. Real files carry a little leading junk: blank lines, NULs or a
# byte-order mark from a mail gateway or a scanner, or a 128-byte MacBinary header; readers skip
# it, and so do we. Text that merely mentions "%PDF-" (a mail, a log) is not a PDF.
_PDF_HEADER = b"%PDF-"
_LEADING_JUNK = b"\x00\t\n\x0c\r \xef\xbb\xbf"
_MACBINARY_HEADER = 128


class Kind(StrEnum):
    """The document kinds the service accepts."""

    pdf = "pdf"
    jpeg = "jpeg"
    png = "png"
    tiff = "tiff"
    zip = "zip"
    xml = "xml"


_MAGIC: tuple[tuple[bytes, Kind], ...] = (
    (b"\x89PNG\r\n\x1a\n", Kind.png),
    (b"\xff\xd8\xff", Kind.jpeg),
    (b"II*\x00", Kind.tiff),
    (b"MM\x00*", Kind.tiff),
    (b"PK\x03\x04", Kind.zip),
    (b"PK\x05\x06", Kind.zip),  # an empty archive: only the end record
    (b"PK\x07\x08", Kind.zip),  # a spanned archive's marker
)

# Other archive formats: never accepted, but worth naming in a rejection.
_FOREIGN_ARCHIVES: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "gzip"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"Rar!\x1a\x07", "rar"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"MSCF", "cab"),
)


def sniff(head: bytes) -> Kind | None:
    """Return the kind of a file from its first bytes, or None when it is none we accept."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if _is_pdf(head):
        return Kind.pdf
    if _looks_like_xml(head):
        return Kind.xml
    return None


def _is_pdf(head: bytes) -> bool:
    """The PDF header at the start, after blank or NUL bytes or a byte-order mark, or after a
    MacBinary header (a NUL, then a name of 1 to 63 bytes, then the file type ``PDF ``)."""
    if head.lstrip(_LEADING_JUNK).startswith(_PDF_HEADER):
        return True
    return (head[:1] == b"\x00" and 1 <= head[1] <= 63 and head[65:69] == b"PDF "
            and head[_MACBINARY_HEADER:].startswith(_PDF_HEADER)) if len(head) > 69 else False


def sniff_archive(head: bytes) -> str | None:
    """Name the archive format of these first bytes ("zip", "gzip", "7z", …), or None."""
    if sniff(head) is Kind.zip:
        return "zip"
    for magic, name in _FOREIGN_ARCHIVES:
        if head.startswith(magic):
            return name
    if head[257:262] == b"ustar":
        return "tar"
    return None


def _looks_like_xml(head: bytes) -> bool:
    """An XML declaration or a start tag after an optional BOM and whitespace.

    Only "this is XML" is decided here; whether it is a CII or UBL invoice is the
    e-invoice parser's business.
    """
    text = _decode_head(head).lstrip(" \t\r\n")
    if text.startswith("<?xml"):
        return True
    return len(text) > 1 and text[0] == "<" and _is_name_start(text[1])


def _decode_head(head: bytes) -> str:
    """Decode enough of the head to read its first characters, honouring a BOM."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if head.startswith(bom):
            return head[len(bom) : len(bom) + 512].decode(encoding, errors="ignore")
    # Without a BOM, XML is UTF-8 or an ASCII-compatible encoding named in its
    # declaration; either way the first characters are plain ASCII.
    return head[:512].decode("latin-1")


def _is_name_start(char: str) -> bool:
    """XML NameStartChar, simplified: a letter, "_" or ":" (any non-ASCII letter counts)."""
    return char.isalpha() or char in "_:"
