"""Money amounts as written on invoices, turned into exact decimals.

Invoices print the same number in many ways: ``1 234,56 €`` (French, with a space,
a no-break space or a narrow no-break space between thousands), ``1.234,56``
(German), ``1,234.56`` (English), ``1234.56`` (machine). We decide which separator
is the decimal one from the shape of the string, never from the language around
it, because a French supplier may well print an English layout.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")

# Every kind of space a PDF text layer gives for a thousands gap: plain, no-break,
# narrow no-break, thin, figure space.
_SPACES = "\u0020\u00a0\u202f\u2009\u2007"
_SPACE_CLASS = "[" + _SPACES + "]"

# An amount as it appears in running text: optional sign, digits with optional
# thousands groups (space, dot, comma or apostrophe), optional 1-2 (or 4) decimals.
AMOUNT_PATTERN = (
    r"(?<![\w.,])[-−–]?\s?"
    r"(?:\d{1,3}(?:(?:" + _SPACE_CLASS + r"|[.,'’])\d{3})+|\d+)"
    r"(?:[.,]\d{1,4})?"
    r"(?![\w]|[.,]\d)"
)
AMOUNT_RE = re.compile(AMOUNT_PATTERN)
# Nine digits or more without a separator are an identifier (SIREN, SIRET, an account), not an amount.
_IDENTIFIER_DIGITS = re.compile(r"[-−–]?\s?\d{9,}")


def is_identifier_digits(printed: str) -> bool:
    """Whether an amount as matched by `AMOUNT_RE` is rather an identifier: nine bare digits or more."""
    return _IDENTIFIER_DIGITS.fullmatch(printed.strip()) is not None


def format_amount(value: Decimal) -> str:
    """Two decimals, rounded half up as accountants do: ``Decimal('3.5') -> '3.50'``."""
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


def format_quantity(value: Decimal) -> str:
    """Without trailing zeros or an exponent: ``20.0000`` is ``20``, ``0.4550`` is ``0.455``."""
    return format(value.normalize(), "f") if value else "0"


def format_price(value: Decimal) -> str:
    """A unit price: two decimals, unless it is finer than cents (``0.4550`` is ``0.455``)."""
    return format_amount(value) if Decimal(format_amount(value)) == value else format_quantity(value)


def parse_decimal_xml(text: str | None) -> Decimal | None:
    """An XML amount (always ``.`` as decimal separator); ``None`` when unusable."""
    if text is None:
        return None
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def parse_amount(text: str) -> Decimal | None:
    """Read one printed amount; ``None`` when the string is not a number.

    >>> parse_amount("1 234,56 €")
    Decimal('1234.56')
    """
    cleaned = text.strip().replace("€", "").replace("EUR", "").strip()
    negative = cleaned[:1] in "-−–" and cleaned[:1] != ""
    cleaned = cleaned.lstrip("-−–").strip()
    for space in _SPACES + "'’":
        cleaned = cleaned.replace(space, "")
    if not cleaned or not re.fullmatch(r"[\d.,]+", cleaned):
        return None
    number = _normalise_separators(cleaned)
    if number is None:
        return None
    value = Decimal(number)
    return -value if negative else value


def _normalise_separators(digits: str) -> str | None:
    """Turn ``1.234,56`` / ``1,234.56`` / ``1234,5`` into ``1234.56``-style text."""
    last_dot, last_comma = digits.rfind("."), digits.rfind(",")
    if last_dot == -1 and last_comma == -1:
        return digits
    decimal_at = max(last_dot, last_comma)
    decimal_sep = digits[decimal_at]
    other = "," if decimal_sep == "." else "."
    tail = digits[decimal_at + 1 :]
    # A lone separator followed by exactly three digits with no other separator
    # ("1.234" or "1,234") is a thousands group, not decimals: invoices print
    # cents, so three decimals would be unusual while grouping is common.
    if digits.count(decimal_sep) == 1 and other not in digits and len(tail) == 3:
        return digits.replace(decimal_sep, "")
    if digits.count(decimal_sep) > 1:
        # Several identical separators: all of them group thousands.
        return _grouped_integer(digits, decimal_sep)
    integer = digits[:decimal_at].replace(other, "")
    if not integer.isdigit() or not tail.isdigit():
        return None
    return f"{integer}.{tail}"


def _grouped_integer(digits: str, sep: str) -> str | None:
    groups = digits.split(sep)
    if all(len(g) == 3 for g in groups[1:]) and 1 <= len(groups[0]) <= 3:
        return "".join(groups)
    return None

