"""How a download names its file: RFC 6266, with an ASCII fallback for old clients."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from ingest.intake.names import display_name


def content_disposition(filename: str) -> str:
    """``attachment; filename="<ASCII>"; filename*=UTF-8''<the name, percent-encoded>``.

    Header values are Latin-1 on the wire: the real name travels percent-encoded (RFC 5987), and
    a client that reads only ``filename`` gets the name folded to ASCII (accents dropped, anything
    else as ``_``). A folder part of the name (``archive.zip/inside.pdf``) is not kept."""
    name = display_name(filename.replace("\\", "/").rsplit("/", 1)[-1])
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    ascii_name = "".join(c if c.isprintable() and c not in '"\\;' else "_" for c in folded).strip() or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
