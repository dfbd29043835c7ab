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

from ingest.documents.amounts import AMOUNT_RE, is_identifier_digits, parse_amount
from ingest.documents.reading.labels import (
    SEPARATORS,
    TITLE_WEIGHT,
    Match,
    fold,
    is_document_word,
    match,
    names_a_related_document,
    refers_to_other,
    title_number,
)
from ingest.documents.reading.lines import Cell, Line
from ingest.documents.textparse import NOT_THE_DOCUMENTS_DATE, compact_date, find_dates, has_vat_number

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
# How many rows down an amount's column is read for its sums' row.
COLUMN_ROWS = 8
# A label this weak or weaker is a common word ("Date", "Datum", "Rechnung", "Nummer"): after other words of
# its cell it names another thing's date ("Service date", "Bestellung vom"), and followed in its cell by
# words that are no value it is the start of a longer label ("Data dell'ordine", "Rechnung an").
COMMON_WORD = 0.6
# A value in a box of its own may stand this many type sizes off its label's middle (a line is half a size).
OFF_THE_LINE = 0.9
# A cell in type this many times larger than the one below it is a title, not a column's heading.
TITLE_SIZE = 1.3
# How many lines under a title standing alone ("FACTURE") its number may follow on a line of its own ("N° 12").
TITLE_LINES = 2
# The most words a date alone in its cell is printed in ("20 septembre 2023").
DATE_WORDS = 3
_IDENTIFIER_PUNCTUATION = ":#°.,;()"
_BRACKETED_WORDS = 6
_RATE = re.compile(r"[-−]?\d+(?:[.,]\d+)?\s*%")
_CENTS = re.compile(r"\d[.,]\d{2}(?![\d.,])")
# More words than this around an amount make a sentence, not a label's value.
PROSE_WORDS = 5
_WORD = re.compile(r"[^\W\d_]{2,}")
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
        title = _title_above(lines, index)
        for position, cell in enumerate(line.cells):
            labelled = list(_labels_in(_under_title(cell.text, title)))
            if title is not None and not labelled:
                _add_title_date(found, line, cell.text, parse)
            columns = _heading_columns(line, position, [start for _, _, start in labelled])
            for number, (matched, trust, _start) in enumerate(labelled):
                if matched.label.field not in parse:
                    if columns:
                        continue  # another heading of the row ("Kundennummer"), its column not ours
                    break  # a label that names what no field holds ("Gesamtbetrag der Zuschläge")
                if columns and matched.label.field not in AMOUNTS:  # amounts stand right-aligned, not under
                    _add_below(found, lines, index, cell, columns[number], matched, parse)
                    continue
                # A label inside a cell points into it, unless it ends the cell ("… Nr. 01.234 vom" with the
                # date on the next line).
                inside = (number > 0 or trust != 1.0) and bool(matched.rest)
                _add(found, lines, index, position, matched, parse, trust, inside=inside)
    for values in found.values():
        values.sort(key=lambda f: (-f.score, f.page, f.line))
    return found


def _title_above(lines: list[Line], index: int) -> str | None:
    """The document's title when it stands alone on one of the `TITLE_LINES` lines above, on the same page
    ("FACTURE" over "N° FA-2026-0001", or with the date between)."""
    line = lines[index]
    for above in reversed(lines[max(0, index - TITLE_LINES): index]):
        if above.page == line.page and len(above.cells) == 1:
            text = above.cells[0].text.strip(SEPARATORS)
            if is_document_word(fold(text)):
                return text
    return None


def _under_title(text: str, title: str | None) -> str:
    """A cell that begins with the number mark under a title standing alone gives the title's number, as
    if printed after it ("FACTURE" / "N° FA-2026-0001" reads "FACTURE N° FA-2026-0001"); a cell without a
    digit is no number, one whose label names another number is that one's ("N° client C-12", "N° TVA …")."""
    if title is None or not any(c.isdigit() for c in text):
        return text
    labelled = match(text)
    if (labelled is not None and labelled.label.field != "invoice_number") or has_vat_number(text):
        return text
    first = fold(text).split(" ", 1)[0]
    return f"{title} {text}" if first in ("n°", "#") or first.startswith("n°") else text


def _add_title_date(found: dict[str, list[Found]], line: Line, text: str,
                    parse: dict[str, Callable[[str], str | date | Decimal | None]]) -> None:
    """A date alone in its cell under a title standing alone is the document's ("FACTURE" / "20/09/2023"), as
    sure as a value below its label."""
    value = parse["issue_date"](text)
    if value is not None and len(find_dates(text)) == 1 and len(text.split()) <= DATE_WORDS:
        found.setdefault("issue_date", []).append(
            Found("issue_date", value, round(TITLE_WEIGHT * BELOW, 3), line.page, line.index))


def _labels_in(text: str) -> Iterator[tuple[Match, float, int]]:
    """The labels of a cell, how much to trust each and the word it starts at (-1: a title's number): at
    its start, then each one after a word of it ("… 471102 vom 05.03.2018"). A document type's code in
    brackets is passed over ("Rechnung (380) Nr."). A date label right after the invoice number's is the
    invoice's date ("Facture n° X du …"). A cell without a digit may be a row of headings set close
    ("Kundennummer Datum"): a common date word after another label there is a heading of its own."""
    words = _without_brackets(text.split())
    headings = not any(c.isdigit() for c in text)
    previous: str | None = None
    titled = title_number(words)
    if titled is not None:
        yield titled, 1.0, -1
        previous = "invoice_number"
    covered = 0  # the words of the labels found so far: a label does not start inside another
    for start in range(len(words)):
        if start < covered:
            continue
        matched = match(" ".join(words[start:]))
        if matched is None:
            continue
        covered = start + len(matched.label.text.split())
        if (matched.label.field == "issue_date" and start and previous != "invoice_number"
                and matched.label.weight <= COMMON_WORD and not (headings and previous)):
            continue  # "Service date", "Order date", "Bestellung vom": another thing's date
        if (matched.label.field == "invoice_number" and start
                and (any(is_document_word(fold(word)) for word in words[:start])
                     or refers_to_other(" ".join(words[:start])))):
            continue  # "Avoir sur facture n° …", "Storno fattura n. …": another document's number
        if matched.label.field in DATES and start and NOT_THE_DOCUMENTS_DATE.search(" ".join(words[:start])):
            continue  # "ZUGFeRD-Version 2.1 vom 24.03.2020", "Gedruckt am …": not the invoice's date
        if start == 0:
            trust = 1.0
        elif previous == "invoice_number" and matched.label.field == "issue_date":
            trust = 1.0 / matched.label.weight
        else:
            trust = MID_CELL
        yield matched, trust, start
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


def _heading_columns(line: Line, position: int, starts: list[int]) -> list[tuple[float, float]] | None:
    """When the cell is a row of headings set too close to split ("Rechnungsnr. Datum Kunden-Nr."): no digit,
    two labels or more, each from its first word to the next one's (the last to the next cell), so that
    each heading's value is read under it; None otherwise."""
    cell = line.cells[position]
    if len(starts) < 2 or min(starts) < 0 or any(c.isdigit() for c in cell.text):
        return None
    if len(cell.words) != len(cell.text.split()) or len(_without_brackets(cell.text.split())) != len(cell.words):
        return None  # words of the cell not one for one with its text
    end = line.cells[position + 1].x0 if position + 1 < len(line.cells) else float("inf")
    edges = [cell.words[start].x0 for start in starts] + [end]
    return list(zip(edges, edges[1:], strict=False))


def _add_below(found: dict[str, list[Found]], lines: list[Line], index: int, cell: Cell,
               column: tuple[float, float], matched: Match,
               parse: dict[str, Callable[[str], str | date | Decimal | None]]) -> None:
    """A heading's value in a row of headings: the words starting under it (from a type size to its left,
    for a value wider than its heading), on the nearest line below that has some."""
    line = lines[index]
    left, right = column[0] - cell.size, column[1] - cell.size
    for below in lines[index + 1: index + 1 + LINES_BELOW]:
        if below.page != line.page or below.cells[0].y0 - cell.y1 > cell.size * SIZES_BELOW:
            return
        words = [w.text for c in below.cells for w in c.words if left <= w.x0 < right]
        if not words:
            continue
        if match(" ".join(words)) is not None:
            return  # another row of labels
        value = parse[matched.label.field](" ".join(words))
        if value is not None:
            found.setdefault(matched.label.field, []).append(
                Found(matched.label.field, value, round(matched.label.weight * BELOW, 3), line.page, line.index))
        return


def _add(found: dict[str, list[Found]], lines: list[Line], index: int, position: int, matched: Match,
         parse: dict[str, Callable[[str], str | date | Decimal | None]], weight: float, inside: bool) -> None:
    line = lines[index]
    if names_a_related_document(matched.rest):
        return  # "Date de facture associée": the date of the invoice this one refers to
    if matched.rest and matched.label.weight <= COMMON_WORD and parse[matched.label.field](matched.rest) is None:
        inside = True  # "Data dell'ordine:": a longer label than the common word it starts with
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
    if len(right) > 1 and len(right[0].text.strip()) == 1:
        right = right[1:]  # a lone character before the value is a colon misread ("Beleg-Nr | 2 | RK2101")
    label = line.cells[position]
    if right:
        yield right[0].text, RIGHT
        if matched.label.field in AMOUNTS and len(right) > 1:
            yield right[-1].text, FAR_RIGHT  # a table row: "Total HT | | 624,90 €"
    else:
        beside = _off_the_line(lines, index, label)
        if beside is not None:
            yield beside.text, FAR_RIGHT
    for below in lines[index + 1: index + 1 + LINES_BELOW]:
        if below.page != line.page or below.cells[0].y0 - label.y1 > label.size * SIZES_BELOW:
            break
        under = [cell for cell in below.cells if _overlaps(cell, label)]
        if under:
            if label.size > under[0].size * TITLE_SIZE and is_document_word(fold(label.text).split()[0]):
                break  # a title ("FACTURE") over the header's fields, not their heading (a heading's own
                # type may read larger: a scanned word's box is no exact measure of its type)
            if matched.label.field in IDENTIFIERS and _priced(below):
                break  # an article's reference in a row of the lines, under the table's heading
            if match(under[0].text) is None:  # a label below starts another field's row, not this value
                if matched.label.field in AMOUNTS and (summed := _column_sum(lines, index, label)) is not None:
                    yield summed, BELOW
                yield under[0].text, BELOW
            break


def _column_sum(lines: list[Line], index: int, heading: Cell) -> str | None:
    """The sums' row of an amount column under its heading: read down the cells under it, the first whose
    amount is the sum of two or more above it ("Nettobetrag": one row per VAT rate, then their sum)."""
    values: list[Decimal] = []
    bottom = heading.y1
    for below in lines[index + 1: index + 1 + COLUMN_ROWS]:
        if below.page != heading.page or below.cells[0].y0 - bottom > heading.size * SIZES_BELOW:
            break
        under = [cell for cell in below.cells if _overlaps(cell, heading)]
        if not under:
            continue  # a row with nothing in this column
        value = _amount(under[0].text)
        if value is None:
            break  # the column ends
        if len(values) >= 2 and sum(values) == value:
            return under[0].text
        values.append(value)
        bottom = under[0].y1
    return None


def _off_the_line(lines: list[Line], index: int, label: Cell) -> Cell | None:
    """The value of a label alone on its line when it stands in a box of its own right of it, a little off
    the label's baseline (other type, another box): the first cell right of the label on the nearest line
    above or below, within `OFF_THE_LINE` type sizes, whose own column under the label is empty."""
    nearest: tuple[float, Cell] | None = None
    for other in (lines[index - 1] if index else None, lines[index + 1] if index + 1 < len(lines) else None):
        if other is None or other.page != label.page:
            continue
        distance = abs(other.cells[0].middle - label.middle)
        if distance > label.size * OFF_THE_LINE or any(_overlaps(cell, label) for cell in other.cells):
            continue
        after = [cell for cell in other.cells if cell.x0 > label.x1 and cell.text.strip(SEPARATORS)]
        if after and (nearest is None or distance < nearest[0]):
            nearest = (distance, after[0])
    return nearest[1] if nearest else None


def _priced(line: Line) -> bool:
    """Whether the line prices something: a cell holding an amount with decimals ("1 036,03")."""
    return any(_CENTS.search(cell.text) for cell in line.cells if not find_dates(cell.text))


def _overlaps(cell: Cell, label: Cell) -> bool:
    return cell.x0 <= label.x1 and cell.x1 >= label.x0


def _parser(month_first: bool) -> dict[str, Callable[[str], str | date | Decimal | None]]:
    def a_date(text: str) -> date | None:
        dates = find_dates(text, month_first)
        return dates[0][1] if dates else compact_date(text)

    parsers: dict[str, Callable[[str], str | date | Decimal | None]] = {key: a_date for key in DATES}
    parsers.update({key: _amount for key in AMOUNTS})
    parsers.update({key: _identifier for key in IDENTIFIERS})
    return parsers


def _amount(text: str) -> Decimal | None:
    """The last amount of the text once its rates are set aside ("20 % : 246,91 €"); none in a date, in
    digits come apart one by one ("3 2 1 , 4 0": a text layer whose characters lost their words), after
    a VAT number or in a sentence; a long run of bare digits is an identifier."""
    if find_dates(text) or _DIGITS_APART.search(text) or has_vat_number(text):
        return None
    if len(_WORD.findall(text)) > PROSE_WORDS:
        return None  # a sentence ("VAT exemption according to articles 262 ter … 283-2"), not a value
    amounts = [parse_amount(m.group()) for m in AMOUNT_RE.finditer(_RATE.sub(" ", text))
               if not is_identifier_digits(m.group())]
    found = [a for a in amounts if a is not None]
    return found[-1] if found else None


def _identifier(text: str) -> str | None:
    """The first word of the text if it holds a digit and is neither a date (nor a date's first word) nor an
    amount with decimals: "FA-2017-0010" in "FA-2017-0010 du 12/03/2026". Only the first: a reference further
    on is another's."""
    words = text.split()
    word = words[0].strip(_IDENTIFIER_PUNCTUATION) if words else ""
    dates = find_dates(text)
    if dates and dates[0][0] == 0:
        return None  # "10 maart 2022": a date's day is no number
    if (2 <= len(word) <= 40 and any(c.isdigit() for c in word) and not find_dates(word)
            and not _is_decimal_amount(word) and ":" not in word):
        return word
    return None


def _is_decimal_amount(word: str) -> bool:
    value = parse_amount(word)
    return value is not None and value != value.to_integral_value() and ("," in word or "." in word)
