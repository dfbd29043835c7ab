"""Which of the VAT numbers an invoice prints is its seller's, from what the rest of the page says.

A page often holds two valid VAT numbers, the seller's and the buyer's, and the buyer's block does not
always have a heading that says so. What tells them apart is evidence that only the seller's number
has, whatever the layout:

- a French VAT number holds its company's SIREN, and the seller prints its SIREN or SIRET in its legal
  mentions (``RCS Lyon 732 829 320``, ``SIRET …``): the VAT number holding that SIREN is the seller's;
- the legal small print (register court, share capital, company number, registered office) is the
  seller's: a VAT number on such a line, or next to one, is the seller's;
- the IBAN to pay is the seller's account, usually in its own country: a VAT number of the same
  country is more likely the seller's than one of another.

Each piece of evidence adds to the candidate's score (the readers' own, from its label and place);
the best total wins. Without any, the readers' order stands.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet

from ingest.documents.candidate import Candidate

SIREN_AGREES, LEGAL_LINE, IBAN_COUNTRY = 0.06, 0.04, 0.02
# The text rules' ceiling: a value confirmed by other facts of the page.
CEILING = 0.98
_LEGAL = re.compile(
    r"\b(RCS|R\.C\.S|SIREN|SIRET|capital|APE|NAF|HRB|HRA|Handelsregister|Registergericht|Amtsgericht|"
    r"Sitz\s+der\s+Gesellschaft|Gesch[äa]ftsf[üu]hr\w*|Steuernummer|St\.?-?Nr|company\s+(?:no|number|reg\w*)|"
    r"registered\s+(?:office|in|number)|registration\s+number|KvK|Kamer\s+van\s+Koophandel|"
    r"Registro\s+(?:Mercantil|delle\s+imprese)|REA|capitale\s+sociale|C\.?I\.?F)\b",
    re.IGNORECASE,
)
# VAT prefixes whose IBAN country code differs.
_IBAN_COUNTRY = {"EL": "GR", "XI": "GB"}


def seller_vat(candidates: list[Candidate[str]], lines: list[str], sirens: set[str],
               iban: str | None, buyers: AbstractSet[str] = frozenset(),
               addressees: AbstractSet[str] = frozenset()) -> Candidate[str] | None:
    """The best of `candidates` (the readers' VAT numbers that may be the seller's) once the page's
    evidence is added; `lines` the page's text lines, `sirens` the seller's SIREN and SIRET read from
    its legal mentions, `iban` the account to pay, `buyers` the numbers the layout shows as the buyer's
    (a text rule that missed the buyer's block may offer one: it yields to any other), `addressees` those
    of the block a window letter is addressed to (`reading.names.addressee_vats`): never the seller's."""
    candidates = [c for c in candidates if c.value not in addressees]
    others = [c for c in candidates if c.value not in buyers]
    best_of: dict[str, Candidate[str]] = {}
    for candidate in others or candidates:
        kept = best_of.get(candidate.value)
        if kept is None or candidate.score > kept.score:
            best_of[candidate.value] = candidate
    if not best_of:
        return None
    legal = _legal_neighbourhoods(lines)
    # Chosen on the whole sum, so that evidence still tells apart two candidates both at the ceiling.
    totals = [(c.score + _evidence(c.value, legal, sirens, iban), c) for c in best_of.values()]
    total, chosen = max(totals, key=lambda pair: pair[0])  # on a tie, the first (the readers' order) stays
    return Candidate(chosen.value, min(CEILING, total), chosen.line)


def _evidence(value: str, legal: str, sirens: set[str], iban: str | None) -> float:
    bonus = 0.0
    if value.startswith("FR") and len(value) == 13 and value[4:] in {s[:9] for s in sirens}:
        bonus += SIREN_AGREES
    if value in legal:
        bonus += LEGAL_LINE
    if iban and _IBAN_COUNTRY.get(value[:2], value[:2]) == iban[:2]:
        bonus += IBAN_COUNTRY
    return bonus


def _legal_neighbourhoods(lines: list[str]) -> str:
    """The legal mentions' lines and their neighbours, compacted (no spaces, dots or dashes, upper
    case) so that a VAT number printed in groups is found in them."""
    near: set[int] = set()
    for index, line in enumerate(lines):
        if _LEGAL.search(line):
            near.update((index - 1, index, index + 1))
    return "|".join(re.sub(r"[\s.\-]", "", lines[i]).upper() for i in sorted(near) if 0 <= i < len(lines))
