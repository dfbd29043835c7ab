"""Mending what OCR commonly gets wrong on invoices, before the text rules and the layout read it.

Two faults of recognised text cost the most fields on scans, and both have a general cure:

- **A label's word misspelt** ("Reehnungsdatum" for "Rechnungsdatum"): a long word the engine was
  unsure of, and that the label vocabulary lacks, is replaced by the one label word close to it (at
  most one edit in six letters; the same first letter below nine letters, while a longer word's first
  letter may be the misread one: "Oruttosumme" is "Bruttosumme", "Hettowert" "Nettowert"). A compound's
  parts are mended together ("MuSt-Betrag" is "MwSt-Betrag"). A word that merely extends or
  shortens a label word ("Abschlag", "livraisons") is another word, not a misreading, and stays. Only
  the reading sees the mended words; the document's text is kept as recognised.
- **A table's rule or a speck read as a character** ("Total|", "‚Rechnungsnummer"): a "|" glued to a
  word, a low or single quote before its first letter, is no part of it.
- **A label's words glued** ("TotalHT", "TotalTTC", "Nettotal"): the narrow space between two words
  of a label is lost as easily. A word spelling a label of several words without its spaces, and
  no label word itself, is split into the label's words.
- **A decimal comma lost** ("177,49" read "17749"): the comma is a speck of ink a scan's noise easily
  swallows. A total read as a whole number of three digits or more also stands, a little less
  trusted, as its hundredth (`with_lost_cents`); the choice of totals that add up then tells which
  was printed.
- **A minus sign lost** ("-14,99" read "14,99"): a dash as thin as a comma goes the same way. When
  some total of the page is printed negative (a credit note, a correction), every positive total
  also stands, a little less trusted, negated (`with_lost_signs`); again the totals that add up tell.
- **An identifier's digit read as a letter, or a speck as a digit** ("BE0O724395703", "FR556459066865"):
  a word shaped as a VAT number whose check digits fail is replaced by the one spelling, among its
  look-alike letters read as digits ("O" as "0", "I" or "l" as "1", "S" as "5", "B" as "8", "Z" as "2")
  and its spellings without one character, that passes its check (`textparse.vat_parts`); with none or
  several, it stays. A digit read as another is left alone: among as many spellings, one passes a check of two
  digits too often by chance.
  A number recognised in groups ("FR 556459066865", "NL 732 711 939 BO3") is mended as one word. The
  French first of the month, "1er", read "ler" or "Ier", is mended alike.
- **A tilted page** (a scan fed a little askew): a label and its value far right on the same row stand
  at heights that differ by more than a line's, and a row breaks in two. The tilt is measured on the
  words' own boxes (the median slope between each word and its nearest neighbour on its right, level
  with it) and taken away from every word's height (`levelled`): the page is levelled without
  resampling its image, which would blur the digits the engine reads.
"""

from __future__ import annotations

import re
import statistics
from bisect import bisect_left
from dataclasses import replace
from decimal import Decimal
from functools import cache
from itertools import product

from ingest.documents.candidate import Candidate
from ingest.documents.layout import PageWords, Word
from ingest.documents.reading.labels import fold, labels
from ingest.documents.textparse import vat_parts

# Words shorter than this are left alone: too many short words lie within an edit of each other.
MIN_LENGTH = 7
# At most one edit per this many letters of the word.
LETTERS_PER_EDIT = 6
# From this many letters on, a word's first letter may be the misread one ("Oruttosumme" for "Bruttosumme").
ANY_START = 9
# Words the engine is at least this sure of are kept as recognised ("Supplies" is not "Supplier").
SURE = 0.9
# How much a total's hundredth is trusted against the whole number as recognised.
LOST_CENTS_WEIGHT = 0.9
# How much a positive total's negation is trusted on a page that prints some total negative.
LOST_SIGN_WEIGHT = 0.85
# Letters a scan's digits are read as, and the digit each stands for; at most this many of them are tried.
LOOK_ALIKES, MOST_LOOK_ALIKES = {"O": "0", "o": "0", "D": "0", "Q": "0", "I": "1", "l": "1", "i": "1", "|": "1",
                                 "Z": "2", "z": "2", "S": "5", "s": "5", "B": "8", "G": "6"}, 4
# The French first of the month, "1er", its "1" read as a letter ("ler janvier 2022"): no word of six languages.
_FIRST_OF_MONTH = {"ler": "1er", "Ier": "1er", "ler.": "1er", "Ier.": "1er"}
# A VAT number in groups: at most this many words after its country's letters, at least this many characters.
MOST_GROUPS, MIN_VAT_BODY = 5, 8
_VAT_SHAPED = re.compile(r"^([A-Z]{2})([0-9A-Za-z|]{8,14})([.,;:)]?)$")
# Slopes measured on fewer pairs of neighbouring words than this tell nothing; a smaller tilt is none.
MIN_PAIRS, LEVEL = 12, 0.002
# A neighbour on the right is at most this many word heights away, its middle within half a height.
NEIGHBOUR_GAP = 2.0
_LETTERS = re.compile(r"[^\W\d_]+")
# A table's rule read as a stroke beside a word ("Total|"), a speck read as a quote before one ("‚Rechnung").
_STRAY = re.compile(r"^\|+|\|+$|^[‚‘'`](?=[^\W\d_])")
_COMPOUND = re.compile(r"[^\W\d_]+(?:-[^\W\d_]{2,})*")  # "Bestell-D." is an abbreviation: left alone


def mend(pages: list[PageWords], texts: list[str]) -> tuple[list[PageWords], list[str]]:
    """The pages' words and texts with each misspelt label word the engine was unsure of replaced by
    the label's own spelling (the texts carry no confidence: a word is mended there as in the words)."""
    mended: dict[str, str] = {}
    for page in pages:
        for word in page.words:
            if word.text in mended:
                continue
            text = _STRAY.sub("", word.text) or word.text
            if word.confidence is not None and word.confidence < SURE:
                text = mend_word(text)
            text = _FIRST_OF_MONTH.get(text, mend_vat_number(text))
            if (text := unglue(text)) != word.text:
                mended[word.text] = text
    if mended:
        pages = [replace(page, words=tuple(part for w in page.words for part in _mended(w, mended)))
                 for page in pages]
        texts = [re.sub(r"\S+", lambda m: mended.get(m.group(), m.group()), text) for text in texts]
    return _vat_numbers_in_groups(pages, texts)


def _vat_numbers_in_groups(pages: list[PageWords], texts: list[str]) -> tuple[list[PageWords], list[str]]:
    """The pages with each VAT number recognised in groups of words ("FR 556459066865", "NL 732 711 939 BO3")
    that `mend_vat_number` mends made one word, in the words and the texts alike."""
    swaps: dict[str, str] = {}
    new_pages = []
    for page in pages:
        words, out, index = list(page.words), [], 0
        while index < len(words):
            run = _vat_run(words, index)
            if run is None:
                out.append(words[index])
                index += 1
                continue
            end, text = run
            group = words[index:end]
            swaps[" ".join(w.text for w in group)] = text
            out.append(Word(text, group[0].x0, min(w.y0 for w in group), group[-1].x1, max(w.y1 for w in group),
                            min((w.confidence for w in group if w.confidence is not None), default=None)))
            index = end
        new_pages.append(replace(page, words=tuple(out)))
    for found, text in swaps.items():
        texts = [page_text.replace(found, text) for page_text in texts]
    return new_pages, texts


def _vat_run(words: list[Word], start: int) -> tuple[int, str] | None:
    """Where a VAT number in groups starting at `start` (its country's two letters alone) ends, and its mended
    spelling, when its check fails as read and one mending passes (the words on one row, close together)."""
    prefix = words[start]
    if not (len(prefix.text) == 2 and prefix.text.isalpha() and prefix.text.isupper()):
        return None
    body, last = "", prefix
    for end in range(start + 1, min(len(words), start + MOST_GROUPS + 1)):
        word = words[end]
        if word.x0 < last.x1 or word.x0 - last.x1 > last.height * NEIGHBOUR_GAP or word.y0 > last.y1 \
                or word.y1 < last.y0:
            return None
        body, last = body + word.text, word
        if len(body) < MIN_VAT_BODY:
            continue
        spelt = f"{prefix.text}{body}"
        if _passes(spelt):
            return None
        mended = mend_vat_number(spelt)
        if mended != spelt:
            return end + 1, mended
    return None


def mend_vat_number(word: str) -> str:
    """The word, or the one spelling of it that makes a valid VAT number when it is shaped as one with
    wrong check digits: look-alike letters read as digits, or one character less (see the module)."""
    found = _VAT_SHAPED.match(word)
    if found is None or not any(c.isdigit() for c in found.group(2)[:3]):
        return word
    country, body, end = found.groups()
    if _passes(country + body):
        return word
    places = [n for n, c in enumerate(body) if c in LOOK_ALIKES][:MOST_LOOK_ALIKES]
    spellings = {body[:n] + body[n + 1:] for n in range(len(body))}
    for chosen in product((False, True), repeat=len(places)):
        spelling = list(body)
        for place, read in zip(places, chosen, strict=True):
            spelling[place] = LOOK_ALIKES[body[place]] if read else body[place]
        spellings.add("".join(spelling))
    valid = {spelling for spelling in spellings if _passes(country + spelling)}
    return f"{country}{valid.pop()}{end}" if len(valid) == 1 else word


def _passes(text: str) -> bool:
    """Whether the text is a VAT number whose check digits are right, as the readers judge it (`vat_parts`)."""
    parts = vat_parts(text)
    return parts is not None and parts[1]


def levelled(page: PageWords) -> PageWords:
    """The page's words as on a level page: the tilt their boxes show (`tilt`) taken away from each word's
    height in proportion to how far right it stands."""
    slope = tilt(page.words)
    if abs(slope) < LEVEL:
        return page
    return replace(page, words=tuple(replace(w, y0=w.y0 - slope * (w.x0 + w.x1) / 2,
                                             y1=w.y1 - slope * (w.x0 + w.x1) / 2) for w in page.words))


def tilt(words: tuple[Word, ...]) -> float:
    """The page's slope (height gained per unit rightwards): the median over each word and its nearest
    neighbour on its right on the same row; 0 with too few such pairs to tell."""
    ordered = sorted(words, key=lambda w: w.x0)
    starts = [w.x0 for w in ordered]
    slopes: list[float] = []
    for word in ordered:
        height = word.height
        if height <= 0:
            continue
        middle = (word.y0 + word.y1) / 2
        nearest: Word | None = None
        for other in ordered[bisect_left(starts, word.x1):]:
            if other.x0 - word.x1 > height * NEIGHBOUR_GAP:
                break
            if abs((other.y0 + other.y1) / 2 - middle) <= height / 2 and (nearest is None or other.x0 < nearest.x0):
                nearest = other
        if nearest is not None:
            run = (nearest.x0 + nearest.x1) / 2 - (word.x0 + word.x1) / 2
            slopes.append(((nearest.y0 + nearest.y1) / 2 - middle) / run)
    return statistics.median(slopes) if len(slopes) >= MIN_PAIRS else 0.0


def unglue(word: str) -> str:
    """``word`` split into the words of the label it spells without spaces ("TotalHT:" is "Total HT:"),
    punctuation kept; as it is when it spells none, or is a label word itself."""
    found = _LETTERS.search(word)
    if found is None or len(found.group()) < MIN_LENGTH or found.group() != word.strip(":.;,()[]|'‚"):
        return word
    folded = fold(found.group())
    label = _glued().get(folded)
    if label is None or folded in _vocabulary():
        return word
    letters, spaced, at = found.group(), [], 0
    for part in label.split():  # the printed letters, a space where the label has one
        spaced.append(letters[at:at + len(part)])
        at += len(part)
    return word[:found.start()] + " ".join(spaced) + word[found.end():]


def _mended(word: Word, mended: dict[str, str]) -> list[Word]:
    """The word as mended; split into several where its mending has spaces, the box shared by letters."""
    text = mended.get(word.text, word.text)
    parts = text.split()
    if len(parts) < 2:
        return [replace(word, text=text)]
    width = (word.x1 - word.x0) / max(len(text), 1)
    out, at = [], 0
    for part in parts:
        start = text.index(part, at)
        out.append(replace(word, text=part, x0=word.x0 + start * width, x1=word.x0 + (start + len(part)) * width))
        at = start + len(part)
    return out


def mend_word(word: str) -> str:
    """``word`` with its letters replaced by the label word they nearly spell, punctuation kept; a
    compound's parts are spelt together ("MuSt-Betrag" is "Mwst-betrag")."""
    found = _COMPOUND.search(word)
    if found is None or len(found.group()) < MIN_LENGTH or found.group() != word.strip(":.;,()[]|'‚"):
        return word
    letters = found.group()
    folded = fold(letters)
    if folded in _vocabulary():
        return word
    nearest = _nearest(folded)
    if nearest is None:
        return word
    spelt = nearest.capitalize() if letters[0].isupper() else nearest
    return word[:found.start()] + spelt + word[found.end():]


def with_lost_cents(pools: dict[str, list[Candidate[Decimal]]]) -> dict[str, list[Candidate[Decimal]]]:
    """Each pool with, beside every whole total of three digits or more, its hundredth."""
    out: dict[str, list[Candidate[Decimal]]] = {}
    for key, pool in pools.items():
        out[key] = list(pool)
        for candidate in pool:
            value = candidate.value
            if value == value.to_integral_value() and abs(value) >= 100:
                cents = value / 100
                if all(c.value != cents for c in out[key]):
                    out[key].append(Candidate(cents, round(candidate.score * LOST_CENTS_WEIGHT, 3), candidate.line))
    return out


def with_lost_signs(pools: dict[str, list[Candidate[Decimal]]]) -> dict[str, list[Candidate[Decimal]]]:
    """Each pool with, beside every positive total, its negation, when some total is printed negative."""
    if not any(candidate.value < 0 for pool in pools.values() for candidate in pool):
        return pools
    out: dict[str, list[Candidate[Decimal]]] = {}
    for key, pool in pools.items():
        out[key] = list(pool)
        for candidate in sorted(pool, key=lambda c: -c.score):  # the best reading of a value stands negated
            negated = -candidate.value
            if candidate.value > 0 and all(c.value != negated for c in out[key]):
                out[key].append(Candidate(negated, round(candidate.score * LOST_SIGN_WEIGHT, 3), candidate.line))
    return out


def _nearest(folded: str) -> str | None:
    """The one vocabulary word within reach of ``folded``; None when none, or several tie. Of two as near,
    one as long as the word is nearer: a letter misread is likelier than one added or lost ("must-betrag"
    is "mwst-betrag", not "ust-betrag")."""
    reach = len(folded) // LETTERS_PER_EDIT
    best: tuple[int, int, str] | None = None
    tied = False
    pool = _vocabulary_long() if len(folded) >= ANY_START else _by_start().get(folded[0], ())
    for candidate in pool:
        if abs(len(candidate) - len(folded)) > reach or _extends(folded, candidate):
            continue
        distance = _distance(folded, candidate, reach)
        if distance > reach:
            continue
        rank = (distance, abs(len(candidate) - len(folded)))
        if best is None or rank < best[:2]:
            best, tied = (*rank, candidate), False
        elif rank == best[:2] and candidate != best[2]:
            tied = True
    return None if best is None or tied else best[2]


def _extends(a: str, b: str) -> bool:
    return a.startswith(b) or b.startswith(a)


def _distance(a: str, b: str, limit: int) -> int:
    """Edit distance of ``a`` and ``b``, or ``limit + 1`` as soon as it must exceed ``limit``."""
    previous = list(range(len(b) + 1))
    for i, char in enumerate(a, start=1):
        current = [i]
        for j, other in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char != other)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


@cache
def _vocabulary() -> frozenset[str]:
    return frozenset(word for label in labels() for pattern in (_LETTERS, _COMPOUND)
                     for word in pattern.findall(label.text))


@cache
def _glued() -> dict[str, str]:
    """The labels of several words, made of letters only, by their spelling without spaces."""
    return {label.text.replace(" ", ""): label.text for label in labels()
            if " " in label.text and label.text.replace(" ", "").isalpha()}


@cache
def _vocabulary_long() -> tuple[str, ...]:
    return tuple(sorted(word for word in _vocabulary() if len(word) >= ANY_START - 2))


@cache
def _by_start() -> dict[str, tuple[str, ...]]:
    table: dict[str, list[str]] = {}
    for word in _vocabulary():
        if len(word) >= MIN_LENGTH - 1:
            table.setdefault(word[0], []).append(word)
    return {start: tuple(sorted(words)) for start, words in table.items()}
