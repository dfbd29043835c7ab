"""A text PDF's words with their boxes, from PDFium's text layer (pypdfium2).

PDFium gives each character its box; words are rebuilt here: a word ends at a space of the file, where
the next character starts on another baseline, after a gap wider than a third of the type size
(columns printed without a space between them), or where PDFium guessed a space and the gap is wider
than a sixth or so of the type size (`GENERATED_GAP`: kerning within a word is narrower).

PDFium runs in the worker's own process: it reads a text layer in a few milliseconds a page, where
a child process would cost more than the whole reading. A hostile file that hangs it is stopped
by the task's hard time limit and, after `max_attempts`, fails with its reason (README, "Delivery
guarantees"). Only the first `MAX_PAGES_READ` pages are read: an invoice's fields are on its first
pages, and a 500-page file must not cost 500 pages of words.
"""

from __future__ import annotations

from pathlib import Path

from ingest.documents.layout import PageWords, Word

MAX_PAGES_READ = 5
# A gap wider than this share of the type size ends a word; where PDFium guessed a space (none is in the
# file), a narrower one does: a space is a fifth of the type size at least, and some generators set a
# word's letters apart with kerning that PDFium takes for one ("Ver käufer").
WORD_GAP, GENERATED_GAP = 0.33, 0.15
# So many one-letter words in a row on one baseline are a word printed letter-spaced.
LETTER_RUN = 4


def pdf_words(path: Path, pages: int = MAX_PAGES_READ) -> list[PageWords]:
    """The words of the first `pages` pages; an empty list when PDFium cannot open the file."""
    import pypdfium2 as pdfium  # loaded by the processes that read PDFs, not by every command

    try:
        pdf = pdfium.PdfDocument(path)
    except pdfium.PdfiumError:
        return []
    try:
        return [_page(pdf[index], index + 1) for index in range(min(pages, len(pdf)))]
    finally:
        pdf.close()


def _page(page: object, number: int) -> PageWords:
    import ctypes

    import pypdfium2.raw as raw

    width, height = page.get_size()  # type: ignore[attr-defined]
    textpage = page.get_textpage()  # type: ignore[attr-defined]  # kept: its handle lives as long as it does
    handle = textpage.raw
    # One set of out-parameters for every character: the raw calls cost a fifth of the wrapper's.
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    refs = [ctypes.byref(v) for v in (left, right, bottom, top)]
    words: list[Word] = []
    current: list[tuple[str, float, float, float, float]] = []
    size = 0.0
    generated = False
    for index in range(raw.FPDFText_CountChars(handle)):
        char = chr(raw.FPDFText_GetUnicode(handle, index))
        if raw.FPDFText_IsGenerated(handle, index) == 1:
            generated = True  # PDFium's guess of a space: the gap decides (`GENERATED_GAP`)
            continue
        if char.isspace():
            _flush(words, current)
            continue
        raw.FPDFText_GetCharBox(handle, index, *refs)
        size = raw.FPDFText_GetFontSize(handle, index) or (top.value - bottom.value) or size
        box = (char, left.value, height - top.value, right.value, height - bottom.value)
        if current and _breaks(current[-1], box, size, GENERATED_GAP if generated else WORD_GAP):
            _flush(words, current)
        current.append(box)
        generated = False
    _flush(words, current)
    return PageWords(number, width, height, tuple(_join_letter_spaced(words)))


def _join_letter_spaced(words: list[Word]) -> list[Word]:
    """Words printed letter by letter ("B e l e g - N r", as some billing systems space their type)
    joined back: a run of one- or two-character words on one baseline becomes words again where its
    gaps are the run's usual letter gap, and splits where a gap is clearly wider (a space)."""
    out: list[Word] = []
    run: list[Word] = []
    for word in [*words, None]:
        if word is not None and len(word.text) <= 2 and (not run or _spaced_after(run[-1], word)):
            run.append(word)
            continue
        out.extend(_rejoined(run) if len(run) >= LETTER_RUN else run)
        run = [word] if word is not None and len(word.text) <= 2 else []
        if word is not None and not run:
            out.append(word)
    return out


def _spaced_after(previous: Word, word: Word) -> bool:
    same_line = abs((word.y0 + word.y1) / 2 - (previous.y0 + previous.y1) / 2) < max(previous.height, 1.0) * 0.3
    return same_line and 0 <= word.x0 - previous.x1 < max(previous.height, 1.0)


def _rejoined(run: list[Word]) -> list[Word]:
    gaps = [b.x0 - a.x1 for a, b in zip(run, run[1:], strict=False)]
    letter = sorted(gaps)[len(gaps) // 2]
    wide = max(letter * 1.8, letter + max(w.height for w in run) * 0.25)
    groups: list[list[Word]] = [[run[0]]]
    for gap, word in zip(gaps, run[1:], strict=True):
        if gap > wide:
            groups.append([word])
        else:
            groups[-1].append(word)
    return [Word("".join(w.text for w in group), group[0].x0, min(w.y0 for w in group), group[-1].x1,
                 max(w.y1 for w in group)) for group in groups]


def _breaks(previous: tuple[str, float, float, float, float], char: tuple[str, float, float, float, float],
            size: float, gap: float = WORD_GAP) -> bool:
    """Whether `char` starts a new word after `previous`: another baseline, a step back, or a gap wider than
    `gap` type sizes."""
    _, _, top0, right0, bottom0 = previous
    _, left, top, _, bottom = char
    middle0, middle = (top0 + bottom0) / 2, (top + bottom) / 2
    if abs(middle - middle0) > max(size, 1.0) * 0.5:
        return True
    return left < right0 - size * 0.5 or left - right0 > size * gap


def _flush(words: list[Word], chars: list[tuple[str, float, float, float, float]]) -> None:
    if chars:
        # PDFium gives UTF-16 code units: a character beyond the first plane comes as two halves.
        text = "".join(c[0] for c in chars).encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        words.append(Word(text, min(c[1] for c in chars), min(c[2] for c in chars),
                          max(c[3] for c in chars), max(c[4] for c in chars)))
        chars.clear()
