"""The supplier's identity in invoice text: name, SIREN, SIRET, VAT id, IBAN.

The buyer's identifiers appear on the same page, so any line that names the
customer ("client", "Kunde", "bill to"…) is ignored, and among the remaining ones
the earliest wins: suppliers print their identity in the header or the footer
block, buyers get an address block of their own. A SIREN or SIRET printed with the
company's legal small print (its share capital, its trade register, its activity
code) is the seller's before any other, when a VAT number of the page holds it: an
unheaded buyer's block may print one too; then a SIRET of another SIREN is not the
seller's.
"""

from __future__ import annotations

import re

from ingest.documents.candidate import Candidate, best
from ingest.documents.fields.lines import BUYER_WORDS, buyer_section
from ingest.documents.reading.labels import heading_and_rest
from ingest.documents.reading.names import is_name_label, legal_form_span, reads_as_name
from ingest.documents.textparse import (
    VAT_NUMBER_GROUPS_RE,
    iban_from_text,
    siren_from_text,
    siret_parts,
    vat_parts,
)

_SIRET_RE = re.compile(r"\bSIRET\b\D{0,12}?(\d{3}\s?\d{3}\s?\d{3}\s?\d{5})\b", re.IGNORECASE)
_SIREN_RE = re.compile(r"\b(?:SIREN|RCS(?:\s+[A-Za-zÀ-ÿ\-]+){0,3}|R\.C\.S\.?(?:\s+[A-Za-zÀ-ÿ\-]+){0,3})"
                       r"\D{0,12}?(\d{3}\s?\d{3}\s?\d{3})\b", re.IGNORECASE)
# The legal small print only the seller prints about itself, beside its SIREN or SIRET.
_SMALL_PRINT = re.compile(r"\b(?:capital|R\.?C\.?S\b|APE\b|NAF\b)", re.IGNORECASE)
# A VAT number's labels ("USt-Id" also as a scan reads it: "USt.-1d.-Nr.").
_VAT_LABEL = re.compile(
    r"(tva|vat|ust[.\-\s]*[il1|]d|umsatzsteuer[- ]?id\w*|uid|mwst|tax\s+id|n°\s*tva|"
    r"identifiant\s+tva|intracom\w*)", re.IGNORECASE,
)
# Letters after a VAT number's digits, set apart by a space, are the next word ("DE123456789 HRB 372876").
_TRAILING_WORD = re.compile(r"(?: [A-Z]+)+$")
_IBAN_RE = re.compile(r"\b([A-Z]{2}\d{2}(?: ?[0-9A-Z]{1,4}){3,9})")
_SELLER_HEADERS = re.compile(
    r"^(verkäufer|lieferant|fournisseur|vendeur|émetteur|seller|supplier|from|de)\s*:?\s*$", re.IGNORECASE
)


def company_ids(lines: list[str], vats: list[Candidate[str]]) -> dict[str, Candidate[str]]:
    """SIREN and SIRET of the supplier; a SIRET failing Luhn is kept at low confidence. `vats` are the VAT
    numbers the lines give (`vat_ids`): a French one holds the SIREN the legal small print should print."""
    sirets: list[Candidate[str]] = []
    sirens: list[Candidate[str]] = []
    buyer = buyer_section(lines)
    for index, line in enumerate(lines):
        if index in buyer or BUYER_WORDS.search(line):
            continue
        for match in _SIRET_RE.finditer(line):
            parts = siret_parts(match.group(1))
            if parts is None:
                continue
            digits, luhn_ok = parts
            sirets.append(Candidate(digits, 0.9 if luhn_ok else 0.3, index))
            if siren_from_text(digits[:9]):
                sirens.append(Candidate(digits[:9], 0.9, index))
        for match in _SIREN_RE.finditer(line):
            siren = siren_from_text(match.group(1))
            if siren:
                sirens.append(Candidate(siren, 0.9, index))
    held = {c.value[4:] for c in vats if c.value.startswith("FR")}  # SIRENs French VAT numbers hold
    chosen = _earliest(sirens, lines, held)
    if chosen is not None and _in_small_print(chosen, lines, held):
        # the seller's SIREN in its small print: a SIRET of another SIREN is another company's
        sirets = [c for c in sirets if c.value.startswith(chosen.value)]
    found = {"supplier_siret": _earliest(sirets, lines, held), "supplier_siren": chosen}
    return {key: value for key, value in found.items() if value is not None}


def _earliest(candidates: list[Candidate[str]], lines: list[str], held: set[str]) -> Candidate[str] | None:
    """The first candidate printed in the legal small print (`_in_small_print`), else the first of all."""
    return min(candidates, key=lambda c: (not _in_small_print(c, lines, held), c.line)) if candidates else None


def _in_small_print(candidate: Candidate[str], lines: list[str], held: set[str]) -> bool:
    """Whether a SIREN or SIRET stands with the legal small print and a VAT number of the page holds its SIREN:
    a footer's template may name another company than the one the invoice is from."""
    return bool(_SMALL_PRINT.search(lines[candidate.line])) and candidate.value[:9] in held


def vat_ids(lines: list[str]) -> list[Candidate[str]]:
    """Every VAT id outside the buyer's lines, in the order printed: checksum-valid ones score high,
    labelled-but-invalid low (`fields.identity` chooses among them and the reading's)."""
    candidates: list[Candidate[str]] = []
    buyer = buyer_section(lines)
    for index, line in enumerate(lines):
        if index in buyer or BUYER_WORDS.search(line):
            continue
        for match in VAT_NUMBER_GROUPS_RE.finditer(line):
            if re.search(r"(IBAN|BIC|SWIFT)\W*$", line[: match.start()], re.IGNORECASE):
                continue  # bank details share the two-letter-prefix shape
            parts = vat_parts(_TRAILING_WORD.sub("", match.group(1)))
            if parts is None:
                continue
            compact, valid = parts
            labelled = _VAT_LABEL.search(line[: match.start()]) is not None
            if valid:
                candidates.append(Candidate(compact, 0.95 if labelled else 0.7, index))
            elif labelled:
                # Check digit wrong but printed as a VAT id: sample and test data do this.
                candidates.append(Candidate(compact, 0.5, index))
    return candidates


def iban(lines: list[str]) -> Candidate[str] | None:
    candidates: list[Candidate[str]] = []
    for index, line in enumerate(lines):
        labelled = "IBAN" in line.upper()
        for match in _IBAN_RE.finditer(line):
            value = _longest_valid_iban(match.group(1))
            if value:
                candidates.append(Candidate(value, 0.95 if labelled else 0.75, index))
    return best(candidates)


def _longest_valid_iban(text: str) -> str | None:
    """Text after an IBAN often runs on ("… 124 - BIC"); try the longest valid prefix."""
    compact = text.replace(" ", "")
    for length in range(min(len(compact), 34), 14, -1):
        value = iban_from_text(compact[:length])
        if value:
            return value
    return None


def supplier_name(lines: list[str]) -> Candidate[str] | None:
    """Under a seller heading (after a name's label there: "Name: Lieferant GmbH"), else the first line
    with a legal form (`labels.tsv`) that is no sentence, else nothing."""
    for index, line in enumerate(lines[:-1]):
        if _SELLER_HEADERS.match(line):
            for below in lines[index + 1 : index + 4]:
                name = _trim_name(_after_name_label(below))
                if ":" not in name and not re.match(r"^\d", name) and reads_as_name(name):
                    return Candidate(name, 0.8, index + 1)
    for index, line in enumerate(lines[:40]):
        if BUYER_WORDS.search(line) or re.search(r"capital|au\s+capital", line, re.IGNORECASE) \
                or (heading_and_rest(line) or ("",))[0] == "buyer":  # "Facturar a Suministros García S.L."
            continue
        form = legal_form_span(line)
        name = _trim_name(line[: form[1]]) if form else ""
        if name and reads_as_name(name):  # not a sentence of the small print, a copyright notice…
            return Candidate(name, 0.7, index)
    return None


def _after_name_label(line: str) -> str:
    """The line without a name's label before the name ("Name: Lieferant GmbH")."""
    label, colon, rest = line.partition(":")
    return rest.strip() if colon and is_name_label(label) else line


def _trim_name(line: str) -> str:
    # Header lines run the name into the address: "Au bon moulin SARL - 1242 chemin…".
    name = re.split(r"\s+[-–|•●]\s+|,\s*\d", line)[0]
    return name.strip(" -–,")
