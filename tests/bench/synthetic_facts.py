"""The facts of a synthetic invoice (`tests/bench/synthetic.py`): parties with valid identifiers, lines
and amounts that add up, and how dates, amounts and VAT numbers are written."""


from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from schwifty import IBAN
from stdnum import get_cc_module, luhn
from stdnum.fr import siren as fr_siren

from tests.bench.synthetic_words import (
    CITIES,
    COMPANY_WORDS,
    ITEMS,
    LANGUAGE_WEIGHTS,
    LANGUAGES,
    MONTHS,
    STREETS,
)

CENT = Decimal("0.01")
SELLER_COUNTRIES = {"fr": (("FR", 9), ("BE", 1)), "en": (("GB", 1),), "de": (("DE", 5), ("AT", 1)),
                    "es": (("ES", 1),), "it": (("IT", 1),), "nl": (("NL", 4), ("BE", 1))}
# Each country's VAT rates, the standard one first (per cent).
RATES = {"FR": ("20", "10", "5.5", "2.1"), "BE": ("21", "12", "6"), "DE": ("19", "7"), "AT": ("20", "10", "13"),
         "GB": ("20", "5"), "ES": ("21", "10", "4"), "IT": ("22", "10", "5", "4"), "NL": ("21", "9")}
CURRENCIES = {"fr": (("EUR", 40), ("USD", 1), ("GBP", 1), ("CHF", 1)), "en": (("GBP", 6), ("EUR", 3), ("USD", 2)),
              "de": (("EUR", 9), ("CHF", 1)), "es": (("EUR", 19), ("USD", 1)), "it": (("EUR", 19), ("USD", 1)),
              "nl": (("EUR", 19), ("USD", 1))}
SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$", "CHF": "CHF"}
BANKS = {"FR": ("30004", "30003", "10278", "20041"), "BE": ("539", "001", "363"),
         "DE": ("37040044", "50010517", "10070000"), "AT": ("19043", "12000"), "GB": ("NWBK601613", "BARC200000"),
         "ES": ("21000418", "00491500"), "IT": ("05428",), "NL": ("INGB", "ABNA", "RABO")}
BICS = {"FR": "BNPAFRPPXXX", "BE": "GEBABEBB", "DE": "COBADEFFXXX", "AT": "BKAUATWW", "GB": "NWBKGB2L",
        "ES": "CAIXESBBXXX", "IT": "BPMOIT22XXX", "NL": "INGBNL2A"}


@dataclass(frozen=True)
class Party:
    name: str
    street: str
    postcode: str
    city: str
    country: str
    vat: str | None                # compact, valid
    siren: str | None = None       # French companies only
    siret: str | None = None


@dataclass(frozen=True)
class Item:
    description: str
    quantity: Decimal
    unit_price: Decimal
    rate: Decimal
    amount: Decimal


@dataclass(frozen=True)
class Invoice:
    """The facts of one invoice, before any choice of how to print them."""

    language: str
    seller: Party
    buyer: Party
    credit_note: bool
    number: str
    issued: date
    due: date
    delivered: date
    order_ref: str
    customer_ref: str
    currency: str
    items: tuple[Item, ...]
    breakdown: tuple[tuple[Decimal, Decimal, Decimal], ...]   # (rate, base, tax) per rate
    excl: Decimal
    tax: Decimal
    incl: Decimal
    deposit: Decimal | None        # paid on account: the balance due is incl - deposit
    exemption: str | None          # "reverse_charge" | "franchise" | None
    iban: str | None
    bic: str


@dataclass(frozen=True)
class MoneyStyle:
    thousands: str       # "", " ", ".", ",", "'"
    decimal: str         # "," or "."
    mark: str            # "€", "EUR", "£", "$", "GBP", ...; "" when the currency is said once elsewhere
    before: bool


def draw_invoice(rng: random.Random) -> Invoice:
    language = rng.choices(LANGUAGES, weights=LANGUAGE_WEIGHTS)[0]
    country = _weighted(rng, SELLER_COUNTRIES[language])
    seller = party(rng, country, language)
    # Most invoices a French user receives come from French or domestic sellers; some foreign sellers
    # bill the French buyer without VAT (reverse charge).
    foreign_buyer = country != "FR" and rng.random() < 0.3
    buyer_country = "FR" if foreign_buyer or country == "FR" else country
    buyer = party(rng, buyer_country, "fr" if buyer_country == "FR" else language)
    exemption = "reverse_charge" if foreign_buyer else (
        "franchise" if country == "FR" and rng.random() < 0.06 else None)
    if exemption == "franchise":
        seller = Party(seller.name, seller.street, seller.postcode, seller.city, "FR", None, seller.siren, seller.siret)
    credit = rng.random() < 0.1
    issued = date(2022, 1, 1) + timedelta(days=rng.randrange(0, 1795))
    items = _items(rng, language, country, exemption)
    breakdown = _breakdown(items)
    excl = sum((item.amount for item in items), Decimal("0"))
    tax = sum((row[2] for row in breakdown), Decimal("0"))
    incl = excl + tax
    deposit = None
    if not credit and rng.random() < 0.05:  # paid on account: the balance due is less than the total
        deposit = (incl * Decimal(rng.choice(("0.3", "0.5")))).quantize(CENT)
    return Invoice(
        language=language, seller=seller, buyer=buyer, credit_note=credit,
        number=invoice_number(rng, language, issued, credit), issued=issued,
        due=issued + timedelta(days=rng.choice((0, 14, 30, 30, 45, 60))),
        delivered=issued - timedelta(days=rng.randrange(0, 20)),
        order_ref=rng.choice(("BC", "PO", "CMD-", "", "4500")) + str(rng.randrange(10000, 999999)),
        customer_ref=rng.choice(("C", "CL", "", "K-")) + str(rng.randrange(1000, 99999)),
        currency=_weighted(rng, CURRENCIES[language]), items=items, breakdown=breakdown, excl=excl, tax=tax,
        incl=incl, deposit=deposit, exemption=exemption, iban=iban(rng, country), bic=BICS[country],
    )


# Identifiers ---------------------------------------------------------------------------------------------


def party(rng: random.Random, country: str, language: str) -> Party:
    first, second, form = COMPANY_WORDS[language]
    name = f"{rng.choice(first)} {rng.choice(second)} {rng.choice(form)}"
    city, postcode = rng.choice(CITIES[country])
    street = rng.choice(STREETS[language]).format(n=rng.randrange(1, 180))
    if country == "FR":
        siren = french_siren(rng)
        nic = f"{rng.randrange(1, 999):04d}"
        siret = siren + nic + luhn.calc_check_digit(siren + nic)
        return Party(name, street, postcode, city, country, "FR" + fr_siren.to_tva(siren), siren, siret)
    return Party(name, street, postcode, city, country, vat_number(rng, country))


def french_siren(rng: random.Random) -> str:
    body = str(rng.randrange(30000000, 99999999))
    return body + luhn.calc_check_digit(body)


def vat_number(rng: random.Random, country: str) -> str:
    """A VAT number of `country` that passes python-stdnum's checks (drawn until one does)."""
    digits = lambda n: "".join(rng.choice("0123456789") for _ in range(n))  # noqa: E731
    patterns = {
        "DE": lambda: "DE" + str(rng.randrange(1, 10)) + digits(8),
        "AT": lambda: "ATU" + str(rng.randrange(1, 10)) + digits(7),
        "GB": lambda: "GB" + str(rng.randrange(1, 10)) + digits(8),
        "ES": lambda: "ESB" + digits(8),
        "IT": lambda: "IT" + digits(7) + f"{rng.randrange(1, 100):03d}" + digits(1),
        "NL": lambda: "NL" + digits(9) + "B0" + str(rng.randrange(1, 4)),
        "BE": lambda: "BE0" + str(rng.randrange(2, 10)) + digits(8),
    }
    checker = get_cc_module(country.lower(), "vat")
    for _ in range(20000):
        candidate = patterns[country]()
        if checker.is_valid(candidate):
            return candidate
    raise RuntimeError(f"no valid VAT number drawn for {country}")  # not expected: about 1 in 100 pass


def iban(rng: random.Random, country: str) -> str | None:
    account = str(rng.randrange(10**7, 10**10))
    try:
        return str(IBAN.generate(country, bank_code=rng.choice(BANKS[country]), account_code=account))
    except Exception:  # a country whose account layout schwifty builds otherwise: the invoice prints none
        return None


def invoice_number(rng: random.Random, language: str, issued: date, credit: bool) -> str:
    prefixes = {"fr": ("F", "FA", "FAC-", "", "FC"), "en": ("INV-", "INV", "", "SI-"),
                "de": ("RE", "R-", "", "RG", "RE-", "AR-"),
                "es": ("F", "FV-", "", "A"), "it": ("", "FT", "FV/"), "nl": ("F", "", "FACT-", "INV")}
    prefix = rng.choice(("AV", "GS", "CN-", "NC")) if credit else rng.choice(prefixes[language])
    n, year = rng.randrange(1, 99999), issued.year
    shape = rng.choice(("{p}{y}-{n:04d}", "{p}{y}{n:05d}", "{p}{n:06d}", "{p}{y2}-{n:05d}", "{y}/{n:04d}",
                        "{p}{n}", "{n}/{y}", "{p}{y2}{m:02d}{n:03d}", "{p}{y}/{n:04d}", "{y}-{m:02d}-{n:03d}"))
    return shape.format(p=prefix, y=year, y2=year % 100, m=issued.month, n=n % 1000 if "{n:03d}" in shape else n)


# Amounts ---------------------------------------------------------------------------------------------------


def _items(rng: random.Random, language: str, country: str, exemption: str | None) -> tuple[Item, ...]:
    count = rng.choice((1, 1, 2, 3, 3, 4, 5, 6, 8, 10, 12, 15, 18, 22, 25))
    rates = RATES[country]
    used = (rates[0],) + tuple(rng.sample(rates[1:], k=min(len(rates) - 1, rng.choice((0, 0, 0, 1, 1, 2)))))
    items = []
    for _ in range(count):
        description, low, high, hours = rng.choice(ITEMS[language])
        if hours:
            quantity = Decimal(rng.choice(("0.5", "1", "1.5", "2", "3.5", "4", "7", "7.5", "8", "12", "16")))
        else:
            quantity = Decimal(rng.choice((1, 1, 1, 2, 3, 4, 5, 6, 10, 12, 20, 25, 50, 100)))
        if high > 200 and not hours:  # an expensive thing is bought by the unit
            quantity = Decimal(rng.choice((1, 1, 1, 2, 3)))
        unit = Decimal(rng.uniform(low, high)).quantize(CENT)
        rate = Decimal("0") if exemption else Decimal(rng.choice(used))
        items.append(Item(description, quantity, unit, rate, (quantity * unit).quantize(CENT, ROUND_HALF_UP)))
    return tuple(items)


def _breakdown(items: tuple[Item, ...]) -> tuple[tuple[Decimal, Decimal, Decimal], ...]:
    bases: dict[Decimal, Decimal] = {}
    for item in items:
        bases[item.rate] = bases.get(item.rate, Decimal("0")) + item.amount
    return tuple((rate, base, (base * rate / 100).quantize(CENT, ROUND_HALF_UP))
                 for rate, base in sorted(bases.items(), reverse=True))


# How values are written ------------------------------------------------------------------------------------


def money_style(rng: random.Random, language: str, currency: str, euro_glyph: bool) -> MoneyStyle:
    """Grouping and decimal signs as the language writes them, mostly; the currency's mark placed as
    its users place it."""
    if currency == "CHF":
        thousands, decimal_sign = rng.choice((("'", "."), ("'", "."), (" ", ".")))
    elif language == "en" or currency in ("USD", "GBP") and language != "fr":
        thousands, decimal_sign = rng.choice(((",", "."), (",", "."), ("", ".")))
    elif language == "fr":
        thousands, decimal_sign = rng.choice(((" ", ","), (" ", ","), ("", ","), (".", ","), (" ", ".")))
    else:
        thousands, decimal_sign = rng.choice(((".", ","), (".", ","), ("", ","), (" ", ",")))
    symbol = SYMBOLS[currency] if currency != "EUR" or euro_glyph else "EUR"
    mark = rng.choice((symbol, symbol, currency, ""))
    before = rng.random() < (0.8 if language == "en" or (language == "nl" and mark == symbol) else 0.15)
    return MoneyStyle(thousands, decimal_sign, mark, before)


def money(value: Decimal, style: MoneyStyle, marked: bool = True) -> str:
    units, cents = f"{abs(value):.2f}".split(".")
    groups = []
    while len(units) > 3:
        groups.insert(0, units[-3:])
        units = units[:-3]
    text = style.thousands.join([units, *groups]) + style.decimal + cents
    text = ("-" if value < 0 else "") + text
    if not marked or not style.mark:
        return text
    glued = style.mark in ("€", "£", "$") and style.before
    return (style.mark + ("" if glued else " ") + text) if style.before else f"{text} {style.mark}"


DATE_SHAPES = {
    "fr": ("dd/mm/yyyy", "dd/mm/yyyy", "dd/mm/yyyy", "long", "dd-mm-yyyy", "iso", "dd/mm/yy", "dd.mm.yyyy"),
    "en": ("long_en", "d_mon_yyyy", "dd/mm/yyyy", "iso", "long", "mon_d_yyyy"),
    "de": ("dd.mm.yyyy", "dd.mm.yyyy", "dd.mm.yyyy", "long", "iso", "dd.mm.yy"),
    "es": ("dd/mm/yyyy", "dd/mm/yyyy", "long", "dd-mm-yyyy"),
    "it": ("dd/mm/yyyy", "dd/mm/yyyy", "long", "dd-mm-yyyy", "dd.mm.yyyy"),
    "nl": ("dd-mm-yyyy", "dd-mm-yyyy", "long", "dd/mm/yyyy", "iso"),
}


def date_text(day: date, shape: str, language: str) -> str:
    month = MONTHS[language][day.month - 1]
    if shape == "long":
        first = "1er" if language == "fr" and day.day == 1 else str(day.day)
        return {"de": f"{day.day}. {month} {day.year}", "es": f"{day.day} de {month} de {day.year}"}.get(
            language, f"{first} {month} {day.year}")
    numeric = {"dd/mm/yyyy": "%d/%m/%Y", "dd-mm-yyyy": "%d-%m-%Y", "dd.mm.yyyy": "%d.%m.%Y", "iso": "%Y-%m-%d",
               "dd/mm/yy": "%d/%m/%y", "dd.mm.yy": "%d.%m.%y", "mm/dd/yyyy": "%m/%d/%Y"}
    if shape in numeric:
        return day.strftime(numeric[shape])
    english = MONTHS["en"][day.month - 1]
    return {"long_en": f"{english} {day.day}, {day.year}", "d_mon_yyyy": f"{day.day} {english[:3]} {day.year}",
            "mon_d_yyyy": f"{english[:3]} {day.day}, {day.year}"}[shape]


def date_shape(rng: random.Random, language: str, currency: str) -> str:
    if language == "en" and currency == "USD" and rng.random() < 0.5:
        return "mm/dd/yyyy"  # an American seller's habit
    return rng.choice(DATE_SHAPES[language])


def vat_printed(rng: random.Random, vat: str) -> str:
    """A VAT number as invoices print it: compact, or spaced after the country and in groups."""
    shape = rng.choice(("compact", "compact", "prefix", "groups"))
    if shape == "compact":
        return vat
    prefix = 3 if vat.startswith("ATU") else 2   # Austria's "U" belongs to the prefix
    if shape == "prefix":
        return f"{vat[:prefix]} {vat[prefix:]}"
    if vat.startswith("FR"):
        return f"FR {vat[2:4]} {vat[4:7]} {vat[7:10]} {vat[10:]}"
    body = vat[prefix:]
    return vat[:prefix] + " " + " ".join(body[i:i + 3] for i in range(0, len(body), 3))


def spaced_siren(siren: str) -> str:
    return f"{siren[:3]} {siren[3:6]} {siren[6:]}"


def _weighted(rng: random.Random, options: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([name for name, _ in options], weights=[weight for _, weight in options])[0]
