"""Small readers for the values an invoice prints: dates, company ids, VAT ids, IBANs.

Each reader takes a string and returns a normalised value or ``None``; none of them
knows about labels or layout (that is ``fields``' job).
"""

from __future__ import annotations

import re
from datetime import date

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.ch import vat as ch_vat
from stdnum.eu import vat as eu_vat
from stdnum.fr import siren as fr_siren
from stdnum.fr import siret as fr_siret
from stdnum.gb import vat as gb_vat
from stdnum.no import mva as no_vat

MONTHS = {
    # French (and its usual abbreviations)
    "janvier": 1, "janv": 1, "février": 2, "fevrier": 2, "févr": 2, "fevr": 2, "mars": 3, "avril": 4,
    "avr": 4, "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "août": 8, "aout": 8, "septembre": 9,
    "octobre": 10, "novembre": 11, "décembre": 12, "decembre": 12, "déc": 12,
    # German
    "januar": 1, "jänner": 1, "jän": 1, "februar": 2, "märz": 3, "maerz": 3, "mär": 3, "juni": 6,
    "juli": 7, "oktober": 10, "okt": 10, "dezember": 12, "dez": 12,
    # English, and the three-letter abbreviations most languages share
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6,
    "july": 7, "august": 8, "september": 9, "october": 10, "november": 11,
    "december": 12, "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
    # Spanish
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7,
    "agosto": 8, "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
    "ene": 1, "abr": 4, "ago": 8, "dic": 12,
    # Italian
    "gennaio": 1, "febbraio": 2, "aprile": 4, "maggio": 5, "giugno": 6, "luglio": 7,
    "settembre": 9, "ottobre": 10, "dicembre": 12, "gen": 1, "mag": 5, "giu": 6, "lug": 7,
    "set": 9, "ott": 10,
    # Dutch
    "januari": 1, "februari": 2, "maart": 3, "mei": 5, "augustus": 8, "mrt": 3,
}  # fmt: skip

_MONTH_NAMES = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
_MONTH = r"(?P<mn{n}>" + _MONTH_NAMES + r")\.?"
_ORDINAL = r"(?:er|st|nd|rd|th|º|°)?"
DATE_RE = re.compile(
    r"(?<![\d.,])(?:"
    r"(?P<y1>\d{4})[-/.](?P<m1>\d{1,2})[-/.](?P<d1>\d{1,2})"  # 2026-03-12, 2026/03/12
    r"|(?P<d2>\d{1,2})[/.\-](?P<m2>\d{1,2})[/.\-](?P<y2>\d{4}|\d{2}(?![.,]\d))"  # 12/03/2026, 12.03.26
    # 12 mars 2026, 12. März 2026, 12-Mar-2026, 12 de marzo de 2026, 1st March 2026
    r"|(?P<d3>\d{1,2})" + _ORDINAL + r"\.?(?:\s*|-)(?:de\s+|of\s+)?" + _MONTH.format(n=3)
    + r"(?:\s*|-)(?:de\s+)?,?\s*(?P<y3>\d{4}|(?<=-)\d{2})"
    r"|\b" + _MONTH.format(n=4) + r"\s+(?P<d4>\d{1,2})" + _ORDINAL + r",?\s+(?P<y4>\d{4})"  # March 12, 2026
    r")(?![\d])",
    re.IGNORECASE,
)


# Words after which a date is a version's, a printout's or a copyright's, never a document's own.
NOT_THE_DOCUMENTS_DATE = re.compile(
    r"version|\bstand\b|gedruckt|erstellt|printed|generated|imprim|cr[ée]{2}\b|copyright|©|\(c\)", re.IGNORECASE)


_DATE_SEPARATOR = re.compile(r"[/.\-]")
_COMPACT_DATE = re.compile(r"(?P<y>(?:19|20)\d\d)(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01])(?![\d.,/-])")


def find_dates(text: str, month_first: bool = False) -> list[tuple[int, date]]:
    """Every real calendar date in ``text`` with its offset, left to right.

    Day-first is assumed for slashed dates (French and German usage) unless
    ``month_first`` (see ``uses_month_first``); an impossible reading such as
    ``11/17/2017`` day-first falls back to the other order. A two-digit year is
    this century's (``12.03.26``); month names are read in the six languages of
    the labels, whole or abbreviated.
    """
    found: list[tuple[int, date]] = []
    for match in DATE_RE.finditer(text):
        parsed = _date_from_match(match, month_first)
        if parsed is not None:
            found.append((match.start(), parsed))
    return found


def compact_date(text: str) -> date | None:
    """A date in ISO 8601's basic form at the start of ``text`` (``20260815``), as a label's value only:
    alone in a text eight digits are as often a number as a date. A real calendar date of the years 1900
    to 2099, else None."""
    found = _COMPACT_DATE.match(text.strip())
    return _safe_date(int(found["y"]), int(found["m"]), int(found["d"])) if found else None


def uses_month_first(text: str) -> bool:
    """True when some numeric date only makes sense as month/day (``11/17/2017``)
    and none only as day/month: then the whole document writes dates US-style."""
    month_first, day_first = date_order_evidence(text)
    return month_first and not day_first


def date_order_evidence(text: str) -> tuple[bool, bool]:
    """Whether some numeric date only makes sense as month/day (``11/17/2017``), and whether some only as
    day/month (``17/11/2017``); neither: the order of the document's dates is not printed anywhere. Only a
    date written with one separator twice counts: "06.32-54-38.95" is a phone number's digits."""
    month_first = day_first = False
    for match in DATE_RE.finditer(text):
        if match.group("y2") and len(set(_DATE_SEPARATOR.findall(match.group()))) == 1:  # "06.32-54": a phone
            first, second = int(match.group("d2")), int(match.group("m2"))
            month_first |= first <= 12 < second
            day_first |= second <= 12 < first
    return month_first, day_first


def ambiguous_numeric_dates(text: str) -> set[date]:
    """The dates printed as numbers whose day and month could be read either way (``11/03/2017``), as
    read day first."""
    found: set[date] = set()
    for match in DATE_RE.finditer(text):
        if match.group("y2") and int(match.group("d2")) <= 12 and match.group("d2") != match.group("m2"):
            if (value := _date_from_match(match, month_first=False)) is not None:
                found.add(value)
    return found


def _year(text: str) -> int:
    return 2000 + int(text) if len(text) == 2 else int(text)


def _date_from_match(match: re.Match[str], month_first: bool) -> date | None:
    g = match.groupdict()
    if g["y1"]:
        return _safe_date(int(g["y1"]), int(g["m1"]), int(g["d1"]))
    if g["y2"]:
        day, month, year = int(g["d2"]), int(g["m2"]), _year(g["y2"])
        if month_first:
            day, month = month, day
        return _safe_date(year, month, day) or _safe_date(year, day, month)
    name, day_text, year_text = (g["mn3"], g["d3"], g["y3"]) if g["mn3"] else (g["mn4"], g["d4"], g["y4"])
    month_number = MONTHS.get(name.lower())
    if month_number is None:
        return None
    return _safe_date(_year(year_text), month_number, int(day_text))


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def siren_from_text(candidate: str) -> str | None:
    """A 9-digit SIREN that passes the Luhn check, spaces removed."""
    digits = re.sub(r"[\s.]", "", candidate)
    return digits if fr_siren.is_valid(digits) else None


def siret_parts(candidate: str) -> tuple[str, bool] | None:
    """A 14-digit SIRET and whether it passes Luhn; ``None`` when not 14 digits.

    Some real SIRETs fail Luhn (La Poste's establishments, and the FNFE test
    number 99999999800010), so a failed check lowers confidence instead of
    discarding the number; its first nine digits are still checked as a SIREN.
    """
    digits = re.sub(r"[\s.]", "", candidate)
    if not re.fullmatch(r"\d{14}", digits):
        return None
    return digits, fr_siret.is_valid(digits)


# The prefixes of VAT numbers: the EU's (Greece is EL, Northern Ireland XI), the United Kingdom's,
# Switzerland's and Norway's. "ID GB 123…" is not an Indonesian number.
VAT_COUNTRIES = frozenset("AT BE BG CY CZ DE DK EE EL ES FI FR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK XI "
                          "GB CH NO".split())


# Outside the EU's VAT system, each country's own check.
_NON_EU_VAT = {"GB": gb_vat.is_valid, "CH": ch_vat.is_valid, "NO": no_vat.is_valid}
# A VAT number is a prefix of VAT_COUNTRIES, then 8 to 12 letters and digits of which this many at least are
# digits: every format in use has 7 or more, and a word in capitals ("GESAMTBETRAG") or a street ("Musterstr. 12")
# is no VAT number. `vat_parts` holds that definition; the two patterns below only find where one may stand.
VAT_MIN_DIGITS = 7
# Glued, as one word ("FR44732829320"): what `has_vat_number` looks for.
VAT_NUMBER_RE = re.compile(r"\b[A-Z]{2}[0-9A-Z]{8,12}\b")
# Also in groups ("FR 44 732 829 320"), looked for at every place (a lookahead): in "VAT ID GB 123 …" the
# number starts at "GB", not at "ID".
VAT_NUMBER_GROUPS_RE = re.compile(r"(?=\b([A-Z]{2}(?: ?[0-9A-Z]){8,12})\b)")


def vat_parts(candidate: str) -> tuple[str, bool] | None:
    """An EU VAT id, compacted, and whether its check digits are right.

    Returns ``None`` when the string does not even have the shape of a VAT id.
    Sample invoices often carry made-up ids (``DE123456789``) with a wrong check
    digit; the caller decides how much to trust those.
    """
    compact = re.sub(r"[\s.\-]", "", candidate).upper()
    if not re.fullmatch(r"[A-Z]{2}[0-9A-Z]{8,12}", compact) or compact[:2] not in VAT_COUNTRIES:
        return None
    if sum(ch.isdigit() for ch in compact[2:]) < VAT_MIN_DIGITS:
        return None
    return compact, _NON_EU_VAT.get(compact[:2], eu_vat.is_valid)(compact)


def has_vat_number(text: str) -> bool:
    """Whether the text holds a VAT number written as one word: an amount after one in the same line is
    the legal mentions' (the share capital in "TVA : FR11999999998 - SARL au capital de 120 000 €"), not a
    total."""
    return any(vat_parts(found.group()) for found in VAT_NUMBER_RE.finditer(text))


def iban_from_text(candidate: str) -> str | None:
    """A checksum-valid IBAN, compacted (``FR76…``), or ``None``."""
    compact = re.sub(r"\s", "", candidate).upper()
    try:
        # BBAN rules are not enforced: banks' test numbers and newer national
        # formats pass the ISO 7064 checksum even when schwifty's registry lags.
        return str(IBAN(compact, validate_bban=False))
    except SchwiftyException:
        return None


CURRENCY_CODES = ("EUR", "USD", "GBP", "CHF", "JPY", "SEK", "DKK", "PLN", "CZK", "NOK")
CURRENCY_CODE_RE = re.compile(r"\b(" + "|".join(CURRENCY_CODES) + r")\b")
