"""Totals (excl. tax, tax, incl. tax) and the VAT breakdown from invoice text.

Each total is looked for after its labels; every labelled amount is a candidate,
and the three totals are then chosen together so that excl. + tax = incl. when
such a combination exists (an invoice whose totals add up is far more likely to
have been read right). A VAT breakdown line is recognised by arithmetic, not by
layout: a rate and two amounts where base × rate = tax.
"""

from __future__ import annotations

import itertools
import operator
import re
from decimal import Decimal

from ingest.documents.amounts import AMOUNT_RE, format_amount, is_identifier_digits, parse_amount
from ingest.documents.candidate import Candidate
from ingest.documents.reading.labels import match as listed_label
from ingest.documents.textparse import DATE_RE, has_vat_number

_L = re.IGNORECASE
# (pattern, score). Scores rank how unambiguous a label is, not how common.
EXCL_LABELS = [
    (r"total\s+h\.?t\.?|montant\s+(?:total\s+)?h\.?t\.?|total\s+hors\s+tax\w*|"
     r"sous[- ]total\s+h\.?t|base\s+h\.?t", 0.9),
    (r"total\s+(?:excl\.?|excluding|before|w/o|without)\s*(?:vat|tax)\w*|net\s+total|total\s+net|"
     r"subtotal|sub-total|net\s+amount", 0.85),
    (r"nettobetrag|nettosumme|summe\s+netto|gesamt\s*netto|rechnungssumme\s+ohne\s+ust\.?|"
     r"gesamtbetrag\s+netto|warenwert\s+netto|rechnungssumme\s+netto|netto", 0.85),
]
TAX_LABELS = [
    (r"total\s+(?:de\s+la\s+)?tva|montant\s+(?:total\s+)?(?:de\s+la\s+)?tva|total\s+taxes?|tva\s+totale", 0.9),
    (r"tax\s+total|total\s+(?:vat|tax)|vat\s+(?:amount|total)|tax\s+amount", 0.85),
    (r"ust\.?\s+gesamt|mwst\.?\s+gesamt|summe\s+(?:ust|mwst)\.?|steuerbetrag|umsatzsteuer\s+gesamt|"
     r"gesamt\s+(?:ust|mwst)|mehrwertsteuer|zzgl\.?\s+(?:ust|mwst)\.?(?:\s*\d+\s*%)?", 0.8),
    (r"(?:tva|mwst|ust|vat)\.?\s*:?(?=\s*(?:\d+(?:[.,]\d+)?\s?%\s*)?[-−–]?\d)", 0.5),
]
INCL_LABELS = [
    (r"total\s+t\.?t\.?c\.?|montant\s+(?:total\s+)?t\.?t\.?c\.?|total\s+toutes\s+taxes\s+comprises", 0.95),
    (r"total\s+(?:incl\.?|including)\s*(?:vat|tax)\w*|grand\s+total|invoice\s+total|total\s+amount", 0.85),
    (r"bruttosumme|bruttobetrag|summe\s+brutto|gesamt\s*brutto|rechnungsbetrag|"
     r"rechnungssumme(?!\s+(?:ohne|netto))|endbetrag|gesamtbetrag(?!\s+der)(?!\s+netto)|gesamtsumme", 0.85),
    (r"net\s+[àa]\s+payer|total\s+[àa]\s+payer|montant\s+[àa]\s+payer|amount\s+due|total\s+due", 0.7),
    (r"(?:total|summe|zahlbetrag)\s*:?(?=\s*(?:€|EUR)?\s*[-−–]?\d)", 0.55),
]


def _compile(table: list[tuple[str, float]]) -> list[tuple[re.Pattern[str], float]]:
    return [(re.compile(r"(?<!\w)(?:" + pattern + r")(?!\w)", _L), score) for pattern, score in table]


_TABLES = {
    "total_excl_tax": _compile(EXCL_LABELS),
    "total_tax": _compile(TAX_LABELS),
    "total_incl_tax": _compile(INCL_LABELS),
}
# A line about a part payment, a balance or a discount is not a document total.
_NOT_A_TOTAL = re.compile(
    r"\b(acompte|solde|reste|d[ée]j[àa]\s+pay|residual|balance|prepaid|paid|anzahlung\w*|"
    r"skonto|rabatt|remise|escompte|zuschl[äa]g\w*|abschl[äa]g\w*|positionssumme|"
    r"capital|line\s+total)\b",
    _L,
)


def total_candidates(lines: list[str], currency: str | None) -> dict[str, list[Candidate[Decimal]]]:
    """Labelled amounts per total key (best labels first in each list), and a summary table's totals."""
    found: dict[str, list[Candidate[Decimal]]] = {key: [] for key in _TABLES}
    for index, line in enumerate(lines):
        if _NOT_A_TOTAL.search(line):
            continue
        listed = _listed_label_amount(index, line, currency)
        for key, table in _TABLES.items():
            candidate = _labelled_amount(lines, index, line, table, currency)
            if candidate is None and listed is not None and listed[0] == key:
                candidate = listed[1]
            if candidate is not None:
                found[key].append(candidate)
    for key, candidate in summary_row(lines).items():
        found[key].append(candidate)
    return found


# A total's wording of the labels' list (`reading/labels.tsv`) the patterns above lack, starting a line:
# trusted as its weight says, a little less than a pattern's.
LISTED_LABEL = 0.8


def _listed_label_amount(index: int, line: str, currency: str | None) -> tuple[str, Candidate[Decimal]] | None:
    """The total a listed label starting the line names, and the one amount after it (a label followed by
    several is a table's row: "Umsatzsteuer (S) 81,90 20 16,38" is one rate's)."""
    matched = listed_label(line)
    if matched is None or matched.label.field not in _TABLES:
        return None
    amounts = _amounts_in(DATE_RE.sub(" ", matched.rest), currency)
    if len(amounts) != 1:
        return None
    return matched.label.field, Candidate(amounts[0], round(matched.label.weight * LISTED_LABEL, 3), index)


# A summary table's row, whose columns the text layer does not keep: trusted below a label beside its value.
SUMMARY_ROW_SCORE = 0.7
# How many rows of amounts a summary table may have below its heading (one per VAT rate, then the sums).
SUMMARY_ROWS = 6
# A word of a row of amounts: a number (a rate, a sign, a currency beside it), or a currency alone.
_AMOUNT_WORD = re.compile(r"[-−–]?[\d.,']+%?|[-−–%€]|[A-Z]{3}")


def summary_row(lines: list[str]) -> dict[str, Candidate[Decimal]]:
    """The totals of a summary table: a heading naming two totals or more ("Warenwert … Nettobetrag
    MwSt-Betrag MwSt-% Endbetrag"), then rows of amounts alone, one per VAT rate and the sums last. In
    the last row, the gross is its last amount and the net and the tax the two before it that add up to
    it, the net first (the text layer keeps no columns to say which amount is under which heading)."""
    found: dict[str, Candidate[Decimal]] = {}
    for index, line in enumerate(lines):
        named = sum(any(pattern.search(line) for pattern, _ in table) for table in _TABLES.values())
        if named < 2:
            continue
        rows = list(itertools.takewhile(_is_row_of_amounts, lines[index + 1: index + 1 + SUMMARY_ROWS]))
        if rows:
            found = _adding_up(_amounts_in(rows[-1], None), index + len(rows)) or found
    return found


def _is_row_of_amounts(line: str) -> bool:
    return all(_AMOUNT_WORD.fullmatch(word) for word in line.split())


def _adding_up(amounts: list[Decimal], line: int) -> dict[str, Candidate[Decimal]]:
    """The net and the tax before the last amount that add up to it (the row's first such pair)."""
    if len(amounts) < 3 or amounts[-1] == 0:
        return {}
    *before, gross = amounts
    for i, j in itertools.combinations(range(len(before)), 2):
        if before[i] + before[j] == gross:
            return {key: Candidate(value, SUMMARY_ROW_SCORE, line)
                    for key, value in zip(_TABLES, (before[i], before[j], gross), strict=True)}
    return {}


def _labelled_amount(
    lines: list[str], index: int, line: str, table: list[tuple[re.Pattern[str], float]],
    currency: str | None,
) -> Candidate[Decimal] | None:
    for pattern, score in table:
        match = pattern.search(line)
        if match is None or match.start() > 25:  # a total's label starts its line
            continue
        after = DATE_RE.sub(" ", line[match.end():])
        amounts = _amounts_in(after, currency)
        if not amounts and not after.strip(" :") and index + 1 < len(lines):
            below = lines[index + 1]
            if re.fullmatch(r"[-−–]?\s?[\d\s.,']+\s*(?:€|EUR|[A-Z]{3})?", below):
                amounts, score = _amounts_in(below, currency), score - 0.1
        if not amounts:
            continue
        if len(amounts) > 1:
            score -= 0.1  # several numbers after the label: less sure which is meant
        return Candidate(amounts[-1] if len(amounts) > 1 and not _has_codes(after) else amounts[0],
                         score, index)
    return None


def _has_codes(text: str) -> bool:
    return len(re.findall(r"\b[A-Z]{3}\b", text)) >= 2


def _amounts_in(text: str, currency: str | None) -> list[Decimal]:
    """Amounts in ``text``; with several currency codes, those after ``currency`` first. None after a VAT
    number ("TVA : FR… - SIRET …": the label names the number), and no identifier's digits."""
    if has_vat_number(text):
        return []
    text = re.sub(r"\d+(?:[.,]\d+)?\s?%", " ", text)  # rates are not amounts
    if currency and _has_codes(text) and currency in text:
        text = text[text.index(currency):]
    values = [parse_amount(m.group(0)) for m in AMOUNT_RE.finditer(text) if not is_identifier_digits(m.group(0))]
    return [v for v in values if v is not None]


# A breakdown's sums as candidates: trusted like a plain label, below a total's own.
BREAKDOWN_SCORE = 0.75
# A breakdown's only row as the totals: below any label's value.
ONE_RATE_SCORE = 0.5
# What a combination gains when the totals add up, and when a total equals the breakdown's sum.
ADDS_UP, AGREES_WITH_BREAKDOWN = 1.5, 0.5


def choose_totals(found: dict[str, list[Candidate[Decimal]]], breakdown: list[dict[str, str]] | None = None,
                  printed: set[Decimal] | None = None) -> dict[str, Candidate[Decimal]]:
    """Pick one candidate per total, preferring a combination that adds up and, when the page has a
    VAT breakdown, whose excl. tax and tax totals are its bases' and taxes' sums (a base of one rate,
    printed beside its label, is not the invoice's total). `printed`, every amount of the page: a total
    whose label was missed is found as the one that completes two labelled ones."""
    sums = _breakdown_sums(breakdown or [])
    pools = {key: sorted(found[key], key=lambda c: (-c.score, c.line))[:6] for key in found}
    for key, value in sums.items():
        if all(c.value != value for c in pools[key]):
            pools[key].append(Candidate(value, BREAKDOWN_SCORE, -1))
    if breakdown is not None and len(breakdown) == 1:  # one rate's base and tax: the totals, when nothing better
        for key, field in (("total_excl_tax", "base"), ("total_tax", "tax")):
            value = Decimal(breakdown[0][field])
            if all(c.value != value for c in pools[key]):
                pools[key].append(Candidate(value, ONE_RATE_SCORE, -1))
    zero_tax = not any(Decimal(row["tax"]) for row in breakdown or [])  # no rate's tax printed above zero
    for key, derived in _completions(pools, printed or set(), zero_tax).items():
        pools[key] += [c for c in derived if all(c.value != kept.value for kept in pools[key])]
    best_combo: tuple[float, dict[str, Candidate[Decimal]]] | None = None
    options: list[list[Candidate[Decimal] | None]] = [[*pools[k]] or [None] for k in _TABLES]
    for excl, tax, incl in itertools.product(*options):
        chosen = {k: c for k, c in zip(_TABLES, (excl, tax, incl), strict=True) if c is not None}
        if not chosen:
            continue
        adds_up = (excl is not None and tax is not None and incl is not None
                   and excl.value + tax.value == incl.value and _one_direction(excl.value, tax.value, incl.value)
                   and _plausible_rate(excl.value, tax.value))
        agrees = sum(AGREES_WITH_BREAKDOWN for key, value in sums.items()
                     if key in chosen and chosen[key].value == value)
        quality = sum(c.score for c in chosen.values()) + (ADDS_UP if adds_up else 0.0) + agrees
        if best_combo is None or quality > best_combo[0]:
            best_combo = (quality, _boosted(chosen) if adds_up else _unconfirmed(chosen))
    return best_combo[1] if best_combo else {}


# A total found by arithmetic from two labelled ones, and printed somewhere on the page.
COMPLETION_SCORE = 0.6


def _completions(pools: dict[str, list[Candidate[Decimal]]], printed: set[Decimal],
                 zero_tax: bool) -> dict[str, list[Candidate[Decimal]]]:
    """For each pair of labelled totals, the third that makes them add up, when the page prints it; a zero
    tax only when `zero_tax` (no VAT breakdown's row taxes anything)."""
    out: dict[str, list[Candidate[Decimal]]] = {key: [] for key in pools}
    excl, tax, incl = (pools.get(k, []) for k in ("total_excl_tax", "total_tax", "total_incl_tax"))
    for key, first, second, combine in (
            ("total_incl_tax", excl, tax, operator.add),
            ("total_excl_tax", incl, tax, operator.sub),
            ("total_tax", incl, excl, operator.sub)):
        for a, b in itertools.product(first, second):
            value = combine(a.value, b.value)
            if ((value != 0 or key == "total_tax" and zero_tax) and _one_direction(value, a.value, b.value)
                    and abs(value) in printed and all(c.value != value for c in out[key])):
                out[key].append(Candidate(value, COMPLETION_SCORE, max(a.line, b.line)))
    return out


# No VAT rate exceeds this (the highest standard rate in Europe is 27 %): a tax above this share of its
# base is no tax but another amount (two rates' bases, 198.00 + 275.00 = 473.00, add up too).
MAX_RATE = Decimal("0.3")


def _plausible_rate(excl: Decimal, tax: Decimal) -> bool:
    return abs(tax) <= abs(excl) * MAX_RATE


def _one_direction(*values: Decimal) -> bool:
    """Whether the totals all go one way: an invoice's are positive, a credit note's may all be negative,
    and a tax of the other sign than its base ("530.75 − 147.00 = 383.75": a prepayment taken off, not a
    tax) is no tax. A zero tax goes either way."""
    return not (any(v > 0 for v in values) and any(v < 0 for v in values))


def printed_amounts(lines: list[str]) -> set[Decimal]:
    """Every amount of the page written with cents (its size: a credit note may print it negative),
    rates and dates aside."""
    found: set[Decimal] = set()
    for line in lines:
        text = re.sub(r"\d+(?:[.,]\d+)?\s?%", " ", DATE_RE.sub(" ", line))
        for match in AMOUNT_RE.finditer(text):
            value = parse_amount(match.group(0))
            if value is not None and re.search(r"[.,]\d{2}\s*$", match.group(0)):
                found.add(abs(value))
    return found


def _breakdown_sums(rows: list[dict[str, str]]) -> dict[str, Decimal]:
    """The excl. tax and tax totals a breakdown of two rates or more implies (one row proves nothing
    against a label: it may be a line's own tax)."""
    if len(rows) < 2:
        return {}
    return {"total_excl_tax": sum((Decimal(r["base"]) for r in rows), Decimal(0)),
            "total_tax": sum((Decimal(r["tax"]) for r in rows), Decimal(0))}


def _unconfirmed(chosen: dict[str, Candidate[Decimal]]) -> dict[str, Candidate[Decimal]]:
    # A total that no arithmetic confirms may be a subtotal or a balance: hold back.
    return {key: Candidate(c.value, round(c.score * 0.8, 3), c.line) for key, c in chosen.items()}


def _boosted(chosen: dict[str, Candidate[Decimal]]) -> dict[str, Candidate[Decimal]]:
    return {
        key: Candidate(c.value, min(0.98, c.score + 0.2), c.line) for key, c in chosen.items()
    }


_TAX_WORDS = re.compile(r"\b(tva|vat|tax\w*|ust\.?|mwst\.?|umsatzsteuer|steuer\w*|iva|taxe)\b", _L)


def vat_breakdown(lines: list[str]) -> list[dict[str, str]]:
    """Rows ``{"rate", "base", "tax"}`` where base × rate / 100 = tax to the cent. A line names the tax, or
    follows right under a row that does: the table's next rate ("Umsatzsteuer (S) 202,33 7 14,16" then
    "11,76 19 2,23")."""
    rows: list[dict[str, str]] = []
    under_a_row = False
    for line in lines:
        row = _breakdown_row(DATE_RE.sub(" ", line), has_tax_word=under_a_row or bool(_TAX_WORDS.search(line)))
        under_a_row = row is not None
        if row is not None and row not in rows:
            rows.append(row)
    return rows


def _breakdown_row(line: str, has_tax_word: bool) -> dict[str, str] | None:
    numbers: list[tuple[Decimal, bool]] = []
    for token in _line_numbers(line):
        is_rate = token.endswith("%")
        value = parse_amount(token.rstrip("% "))
        if value is not None:
            numbers.append((value, is_rate))
    for (base, base_rate), (rate, marked), (tax, tax_rate) in itertools.permutations(numbers, 3):
        if base_rate or tax_rate or not (marked or has_tax_word) or not 0 <= rate <= 30:
            continue
        if rate == 0 and not (marked and has_tax_word):
            continue  # a zero rate proves nothing by arithmetic: demand "0 %" and a tax word
        if base == 0 or abs(base * rate / 100 - tax) > Decimal("0.011"):
            continue
        return {"rate": format_amount(rate), "base": format_amount(base), "tax": format_amount(tax)}
    return None


def _line_numbers(line: str) -> list[str]:
    tokens = [m.group(0).strip() for m in AMOUNT_RE.finditer(line)]
    rates = [m.group(0).replace(" ", "") for m in re.finditer(r"\d+(?:[.,]\d+)?\s?%", line)]
    plain = [t for t in tokens if not any(r.rstrip("%") == t for r in rates)]
    return plain + rates
