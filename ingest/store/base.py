"""What every object store promises, and how our keys are named.

Both backends keep the same contract (``tests/integration/store/test_store.py`` runs
one suite against each): a missing key raises ``FileNotFoundError``; a store
that cannot be reached raises :class:`StoreUnavailable`, which callers treat as
transient and retry. Any other exception is a bug or a configuration error and
is not worth retrying.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import BinaryIO, Protocol

# Files are read and written in slices of this size, so that memory stays flat
# however large the object is.
COPY_CHUNK = 1024 * 1024


class StoreUnavailable(Exception):
    """The store could not be reached, timed out, or answered with a server error."""


class ObjectStore(Protocol):
    def put_file(self, key: str, fileobj: BinaryIO, size: int | None = None) -> None:
        """Store the rest of ``fileobj`` (from its current position) under ``key``,
        streaming it. ``size``, when given, must be the number of bytes left."""
        ...

    def put_bytes(self, key: str, data: bytes) -> None: ...

    def open(self, key: str) -> BinaryIO:
        """A binary file object reading the object as a stream; close it after use."""
        ...

    def delete_many(self, keys: Sequence[str]) -> list[str]:
        """Delete ``keys``; return those that could not be deleted. A key that
        is already absent counts as deleted: the purge may run twice."""
        ...

    def iter_keys(self, prefix: str = "") -> Iterator[tuple[str, int, datetime]]:
        """Every ``(key, size, last modified in UTC)`` whose key starts with
        ``prefix``, in no promised order."""
        ...

    def ping(self) -> None:
        """Return quickly if the store is usable, else raise :class:`StoreUnavailable`."""
        ...


def original_key(sha256_hex: str) -> str:
    """Originals are content-addressed, so the same bytes are stored once; the two
    fan-out levels keep any one folder (or listing prefix) small."""
    digest = sha256_hex.lower()
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ValueError(f"not a SHA-256 hex digest: {sha256_hex!r}")
    return f"originals/{digest[:2]}/{digest[2:4]}/{digest}"


def derivative_key(document_id: str, name: str) -> str:
    """What processing derived from a document (page images, text), grouped under
    the document so that the purge can list and delete it by prefix."""
    for part in (document_id, name):
        if not part or "/" in part or part in (".", ".."):
            raise ValueError(f"invalid key part: {part!r}")
    return f"derived/{document_id}/{name}"
