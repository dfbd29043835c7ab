"""The lines table of an invoice as the page shows it: its rows, below its heading (`reading.item_columns`).

- A row is an item when it holds an amount under the amount column and something under the description,
  the quantity or the unit price; a row with a quantity or a unit price and no amount takes the amount
  printed on the line just below without a description, a quantity or a price (a cell of several lines
  whose amount sits at its foot, maybe beside a detail: "Basismenge: 1 Stk").
- A row's own line names its item with the cells of its description column that are not details ("# ligne
  BC: 3" beside "Fournitures diverses"), or with all of them when each reads as one ("Remise : remise
  commerciale": a description may hold a colon).
- Lines of description alone between two rows wrap one row's description: the row above's, unless the
  row below has none of its own and they stand nearer to it (a description set above its numbers, or
  centred on them). A line that reads as a detail ("Bruttopreis : 9,90", "Date fin : 31/01/2022": a label
  and its value) is not part of a description, and passed over.
- The table ends at a totals label (unless the row checks itself as an item: "Total care kit" priced 2 × 5
  = 10), at another table's heading (a row of cells without digits), or at the last page; running to a
  page's end it goes on at the next page's top, or under that page's own heading. Rows naming a subtotal
  or an amount carried over are no items; neither are rows without quantity or price in a table whose
  items mostly have one (a charge or a discount on the whole invoice, printed among the lines).

What the values are and how far the table is trusted is `reading.item_values`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

from ingest.documents.reading.candidates import AMOUNTS, READ_CEILING
from ingest.documents.reading.item_columns import WHOLE_DESCRIPTION, Column, heading_at, texts_by_column
from ingest.documents.reading.item_values import (
    item_values,
    mended,
    positive,
    row_checks,
    row_confidences,
    sum_check,
    table_confidence,
)
from ingest.documents.reading.labels import SEPARATORS, fold, labels, match
from ingest.documents.reading.lines import Line

# A description goes on over lines at most this many type sizes below the row's last line.
WRAP_GAP = 1.6
# A row of this many cells or more without a digit is another table's heading.
OTHER_HEADING = 3
_PRICED = ("quantity", "unit_price")
_CENTS = re.compile(r"\d[.,]\s?\d{2}(?!\d)")


@dataclass(frozen=True)
class Items:
    """The items the page's table gives, and how far the table is trusted (0..1, from its rows').

    Each item is a dict of strings as ``fields.einvoice_trade`` writes an XML line (``description``,
    ``quantity``, ``unit``, ``unit_price``, ``vat_rate``, ``net_amount``: a key only when read), and
    ``confidence``: how far that row is trusted, a decimal string from "0.05" to the reading's ceiling
    (`reading.item_values.row_confidences`)."""

    value: list[dict[str, str]]
    confidence: float


@dataclass
class Row:
    """One item as printed: the text under each column that is read, and its description's lines."""

    texts: dict[str, str]
    description: list[str] = field(default_factory=list)
    page: int = 0
    top: float = 0.0
    bottom: float = 0.0
    size: float = 0.0
    open: bool = True  # whether lines below may still carry on its description


@dataclass
class _Loose:
    """A line of description alone, not yet given to a row."""

    text: str
    page: int
    top: float
    bottom: float


def line_items(lines: list[Line], source: str, total_excl_tax: Decimal | None,
               credit_note: bool = False) -> Items | None:
    """The items the page's lines table gives, trusted as far as it checks itself (never above
    the reading's ceiling for `source`); None without a table or an item."""
    read = [(values, mended(row.texts)) for row in table_rows(lines)
            if "net_amount" in (values := item_values(row.texts, row.description))]
    priced = [(item, repaired) for item, repaired in read if any(key in item for key in _PRICED)]
    chosen = priced if len(priced) * 2 >= len(read) else read
    if not chosen:
        return None
    items = [item for item, _ in chosen]
    if credit_note:
        items = positive(items)
    shift = sum_check(items, total_excl_tax)
    rows = [min(score, READ_CEILING[source])
            for score in row_confidences(items, shift, [repaired for _, repaired in chosen])]
    return Items([{**item, "confidence": str(score)} for item, score in zip(items, rows, strict=True)],
                 table_confidence(rows, shift))


def table_rows(lines: list[Line]) -> list[Row]:
    """The rows of the invoice's lines table, over all its pages, in the order printed."""
    table = _Table()
    columns: tuple[Column, ...] | None = None
    index = 0
    while index < len(lines):
        heading = heading_at(lines, index)
        if heading is not None:
            columns, index = heading[0], heading[1] + 1
            table.close()
            continue
        if columns is not None and not table.read(lines[index], columns):
            table.close()
            columns = None  # until another heading: the table goes on under it (a page's own heading)
        index += 1
    table.close()
    return table.rows


class _Table:
    def __init__(self) -> None:
        self.rows: list[Row] = []
        self.loose: list[_Loose] = []

    def read(self, line: Line, columns: tuple[Column, ...]) -> bool:
        """Take the line as a row, a row's amount or description, or a detail; False when it ends the table."""
        texts = texts_by_column(line, columns)
        if len(line.cells) >= OTHER_HEADING and not any(c.isdigit() for c in line.text):
            return False  # another table's heading ("Zu- und Abschläge": Art | Basisbetrag | Betrag)
        if _starts_with(line, "item_skip"):
            self.close()
            return True
        amount = _has_number(texts, "amount")
        itemised = any(texts.get(k) for k in (WHOLE_DESCRIPTION, *_PRICED))
        if _names_totals(line) and not (amount and itemised and row_checks(texts)):
            return False
        last = self._last(line)
        top, bottom = min(c.y0 for c in line.cells), max(c.y1 for c in line.cells)
        below_values = not any(texts.get(k) for k in ("description", *_PRICED))  # a detail beside it at most
        if amount and below_values and last is not None and "amount" not in last.texts:
            last.texts["amount"] = texts["amount"]  # the amount printed a line below the row's other values
            last.bottom = bottom
        elif (amount and itemised) or any(_has_number(texts, kind) for kind in _PRICED):
            own = texts.get("description") or texts.get(WHOLE_DESCRIPTION, "")  # its details left out
            row = Row(texts, [own] if own else [], line.page, top, bottom, max(c.size for c in line.cells))
            self._give_loose(row)
            self.rows.append(row)
        elif texts.get("description"):  # its details ("Lot : 118", `DETAIL`) are passed over
            self.loose.append(_Loose(texts["description"], line.page, top, bottom))
        return True

    def close(self) -> None:
        """The loose lines go to the row above; it takes no more."""
        self._give_loose(None)
        if self.rows:
            self.rows[-1].open = False

    def _last(self, line: Line) -> Row | None:
        last = self.rows[-1] if self.rows else None
        return last if last is not None and _goes_on(last, line.page, min(c.y0 for c in line.cells)) else None

    def _give_loose(self, below: Row | None) -> None:
        """Each loose line to the row above while nearer it (and close enough), the rest to the row below
        when it has no description of its own."""
        above = self.rows[-1] if self.rows else None
        for number, loose in enumerate(self.loose):
            nearer_below = below is not None and not below.description and below.page == loose.page \
                and below.top - loose.bottom < loose.top - (above.bottom if above else float("-inf"))
            if nearer_below and below is not None:
                below.description.extend(item.text for item in self.loose[number:])
                break
            if above is not None and _goes_on(above, loose.page, loose.top):
                above.description.append(loose.text)
                above.bottom = loose.bottom
        self.loose = []


def _goes_on(row: Row, page: int, top: float) -> bool:
    """Whether a line starting at `top` on `page` may carry on the row: open, on its page, close below."""
    return row.open and row.page == page and top - row.bottom <= row.size * WRAP_GAP


def _has_number(texts: dict[str, str], kind: str) -> bool:
    return any(c.isdigit() for c in texts.get(kind, ""))


def _names_totals(line: Line) -> bool:
    """Whether the line is one of the totals: a totals label and an amount with cents ("HT" under an
    article's number "WA997" is a word of its description), or totals labels set as headings above their
    amounts ("Montant HT | Montant TTC")."""
    headings = len(line.cells) > 1 and not any(c.isdigit() for c in line.text)
    if not headings and not _CENTS.search(line.text):
        return False
    for cell in line.cells:
        found = match(cell.text)
        if found is not None and found.label.field in AMOUNTS:
            return True
    return False


def _starts_with(line: Line, kind: str) -> bool:
    folded = fold(line.cells[0].text)
    return any(folded == text or folded.startswith(text + " ") for text in _texts(kind))


@cache
def _texts(kind: str) -> tuple[str, ...]:
    return tuple(label.text.rstrip(SEPARATORS) for label in labels() if label.field == kind)
