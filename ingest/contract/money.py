"""Money: integer cents of euros, exact Decimal arithmetic, one rounding per line.

Prices are stored as integer cents (a list price of 0.40 € per document is ``40``), because
every price in the booklet is a whole number of cents and ints cannot drift. Anything derived
from a price (a surcharge, a percentage) is computed as an exact ``Decimal`` and rounded to the
cent once, on the line total, never per unit: 3 × 0.33 € × 1.20 is 1.188 € → 1.19 €, whereas
rounding the unit first would give 3 × 0.40 € = 1.20 €.

Floats are refused: 0.1 + 0.2 is not 0.3 in binary, and a cent lost per line is a cent
wrongly billed.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

_ONE_CENT = Decimal("0.01")
_CENTS_PER_EURO = 100


def _require_exact(amount: Decimal | int, name: str) -> Decimal:
    if isinstance(amount, bool) or not isinstance(amount, (Decimal, int)):
        raise TypeError(f"{name} must be a Decimal or an int, got {type(amount).__name__}")
    value = Decimal(amount)
    if not value.is_finite():
        raise ValueError(f"{name} must be finite, got {value}")
    return value


def round_half_up_cents(amount: Decimal | int) -> int:
    """Round an amount in euros to whole cents, half up; return the cents as an int.

    "Half up" is taken symmetrically (half away from zero, Decimal's ROUND_HALF_UP), so a
    credit of -0.005 € rounds to -1 cent, the mirror of a charge of 0.005 € → 1 cent.
    """
    euros = _require_exact(amount, "amount")
    return int(euros.quantize(_ONE_CENT, rounding=ROUND_HALF_UP) * _CENTS_PER_EURO)


def cents_to_euros(cents: Decimal | int) -> Decimal:
    """An amount in cents as exact euros (used for labels and for line arithmetic)."""
    return _require_exact(cents, "cents") / _CENTS_PER_EURO


def format_euros(cents: Decimal | int) -> str:
    """Human form of an amount in cents: ``2064`` → ``"20.64 €"``.

    Sub-cent unit prices (a surcharged 0.33 € is 0.396 €) keep their extra digits so the label
    shows the price actually multiplied; whole amounts always show two decimals.
    """
    euros = cents_to_euros(cents).normalize()
    exponent = euros.as_tuple().exponent  # an int: only NaN and infinities have a letter, and they are refused
    if isinstance(exponent, int) and exponent > -2:
        euros = euros.quantize(_ONE_CENT)
    return f"{euros:f} €"
