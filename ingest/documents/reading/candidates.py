"""Values found where labels point: in the label's own cell, to its right on the same line, or
below it in the same column.

Each value is a `Found` with a score: the label's weight times how usual its place is (a value after
the label in its cell or just right of it is usual; one below, under a column heading, a little
less), and less for a label in the middle of a cell. Several per field are kept: the choice among
them and the text rules' candidates is `ingest.documents.fields.extract`'s.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ingest.documents.amounts import AMOUNT_RE, parse_amount
from ingest.documents.reading.labels import SEPARATORS, Match, fold, is_document_word, match, title_number
from ingest.documents.reading.lines import Cell, Line
from ingest.documents.textparse import NOT_THE_DOCUMENTS_DATE, find_dates

DATES = ("issue_date", "due_date")
AMOUNTS = ("total_excl_tax", "total_tax", "total_incl_tax")
IDENTIFIERS = ("invoice_number",)
# The most a value read where a label points may be trusted (the text rules' own ceiling is 0.98 for
# totals that add up): 1.0 is kept for what an e-invoice's XML states, and recognised characters
# are less sure than a text layer's.
READ_CEILING = {"text": 0.95, "ocr": 0.9}
# How usual each place is for a label's value.
SAME_CELL, RIGHT, FAR_RIGHT, BELOW = 1.0, 0.95, 0.85, 0.8
# A label after other words of its cell is less sure to be one ("Bestellung vom …").
MID_CELL = 0.9
# How many lines below a heading its value may be, and how many type sizes down.
LINES_BELOW, SIZES_BELOW = 3, 4.0
_IDENTIFIER_PUNCTUATION = ":#°.,;()"
_BRACKETED_WORDS = 6
_RATE = re.compile(r"[-−]?\d+(?:[.,]\d+)?\s*%")
_DIGITS_APART = re.compile(r"(?<!\S)\d(?:\s+[\d.,]){2,}(?!\S)")


@dataclass(frozen=True)
class Found:
    field: str
    value: str | date | Decimal
    score: float
    page: int
    line: int


def candidates(lines: list[Line], *, month_first: bool = False) -> dict[str, list[Found]]:
    """Every value a label points to, by field, best first."""
    found: dict[str, list[Found]] = {}
    parse = _parser(month_first)
    for index, line in enumerate(lines):
        for position, cell in enumerate(line.cells):
            for number, (matched, trust) in enumerate(_labels_in(cell.text)):
                if matched.label.field not in parse:
                    break  # a label that names what no field holds ("Gesamtbetrag der Zuschläge")
                # A label inside a cell points into it, unless it ends the cell ("… Nr. 01.234 vom" with the
                # date on the next line).
                inside = (number > 0 or trust != 1.0) and bool(matched.rest)
                _add(found, lines, index, position, matched, parse, trust, inside=inside)
    for values in found.values():
        values.sort(key=lambda f: (-f.score, f.page, f.line))
    return found


def _labels_in(text: str) -> Iterator[tuple[Match, float]]:
    """The labels of a cell and how much to trust each: at its start, then each one after a word of it
    ("… 471102 vom 05.03.2018"). A document type's code in brackets is passed over ("Rechnung (380)
    Nr."). A date label right after the invoice number's is the invoice's date ("Facture n° X du …")."""
    words = _without_brackets(text.split())
    previous: str | None = None
    titled = title_number(words)
    if titled is not None:
        yield titled, 1.0
        previous = "invoice_number"
    for start in range(len(words)):
        matched = match(" ".join(words[start:]))
        if matched is None:
            continue
        if (matched.label.field == "invoice_number" and start
                and any(is_document_word(fold(word)) for word in words[:start])):
            continue  # "Avoir sur facture n° …", "Gutschrift zu Rechnung Nr. …": another document's number
        if matched.label.field in DATES and start and NOT_THE_DOCUMENTS_DATE.search(" ".join(words[:start])):
            continue  # "ZUGFeRD-Version 2.1 vom 24.03.2020", "Gedruckt am …": not the invoice's date
        if start == 0:
            trust = 1.0
        elif previous == "invoice_number" and matched.label.field == "issue_date":
            trust = 1.0 / matched.label.weight
        else:
            trust = MID_CELL
        yield matched, trust
        previous = matched.label.field


def _without_brackets(words: list[str]) -> list[str]:
    """The words less what brackets hold (a type code, an explanation) when they close soon."""
    out: list[str] = []
    index = 0
    while index < len(words):
        if words[index].startswith("("):
            end = next((i for i in range(index, min(index + _BRACKETED_WORDS, len(words)))
                        if words[i].endswith(")")), None)
            if end is not None:
                index = end + 1
                continue
        out.append(words[index])
        index += 1
    return out


def _add(found: dict[str, list[Found]], lines: list[Line], index: int, position: int, matched: Match,
         parse: dict[str, Callable[[str], str | date | Decimal | None]], weight: float, inside: bool) -> None:
    line = lines[index]
    for text, place in _places(lines, index, position, matched, inside=inside):
        value = parse[matched.label.field](text)
        if value is not None:
            found.setdefault(matched.label.field, []).append(
                Found(matched.label.field, value, round(matched.label.weight * place * weight, 3), line.page,
                      line.index))
            return  # the nearest place holding a value of the field's kind


def _places(lines: list[Line], index: int, position: int, matched: Match,
            inside: bool) -> Iterator[tuple[str, float]]:
    """Where the label's value may be, nearest first, with how usual that place is. A label inside a
    cell points only to what follows it there."""
    line = lines[index]
    if matched.rest:
        yield matched.rest, SAME_CELL
    if inside:
        return
    right = [cell for cell in line.cells[position + 1:] if cell.text.strip(SEPARATORS)]  # not a lone ":"
    if right:
        yield right[0].text, RIGHT
        if matched.label.field in AMOUNTS and len(right) > 1:
            yield right[-1].text, FAR_RIGHT  # a table row: "Total HT | | 624,90 €"
    label = line.cells[position]
    for below in lines[index + 1: index + 1 + LINES_BELOW]:
        if below.page != line.page or below.cells[0].y0 - label.y1 > label.size * SIZES_BELOW:
            break
        under = [cell for cell in below.cells if _overlaps(cell, label)]
        if under:
            if match(under[0].text) is None:  # a label below starts another field's row, not this value
                yield under[0].text, BELOW
            break


def _overlaps(cell: Cell, label: Cell) -> bool:
    return cell.x0 <= label.x1 and cell.x1 >= label.x0


def _parser(month_first: bool) -> dict[str, Callable[[str], str | date | Decimal | None]]:
    def a_date(text: str) -> date | None:
        dates = find_dates(text, month_first)
        return dates[0][1] if dates else None

    parsers: dict[str, Callable[[str], str | date | Decimal | None]] = {key: a_date for key in DATES}
    parsers.update({key: _amount for key in AMOUNTS})
    parsers.update({key: _identifier for key in IDENTIFIERS})
    return parsers


def _amount(text: str) -> Decimal | None:
    """The last amount of the text once its rates are set aside ("20 % : 246,91 €"); none in a date, nor
    in digits come apart one by one ("3 2 1 , 4 0": a text layer whose characters lost their words)."""
    if find_dates(text) or _DIGITS_APART.search(text):
        return None
    amounts = [parse_amount(m.group()) for m in AMOUNT_RE.finditer(_RATE.sub(" ", text))]
    found = [a for a in amounts if a is not None]
    return found[-1] if found else None


def _identifier(text: str) -> str | None:
    """The first word of the text if it holds a digit and is neither a date nor an amount with decimals:
    "FA-2017-0010" in "FA-2017-0010 du 12/03/2026". Only the first: a reference further on is another's."""
    words = text.split()
    word = words[0].strip(_IDENTIFIER_PUNCTUATION) if words else ""
    if (2 <= len(word) <= 40 and any(c.isdigit() for c in word) and not find_dates(word)
            and not _is_decimal_amount(word) and ":" not in word):
        return word
    return None


def _is_decimal_amount(word: str) -> bool:
    value = parse_amount(word)
    return value is not None and value != value.to_integral_value() and ("," in word or "." in word)
