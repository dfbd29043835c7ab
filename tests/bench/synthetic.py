"""Synthetic supplier invoices with their ground truth, to tune the reading of fields on (real held-out
invoices may never be tuned on; these may).

``generate(seed, index)`` draws one invoice from ``random.Random(f"{seed}:{index}")``: the same seed and
index give the same invoice, text and bytes. What is drawn, so that the reader meets the variety of real
invoices rather than one template:

- the language (French most often: the service's users are French; English, German, Spanish, Italian,
  Dutch), the seller's country (FR or BE for French, DE or AT for German, NL or BE for Dutch...) and the
  wording of every label among several (`synthetic_words.py`), sometimes no label at all where real
  invoices omit it ("FACTURE N° 2024-0153", "Lyon, le 5 mars 2024");
- the identifiers, valid: a French SIREN and SIRET with their Luhn digits and the VAT key computed from
  the SIREN, other countries' VAT numbers passing python-stdnum's checks, IBANs built by schwifty;
  the buyer's VAT number printed too, so that the seller's must be told from it;
- amounts that add up: lines to the total excluding tax, VAT per rate (one to three of the country's
  rates, sometimes none: reverse charge, the French franchise), total including tax, in cents; credit
  notes sometimes; the currency (EUR mostly, GBP, USD, CHF);
- how dates and amounts are written (05/03/2024, 5 mars 2024, 05.03.2024, 5. März 2024, ISO, March 5,
  2024...; 1 234,56 / 1.234,56 / 1,234.56 / 1'234.56, the currency's symbol or code before or after);
- the layout, drawn by `synthetic_pdf.py`: letterhead, buyer block, header fields as a grid, as lines,
  as a table row, as header tables of several labels above their values (the page's number among
  them), as labels left with their values far right in a column, or as "Label:" above its value; line
  items over one or two pages, totals and VAT breakdown, small print full of other numbers (order,
  customer, delivery note, due date, phone, capital, register numbers, IBAN);
- around the issue date, other dates to tell it from (due, delivery, order, a period of service "01.03.2024
  - 31.03.2024"), a letter's place and date sometimes in the top right corner; invoice numbers with
  letters, slashes and dashes ("RE-2024/0815", "2024-03-117") beside customer, order and delivery note
  numbers of the same shapes.

The truth has the shape `corpora.comparable` gives the benchmark (a credit note's amounts negative), and
only what the invoice prints: the seller's VAT number when it is printed, its SIREN when French.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from ingest.documents.fields import Field
from tests.bench.corpora import comparable
from tests.bench.synthetic_facts import Invoice, draw_invoice
from tests.bench.synthetic_pdf import draw


@dataclass(frozen=True)
class Synthetic:
    name: str
    language: str
    pdf: bytes
    truth: dict[str, str]           # as `corpora.comparable` gives it
    printed: dict[str, str]         # each scored value as the page prints it
    invoice: Invoice
    look: dict[str, str] = field(default_factory=dict)   # the layout's choices, to tell misses apart


def generate(seed: int, index: int) -> Synthetic:
    """Invoice number `index` of the set drawn from `seed`: the same pair, the same invoice and bytes."""
    rng = random.Random(f"{seed}:{index}")
    invoice = draw_invoice(rng)
    pdf, printed, look = draw(rng, invoice)
    return Synthetic(f"synthetic-{seed}-{index:04d}-{invoice.language}.pdf", invoice.language, pdf,
                     truth_of(invoice, printed), printed, invoice, look)


def invoices(count: int, seed: int = 1) -> Iterator[Synthetic]:
    for index in range(count):
        yield generate(seed, index)


def truth_of(invoice: Invoice, printed: dict[str, str]) -> dict[str, str]:
    """The scored fields as the benchmark compares them, through `corpora.comparable` itself; only what
    the page prints (a VAT number some French invoices leave out, a VAT total a franchise has not)."""
    values = {
        "document_type": "credit_note" if invoice.credit_note else "invoice",
        "invoice_number": invoice.number,
        "issue_date": invoice.issued.isoformat(),
        "currency": invoice.currency,
        "total_excl_tax": str(invoice.excl),
        "total_incl_tax": str(invoice.incl),
    }
    if "total_tax" in printed:
        values["total_tax"] = str(invoice.tax)
    if invoice.seller.vat and "supplier_vat" in printed:
        values["supplier_vat"] = invoice.seller.vat
    if invoice.seller.siren:
        values["supplier_siren"] = invoice.seller.siren
    values["customer_name"] = invoice.buyer.name
    if "customer_vat" in printed:
        values["customer_vat"] = printed["customer_vat"]
    return comparable({key: Field(value, 1.0, "einvoice") for key, value in values.items()})
