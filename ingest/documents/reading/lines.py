"""Lines and cells rebuilt from a page's words.

A line is the words whose vertical middles fall within half a type size of each other; a cell is a
run of words in a line separated by less than `CELL_GAP` type sizes. Columns, label/value pairs and
table cells are usually wider apart than that, words of one phrase closer: "Date de facture" is
one cell, "13/11/2017" printed further right another.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from ingest.documents.layout import PageWords, Word

# A horizontal gap wider than this many type sizes separates two cells.
CELL_GAP = 1.6


@dataclass(frozen=True)
class Cell:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    size: float  # the type size: the median height of its words
    page: int
    line: int  # the line's index on its page
    words: tuple[Word, ...] = field(default=(), compare=False)  # its words, left to right

    @property
    def middle(self) -> float:
        return (self.y0 + self.y1) / 2


@dataclass(frozen=True)
class Line:
    cells: tuple[Cell, ...]
    page: int
    index: int

    @property
    def text(self) -> str:
        return "   ".join(cell.text for cell in self.cells)


def page_lines(page: PageWords) -> list[Line]:
    """The page's lines, top to bottom, each with its cells left to right."""
    rows: list[list[Word]] = []
    for word in sorted(page.words, key=lambda w: ((w.y0 + w.y1) / 2, w.x0)):
        middle = (word.y0 + word.y1) / 2
        if rows and abs(middle - _middle(rows[-1])) <= max(_size(rows[-1]), word.height, 1.0) * 0.5:
            rows[-1].append(word)
        else:
            rows.append([word])
    return [Line(_cells(sorted(row, key=lambda w: w.x0), page.number, index), page.number, index)
            for index, row in enumerate(rows)]


def _cells(words: list[Word], page: int, line: int) -> tuple[Cell, ...]:
    cells: list[list[Word]] = [[words[0]]]
    for previous, word in zip(words, words[1:], strict=False):
        size = max(statistics.median(w.height for w in cells[-1]), 1.0)
        if word.x0 - previous.x1 > size * CELL_GAP:
            cells.append([word])
        else:
            cells[-1].append(word)
    return tuple(_cell(group, page, line) for group in cells)


def _cell(words: list[Word], page: int, line: int) -> Cell:
    return Cell(" ".join(w.text for w in words), words[0].x0, min(w.y0 for w in words), words[-1].x1,
                max(w.y1 for w in words), statistics.median(w.height for w in words), page, line, tuple(words))


def _middle(row: list[Word]) -> float:
    return statistics.median((w.y0 + w.y1) / 2 for w in row)


def _size(row: list[Word]) -> float:
    return statistics.median(w.height for w in row)
