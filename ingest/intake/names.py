"""File names as clients gave them, fit to be shown: kept as given, less what could mislead.

A name is displayed in lists, pages, CSV files and download headers. Control characters (a
newline, a NUL) and the Unicode marks that reorder text on screen (a right-to-left override makes
``facture‮fdp.exe`` read as ``facture.exe.pdf``) are removed; everything else stays, accents, euro
signs and scripts of every language included. A name left empty is ``unnamed``.
"""

from __future__ import annotations

import unicodedata

# Explicit direction marks, embeddings, overrides and isolates (Unicode's bidi controls).
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
MAX_LENGTH = 500


def display_name(raw: str) -> str:
    """`raw` in NFC, without control characters or bidi controls, at most `MAX_LENGTH` characters."""
    text = unicodedata.normalize("NFC", raw)
    kept = "".join(c for c in text if unicodedata.category(c) != "Cc" and c not in _BIDI_CONTROLS)
    return kept.strip()[:MAX_LENGTH] or "unnamed"
