"""Put the text rules together: page texts in, ``dict[str, Field]`` out."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from ingest.documents.amounts import format_amount
from ingest.documents.candidate import Candidate, best
from ingest.documents.fields import identity, parties, refs, totals
from ingest.documents.fields.lines import clean_lines
from ingest.documents.fields.model import SOURCES, Field
from ingest.documents.layout import PageWords
from ingest.documents.reading.candidates import READ_CEILING
from ingest.documents.reading.items import line_items
from ingest.documents.reading.labels import fold
from ingest.documents.reading.lines import Line
from ingest.documents.reading.more import SELLER_IDENTIFIERS, more_fields
from ingest.documents.reading.names import addressee_vats, party_names
from ingest.documents.reading.parties import buyer_vats
from ingest.documents.reading.read import layout_candidates, layout_lines
from ingest.documents.reading.recognised import levelled, mend, with_lost_cents, with_lost_signs
from ingest.documents.reading.seller_names import supplier_names
from ingest.documents.textparse import uses_month_first


def extract_fields(page_texts: list[str], source: str = "text", pages: Sequence[PageWords] = ()) -> dict[str, Field]:
    """Invoice fields found in the text of the pages, each with a confidence in 0..1.

    ``source`` says where the text came from (``text`` for a PDF's text layer,
    ``ocr`` for recognised scans); absent fields are left out of the result. ``pages``, the words
    with their places when known, adds what layout-aware reading finds (``ingest.documents.reading``).
    """
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}")
    if source == "ocr":  # what recognition commonly gets wrong, mended for the reading only
        pages, page_texts = mend([levelled(page) for page in pages], page_texts)
    lines = clean_lines([line for page in page_texts for line in (page or "").splitlines()])
    if not lines:
        return {}
    month_first = uses_month_first("\n".join(lines))
    placed = layout_lines(pages) if pages else []
    layout = layout_candidates(placed, month_first=month_first, source=source) if pages else {}
    found: dict[str, Candidate[str] | None] = {}
    found["document_type"] = document_type = _document_type(lines, placed)
    text_vats = parties.vat_ids(lines)
    found.update(parties.company_ids(lines, text_vats))
    found["iban"] = iban = parties.iban(lines)
    sirens = {c.value for c in (found.get("supplier_siren"), found.get("supplier_siret")) if c is not None}
    vats: list[Candidate[str]] = [*layout.get("supplier_vat", []), *text_vats]  # type: ignore[list-item]
    buyers, buyer_names, addressees = buyer_vats(placed), party_names(placed, "buyer"), addressee_vats(placed)
    found["supplier_vat"] = identity.seller_vat(vats, lines, sirens, iban.value if iban else None, buyers=buyers,
                                                addressees=addressees.keys())
    found["supplier_name"] = _supplier_name(lines, placed, found, source, buyers, buyer_names)
    found["invoice_number"] = _better(refs.invoice_number(lines), layout.get("invoice_number"))
    issue, due = refs.issue_and_due_dates(lines)
    found["issue_date"], found["due_date"] = refs.dates_by_terms(
        _better(issue, layout.get("issue_date")), _better(due, layout.get("due_date")), lines)
    found["currency"] = refs.currency(lines) or refs.currency_by_country(
        *(c.value for c in (found.get("supplier_vat"), found.get("iban")) if c is not None))
    currency = found["currency"].value if found["currency"] else None
    pools = totals.total_candidates(lines, currency)
    for key in pools:
        pools[key] += layout.get(key, [])  # type: ignore[arg-type]
    if source == "ocr":
        pools = with_lost_signs(with_lost_cents(pools))
    breakdown = totals.vat_breakdown(lines)
    chosen = totals.choose_totals(pools, breakdown, totals.printed_amounts(lines))
    chosen = _with_breakdown(chosen, breakdown)
    if document_type.value == "credit_note":
        chosen, breakdown = _credit_note_positive(chosen, breakdown)
    for key, candidate in chosen.items():
        found[key] = Candidate(format_amount(candidate.value), candidate.score, candidate.line)
    fields = {
        key: Field(c.value, round(min(max(c.score, 0.0), 1.0), 3), source)
        for key, c in found.items()
        if c is not None
    }
    if breakdown:
        fields["vat_breakdown"] = Field(breakdown, _breakdown_confidence(breakdown, chosen), source)
    sellers: dict[str, str] = {key: str(fields[key].value) for key in ("supplier_name", *SELLER_IDENTIFIERS)
                               if key in fields}
    for key, more in more_fields(placed, source, sellers, buyer_names, addressees).items():  # the buyer, the terms
        fields[key] = Field(more.value, more.score, source)
    total = chosen.get("total_excl_tax")
    items = line_items(placed, source, total.value if total else None, document_type.value == "credit_note")
    if items is not None:  # the lines table as the page shows it: ingest.documents.reading.items
        fields["line_items"] = Field(items.value, items.confidence, source)
    if "document_type" in fields and not _has_invoice_content(fields):
        del fields["document_type"]  # a page with none of an invoice's facts is not one
    return fields


# How sure a credit note's own title is (refs.document_type's score for "Avoir", "Credit note" …).
CREDIT_NOTE_TITLE = 0.85


def _document_type(lines: list[str], placed: list[Line]) -> Candidate[str]:
    """The text rules' document type, or a credit note when the page's top, read in the order it shows
    its lines, is a credit note's title: a text layer may give the title far down ("… AVOIR N° :"). The
    top's cells are read one by one too: a title set far right of the letterhead shares its line
    ("Menuiserie du Rhône SARL      AVOIR"), as OCR reads a row."""
    found = refs.document_type(lines)
    if found.value != "credit_note" and placed:
        for texts in ([line.text for line in placed], [cell.text for line in placed for cell in line.cells]):
            shown = refs.document_type(texts)
            if shown.value == "credit_note" and shown.score >= CREDIT_NOTE_TITLE:
                return shown
    return found


def _supplier_name(lines: list[str], placed: list[Line], found: dict[str, Candidate[str] | None],
                   source: str, buyers: set[str], buyer_names: list[Candidate[str]]) -> Candidate[str] | None:
    """The text rules' name or the layout's (under the seller's heading, by its identifiers, in its
    letterhead), whichever scores higher; `buyers` the VAT numbers, `buyer_names` the names printed as the
    buyer's."""
    identifiers = {c.value for key in SELLER_IDENTIFIERS
                   if (c := found.get(key)) is not None} - buyers
    siren = found.get("supplier_siren")
    if siren is not None:  # a SIRET starts with its SIREN, a French VAT number holds it: others are another's
        identifiers = {value for value in identifiers if value.isdigit() and value.startswith(siren.value)
                       or not value.isdigit() and (not value.startswith("FR") or value[4:] == siren.value)}
    shown = [Candidate(c.value, min(c.score, READ_CEILING[source]), c.line)
             for c in supplier_names(placed, identifiers)]
    named = {fold(c.value) for c in buyer_names}  # a name printed as the buyer's is not the seller's
    rule = parties.supplier_name(lines)
    return _better(rule if rule is None or fold(rule.value) not in named else None,
                   [c for c in shown if fold(c.value) not in named])


def _better(rule: Candidate[str] | None, placed: list[Any] | None) -> Candidate[str] | None:
    """The text rules' candidate or the best a label pointed to, whichever scores higher (the label's
    on a tie: it was read where the value stands)."""
    pointed = best(placed or [])
    if pointed is None:
        return rule
    return pointed if rule is None or pointed.score >= rule.score else rule


def _with_breakdown(chosen: dict[str, Candidate[Decimal]], rows: list[dict[str, str]]) -> dict[str, Candidate[Decimal]]:
    """Fill a missing tax total from the breakdown and raise confidence when they agree."""
    if not rows:
        return chosen
    base = sum((Decimal(r["base"]) for r in rows), Decimal(0))
    tax = sum((Decimal(r["tax"]) for r in rows), Decimal(0))
    out = dict(chosen)
    for key, total in (("total_excl_tax", base), ("total_tax", tax)):
        current = out.get(key)
        if current is None:
            out[key] = Candidate(total, 0.5, -1)
        elif current.value == total:
            out[key] = Candidate(current.value, min(0.98, current.score + 0.1), current.line)
    return out


def _credit_note_positive(
    chosen: dict[str, Candidate[Decimal]], rows: list[dict[str, str]]
) -> tuple[dict[str, Candidate[Decimal]], list[dict[str, str]]]:
    """Credit notes are often printed with minus signs; EN 16931 (and the e-invoice
    XML we compare with) states a credit note's amounts as positive, the type code
    carrying the direction. Flip only when every total is negative or zero."""
    values = [c.value for c in chosen.values()]
    if not values or any(v > 0 for v in values) or all(v == 0 for v in values):
        return chosen, rows
    flipped = {k: Candidate(-c.value, c.score, c.line) for k, c in chosen.items()}
    positive_rows = [
        {"rate": r["rate"], "base": format_amount(-Decimal(r["base"])),
         "tax": format_amount(-Decimal(r["tax"]))}
        for r in rows
    ]
    return flipped, positive_rows


def _breakdown_confidence(rows: list[dict[str, str]], chosen: dict[str, Candidate[Decimal]]) -> float:
    tax = sum((Decimal(r["tax"]) for r in rows), Decimal(0))
    current = chosen.get("total_tax")
    return 0.9 if current is not None and current.value == tax else 0.6


def _has_invoice_content(fields: dict[str, Field]) -> bool:
    keys = ("invoice_number", "total_incl_tax", "total_excl_tax", "supplier_vat", "supplier_siren")
    return any(key in fields for key in keys)
