"""The accounts a purchase entry uses (French chart of accounts, PCG), and who a supplier is.

Pure: plain values in, plain values out. Account numbers have six digits, the length most French
accounting software pads to; a dossier may choose another expense account (`journal_settings`).

A supplier is named by its SIREN when the invoice gives one (directly, as the first nine digits of
its SIRET, or inside a French VAT number), else by its VAT number (a supplier outside France):
the same company is the same auxiliary account whichever of its numbers an invoice prints.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from stdnum.eu import vat as eu_vat
from stdnum.fr import siren as fr_siren
from stdnum.fr import siret as fr_siret
from stdnum.fr import tva as fr_tva

SUPPLIERS = "401000"          # Fournisseurs: the collective account of every supplier's auxiliary
VAT_DEDUCTIBLE = "445660"     # TVA déductible sur autres biens et services (PCG 44566)
VAT_DEDUCTIBLE_ASSETS = "445620"  # TVA déductible sur immobilisations (PCG 44562): a fixed asset's VAT
VAT_DUE_REVERSE = "445200"    # TVA due intracommunautaire (PCG 4452): VAT the buyer pays itself
ROUNDING_DEBIT = "658000"     # Charges diverses de gestion courante: a rounding cent against us
ROUNDING_CREDIT = "758000"    # Produits divers de gestion courante: a rounding cent for us
DEFAULT_EXPENSE = "607000"    # Achats de marchandises: the default until a dossier sets its own

LABELS = {
    SUPPLIERS: "Fournisseurs",
    VAT_DEDUCTIBLE: "TVA déductible sur autres biens et services",
    VAT_DEDUCTIBLE_ASSETS: "TVA déductible sur immobilisations",
    "205000": "Concessions, brevets, licences, logiciels",
    "215400": "Matériel industriel",
    "218200": "Matériel de transport",
    "218300": "Matériel de bureau et matériel informatique",
    "218400": "Mobilier",
    VAT_DUE_REVERSE: "TVA due intracommunautaire",
    ROUNDING_DEBIT: "Charges diverses de gestion courante",
    ROUNDING_CREDIT: "Produits divers de gestion courante",
    "601000": "Achats stockés - matières premières",
    "602000": "Achats stockés - autres approvisionnements",
    "604000": "Achats d'études et prestations de services",
    "606000": "Achats non stockés de matières et fournitures",
    "607000": "Achats de marchandises",
    "611000": "Sous-traitance générale",
    "613000": "Locations",
    "615000": "Entretien et réparations",
    "616000": "Primes d'assurances",
    "622000": "Rémunérations d'intermédiaires et honoraires",
    "623000": "Publicité, publications, relations publiques",
    "624000": "Transports de biens et transports collectifs du personnel",
    "625000": "Déplacements, missions et réceptions",
    "626000": "Frais postaux et de télécommunications",
}

# What may be chosen as an expense account: a class 6 account (a charge) or a class 2 one (a fixed
# asset, whose VAT goes to 445620), digits only.
EXPENSE_ACCOUNT_DIGITS = range(3, 11)


def account_label(number: str) -> str:
    """The account's name in the PCG, or its number's class name for one we do not list."""
    return LABELS.get(number) or LABELS.get(number[:3].ljust(6, "0")) or f"Compte {number}"


def is_expense_account(number: str) -> bool:
    return number.isdigit() and number[:1] in ("6", "2") and len(number) in EXPENSE_ACCOUNT_DIGITS


def deductible_vat_account(expense_account: str) -> str:
    """Where the invoice's deductible VAT goes: 445620 for a fixed asset (class 2), else 445660."""
    return VAT_DEDUCTIBLE_ASSETS if expense_account.startswith("2") else VAT_DEDUCTIBLE


@dataclass(frozen=True)
class SupplierIdentity:
    """Who issued an invoice: `key` is what the dossier's supplier accounts are looked up by
    (``siren:732829320``, ``vat:DE123456789``); `country` is None for a French company."""

    key: str
    number: str  # the auxiliary account's number, under 401
    name: str
    country: str | None


def _value(fields: dict[str, Any], key: str) -> str | None:
    found = fields.get(key)
    value = found.get("value") if isinstance(found, dict) else None
    return value.strip() if isinstance(value, str) and value.strip() else None


def _siren(siren: str | None, siret: str | None, vat: str | None) -> str | None:
    """The SIREN the first valid of these numbers gives."""
    if siren and fr_siren.is_valid(siren):
        return str(fr_siren.compact(siren))
    if siret and fr_siret.is_valid(siret):
        return str(fr_siret.compact(siret))[:9]
    if vat and fr_tva.is_valid(vat):
        return str(fr_tva.to_siren(vat))
    return None


def _foreign_vat(vat: str | None) -> tuple[str, str] | None:
    """(country prefix, compact number) of a VAT number that is not French."""
    if vat is None:
        return None
    # Spaces, dots and dashes dropped by hand: stdnum's compact refuses a country outside the EU
    # (a British or Swiss supplier is still a supplier).
    compact = re.sub(r"[^0-9A-Za-z]", "", vat).upper()
    if len(compact) < 4 or not compact[:2].isalpha() or compact.startswith("FR"):
        return None
    return compact[:2], compact


def supplier_identity(fields: dict[str, Any]) -> SupplierIdentity | None:
    """The supplier of an invoice's fields, or None when it gives no number we can trust (a SIREN,
    SIRET or French VAT number whose check digits fail names no one)."""
    keys = ("supplier_siren", "supplier_siret", "supplier_vat", "supplier_name")
    return _identity(*(_value(fields, key) for key in keys))


# An export meets the same suppliers again and again: their numbers are checked once.
@functools.lru_cache(maxsize=4096)
def _identity(siren_text: str | None, siret: str | None, vat: str | None,
              name: str | None) -> SupplierIdentity | None:
    siren = _siren(siren_text, siret, vat)
    if siren is not None:
        return SupplierIdentity(f"siren:{siren}", f"401{siren}", name or f"Fournisseur {siren}", None)
    foreign = _foreign_vat(vat)
    if foreign is not None:
        country, number = foreign
        return SupplierIdentity(f"vat:{number}", f"401{number}", name or f"Fournisseur {number}", country)
    return None


def in_eu(country: str | None) -> bool:
    """Whether a VAT number's prefix is another member state's (Greece writes EL, Northern Ireland XI)."""
    if country is None:
        return False
    code = {"EL": "gr"}.get(country, country.lower())
    return code in eu_vat.MEMBER_STATES and code != "fr"
