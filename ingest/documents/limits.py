"""The limits a document must respect, and how we print sizes in rejection sentences.

The contract (docs/contract.md §8) asks clients to keep scans reasonably small; the service enforces
these figures and names them in every rejection, so one immutable value carries them all.
"""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Figures a document (or an archive of documents) must stay within."""

    max_file_bytes: int = 50 * MIB
    max_pages: int = 500
    max_image_pixels: int = 50_000_000
    max_archive_entries: int = 1000
    max_archive_expanded_bytes: int = 500 * MIB
    max_archive_ratio: int = 100  # expanded/compressed, per entry and overall
    # Below this expanded size a high compression ratio is harmless (a page of
    # blank XML compresses 200:1), so the ratio rule only applies above it.
    archive_ratio_floor_bytes: int = 1 * MIB
    # pypdf is pure Python and hostile files can make it spin; every PDF read
    # gets this wall-clock budget before it is given up.
    max_parse_seconds: float = 60.0


def human_size(n: int) -> str:
    """Size as people read it in a message: "61.2 MB", "50 MB", "812 KB", "17 bytes".

    Binary multiples (1 MB = 1024 KiB) so that the default 50 MiB limit prints as "50 MB".
    """
    for unit, factor in (("GB", MIB * 1024), ("MB", MIB), ("KB", 1024)):
        if n >= factor:
            value = f"{n / factor:.1f}".removesuffix(".0")
            return f"{value} {unit}"
    return "1 byte" if n == 1 else f"{n} bytes"
