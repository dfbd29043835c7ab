"""The columns of an invoice's lines table, from its heading row.

The heading is a row of cells without digits of which one names the line's amount and another the
description, the quantity or a price (`labels.tsv`, fields `item_*`, six languages). Its band takes in
the lines set tight above and below it without digits ("Prix" / "unitaire", "Positions" / "betrag"):
cells one above the other make one column's heading, read top to bottom; a cell holding several headings
set too close ("Pos Art-Nr-Kunde Beschreibung") is cut where each starts. A price heading ("Prix",
"Nettopreis") is the amount's when no heading says amount, else the unit price's.

A column spans its heading's cells; a text belongs to the column it overlaps, or, overlapping none or
several, whose heading's middle is nearest (numbers under a centred heading, a description printed left
of its heading); a cell across several columns is shared out word by word.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache

from ingest.documents.reading.labels import ITEM_COLUMNS, fold, labels
from ingest.documents.reading.lines import Cell, Line

# Lines this many type sizes apart or closer (top to previous bottom) join a heading's band; at most
# BAND_LINES of them above and below.
BAND_GAP, BAND_LINES = 1.0, 3
OTHER = "other"
# The texts of a description's column that read as a detail of the item, not its name, and all its texts.
DETAIL, WHOLE_DESCRIPTION = "detail", "whole_description"
# What a heading may end with besides its words ("P.U.", "Montant (€)"); "#" and "n°" are words of it.
_PUNCTUATION = " \t:.*=()"
# Words that join two headings into one column's ("Nom & désignation").
_JOINTS = frozenset({"&", "+", "/", "et", "and", "und", "y", "e", "en"})
_BROKEN = "\x02"


@dataclass(frozen=True)
class Column:
    kind: str  # a field of ITEM_COLUMNS less its "item_" prefix, or "other": read for nothing
    x0: float
    x1: float
    weight: float = 1.0

    @property
    def middle(self) -> float:
        return (self.x0 + self.x1) / 2



def heading_at(lines: list[Line], index: int) -> tuple[tuple[Column, ...], int] | None:
    """The columns of a lines table whose heading row is line `index`, and the band's last line."""
    line = lines[index]
    if len(line.cells) < 2 or _has_digits(line):
        return None
    if not any(_column_label(cell.text) for cell in line.cells):  # most lines: one look at each cell
        return None
    first, last = _band(lines, index)
    band = [part for number in range(first, last + 1) for cell in lines[number].cells for part in _split(cell)]
    columns = _kinds(tuple(_column(stack) for stack in _stacks(band)))
    kinds = {c.kind for c in columns}
    if "amount" not in kinds or not kinds & {"description", "quantity", "unit_price"}:
        return None
    return columns, last


def _band(lines: list[Line], index: int) -> tuple[int, int]:
    """The first and last lines of the heading's band: tight neighbours on its page without digits."""
    size = max(cell.size for cell in lines[index].cells)
    first = last = index
    while first > 0 and index - first < BAND_LINES and _tight(lines[first - 1], lines[first], size):
        first -= 1
    while last + 1 < len(lines) and last - index < BAND_LINES and _tight(lines[last], lines[last + 1], size):
        last += 1
    return first, last


def _tight(upper: Line, lower: Line, size: float) -> bool:
    gap = min(c.y0 for c in lower.cells) - max(c.y1 for c in upper.cells)
    return (upper.page == lower.page and gap <= size * BAND_GAP
            and not _has_digits(upper) and not _has_digits(lower))


def _has_digits(line: Line) -> bool:
    """Whether a cell of the line holds a digit; a lone character is passed over (a margin's text set
    upright, one letter or digit a line: "1", "0", "V.")."""
    return any(any(c.isdigit() for c in cell.text) for cell in line.cells if len(cell.text.strip()) > 1)


def _split(cell: Cell) -> list[Cell]:
    """A heading cell set too close to its neighbours ("Pos Art-Nr-Kunde Beschreibung") cut where each of
    its headings starts, except one joined to the one before ("Code article, nom & désignation": one
    column named by all its words)."""
    words = cell.text.split()
    if len(words) < 2 or len(words) != len(cell.words):
        return [cell]
    starts = [start for start, _ in _labels_in(words)
              if start and not (words[start - 1] in _JOINTS or words[start - 1].endswith(","))]
    if not starts:
        return [cell]
    edges = [0, *starts, len(words)]
    return [replace(cell, text=" ".join(words[a:b]), x0=cell.words[a].x0, x1=cell.words[b - 1].x1,
                    words=cell.words[a:b]) for a, b in zip(edges, edges[1:], strict=False)]


def _labels_in(words: list[str]) -> list[tuple[int, tuple[str, float, int]]]:
    """The column headings among the words, by the word each starts at; one does not start inside another."""
    found, covered = [], 0
    for start in range(len(words)):
        label = _column_label(" ".join(words[start:])) if start >= covered else None
        if label is not None:
            found.append((start, label))
            covered = start + label[2]
    return found


def _stacks(cells: list[Cell]) -> list[list[Cell]]:
    """The band's cells grouped by columns: cells that overlap across, left to right."""
    stacks: list[list[Cell]] = []
    for cell in sorted(cells, key=lambda c: c.x0):
        if stacks and cell.x0 <= max(c.x1 for c in stacks[-1]):
            stacks[-1].append(cell)
        else:
            stacks.append([cell])
    return stacks


def _column(stack: list[Cell]) -> Column:
    """The column of a stack of heading cells: named by the first heading in its words whose values are read
    ("Code article, nom & désignation" is the description's), else by any ("Art-Nr"), else by none. Cells
    whose first word names nothing may be one word broken over two lines ("Preis/" / "Einheit": a unit price,
    not a unit)."""
    parts = [cell.text for cell in sorted(stack, key=lambda c: c.y0)]
    text = " ".join(parts).replace(_BROKEN + " ", "")  # PDFium's mark of a word broken at a line's end
    placed = _labels_in(text.split())
    found = [label for _, label in placed]
    unnamed = all(label[0] == OTHER for label in found) or placed[0][0] > 0  # its first word names nothing
    if unnamed and len(parts) > 1:  # a word broken: "Positions" / "betrag", "Preis/" / "Einheit"
        joined = _labels_in((parts[0] + " ".join(parts[1:])).split())
        found = [label for _, label in joined] if joined and (not placed or joined[0][0] == 0) else found
    read = [label for label in found if label[0] != OTHER]
    kind, weight = (read or found or [(OTHER, 1.0, 0)])[0][:2]
    return Column(kind, min(c.x0 for c in stack), max(c.x1 for c in stack), weight)


def _kinds(columns: tuple[Column, ...]) -> tuple[Column, ...]:
    """One column of each kind: a price heading is the amount's when none says amount (the rightmost), else
    the unit price's; of two of a kind the surer label (then the rightmost amount, the leftmost other) wins."""
    kinds = [c.kind for c in columns]
    prices = [i for i, kind in enumerate(kinds) if kind == "price"]
    if prices and "amount" not in kinds:
        kinds[prices.pop()] = "amount"
    if prices and "unit_price" not in kinds:
        kinds[prices[0]] = "unit_price"
    out = [Column(kind if kind != "price" else OTHER, c.x0, c.x1, c.weight) for kind, c in zip(kinds, columns,
                                                                                                strict=True)]
    for kind in {c.kind for c in out} - {OTHER}:
        same = [i for i, c in enumerate(out) if c.kind == kind]
        keep = max(same, key=lambda i: (out[i].weight, i if kind == "amount" else -i))
        for i in same:
            if i != keep:
                out[i] = Column(OTHER, out[i].x0, out[i].x1)
    return tuple(out)


def _column_label(text: str) -> tuple[str, float, int] | None:
    """The kind, weight and length in words of the longest column heading the text starts with, at a
    word's end."""
    folded = fold(text).strip(_PUNCTUATION)
    for label, kind, weight in _headings().get(folded.split(" ", 1)[0].rstrip(_PUNCTUATION), ()):
        end = len(label)
        if folded.startswith(label) and (end == len(folded) or not folded[end].isalnum()):
            return kind, weight, len(label.split())
    return None


@cache
def _headings() -> dict[str, tuple[tuple[str, str, float], ...]]:
    """The column headings by their first word, longest first."""
    table: dict[str, list[tuple[str, str, float]]] = {}
    for label in labels():
        if label.field in (*ITEM_COLUMNS, "item_other"):
            text = label.text.rstrip(_PUNCTUATION) or label.text
            table.setdefault(text.split(" ", 1)[0].rstrip(_PUNCTUATION) or text, []).append(
                (text, label.field.removeprefix("item_"), label.weight))
    return {word: tuple(sorted(found, key=lambda f: len(f[0]), reverse=True)) for word, found in table.items()}


def texts_by_column(line: Line, columns: tuple[Column, ...]) -> dict[str, str]:
    """The line's text under each column read; a cell across several columns ("20 Stk 19 %" set close) is
    shared out word by word. A cell of the description's column holding a colon is a detail (`DETAIL`) on a
    line of description alone; a row's own line names its item with all of them (`WHOLE_DESCRIPTION`)."""
    texts: dict[str, list[str]] = {}
    for cell in line.cells:
        if len(_under(cell.x0, cell.x1, columns)) < 2 or len(cell.words) != len(cell.text.split()):
            kind = column_of(cell.x0, cell.x1, columns).kind
            if kind == "description":
                texts.setdefault(WHOLE_DESCRIPTION, []).append(cell.text)
                if ":" in cell.text:
                    kind = DETAIL  # "Bruttopreis : 9,90", "Date fin : 31/01/2022": a label and its value
            texts.setdefault(kind, []).append(cell.text)
            continue
        for word in cell.words:
            kind = column_of(word.x0, word.x1, columns).kind
            texts.setdefault(kind, []).append(word.text)
            if kind == "description":
                texts.setdefault(WHOLE_DESCRIPTION, []).append(word.text)
    return {kind: " ".join(parts) for kind, parts in texts.items() if kind != OTHER}


def column_of(x0: float, x1: float, columns: tuple[Column, ...]) -> Column:
    """The column a text from `x0` to `x1` overlaps, or, overlapping none or several, the one whose
    heading's middle is nearest its own."""
    under = _under(x0, x1, columns)
    if len(under) == 1:
        return under[0]
    return min(under or columns, key=lambda c: abs(c.middle - (x0 + x1) / 2))


def _under(x0: float, x1: float, columns: tuple[Column, ...]) -> list[Column]:
    return [c for c in columns if x0 <= c.x1 and x1 >= c.x0]
