"""The unit of an invoice line, normalised to one UN/ECE recommendation 20 code whichever way it came.

`units.tsv` lists the words and abbreviations invoices print (six languages) and the codes XML gives, each
with its normalised code: "Stk", "pièce", "pcs", "H87" and "C62" are all C62, "Std", "heures" and "HUR" are
HUR. A code the list lacks is kept as the XML gives it (upper case): it is still a code, only not merged.

On the page a unit is the text of a unit column ("Unité", "Einheit", "UoM"), or the word printed right after
the quantity ("20 Stk", "2,5 h", "3jours"); a word the list lacks is no unit (a description's word
overlapping the quantity's column is not one).
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from ingest.documents.reading.labels import fold

# A code as recommendations 20 and 21 write them: two or three letters or digits, a letter first.
_CODE = re.compile(r"^[A-Z][A-Z0-9]{1,2}$")
# What may close a printed unit ("pce.", "(h)", "Stk:") or stand around it.
_MARKS = " .:;,()[]/"
# A plural marked in brackets ("pièce(s)", "Stunde(n)").
_PLURAL = re.compile(r"\((?:s|e|n|en|es|i)\)$")
# A quantity's number and what follows it, with or without a space ("20 Stk", "3jours", "1,5 h").
_AFTER_NUMBER = re.compile(r"^\s*[-−]?\d[\d\s.,']*(?P<rest>.*)$")
# The unit is at most this many words after the quantity ("2 m2", "1 lump sum"); more is a description.
MOST_WORDS = 2


def unit_of_code(code: str | None) -> str | None:
    """The normalised unit of an XML ``unitCode``: its listed code, else the code itself in upper case."""
    if not code or not code.strip():
        return None
    text = code.strip()
    return _codes().get(fold(text)) or (text.upper() if _CODE.match(text.upper()) else text)


def unit_of_text(text: str) -> str | None:
    """The normalised unit a printed text names, all of it ("Stück", "m²", "Std."); None for any other text."""
    folded = _PLURAL.sub("", fold(text).strip(" .:;,")).strip(_MARKS)
    return _printed().get(folded) or _codes().get(folded) if folded else None


def unit_after_quantity(text: str) -> str | None:
    """The unit printed right after the quantity in its column ("20 Stk", "2,5 h", "3jours"), if listed."""
    found = _AFTER_NUMBER.match(text)
    if found is None:
        return None
    words = found.group("rest").split()
    if not words or len(words) > MOST_WORDS:
        return None
    return unit_of_text(" ".join(words)) or unit_of_text(words[0])


@cache
def _table() -> tuple[dict[str, str], dict[str, str]]:
    """The printed texts and the codes, folded, each to its normalised code."""
    printed: dict[str, str] = {}
    codes: dict[str, str] = {}
    text = resources.files("ingest.documents.reading").joinpath("units.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            unit, language, word = line.split("\t")
            (codes if language == "code" else printed)[fold(word).rstrip(".")] = unit
    return printed, codes


def _printed() -> dict[str, str]:
    return _table()[0]


def _codes() -> dict[str, str]:
    return _table()[1]
