"""What the page says of the buyer and the terms: the customer's name and VAT number, the buyer's order
number and the payment terms. Best effort: an e-invoice's XML states them exactly, a page only shows them.

- The customer's VAT number is one in the buyer's block or after a label that says it is the buyer's
  ("N° TVA client"), found as `reading.parties` finds the seller's, the other way round.
- The order number and the payment terms are read where their labels (`labels.tsv`) point: in the
  label's cell, in the next cell right, or below in its column. Payment terms are also a sentence that
  states them ("Zahlbar innerhalb 30 Tagen…", "Paiement à 30 jours"), and go on over the lines below
  that start where they start.
- The customer's name is the name under the buyer's heading, else at the top of the address block that is
  not the seller's (`reading.names`).

Scores are the label's weight times how usual the place is, as in `reading.candidates`, and never above
`READ_CEILING` for the source.
"""

from __future__ import annotations

from collections.abc import Iterator

from ingest.documents.candidate import Candidate, best
from ingest.documents.reading.candidates import (
    BELOW,
    LINES_BELOW,
    MID_CELL,
    READ_CEILING,
    RIGHT,
    SAME_CELL,
    SIZES_BELOW,
)
from ingest.documents.reading.labels import SEPARATORS, fold, match, names_buyer_vat, names_vat, party_heading
from ingest.documents.reading.lines import Cell, Line
from ingest.documents.reading.names import window_names
from ingest.documents.reading.parties import blocks, party_of, vat_numbers
from ingest.documents.textparse import find_dates

MORE_KEYS = ("customer_name", "customer_vat", "po_number", "payment_terms")
# A VAT number under the buyer's label, or in the buyer's block; one whose check digits are wrong is less sure,
# and taken only after a VAT number's label.
BUYER_LABEL_VAT, BUYER_BLOCK_VAT, WRONG_CHECK = 0.9, 0.85, 0.6
# A VAT number in the block a window letter is addressed to, without a heading (`names.addressee_vats`).
ADDRESSEE_VAT = 0.75
# Payment terms go on over at most this many lines, each starting within a type size of the first.
TERMS_LINES = 12
# Cells of a sentence set with wide spaces are at most this many type sizes apart.
RUN_GAP = 3.0
_MARKS = ("n°", "#", ":")
_BROKEN = "\x02"
_REFERENCE_PUNCTUATION = ":#°.,;()"


def more_fields(lines: list[Line], source: str, sellers: dict[str, str], buyer_names: list[Candidate[str]],
                addressees: dict[str, int]) -> dict[str, Candidate[str]]:
    """The buyer's and the terms' values the page shows, each the best candidate, its score capped for
    `source`; `sellers` holds the seller's name and identifiers (`SELLER_IDENTIFIERS`) as the other rules
    read them, so that neither its name nor its VAT number is ever taken for the customer's;
    `buyer_names` are the names under the buyer's headings (`names.party_names`) and `addressees` the VAT
    numbers of the block a window letter is addressed to (`names.addressee_vats`), each read once per
    document."""
    ceiling = READ_CEILING[source]
    identifiers = {sellers[key] for key in SELLER_IDENTIFIERS if key in sellers}
    pools = {"customer_name": [*buyer_names,
                               *window_names(lines, sellers.get("supplier_name"), identifiers)],
             "customer_vat": [*customer_vats(lines), *(Candidate(value, ADDRESSEE_VAT, line)
                                                        for value, line in addressees.items())],
             "po_number": labelled(lines, "po_number"), "payment_terms": labelled(lines, "payment_terms")}
    out: dict[str, Candidate[str]] = {}
    for key, pool in pools.items():
        chosen = best([c for c in pool if not _is_the_sellers(key, c.value, sellers)])
        if chosen is not None:
            out[key] = Candidate(chosen.value, round(min(chosen.score, ceiling), 3), chosen.line)
    return out


# The seller's values in `more_fields`' `sellers` that identify it, besides its name.
SELLER_IDENTIFIERS = ("supplier_vat", "supplier_siren", "supplier_siret")


def _is_the_sellers(key: str, value: str, sellers: dict[str, str]) -> bool:
    seller = sellers.get({"customer_name": "supplier_name", "customer_vat": "supplier_vat"}.get(key, ""))
    return seller is not None and fold(seller) == fold(value)


def customer_vats(lines: list[Line]) -> list[Candidate[str]]:
    """VAT numbers printed as the buyer's, best first."""
    found = blocks(lines)
    out: list[Candidate[str]] = []
    for number, line in enumerate(lines):
        buyer_label = False
        row_party = party_of(line.cells[0], number, found)
        for position, cell in enumerate(line.cells):
            buyer_label = buyer_label or names_buyer_vat(cell.text)
            party = party_of(cell, number, found) or row_party  # "USt-IdNr. : DE…" in a row of the block
            if not buyer_label and party != "buyer":
                continue
            left = next((c.text for c in reversed(line.cells[:position]) if c.text.strip(SEPARATORS)), "")
            for value, valid, before in vat_numbers(cell.text):
                labelled = buyer_label or names_vat(before) or (not before.strip(SEPARATORS) and names_vat(left))
                if valid or labelled:  # in a block, an unlabelled number with wrong check digits may be anything
                    score = (BUYER_LABEL_VAT if buyer_label else BUYER_BLOCK_VAT) * (1.0 if valid else WRONG_CHECK)
                    out.append(Candidate(value, round(score, 3), number))
    return sorted(out, key=lambda c: (-c.score, c.line))


def labelled(lines: list[Line], field: str) -> list[Candidate[str]]:
    """The values labels of `field` point to (for payment terms, also the sentences that state them)."""
    out: list[Candidate[str]] = []
    for number, line in enumerate(lines):
        for position, cell in enumerate(line.cells):
            for words_before, label_field, weight, rest in _labels(cell.text):
                if label_field == "payment_phrase" and field == "payment_terms":
                    text = _continued(lines, number, cell, " ".join(cell.text.split()[words_before:]))
                    out.append(Candidate(text, weight * (MID_CELL if words_before else SAME_CELL), number))
                elif label_field == field:
                    found = _pointed(lines, number, position, field, rest, words_before)
                    if found is not None:
                        out.append(Candidate(found[0], round(weight * found[1], 3), number))
    return sorted(out, key=lambda c: (-c.score, c.line))


def _pointed(lines: list[Line], number: int, position: int, field: str, rest: str,
             words_before: int) -> tuple[str, float] | None:
    """The value a label of `field` points to and how usual its place is (less for a label inside a cell)."""
    parse, words = (_reference, 1) if field == "po_number" else (_terms, 2)
    for text, place, where in _places(lines, number, position, rest, words_before > 0, words):
        if field == "payment_terms":
            text = _continued(lines, *(where or (number, lines[number].cells[position])), text)
        value = parse(text)
        if value:
            return value, place * (MID_CELL if words_before else 1.0)
    return None


def _labels(text: str) -> Iterator[tuple[int, str, float, str]]:
    """(words before it, field, weight, the cell's text after it) of each label of the cell: at its start,
    or after some of its words ("Rechnung gemäß Bestellung Nr. 4711")."""
    words = text.split()
    for start in range(len(words)):
        matched = match(" ".join(words[start:]))
        if matched is not None:
            yield start, matched.label.field, matched.label.weight, matched.rest


def _places(lines: list[Line], number: int, position: int, rest: str, inside: bool,
            words: int) -> Iterator[tuple[str, float, tuple[int, Cell] | None]]:
    """Where a label's value may be, nearest first: its own cell's rest, the next cell right, the first cell
    below in its column holding at least `words` words (fewer is a column's heading, passed over); with
    the line's number and the cell it fills when it fills a whole one."""
    if rest:
        yield rest, SAME_CELL, None
    if inside:
        return
    line = lines[number]
    right = [cell for cell in line.cells[position + 1:] if cell.text.strip(SEPARATORS)]
    if right:
        yield right[0].text, RIGHT, (number, right[0])
    label = line.cells[position]
    for offset, below in enumerate(lines[number + 1: number + 1 + LINES_BELOW], start=number + 1):
        if below.page != line.page or below.cells[0].y0 - label.y1 > label.size * SIZES_BELOW:
            return
        under = [cell for cell in below.cells if cell.x0 <= label.x1 and cell.x1 >= label.x0]
        if not under or match(under[0].text) is not None:
            return
        if len(under[0].text.split()) >= words:
            yield under[0].text, BELOW, (offset, under[0])
            return


def _continued(lines: list[Line], number: int, cell: Cell, text: str) -> str:
    """`text` with the lines below that go on from `cell`: they start where it starts, close below it,
    and are not a label."""
    parts, last = [text], cell
    for below in lines[number + 1:]:
        if below.page != cell.page or below.cells[0].y0 - last.y1 > last.size * 1.2 or len(parts) > TERMS_LINES:
            break
        if all(abs(c.x0 - cell.x0) > max(cell.size, 1.0) for c in below.cells):
            continue  # another column's line between two of ours
        first = below.cells[0]
        if abs(first.x0 - cell.x0) > max(cell.size, 1.0) or match(first.text) is not None \
                or party_heading(first.text) is not None:
            break  # a row of a label and its value, or the next label
        parts.append(_run(below))
        last = first
    return _joined(parts)


def _joined(parts: list[str]) -> str:
    """Lines joined into one text; a line ending with a hyphen (PDFium marks one where a word was broken
    with \\x02) goes on without a space: "SEPA-" / "Lastschriftmandat"."""
    text = ""
    for part in parts:
        if text.endswith(("-", _BROKEN)):
            text = text.rstrip(_BROKEN + "-") + "-" + part
        else:
            text = f"{text} {part}" if text else part
    return text


def _run(line: Line) -> str:
    """The line's first cell and those that follow it closely: one sentence set with wide spaces."""
    run = [line.cells[0]]
    for cell in line.cells[1:]:
        if cell.x0 - run[-1].x1 > run[-1].size * RUN_GAP:
            break
        run.append(cell)
    return " ".join(cell.text for cell in run)


def _reference(text: str) -> str | None:
    """The first word holding a digit after any number mark, when it is neither a date nor a sentence:
    "Nr. 2018-471331 vom 01.03.2018" is "2018-471331"."""
    words = [w for w in text.split() if fold(w).strip(".") not in _MARKS]
    word = words[0].strip(_REFERENCE_PUNCTUATION) if words else ""
    if 2 <= len(word) <= 40 and any(c.isdigit() for c in word) and not find_dates(word):
        return word
    return None


def _terms(text: str) -> str | None:
    """Payment terms are words, not a lone date or amount (those are the due date's and the totals')."""
    cleaned = " ".join(text.split()).strip(SEPARATORS)
    return cleaned if sum(c.isalpha() for c in cleaned) >= 4 else None
