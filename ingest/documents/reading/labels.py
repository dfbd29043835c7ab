"""The labels of `labels.tsv`, and finding them at the start of a cell.

Text is compared folded: lower case, accents dropped, `nº`/`no.`/`nr.` spelt `n°`, spaces single,
so that "N° Facture :" and "n° facture" meet. A label matches at the start of a cell and ends at a
word boundary; the longest label that matches wins, so "Total HT" is never taken for "Total".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

# How many words a document title may put between its name and its number mark, and how much a number
# found so is trusted.
TITLE_REACH, TITLE_WEIGHT = 5, 0.95
# "n." too, as Italian and Spanish abbreviate "numero" ("Fattura n. 12"), when a word or number follows.
_NUMBER_MARK = re.compile(r"\b(?:n[º°o]|nr|no)\b\.?|\bn\.(?=\s)", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
# What may sit between a label and its value in one cell.
SEPARATORS = " \t:#.-–=*"


# The columns of a lines table whose values are read (`reading.items`), by their labels' field.
ITEM_COLUMNS = ("item_description", "item_quantity", "item_unit", "item_unit_price", "item_price", "item_vat_rate",
                "item_amount")
# Fields of labels.tsv that list words, not labels.
_WORD_LISTS = ("document", "credit_note_title", "other_document", "refers_to", "seller_party", "buyer_party",
               "buyer_vat", "vat_label", "delivery_party", "salutation", "party_name", "legal_form", "contact_word",
               "heading_word", "related_document", *ITEM_COLUMNS, "item_other", "item_skip")


@dataclass(frozen=True)
class Label:
    field: str
    language: str
    weight: float
    text: str  # folded


@dataclass(frozen=True)
class Match:
    label: Label
    rest: str  # the cell's text after the label and its separators, as printed


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    plain = _NUMBER_MARK.sub("n°", plain.replace("º", "°"))
    return _SPACES.sub(" ", plain).strip()


@cache
def labels() -> tuple[Label, ...]:
    """Every label, longest first."""
    found = []
    text = resources.files("ingest.documents.reading").joinpath("labels.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            field, language, weight, label = line.split("\t")
            found.append(Label(field, language, float(weight), fold(label)))
    return tuple(sorted(found, key=lambda label: len(label.text), reverse=True))


def title_number(words: list[str]) -> Match | None:
    """A document's title with its number: a document word ("Facture", "Baurechnung"), then within a
    few words a number mark and the number ("Rechnung des Versicherers Nr. 01.234"), unless a word
    between says the number is another document's ("Rechnung gemäß Bestellung Nr. …")."""
    folded = [fold(word) for word in words]
    for start, word in enumerate(folded):
        if not is_document_word(word):
            continue
        for offset, between in enumerate(folded[start + 1: start + 1 + TITLE_REACH], start=start + 1):
            if between in ("n°", "#") or between.startswith("n°"):
                rest = " ".join(words[offset + 1:]) if between in ("n°", "#") else words[offset][2:]
                return Match(Label("invoice_number", "", TITLE_WEIGHT, word), rest.lstrip(SEPARATORS))
            if between in _other_documents() or is_document_word(between):
                break  # "Avoir sur facture n° …": the number of the invoice a credit note cancels
        return None
    return None


def is_document_word(word: str) -> bool:
    """Whether a folded word names a kind of document ("facture", "Baurechnung")."""
    return any(word == w or (w.startswith("*") and word.endswith(w[1:])) for w in _words("document"))


def refers_to_other(before: str) -> bool:
    """Whether the words printed just before a document word make it another document's reference
    ("Credit for invoice …", "Storno fattura n. …"): they end with one of the `refers_to` wordings."""
    folded = fold(before).rstrip(SEPARATORS + ",")
    return any(folded == words or folded.endswith(" " + words) for words in _words("refers_to"))


def starts_credit_note_title(line: str) -> bool:
    """Whether the line begins with a credit note's title ("Avoir n° 12", "Credit note", "Nota di credito")."""
    return _starts_with_listed(fold(line), "credit_note_title")


def _starts_with_listed(folded: str, kind: str) -> bool:
    """Whether folded text begins with one of the `kind` word list's entries, a whole word."""
    return any(folded.startswith(words) and not folded[len(words):len(words) + 1].isalnum()
               for words in _words(kind))


@cache
def words_pattern(kind: str) -> str:
    """A word list of `labels.tsv` as one regular expression for printed text ("document": "facture",
    "*rechnung"…): a vowel or a "c" matches its accented forms too (the words are listed folded), "*" any
    beginning of the word."""
    words = sorted(set(_words(kind)), key=len, reverse=True)
    return "(?:" + "|".join(_printed(word) for word in words) + ")"


def _printed(folded: str) -> str:
    pattern = r"\w*" if folded.startswith("*") else ""
    for char in folded.lstrip("*"):
        pattern += r"\s+" if char == " " else f"[{_ACCENTED[char]}]" if char in _ACCENTED else re.escape(char)
    return pattern


# The accented forms a folded letter stands for in the six languages.
_ACCENTED = {"a": "aàâäá", "c": "cç", "e": "eéèêë", "i": "iîïí", "o": "oôöó", "u": "uùûüú"}


@cache
def _other_documents() -> frozenset[str]:
    return frozenset(_words("other_document"))


def party_heading(cell_text: str) -> str | None:
    """``seller`` or ``buyer`` when the cell is the heading of that party's block ("Käufer:")."""
    folded = fold(cell_text).rstrip(SEPARATORS)
    for kind in ("seller", "buyer"):
        if folded in _words(f"{kind}_party"):
            return kind
    return None


def starts_with_party_word(text: str) -> bool:
    """Whether the text's first word is a party's heading ("Seller trade name", "Client :")."""
    first = fold(text).split(" ", 1)[0].rstrip(SEPARATORS) if text.strip() else ""
    return any(first == word for kind in ("seller", "buyer") for word in _words(f"{kind}_party"))


def is_contact(text: str) -> bool:
    """Whether the text starts with words that introduce a contact person or a department ("Attn"), or a
    section's heading ("Vos identifiants")."""
    folded = fold(text)
    return any(folded == word or folded.startswith(word + " ")
               for kind in ("contact_word", "heading_word") for word in _words(kind))


def legal_forms() -> tuple[tuple[str, bool], ...]:
    """The legal forms of `labels.tsv`, folded, each with whether it counts only when printed with a
    capital (weight below 1: also a common word)."""
    return tuple((label.text, label.weight < 1.0) for label in labels() if label.field == "legal_form")


def heading_and_rest(cell_text: str) -> tuple[str, str] | None:
    """A party's heading that begins a cell and the text after it ("Facturer à Informatique Martin EURL",
    "Bill to: ACME Ltd"): its party and the rest, when there is one."""
    words = cell_text.split()
    if not words or fold(words[0]).rstrip(SEPARATORS) not in _heading_first_words():
        return None  # most cells: one fold, not four
    for count in range(min(len(words) - 1, 4), 0, -1):
        kind = party_heading(" ".join(words[:count]))
        if kind is not None:
            return kind, " ".join(words[count:]).lstrip(SEPARATORS)
    return None


@cache
def _heading_first_words() -> frozenset[str]:
    return frozenset(word.split(" ", 1)[0] for kind in ("seller", "buyer") for word in _words(f"{kind}_party"))


def names_a_related_document(rest: str) -> bool:
    """Whether a label's rest starts with words that make its value another document's ("Date de facture
    associée : …", "Invoice date of the original: …")."""
    return _starts_with_listed(fold(rest), "related_document")


def names_vat(text: str) -> bool:
    """Whether the text ends with a VAT number's label ("… USt-IdNr.:", "TVA :")."""
    folded = fold(text).rstrip(SEPARATORS)
    return any(folded == label or folded.endswith(" " + label) for label in _words("vat_label"))


def names_buyer_vat(cell_text: str) -> bool:
    folded = fold(cell_text)
    return any(folded.startswith(label) for label in _words("buyer_vat"))


@cache
def _words(kind: str) -> tuple[str, ...]:
    return tuple(label.text for label in labels() if label.field == kind)


def match(cell_text: str) -> Match | None:
    """The longest label the cell starts with: "Total HT" is the total excluding tax, not a total."""
    folded = fold(cell_text)
    first = folded.split(" ", 1)[0].rstrip(SEPARATORS)
    for label in _by_first_word().get(first, ()):
        if not folded.startswith(label.text):
            continue
        end = len(label.text)
        if end < len(folded) and (folded[end].isalnum() or folded[end] == "'"):
            continue  # "total" inside "totaux", "date" inside "dated"
        return Match(label, _rest(cell_text, folded, end))
    return None


@cache
def _by_first_word() -> dict[str, tuple[Label, ...]]:
    """The labels (not the word lists) by their first word, longest first: a cell is compared with
    the few that can start it, not with all of them."""
    table: dict[str, list[Label]] = {}
    for label in labels():
        if label.field not in _WORD_LISTS:
            table.setdefault(label.text.split(" ", 1)[0].rstrip(SEPARATORS), []).append(label)
    return {word: tuple(found) for word, found in table.items()}


def _rest(printed: str, folded: str, end: int) -> str:
    """The printed text after the label: the same share of words, separators stripped."""
    words_in_label = len(folded[:end].split())
    remainder = " ".join(printed.split()[words_in_label:])
    return remainder.lstrip(SEPARATORS)
