"""Which language a page is written in, from the short words its text is full of.

Tesseract reads faster and better with one language model than with two: it runs the second only on
words the first was unsure of, and each model's dictionary steers the other wrong. So a document's
first page is read in French (most of our invoices) and its stop words decide the language of the
rest, and of that page again when it is not French. Only the languages whose data is installed are
candidates.
"""

from __future__ import annotations

import re
from collections import Counter

# Words frequent in invoices' running text and rare in the other languages listed.
STOP_WORDS: dict[str, frozenset[str]] = {
    "fra": frozenset("le la les des du de et en au aux pour par sur une un est avec facture total tva "
                     "date montant client payer paiement conditions".split()),
    "eng": frozenset("the and of to for with by is are on invoice amount due payment terms "
                     "customer date total vat".split()),
    "deu": frozenset("der die das und mit von für ist zu den dem des rechnung betrag summe "
                     "zahlung kunde datum gesamt mwst ust".split()),
    "spa": frozenset("el la los las y de del para con por es una factura importe cliente pago "
                     "fecha iva".split()),
    "ita": frozenset("il lo la gli le e di del della per con da è una fattura importo cliente "
                     "pagamento data iva totale".split()),
    "nld": frozenset("de het een en van voor met is op te factuur bedrag klant betaling datum "
                     "btw totaal".split()),
}
# Fewer stop words than this and the text says nothing reliable: keep the default.
MIN_EVIDENCE = 5

_WORD = re.compile(r"[^\W\d_]+")


def detect_language(text: str, installed: set[str], default: str) -> str:
    """The installed language whose stop words ``text`` holds most of, or ``default``."""
    words = Counter(w.lower() for w in _WORD.findall(text))
    scores = {lang: sum(words[w] for w in stops) for lang, stops in STOP_WORDS.items() if lang in installed}
    if not scores:
        return default
    best = max(scores, key=lambda lang: (scores[lang], lang == default))
    return best if scores[best] >= MIN_EVIDENCE else default
