"""The parties' names as the page shows them under their headings, and what reads as a name.

- Under a party's heading ("Verkäufer", "Client", "Bill to"), the name follows a name's label in the
  block ("Name: Kunden AG Mitte"), also when it is set on two lines beside its label (the line above the
  label's, at the value's place, closer to it than to the line before, and without a label of its own);
  else it is the block's first line that reads as a name (not a label, a line with a colon, a contact,
  or mostly digits; a salutation alone goes with the line below). Under a delivery heading it is the
  consignee's, often and not always the buyer: trusted less.
- A company's name set on two lines, the second ending with its legal form ("MVM Musterhafter" /
  "Versicherungsverein Musterstadt a.G."), is one name.
- Without a heading, the buyer's name is the first line of the address block at the place of an
  envelope's window (under a one-line return address of the seller's), trusted less.
- The seller's name by its identifiers and in its letterhead: `reading.seller_names`.

A line that starts with a party's heading word ("Seller trade name") or a contact's ("Attn", "Contact")
is not a name; a name ends at a dash or a bar that sets the address after it ("Au bon moulin SARL -
1242 chemin …"). Legal forms and those words are data (`labels.tsv`). Scores are how sure the place
makes the name, a little less for each line passed over.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterator
from dataclasses import replace
from functools import cache

from ingest.documents.candidate import Candidate
from ingest.documents.reading.labels import (
    SEPARATORS,
    fold,
    heading_and_rest,
    is_contact,
    is_document_word,
    labels,
    legal_forms,
    match,
    party_heading,
    starts_with_party_word,
)
from ingest.documents.reading.lines import Cell, Line
from ingest.documents.reading.parties import BLOCK_LINES, POSTCODE_TOWN, SMALLER, is_return_address, vat_numbers

# How sure a name is by the heading above it: the buyer's own, a delivery address's, the seller's.
BUYER_NAME, CONSIGNEE_NAME, SELLER_NAME = 0.75, 0.5, 0.8
# The address block read as the buyer's without a heading: how sure, the top of the first page it stands in
# (a share of its height), how many lines it has at most.
WINDOW_NAME, WINDOW_TOP, WINDOW_LINES = 0.55, 0.45, 8
# How many words a name has at most: more is a sentence.
NAME_WORDS = 8
# A name is among the first cells of its block; each cell passed over makes it a little less sure.
NAME_REACH, NAME_PASSED = 3, 0.9
# A gap of more than this many type sizes between two lines ends a party's block; a heading may stand a
# little further above its block's first line.
BLOCK_GAP, FIRST_GAP = 2.0, 3.0
_NOT_NAME = re.compile(r"@|https?:|www\.|^\W|\+\d")
# The letterhead: the top of the first page, as a share of its height; how much larger than the page's
# usual type its name is at least.
LETTERHEAD_TOP, LARGER = 0.25, 1.25
# A name holds no run of four digits or more: that is a postcode, a phone or an account.
_LONG_NUMBER = re.compile(r"\d{4}")
# What ends a name printed with more after it on its line: a dash or a bar between spaces, a comma before digits.
_NAME_END = re.compile(r"\s+[-–|•●·]\s+|,\s*\d")
_FORM_PUNCTUATION = ".,;:()"
# A street: a house number first or last ("152 chemin du Moulin", "Musterstr. 12", "Via Roma 40a").
_STREET = re.compile(r"^\d{1,4}[a-z]?\b|\b\d{1,4}[a-z]?$", re.IGNORECASE)


def party_names(lines: list[Line], party: str) -> list[Candidate[str]]:
    """The name under each heading of `party` ("seller" or "buyer"; a delivery address counts as the
    buyer's, trusted less), best first."""
    out: list[Candidate[str]] = []
    for number, line in enumerate(lines):
        for heading in line.cells:
            score = _heading_score(heading.text, party)
            if score is None:
                joined = heading_and_rest(heading.text) if match(heading.text) is None else None  # "Cliente nº"
                if joined is not None and joined[0] == party and reads_as_name(joined[1]) \
                        and (":" in heading.text or legal_form_span(joined[1]) is not None):  # not "Seller trade name"
                    out.append(Candidate(" ".join(joined[1].split()), _party_score(party), number))
                continue
            rows = list(_block_rows(lines, number, heading))
            named = next((value for row, cells in rows if (value := _after_name_label(lines, row, cells))), None)
            if named is not None:
                out.append(Candidate(named, score, number))
                continue
            first = first_name([first_cell(cells) for _, cells in rows[:NAME_REACH + 1]], score)
            if first is not None:
                out.append(Candidate(first.value, first.score, number))
    return sorted(out, key=lambda c: (-c.score, c.line))


def first_name(cells: list[Cell], score: float) -> Candidate[str] | None:
    """The first of a block's first cells that reads as a name, a salutation on a line of its own joined
    to the name below it ("Herrn" / "Max Mustermann"); `score` less for each cell passed over."""
    for passed, cell in enumerate(cells[:NAME_REACH]):
        if reads_as_name(cell.text):
            name = " ".join(cell.text.split())
            below = " ".join(cells[passed + 1].text.split()) if passed + 1 < len(cells) else ""
            if below and reads_as_name(below) and (_is_salutation(name) or _ends_a_name(name, below)):
                name = f"{name} {below}"
            return Candidate(name, round(score * NAME_PASSED ** passed, 3), cell.line)
    return None


def _ends_a_name(name: str, below: str) -> bool:
    """Whether `below` is the second line of a company's name: it ends with the legal form `name` lacks."""
    span = legal_form_span(below)
    return legal_form_span(name) is None and span is not None and span[1] >= len(below.rstrip(" ,."))


def _heading_score(text: str, party: str) -> float | None:
    if party == "buyer" and _is_delivery(text):
        return CONSIGNEE_NAME
    return _party_score(party) if party_heading(text) == party else None


def _party_score(party: str) -> float:
    return BUYER_NAME if party == "buyer" else SELLER_NAME


def reads_as_name(text: str) -> bool:
    """Whether a line may be a party's name: mostly letters, a few words, not a label, a contact, an address
    on the web, a number or a heading ("Seller trade name"; one with a legal form is a name: "Lieferant GmbH")."""
    letters = sum(c.isalpha() for c in text)
    visible = sum(not c.isspace() for c in text)
    return (letters >= 2 and letters >= visible * 0.6 and ":" not in text and match(text) is None
            and len(text.split()) <= NAME_WORDS and not _NOT_NAME.search(text) and not _LONG_NUMBER.search(text)
            and not vat_numbers(text) and not is_contact(text) and not _starts_with_form(text)
            and party_heading(text) is None and not _is_delivery(text)
            and (not _STREET.search(text) or legal_form_span(text) is not None)
            and (not starts_with_party_word(text) or legal_form_span(text) is not None))


def legal_form_span(text: str) -> tuple[int, int] | None:
    """Where the first legal form after the text's first word is printed, as (start, end): words compared
    folded, without their final full stop, and printed with a capital ("sa" in a sentence is no form)."""
    words = [(found.start(), found.end(), found.group()) for found in re.finditer(r"\S+", text)]
    forms, longest = _legal_forms()
    for start in range(1, len(words)):
        for count in range(min(longest, len(words) - start), 0, -1):
            chunk = words[start:start + count]
            key = " ".join(_form_word(word) for _, _, word in chunk)
            if key in forms and (not forms[key] or any(c.isupper() for _, _, word in chunk for c in word)):
                return chunk[0][0], chunk[-1][1]
    return None


def _starts_with_form(text: str) -> bool:
    """Whether the text begins with a legal form: "SA au capital de …" is the legal mentions, not a name."""
    return legal_form_span(f"x {text}") == (2, 2 + len(text.split(None, 1)[0])) if text.split() else False


def _form_word(word: str) -> str:
    return fold(word).strip(_FORM_PUNCTUATION)


@cache
def _legal_forms() -> tuple[dict[str, bool], int]:
    """The legal forms word by word as `_form_word` gives them (with whether each needs a capital), and the
    most words one has."""
    forms = {" ".join(_form_word(word) for word in form.split()): capital for form, capital in legal_forms()}
    return forms, max(len(form.split()) for form in forms)


def _after_name_label(lines: list[Line], number: int, row: list[Cell]) -> str | None:
    """The name a row of the block gives after a name's label, in the label's cell or the next one, with
    the part of it set on the line above."""
    first = fold(row[0].text)
    for label in _name_labels():
        if first == label or first.startswith(label) and first[len(label):len(label) + 1] in SEPARATORS:
            rest = row[0].text.split(None, len(label.split()))[len(label.split()):]
            text = " ".join(rest).lstrip(SEPARATORS) if rest else ""
            value = row[1] if len(row) > 1 else _beside(lines, number, row[0])
            if not text and value is not None:
                above = _first_part(lines, number, row[0], value)
                text = f"{above} {value.text}" if above else value.text
            return " ".join(text.split()) if reads_as_name(text) else None
    return None


def _beside(lines: list[Line], number: int, label: Cell) -> Cell | None:
    """The value right of a label alone on its line, printed a little higher or lower than it: the first
    cell right of it on the line above or below whose height overlaps the label's."""
    for index in (number + 1, number - 1):
        if 0 <= index < len(lines) and lines[index].page == label.page:
            right = [c for c in lines[index].cells if c.x0 > label.x1 and c.y0 < label.y1 and c.y1 > label.y0]
            if right:
                return right[0]
    return None


def _first_part(lines: list[Line], number: int, label: Cell, value: Cell) -> str | None:
    """The first part of a value set on two lines beside its label, its label level with the second: the
    line above holds only a cell at the value's place, closer to the value than to the line before it."""
    if number < 2 or lines[number - 1].page != value.page:
        return None
    above, before = lines[number - 1], lines[number - 2]
    cells = above.cells
    if len(cells) != 1 or abs(cells[0].x0 - value.x0) > max(value.size, 1.0) or cells[0].x0 <= label.x1:
        return None
    gap_to_value = value.y0 - cells[0].y1
    gap_before = cells[0].y0 - max(cell.y1 for cell in before.cells) if before.page == value.page else 1e9
    if gap_to_value < gap_before and gap_to_value < value.size and reads_as_name(cells[0].text):
        return " ".join(cells[0].text.split())
    return None


def is_name_label(text: str) -> bool:
    """Whether the text is a name's label ("Name", "Raison sociale")."""
    return fold(text).rstrip(SEPARATORS) in _name_labels()


def _is_delivery(text: str) -> bool:
    return fold(text).rstrip(SEPARATORS) in _delivery_headings()


@cache
def _delivery_headings() -> frozenset[str]:
    return frozenset(label.text for label in labels() if label.field == "delivery_party")


def _is_salutation(text: str) -> bool:
    return fold(text) in _salutations()


@cache
def _name_labels() -> tuple[str, ...]:
    """Longest first: "company name" before "company"."""
    return tuple(sorted((label.text for label in labels() if label.field == "party_name"), key=len, reverse=True))


@cache
def _salutations() -> frozenset[str]:
    return frozenset(label.text for label in labels() if label.field == "salutation")


def _block_rows(lines: list[Line], number: int, heading: Cell) -> Iterator[tuple[int, list[Cell]]]:
    """The rows of a heading's block, each with its line's number: from the cell that starts at the
    heading's left edge on, line by line, until another heading in that column or a blank line's gap
    (the first line may stand a little further below the heading)."""
    bottom = heading.y1
    for offset, below in enumerate(lines[number + 1: number + 1 + BLOCK_LINES], start=number + 1):
        gap = heading.size * (FIRST_GAP if offset == number + 1 else BLOCK_GAP)
        if below.page != heading.page or below.cells[0].y0 - bottom > gap:
            return
        bottom = max(cell.y1 for cell in below.cells)
        for position, cell in enumerate(below.cells):
            if abs(cell.x0 - heading.x0) <= max(cell.size, 1.0) * 2:
                if party_heading(cell.text) is not None or _is_delivery(cell.text):
                    return
                yield offset, list(below.cells[position:])
                break


def name_part(text: str) -> str:
    """The name a line begins with, without what follows a dash or a bar ("Au bon moulin SARL - 1242 …")."""
    return _NAME_END.split(text, maxsplit=1)[0].strip(" -–,")


def cut_to_name(cell: Cell) -> Cell:
    """The cell with its text cut where its name ends."""
    return replace(cell, text=name_part(cell.text))


def holds(cell: Cell, identifiers: set[str]) -> bool:
    return any(value in re.sub(r"[\s.\-/]", "", cell.text).upper() for value in identifiers)


def in_column(cell: Cell, of: Cell) -> bool:
    return abs(cell.x0 - of.x0) <= max(of.size, 1.0) * 2


def first_cell(row: list[Cell]) -> Cell:
    """A block row's first cell, with a colon when the next cell starts with one (`_as_label`)."""
    following = row[1].text if len(row) > 1 else ""
    return replace(row[0], text=f"{row[0].text}:") if following.startswith(":") else row[0]


def page_height(lines: list[Line], page: int) -> float:
    """The page's height as far as its lines show it: the bottom of its lowest line."""
    return max(cell.y1 for line in lines if line.page == page for cell in line.cells)


def window_names(lines: list[Line], seller: str | None, identifiers: set[str]) -> list[Candidate[str]]:
    """The buyer's name at the top of the first page's address block that is not the seller's."""
    if not lines:
        return []
    page = lines[0].page
    bottom = page_height(lines, page) * WINDOW_TOP
    wanted = {value.upper() for value in identifiers if value}
    out: list[Candidate[str]] = []
    for number, block in _column_blocks([line for line in lines if line.page == page], bottom):
        cells = _without_return_address(block, seller)
        if cells is None or not 2 <= len(cells) <= WINDOW_LINES or any(holds(cell, wanted) for cell in cells):
            continue
        if not any(POSTCODE_TOWN.search(cell.text) for cell in cells[1:]):
            continue
        named = first_name([cut_to_name(cell) for cell in cells[:NAME_REACH + 1]], WINDOW_NAME)
        if named is not None and (seller is None or _compact(named.value) != _compact(seller)):
            out.append(Candidate(named.value, named.score, number))
    return sorted(out, key=lambda c: (-c.score, c.line))[:1] if len(out) == 1 else []


def letterhead(lines: list[Line]) -> tuple[int, str] | None:
    """The letterhead's name and its line: the name in the largest type at the top of the first page, when
    that type is larger than the page's usual one and reads as a name (not a document's title or a heading)."""
    if not lines:
        return None
    page = lines[0].page
    bottom = page_height(lines, page) * LETTERHEAD_TOP
    top = [(number, cell) for number, line in enumerate(lines) if line.page == page for cell in line.cells
           if cell.y0 <= bottom]
    if not top:
        return None
    number, cell = max(top, key=lambda item: (item[1].size, -item[1].y0))
    if cell.size < statistics.median(c.size for line in lines if line.page == page for c in line.cells) * LARGER:
        return None  # no type larger than the text's: no letterhead to tell
    name = name_part(cell.text)
    first = fold(name).split(" ", 1)[0]
    if reads_as_name(name) and not is_document_word(first) and party_heading(name) is None:
        return number, name
    return None


def addressee_vats(lines: list[Line]) -> dict[str, int]:
    """The VAT numbers of the addressee's block, each with its line on the first page, as a window letter
    prints it without a heading: in the top of the first page, a block (below a return address when one
    is printed) whose first line is a name other than the letterhead's, with a postcode and a town below
    it, on a page without the parties' headings. They are the buyer's, never the seller's: a seller that
    prints its own VAT number only in the small print, or not at all, must not take its customer's."""
    head = letterhead(lines)
    if head is None:
        return {}
    page = lines[0].page
    if any(party_heading(cell.text) is not None for line in lines if line.page == page for cell in line.cells):
        return {}  # the parties' headings say whose block is whose (`parties`)
    name = _compact(head[1])
    bottom = page_height(lines, page) * WINDOW_TOP
    found: dict[str, int] = {}
    for _, block in _column_blocks([line for line in lines if line.page == page], bottom):
        cells = _without_return_address(block, None) or []
        first = _compact(name_part(cells[0].text)) if cells else ""
        if not 2 <= len(cells) <= WINDOW_LINES or not reads_as_name(cells[0].text) or name in first \
                or first in name or not any(POSTCODE_TOWN.search(cell.text) for cell in cells[1:4]):
            continue
        found.update((value, cell.line) for cell in cells for value, _, _ in vat_numbers(cell.text))
    return found


def _without_return_address(block: list[Cell], seller: str | None) -> list[Cell] | None:
    """The block below the sender's return address, when one is printed in it ("Holzbau Keller GmbH ·
    Lindenweg 4 · 80331 München", in smaller type than the line below); a letterhead set in the same column
    may stand above it. None when what is left is the seller's own block (a line of it is its name)."""
    for index, cell in enumerate(block[:-1]):
        if _is_return_address(cell, block[index + 1], seller):
            block = block[index + 1:]
            break
    if seller is None:
        return block
    name = _compact(seller)
    return None if any(_compact(name_part(cell.text)) == name for cell in block) else block


def _is_return_address(cell: Cell, below: Cell, seller: str | None) -> bool:
    """A sender's address on one line (`parties.is_return_address`), or, smaller than the line below, the
    seller's name and more."""
    text = _compact(cell.text)
    sellers = seller is not None and _compact(seller) in text and text != _compact(seller)
    return is_return_address(cell, below) or (sellers and cell.size < below.size * SMALLER)


def _compact(name: str) -> str:
    """A name folded without spaces: a text layer may break a word ("Liefer ant GmbH")."""
    return fold(name).replace(" ", "")


def _column_blocks(lines: list[Line], bottom: float) -> Iterator[tuple[int, list[Cell]]]:
    """The blocks of cells above `bottom` that start at about one left edge, each line close below the
    last, with the number of the line each starts on; a heading's cell ends its block (its own is read
    by `party_names`)."""
    open_blocks: list[tuple[int, list[Cell]]] = []
    done: list[tuple[int, list[Cell]]] = []
    for number, line in enumerate(lines):
        for cell in line.cells:
            if cell.y0 > bottom:
                continue
            block = next((b for b in open_blocks if in_column(cell, b[1][-1])
                          and cell.y0 - b[1][-1].y1 <= max(cell.size, b[1][-1].size) * BLOCK_GAP), None)
            if block is None:
                open_blocks.append((number, [cell]))
            else:
                block[1].append(cell)
    for number, cells in open_blocks:
        if not any(party_heading(cell.text) is not None or _is_delivery(cell.text) for cell in cells):
            done.append((number, cells))
    return iter(done)
