"""Document type, invoice number, dates and currency from invoice text lines."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from datetime import date

from ingest.documents.candidate import Candidate, best
from ingest.documents.fields.lines import BUYER_WORDS
from ingest.documents.reading.labels import refers_to_other, starts_credit_note_title, words_pattern
from ingest.documents.textparse import (
    CURRENCY_CODE_RE,
    DATE_RE,
    NOT_THE_DOCUMENTS_DATE,
    ambiguous_numeric_dates,
    date_order_evidence,
    find_dates,
    uses_month_first,
)

# The words that name the document, from labels.tsv: "facture", "avoir", and the compounds German builds on
# "Rechnung" (Mietrechnung, Handelsrechnung).
_DOC_WORDS = words_pattern("document")
# "Facture n° X", "Invoice No. X", "Rechnung Nr. X", "Rechnung # X", or a bare title
# "Facture X" / "Avoir X". The number must contain a digit and not be a date.
_NUMBER_AFTER_DOC = re.compile(
    r"\b" + _DOC_WORDS + r"\b(?P<tail>[^\n]{0,40}?)\s*"
    r"(?P<mark>n[°ºo]\.?|no\.?|nr\.?|num[ée]ro|number|nummer|#)?\s*:?\s*"
    r"(?P<value>[A-Z0-9][\w\-/.]*\d[\w\-/]*|\d[\w\-/.]*)",
    re.IGNORECASE,
)
_NUMBER_LABELS = re.compile(
    r"\b(?:n[°º]\s*(?:de\s+)?(?:facture|avoir)|num[ée]ro\s+de\s+(?:facture|l'avoir|avoir)|"
    r"invoice\s+(?:no\.?|number|#|n°)|rechnungs-?(?:nummer|nr\.?)|(?:re|rg|rechn)\.?-\s?nr\.?|belegnummer|"
    r"facture\s+n[°º]|réf(?:érence)?\s+facture)\s*:?\s*$|"
    r"\b(?:n[°º]\s*(?:de\s+)?(?:facture|avoir)|num[ée]ro\s+de\s+(?:facture|l'avoir|avoir)|"
    r"invoice\s+(?:no\.?|number|#|n°)|rechnungs-?(?:nummer|nr\.?)|(?:re|rg|rechn)\.?-\s?nr\.?|belegnummer)\s*:?\s*"
    r"(?P<value>[A-Z0-9][\w\-/.]*)",
    re.IGNORECASE,
)
# Words that make a document named with them another one: the invoice a credit note or a correction
# refers to ("Facture d'origine", "facture associée", "related invoice", "ursprüngliche Rechnung"; labels.tsv).
_RELATED = words_pattern("related_document")
_OF_A_RELATED_DOCUMENT = re.compile(r"\b" + _RELATED + r"(?!\w)", re.IGNORECASE)
# Words after "Facture" that show the line is not the document's own number.
_NOT_OWN_NUMBER = re.compile(
    r"\b(" + _RELATED + r"|"
    # A credit note naming the invoice it cancels: "Avoir sur facture n° …", "Gutschrift zu Rechnung Nr. …".
    # An invoice's words only, not every document word: "Facture d'avoir n° …" is a credit note's own title.
    r"facture|invoice|\w*rechnung|fattura|factura|factuur|"
    r"date|datum|summe|betrag|montant|total|commande|bon|order|purchase|bestellung|"
    r"lieferung|livraison|delivery|auftrag|contrat|contract|vertrag|client|kunden?|"
    # A sample's heading: "Beispielrechnung … Copyright AWV e.V. 2013" ends with a year, not a number.
    r"copyright|"
    # A title beside its page's number: "KOSTENRECHNUNG Seite 1", "Facture page 2/3".
    r"seite|page|pagina|p[áa]gina|blad|blatt)\b",
    re.IGNORECASE,
)

_ISSUE_LABELS = re.compile(
    r"\b(date\s+(?:de\s+(?:la\s+)?)?(?:facture|facturation|l'avoir|d'[ée]mission|document)|"
    r"invoice\s+date|date\s+of\s+issue|issue\s+date|rechnungsdatum|belegdatum|"
    r"ausstellungsdatum|datum|date|[ée]mise?\s+le|fait\s+le|vom|von|du|le)\b",
    re.IGNORECASE,
)
_DUE_LABELS = re.compile(
    r"(date\s+d'[ée]ch[ée]ance|[ée]ch[ée]ance|[àa]\s+r[ée]gler\s+(?:avant\s+)?le|"
    r"payable\s+(?:avant\s+)?le|due\s+date|payment\s+due|due\s+on|zahlbar\s+bis|"
    r"f[äa]llig(?:keit|\s+am)?|zahlungsziel|netto\s+bis|überweisen\s+sie\s+bis\s+zum|"
    r"pay\s+by|due\s+by|vencimiento|pagar\s+antes\s+del?|scadenza|vervaldatum|te\s+betalen\s+voor)",
    re.IGNORECASE,
)
# Dates of something else than the invoice: a delivery, an order, a service.
_EVENT_DATES = re.compile(
    r"(livr[ée]e?s?\s+le|date\s+de\s+livraison|command[ée]e?\s+le|delivered\s+on|delivery\s+date|"
    r"order\s+date|geliefert\s+am|lieferdatum|leistungsdatum|bestelldatum|fecha\s+de\s+entrega|"
    r"data\s+di\s+consegna|leverdatum)\W*$",
    re.IGNORECASE,
)
# A letter's place and date ("Lyon, le 5 mars 2026", "Valencia, 8 de mayo de 2025", "Bristol, 2022-01-30"):
# the day the invoice was written.
_PLACE_AND_DATE = re.compile(r"^\s*[A-ZÀ-Ý][\w'’.\- ]{1,40},\s*(?:(?:le|den|am|el|il|li|op|on|the)\s+)?$")
# A document word right after one of these is part of a date's label ("Datum factuur", "Date facture").
_DATE_WORD_BEFORE = re.compile(r"\b(?:date|datum|data|fecha)\W*$", re.IGNORECASE)
# The common words a date's label may be alone ("Date :", "Datum", "vom"): qualified by a word just before
# ("Service date", "Bestellung vom") or by words between it and the date ("Date de commande"), they name
# another thing's date; a document word among those words keeps it the invoice's ("Datum der Rechnung",
# "Rechnung vom"). ("von", "du" and "le" were measured worse: they end places and other phrases.)
_COMMON_DATE_WORD = re.compile(r"^(?:date|datum|vom)$", re.IGNORECASE)
_WORD_JUST_BEFORE = re.compile(r"[^\W\d_]{2,}\.? +$")
_WORDS_BETWEEN = re.compile(r"[^\W\d_]{2,}")
_ISSUE_WORDS = re.compile(_DOC_WORDS + r"|\bd'[ée]mission|\bissue", re.IGNORECASE)
QUALIFIED_DATE = 0.3
_STRONG_ISSUE = re.compile(r"(facture|facturation|invoice|rechnungs|beleg|émission|issue)", re.IGNORECASE)


# Self-billing's words (their ending left open: a scan reads "ausgestelite"), or its type code printed in
# brackets (UNTDID 389).
_SELF_BILLED = re.compile(r"selbst\s*ausgeste\w*|self[- ]billed|autofactur|\(389\)", re.IGNORECASE)




def document_type(lines: list[str]) -> Candidate[str]:
    """Credit note when the title says so (``Avoir``, ``Credit note``, ``Nota di credito``, ``Gutschrift``)."""
    for index, line in enumerate(lines[:25]):
        if starts_credit_note_title(line):
            return Candidate("credit_note", 0.85, index)
        if re.match(r"^\s*gutschrift\b", line, re.IGNORECASE):
            # A German "Gutschrift" is often self-billing, which is an invoice
            # issued by the buyer (UNTDID 389), not a credit note.
            if _SELF_BILLED.search(line):
                return Candidate("invoice", 0.8, index)
            return Candidate("credit_note", 0.55, index)
    text = " ".join(lines[:25]).lower()
    sure = any(word in text for word in ("facture", "invoice", "rechnung"))
    return Candidate("invoice", 0.8 if sure else 0.5, 0)


def invoice_number(lines: list[str]) -> Candidate[str] | None:
    candidates: list[Candidate[str]] = []
    for index, line in enumerate(lines):
        candidates.extend(_numbers_in_line(lines, index, line))
    return best(candidates)


def _numbers_in_line(lines: list[str], index: int, line: str) -> list[Candidate[str]]:
    found: list[Candidate[str]] = []
    labelled = _NUMBER_LABELS.search(line)
    if labelled:
        value = labelled.group("value")
        if value is None and index + 1 < len(lines):  # label alone: value below
            value = lines[index + 1].split(" ")[0]
        if value and _plausible_number(value):
            found.append(Candidate(value.rstrip(".:"), 0.9, index))
    for match in _NUMBER_AFTER_DOC.finditer(line):
        value = match.group("value").rstrip(".:")
        before = line[:match.start()]
        if _DATE_WORD_BEFORE.search(before) or refers_to_other(before):
            continue  # "Datum factuur 10 maart": a date's label; "Credit for invoice …": another document
        # What brackets hold explains the title ("Gutschrift (Selbst ausgestellte Rechnung) Nr. …").
        tail = re.sub(r"\([^)]*\)", " ", match.group("tail") or "")
        if not _plausible_number(value) or _NOT_OWN_NUMBER.search(tail) or BUYER_WORDS.search(tail):
            continue
        score = 0.85 if match.group("mark") else 0.75
        # A title at the top of the page is the document's own number.
        found.append(Candidate(value, score + (0.05 if index < 15 else 0.0), index))
    return found


def _plausible_number(value: str) -> bool:
    if not any(ch.isdigit() for ch in value) or DATE_RE.fullmatch(value):
        return False
    # A lone decimal amount ("198,00") or a percentage is not a number label.
    return not re.fullmatch(r"\d+[.,]\d{2}", value)


def issue_and_due_dates(lines: list[str]) -> tuple[Candidate[str] | None, Candidate[str] | None]:
    issue: list[Candidate[str]] = []
    due: list[Candidate[str]] = []
    month_first = uses_month_first("\n".join(lines))
    for index, line in enumerate(lines):
        for offset, found in find_dates(line, month_first):
            before = line[:offset]
            window = (lines[index - 1] + " " + before) if index and not before.strip() else before
            if _DUE_LABELS.search(window[-40:]):
                due.append(Candidate(found.isoformat(), 0.85, index))
                continue
            label = _last_label(_ISSUE_LABELS, window[-50:])
            if NOT_THE_DOCUMENTS_DATE.search(before) or _EVENT_DATES.search(window) \
                    or _OF_A_RELATED_DOCUMENT.search(window[-50:]):
                issue.append(Candidate(found.isoformat(), 0.1, index))  # a version's, a printout's, a delivery's
            elif _PLACE_AND_DATE.match(before):
                issue.append(Candidate(found.isoformat(), 0.85, index))
            elif _qualified(window[-50:]):
                issue.append(Candidate(found.isoformat(), QUALIFIED_DATE, index))
            elif label is not None:
                strong = _STRONG_ISSUE.search(label) is not None
                issue.append(Candidate(found.isoformat(), 0.9 if strong else 0.7, index))
            else:
                issue.append(Candidate(found.isoformat(), 0.35, index))
    return best(issue), best(due)


# Payment terms that state a number of days: "30 days", "à 30 jours", "30 Tage", "net 30".
_TERM_DAYS = re.compile(r"\b(\d{1,3})\s*(?:days?|jours?|tagen?|dagen|giorni|d[ií]as)\b|\bnet\s*(\d{1,3})\b",
                        re.IGNORECASE)


def dates_by_terms(issue: Candidate[str] | None, due: Candidate[str] | None,
                   lines: list[str]) -> tuple[Candidate[str] | None, Candidate[str] | None]:
    """Issue and due dates read month first instead, when no printed date tells the order, both were
    printed as numbers that read either way, and only month first puts the due date the stated number
    of days after the issue date ("11/03/2017" … "12/03/2017", "balance at 30 days": 3 November, 3 December)."""
    text = "\n".join(lines)
    if issue is None or due is None or any(date_order_evidence(text)):
        return issue, due
    days = {int(a or b) for a, b in _TERM_DAYS.findall(text)}
    issued, owed = date.fromisoformat(issue.value), date.fromisoformat(due.value)
    either = ambiguous_numeric_dates(text)
    if not days or (owed - issued).days in days or not {issued, owed} <= either:
        return issue, due
    turned = [_month_first(issued), _month_first(owed)]
    if turned[0] is None or turned[1] is None or (turned[1] - turned[0]).days not in days:
        return issue, due
    return replace(issue, value=turned[0].isoformat()), replace(due, value=turned[1].isoformat())


def _month_first(value: date) -> date | None:
    try:
        return value.replace(month=value.day, day=value.month)
    except ValueError:
        return None


def _qualified(window: str) -> bool:
    """Whether the last date label of `window` (the text before a date) is a common word ("Date", "Datum")
    that other words make another thing's: "Service date", "Date de commande"."""
    matches = list(_ISSUE_LABELS.finditer(window))
    if not matches or not _COMMON_DATE_WORD.match(matches[-1].group(0)):
        return False
    last = matches[-1]
    prefix, between = window[:last.start()], window[last.end():]
    if _ISSUE_WORDS.search(between) or _ISSUE_WORDS.search(prefix[-20:]):
        return False
    return bool(_WORD_JUST_BEFORE.search(prefix) or _WORDS_BETWEEN.search(between))


def _last_label(pattern: re.Pattern[str], text: str) -> str | None:
    matches = list(pattern.finditer(text))
    return matches[-1].group(0) if matches else None


_CURRENCY_LABEL = re.compile(
    r"(devise|monnaie|currency|rechnungswährung|währung)\s*:?\s*((?-i:[A-Z]{3}))\b", re.IGNORECASE
)


def currency(lines: list[str]) -> Candidate[str] | None:
    for index, line in enumerate(lines):
        labelled = _CURRENCY_LABEL.search(line)
        if labelled and "steuer" not in labelled.group(1).lower():
            return Candidate(labelled.group(2).upper(), 0.95, index)
    counts: Counter[str] = Counter()
    for line in lines:
        counts["EUR"] += line.count("€")
        counts["GBP"] += line.count("£")
        counts["USD"] += line.count("$")
        counts.update(CURRENCY_CODE_RE.findall(line))
    if not counts or counts.most_common(1)[0][1] == 0:
        return None
    code, hits = counts.most_common(1)[0]
    share = hits / sum(counts.values())
    return Candidate(code, round(0.5 + 0.4 * share, 3), 0)


# Countries whose currency is the euro, by the prefix of their VAT number or IBAN (Greece's VAT is EL).
EUROZONE = frozenset("AT BE CY DE EE EL GR ES FI FR HR IE IT LT LU LV MT NL PT SI SK".split())
# An invoice that prints no currency at all, from a seller of the euro area, is in euros: likely, not sure.
EURO_BY_COUNTRY = 0.5


def currency_by_country(*identifiers: str | None) -> Candidate[str] | None:
    """EUR when the seller's VAT number or the IBAN to pay is of a euro country, for a page that names no
    currency."""
    if any(value and value[:2].upper() in EUROZONE for value in identifiers):
        return Candidate("EUR", EURO_BY_COUNTRY, -1)
    return None
