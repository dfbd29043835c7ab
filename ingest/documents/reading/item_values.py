"""The values of a lines table's rows, in the e-invoice XML's own strings, and how far the table is trusted.

Values are written as `fields.einvoice_trade` writes an XML line's, so that the two compare: a quantity
without trailing zeros ("20", "1.5"), its unit as a normalised UN/ECE rec. 20 code (`reading.units`: "Stk"
is "C62"), a unit price with two decimals unless printed finer ("0.455"), a
VAT rate and an amount with two ("19.00", "198.00"), a description on one line.

The invoice checks itself. A row fits when its quantity times its unit price is its amount, within what
rounding the printed price allows; the rows' amounts summed fit when they make the total excluding tax.
Each row is trusted on its own, by its own check first: a row that fits most, one without a quantity and
a price to check by less (often a charge or a discount on the whole invoice, which EN 16931 does not count
among the lines), one that does not fit little; a table that adds up raises its rows a little, one that does
not (`NOT_ADDING_UP`: a row lost or misread, or something charged or discounted outside the lines) lowers
them a little; a row without a description or with a value mended from its print is lowered. The table is
trusted as its rows are on average, less when it does not add up.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from ingest.documents.amounts import (
    AMOUNT_RE,
    format_amount,
    format_price,
    format_quantity,
    is_identifier_digits,
    parse_amount,
)
from ingest.documents.reading.units import unit_after_quantity, unit_of_text
from ingest.documents.textparse import find_dates

# How much a row is trusted by its own check: its quantity × unit price is its amount, it has not both to
# check by, they disagree.
ROW_FITS, ROW_UNCHECKED, ROW_MISFIT = 0.85, 0.5, 0.3
# How the table's sum moves each row: equal to the total excluding tax, no total known, another sum.
ADDS_UP, NO_TOTAL, NOT_ADDING_UP = 0.1, 0.0, -0.1
# How much less than its rows on average a table that does not add up is trusted: it lost a row, or took one
# too many.
TABLE_NOT_ADDING_UP = 0.2
# How much a row without a description, or with a value mended from its print, is lowered; no row lower
# than LOWEST.
MISSING, MENDED, LOWEST = 0.1, 0.1, 0.05
# A VAT rate is at most this many per cent (the highest standard rate in Europe is 27 %).
HIGHEST_RATE = Decimal(30)
_RATE = re.compile(r"(?<![\d.,])(\d{1,2}(?:[.,]\d{1,2})?)\s*%")
_PERCENT = re.compile(r"[-−]?\d+(?:[.,]\d+)?\s*%")
# A quantity printed with three decimals ("1,500") that `parse_amount` reads as thousands.
_THREE_DECIMALS = re.compile(r"^\d{1,3}[.,]\d{3}$")
_BROKEN = "\x02"
_RULES = frozenset({"|", "||", "[", "]", "¦"})
_APART_CENTS = re.compile(r"(\d[.,]) (\d{2})(?![\d.,])")


def item_values(texts: dict[str, str], description: list[str]) -> dict[str, str]:
    """A row's dict with the keys it gives a value for, as the XML path writes them."""
    quantity, price, amount = _quantity(texts), _amount(texts.get("unit_price", "")), _amount(texts.get("amount", ""))
    rate = _rate(texts.get("vat_rate", ""))
    values = {
        "description": _joined(description),
        "quantity": format_quantity(quantity) if quantity is not None else "",
        "unit": _unit(texts) or "",
        "unit_price": format_price(price) if price is not None else "",
        "vat_rate": format_amount(rate) if rate is not None else "",
        "net_amount": format_amount(amount) if amount is not None else "",
    }
    return {key: value for key, value in values.items() if value}


def _unit(texts: dict[str, str]) -> str | None:
    """The unit of the unit column (alone, or after the price's base quantity: "3 PCE"), else the one printed
    right after the quantity (`reading.units`)."""
    column = texts.get("unit", "")
    return unit_of_text(column) or unit_after_quantity(column) or unit_after_quantity(texts.get("quantity", ""))


def _joined(lines: list[str]) -> str:
    """A description's lines on one line, without the table's rules that OCR reads as characters; a word
    broken at a line's end goes on without a space: after a hyphen or a slash, or where PDFium marks a break
    ("Personen\x02" / "Unfallversicherung", given its hyphen)."""
    text = ""
    for line in lines:
        part = " ".join(word for word in line.split() if word not in _RULES)  # a table's rule read by OCR: "|"
        if text.endswith(_BROKEN):
            text = text[:-1] + "-" + part
        elif text.endswith(("-", "/")) and not text.endswith((" -", " /")):
            text += part  # "Obermonteur/" / "Monteur", "DIN976-" / "A-4.8": one word broken after its mark
        else:
            text = f"{text} {part}" if text else part
    return text.replace(_BROKEN, "-")


def row_checks(texts: dict[str, str]) -> bool:
    """Whether a row's quantity times its unit price is its amount."""
    return fits(_quantity(texts), _amount(texts.get("unit_price", "")), _amount(texts.get("amount", "")))


def fits(quantity: Decimal | None, price: Decimal | None, amount: Decimal | None) -> bool:
    """Quantity × price = amount, within half a cent of the price per unit (a price printed rounded)."""
    if quantity is None or price is None or amount is None:
        return False
    return abs(quantity * price - amount) <= abs(quantity) * Decimal("0.005") + Decimal("0.01")


def row_confidences(items: list[dict[str, str]], shift: float, mended: list[bool]) -> list[float]:
    """How far each row is trusted: by its own check first (a row whose quantity × unit price is its amount
    is seldom misread, one without both to check by is often a charge or a discount on the whole invoice),
    moved a little by the table's sum against the total (`shift`, from `sum_check`), lowered when it has no
    description or a value of it was mended (`mended`)."""
    return [round(min(max(_row_check(item) + shift - MISSING * ("description" not in item) - MENDED * repaired,
                          LOWEST), 1.0), 3)
            for item, repaired in zip(items, mended, strict=True)]


def table_confidence(rows: list[float], shift: float) -> float:
    """How far the table is trusted: its rows' mean, less `TABLE_NOT_ADDING_UP` when their amounts do not
    make the total (`shift`, from `sum_check`)."""
    if not rows:
        return LOWEST
    short = TABLE_NOT_ADDING_UP if shift == NOT_ADDING_UP else 0.0
    return round(max(sum(rows) / len(rows) - short, LOWEST), 3)


def sum_check(items: list[dict[str, str]], total_excl_tax: Decimal | None) -> float:
    """How the table's sum moves each row's trust: `ADDS_UP` when the rows make the total excluding tax,
    `NOT_ADDING_UP` when they make another sum, `NO_TOTAL` without a total to check by."""
    if total_excl_tax is None:
        return NO_TOTAL
    amounts = sum((Decimal(item["net_amount"]) for item in items), Decimal(0))
    return ADDS_UP if abs(amounts) == abs(total_excl_tax) else NOT_ADDING_UP


def _row_check(item: dict[str, str]) -> float:
    """`ROW_FITS`, `ROW_MISFIT`, or `ROW_UNCHECKED` for a row without a quantity and a unit price."""
    if "quantity" not in item or "unit_price" not in item:
        return ROW_UNCHECKED
    return ROW_FITS if fits(*(_decimal(item.get(key)) for key in ("quantity", "unit_price", "net_amount"))) \
        else ROW_MISFIT


def mended(texts: dict[str, str]) -> bool:
    """Whether a row's numbers were read otherwise than printed: cents set apart from their comma ("198, 00"),
    a quantity with three decimals ("1,500") whose reading the row's check chose."""
    apart = any(_APART_CENTS.search(texts.get(kind, "")) for kind in ("quantity", "unit_price", "amount"))
    printed = texts.get("quantity", "").strip().split(" ")[0].lstrip("-−")
    return apart or bool(_THREE_DECIMALS.match(printed))


def positive(items: list[dict[str, str]]) -> list[dict[str, str]]:
    """A credit note's lines as EN 16931 states them: printed with minus signs, given positive."""
    if not items or any(Decimal(item["net_amount"]) > 0 for item in items):
        return items
    return [{key: value.lstrip("-") if key in ("quantity", "net_amount") else value for key, value in item.items()}
            for item in items]


def _quantity(texts: dict[str, str]) -> Decimal | None:
    """The first number under the quantity column ("20 Unit(s)"); printed with three decimals ("1,500") it
    is the reading that makes the row fit, the smaller one when neither does."""
    text = _joined_cents(texts.get("quantity", ""))
    if "%" in text:
        return None  # a rate on a base ("5,00 % sur 100,00"): a charge or a discount, not a count
    numbers = [m.group() for m in AMOUNT_RE.finditer(_PERCENT.sub(" ", text)) if not find_dates(text)]
    if not numbers:
        return None
    printed = numbers[0].strip()
    value = parse_amount(printed)
    if value is None or not _THREE_DECIMALS.match(printed.lstrip("-−")) or value != value.to_integral_value():
        return value
    small = value / 1000
    large_fits = fits(value, _amount(texts.get("unit_price", "")), _amount(texts.get("amount", "")))
    return value if large_fits else small


def _amount(text: str) -> Decimal | None:
    """The last amount of the text once its rates are set aside, none in a date or a long identifier."""
    if not text or find_dates(text):
        return None
    found = [parse_amount(m.group()) for m in AMOUNT_RE.finditer(_PERCENT.sub(" ", _joined_cents(text)))
             if not is_identifier_digits(m.group())]
    amounts = [a for a in found if a is not None]
    return amounts[-1] if amounts else None


def _joined_cents(text: str) -> str:
    """Cents a text layer set apart from their decimal comma ("198, 00") joined back."""
    return _APART_CENTS.sub(r"\1\2", text)


def _rate(text: str) -> Decimal | None:
    """A rate with its per cent sign, else a lone number no higher than a VAT rate can be."""
    marked = _RATE.search(text)
    value = parse_amount(marked.group(1)) if marked else _amount(text)
    return value if value is not None and 0 <= value <= HIGHEST_RATE else None


def _decimal(text: str | None) -> Decimal | None:
    try:
        return Decimal(text) if text is not None else None
    except InvalidOperation:
        return None
