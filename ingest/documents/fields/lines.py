"""Text lines prepared for label matching, and the buyer's lines found in them."""

from __future__ import annotations

import re
import unicodedata

# Space-like characters PDF text layers produce; all become a plain space so one
# regex space matches them (amount parsing copes with the plain space too).
_SPACE_LIKE = re.compile(r"[\u00a0\u202f\u2009\u2007\u2002\u2003\t]")
_MULTI_SPACE = re.compile(r" {2,}")

# Words that put a line on the buyer's side of the page: identifiers found there
# are the customer's, not the supplier's.
BUYER_WORDS = re.compile(
    r"\b(client|customer|acheteur|destinataire|factur[ée] à|bill(?:ed)? to|buyer|"
    r"kunde\w*|käufer\w*|leistungsempfänger|rechnungsempfänger|empfänger)\b",
    re.IGNORECASE,
)


_HEADING = re.compile(r"^[^:]{2,60}:$")
_DELIVERY_WORDS = re.compile(
    r"\b(livraison|delivery|ship\s+to|lieferanschrift|warenempfänger)\b", re.IGNORECASE
)
_SECTION_MAX_LINES = 12


def buyer_section(lines: list[str]) -> set[int]:
    """Indexes of lines inside a block headed "Client :", "Käufer:", "Bill to:"…

    A block ends at the next heading (a short line ending with a colon) or after
    a dozen lines; identifiers printed there belong to the buyer, not the supplier.
    """
    inside: set[int] = set()
    start: int | None = None
    for index, line in enumerate(lines):
        if _HEADING.match(line):
            is_buyer = BUYER_WORDS.search(line) or _DELIVERY_WORDS.search(line)
            start = index if is_buyer else None
            continue
        if start is not None and index - start <= _SECTION_MAX_LINES:
            inside.add(index)
    return inside


def clean_lines(lines: list[str]) -> list[str]:
    """NFC-normalised lines with uniform single spaces; empty lines dropped."""
    out: list[str] = []
    for raw in lines:
        line = unicodedata.normalize("NFC", raw)
        line = _MULTI_SPACE.sub(" ", _SPACE_LIKE.sub(" ", line)).strip()
        if line:
            out.append(line)
    return out
