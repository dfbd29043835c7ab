"""The seller's name as the page shows it, besides under its own heading (`reading.names.party_names`).

- The seller prints its identifiers (VAT number, SIREN, SIRET) in its own block, under its name: the
  block holding them, followed up its column to a blank line's gap or a heading's line, gives its first
  line that reads as a name; or the identifiers' own line begins with the name ("ACME SAS - capital … -
  SIRET …"). A column that starts on the line of the buyer's heading and holds those identifiers is the
  seller's block, facing the buyer's.
- The letterhead: the line of the largest type at the top of the first page, when it reads as a name
  (not a document's title or a label); surer with a legal form.

A name found so is less sure without a legal form: a block's first line may be its street.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from ingest.documents.candidate import Candidate
from ingest.documents.reading.labels import party_heading
from ingest.documents.reading.lines import Cell, Line
from ingest.documents.reading.names import (
    BLOCK_GAP,
    NAME_REACH,
    cut_to_name,
    first_name,
    holds,
    in_column,
    legal_form_span,
    letterhead,
    name_part,
    party_names,
    reads_as_name,
)
from ingest.documents.reading.parties import BLOCK_LINES

# How sure the seller's name is: at the start of its identifiers' line, at the top of their block.
IDENTIFIERS_LINE, IDENTIFIERS_BLOCK = 0.75, 0.74
# How sure the letterhead's name is: with a legal form, without.
LETTERHEAD_FORM, LETTERHEAD = 0.72, 0.6
# How much less sure a name found by the seller's identifiers is without a legal form.
FORMLESS = 0.9


def supplier_names(lines: list[Line], identifiers: set[str]) -> list[Candidate[str]]:
    """The seller's name as the page shows it, best first: under its heading, by its `identifiers` (its
    VAT number, SIREN and SIRET, compact), in its letterhead."""
    found = [*party_names(lines, "seller"), *_by_identifiers(lines, identifiers),
             *_facing_the_buyer(lines, identifiers), *_letterhead(lines)]
    return sorted(found, key=lambda c: (-c.score, c.line))


def _by_identifiers(lines: list[Line], identifiers: set[str]) -> Iterator[Candidate[str]]:
    """The name on the line of the seller's identifiers, or at the top of their block."""
    wanted = {value.upper() for value in identifiers if value}
    if not wanted:
        return
    for number, line in enumerate(lines):
        for cell in line.cells:
            if not holds(cell, wanted):
                continue
            own = name_part(cell.text)
            if reads_as_name(own) and legal_form_span(own) is not None:
                yield Candidate(own, IDENTIFIERS_LINE, number)
                continue
            top = _block_above(lines, number, cell)
            found = first_name([cut_to_name(above) for above in top], IDENTIFIERS_BLOCK)
            if found is not None:
                yield Candidate(found.value, _formless(found), number)


def _block_above(lines: list[Line], number: int, cell: Cell) -> list[Cell]:
    """The cells of `cell`'s column from the top of its block down to it: up line by line while the gap is
    no blank line's, to the line of a heading (kept when it has a cell in the column: a heading of the
    other column beside the block's first line)."""
    column = [cell]
    for index in range(number - 1, max(number - BLOCK_LINES, 0) - 1, -1):
        above = lines[index]
        gap = column[0].y0 - max(c.y1 for c in above.cells)
        if above.page != cell.page or gap > max(column[0].size, *(c.size for c in above.cells)) * BLOCK_GAP:
            break
        mine = [(position, c) for position, c in enumerate(above.cells) if in_column(c, cell)]
        if mine and column[0].y0 - mine[0][1].y1 <= max(column[0].size, mine[0][1].size) * BLOCK_GAP:
            column.insert(0, _as_label(above, *mine[0]))
        if any(party_heading(c.text) is not None for c in above.cells):
            break
    return column


def _facing_the_buyer(lines: list[Line], identifiers: set[str]) -> Iterator[Candidate[str]]:
    """The name of the block facing the buyer's: a column that starts on the line of the buyer's heading and
    holds the seller's identifiers below (blank lines and all) is the seller's block."""
    wanted = {value.upper() for value in identifiers if value}
    for number, line in enumerate(lines):
        if not wanted or not any(party_heading(cell.text) == "buyer" for cell in line.cells):
            continue
        for position, start in enumerate(line.cells):
            if party_heading(start.text) is not None:
                continue
            column = [_as_label(line, position, start)]
            for below in lines[number + 1: number + 1 + BLOCK_LINES]:
                mine = [(at, c) for at, c in enumerate(below.cells)
                        if below.page == start.page and in_column(c, start)]
                column += [_as_label(below, *mine[0])] if mine else []
            if any(holds(cell, wanted) for cell in column):
                found = first_name([cut_to_name(cell) for cell in column[:NAME_REACH + 1]], IDENTIFIERS_BLOCK)
                if found is not None:
                    yield Candidate(found.value, _formless(found), number)


def _formless(name: Candidate[str]) -> float:
    """A block's name is less sure without a legal form: the block's first line may be its street."""
    return name.score if legal_form_span(name.value) is not None else round(name.score * FORMLESS, 3)


def _as_label(line: Line, position: int, cell: Cell) -> Cell:
    """The cell, with a colon when the next cell of its line starts with one: "Telefon" | ": +49 …" is a
    label, not a name."""
    following = line.cells[position + 1].text if position + 1 < len(line.cells) else ""
    return replace(cell, text=f"{cell.text}:") if following.startswith(":") else cell


def _letterhead(lines: list[Line]) -> Iterator[Candidate[str]]:
    """The name in the largest type at the top of the first page."""
    found = letterhead(lines)
    if found is not None:
        number, name = found
        yield Candidate(name, LETTERHEAD_FORM if legal_form_span(name) is not None else LETTERHEAD, number)
