"""Whose identifiers are whose: the seller's block and the buyer's, found by their headings.

A heading ("Verkäufer", "Client", "Bill to") opens a block: the cells below it that start at about
its left edge, until another heading in that column. So does a sender's return address on one line of
the first page ("Holzbau Keller GmbH · Lindenweg 4 · 80331 München", in smaller type): the buyer's
block, as an envelope's window shows it, begins below it. An identifier in the buyer's block, or under
a label that says it is the buyer's ("N° TVA client"), is never the seller's. Among the others, a
VAT number whose check digits are right comes first; one in the seller's block is surer still.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ingest.documents.candidate import Candidate
from ingest.documents.reading.labels import SEPARATORS, names_buyer_vat, names_vat, party_heading
from ingest.documents.reading.lines import Cell, Line
from ingest.documents.textparse import vat_parts

# How far below its heading a block reaches, in lines.
BLOCK_LINES = 12
# A postcode and a town ("80331 München", "DE 10369 Berlin", "1012 AB Amsterdam", "M1 1AE Manchester").
POSTCODE_TOWN = re.compile(r"(?:^|\s)(?:[A-Z]{1,2}[- ])?\d{4,5}(?:\s[A-Z]{2})?\s+[^\W\d_]"
                            r"|\b[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}\b")
# A return address's type is smaller than the address's below it by this share at least.
SMALLER = 0.9
# What parts a return address's name, street and town on its one line.
_RETURN_PARTS = re.compile(r"\s+[-–|•·]\s+|,\s+")
_BANK_WORDS = ("IBAN", "BIC", "SWIFT")


@dataclass(frozen=True)
class Block:
    party: str
    page: int
    x0: float
    line: int


def blocks(lines: list[Line]) -> list[Block]:
    """The parties' blocks by their headings, and the buyer's below a sender's return address on the first
    page: the address an envelope's window shows, which letters print without a heading."""
    found = [Block(kind, line.page, cell.x0, number)
             for number, line in enumerate(lines) for cell in line.cells
             if (kind := party_heading(cell.text)) is not None]
    first = lines[0].page if lines else None
    for number, line in enumerate(lines[:-1]):
        below = lines[number + 1]
        if line.page != first or below.page != first:
            break
        for cell in line.cells:
            under = next((c for c in below.cells if abs(c.x0 - cell.x0) <= max(c.size, 1.0) * 2), None)
            if under is not None and is_return_address(cell, under):
                found.append(Block("buyer", line.page, under.x0, number))
    return found


def is_return_address(cell: Cell, below: Cell) -> bool:
    """Whether a cell is a sender's address on one line above the addressee's, as window letters print it:
    a name, a street and a town parted by dots, dashes, bars or commas, in smaller type than the line below."""
    return (cell.size < below.size * SMALLER and len(_RETURN_PARTS.split(cell.text)) >= 3
            and POSTCODE_TOWN.search(cell.text) is not None)


def party_of(cell: Cell, number: int, found: list[Block]) -> str | None:
    """The party whose block holds the cell (the nearest heading above it, in its column)."""
    owner: Block | None = None
    for block in found:
        inside = (block.page == cell.page and block.line < number <= block.line + BLOCK_LINES
                  and abs(cell.x0 - block.x0) <= max(cell.size, 1.0) * 2)
        if inside and (owner is None or block.line > owner.line):
            owner = block
    return owner.party if owner else None


def seller_vat(lines: list[Line]) -> list[Candidate[str]]:
    """VAT numbers that may be the seller's, best first."""
    out = [Candidate(value, (0.9 if valid else 0.5) + (0.05 if labelled else 0.0)
                     + (0.03 if party == "seller" else 0.0), number)
           for value, valid, labelled, party, number in _printed_vats(lines) if party != "buyer"]
    return sorted(out, key=lambda c: (-c.score, c.line))


def buyer_vats(lines: list[Line]) -> set[str]:
    """The VAT numbers printed as the buyer's: in its block, or after a label that says so."""
    return {value for value, _, _, party, _ in _printed_vats(lines) if party == "buyer"}


def _printed_vats(lines: list[Line]) -> Iterator[tuple[str, bool, bool, str | None, int]]:
    """Every VAT number a reader may take for one (valid, or labelled as one): its value, whether its check
    digits are right, whether a label names it, the party it is printed as ("buyer" after a buyer's
    label), and its line."""
    found = blocks(lines)
    for number, line in enumerate(lines):
        buyer_label = False
        for position, cell in enumerate(line.cells):
            buyer_label = buyer_label or names_buyer_vat(cell.text)
            party = "buyer" if buyer_label else _party(line, position, number, found)
            label = _left_of(line, position)
            left = label.text if label is not None else ""
            for value, valid, before in vat_numbers(cell.text):
                labelled = names_vat(before) or (not before.strip(SEPARATORS) and names_vat(left))
                if valid or labelled:
                    yield value, valid, labelled, party, number


def _party(line: Line, position: int, number: int, found: list[Block]) -> str | None:
    """The party whose block holds the cell: by its column, or, for the value right of a VAT label that
    starts a row of the block, by its label's (a form of two columns: "USt-IdNr. | : | DE…")."""
    party = party_of(line.cells[position], number, found)
    label = _left_of(line, position)
    if party is None and label is line.cells[0] and names_vat(label.text):
        party = party_of(label, number, found)
    return party


def _left_of(line: Line, position: int) -> Cell | None:
    """The nearest cell left of the cell that is more than a separator (a lone ":")."""
    return next((cell for cell in reversed(line.cells[:position]) if cell.text.strip(SEPARATORS)), None)


def vat_numbers(text: str) -> list[tuple[str, bool, str]]:
    """VAT numbers in a cell, also when printed in groups ("FR 44 732 829 320"), each with whether its
    check digits are right and the cell's text before it (what a VAT number is: `textparse.vat_parts`)."""
    printed = text.split()
    words = [w.strip(SEPARATORS + ",;()") for w in printed]
    found: list[tuple[str, bool, str]] = []
    for start, word in enumerate(words):
        if word.upper() in _BANK_WORDS:
            return found
        if not word[:2].isalpha() or not word[:2].isupper():
            continue
        for end in range(min(len(words), start + 5), start, -1):
            parts = vat_parts("".join(words[start:end]))
            if parts is not None:
                found.append((parts[0], parts[1], " ".join(printed[:start])))
                break
    return found
