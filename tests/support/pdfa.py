"""What a PDF/A-3B file must show in its structure, checked without a full validator (none runs
offline here): the metadata's PDF/A part and level, an sRGB output intent with its profile, every
font embedded, no encryption, and, for Factur-X, the XML attached with its relationship named."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader
from pypdf.generic import DictionaryObject


def pdfa3_problems(pdf: bytes, *, attachment: str | None = None) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf))
    problems = []
    if reader.is_encrypted:
        problems.append("encrypted")
    root = reader.trailer["/Root"]
    metadata = root.get("/Metadata")
    xmp = metadata.get_object().get_data() if metadata is not None else b""
    if not re.search(rb"pdfaid:part\s*(=\s*['\"]|>)\s*3", xmp) or not re.search(
            rb"pdfaid:conformance\s*(=\s*['\"]|>)\s*B", xmp):
        problems.append("metadata do not declare PDF/A-3B")
    intents = [i.get_object() for i in root.get("/OutputIntents", [])]
    if not any(i.get("/S") == "/GTS_PDFA1" and "/DestOutputProfile" in i for i in intents):
        problems.append("no PDF/A output intent with its colour profile")
    problems += [f"font {name} not embedded" for name in _fonts_not_embedded(reader)]
    if attachment is not None:
        files = [f.get_object() for f in root.get("/AF", [])]
        if not any(f.get("/F") == attachment and "/AFRelationship" in f for f in files):
            problems.append(f"{attachment} is not an associated file with its relationship")
    return problems


def _fonts_not_embedded(reader: PdfReader) -> set[str]:
    missing = set()
    for page in reader.pages:
        fonts = page.get("/Resources", {}).get_object().get("/Font", {})
        for font in fonts.get_object().values():
            font = font.get_object()
            descriptor = _descriptor(font)
            if descriptor is None or not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                missing.add(str(font.get("/BaseFont")))
    return missing


def _descriptor(font: DictionaryObject) -> DictionaryObject | None:
    if "/FontDescriptor" in font:
        return font["/FontDescriptor"].get_object()  # type: ignore[no-any-return]
    for descendant in font.get("/DescendantFonts", []):
        inner = descendant.get_object()
        if "/FontDescriptor" in inner:
            return inner["/FontDescriptor"].get_object()  # type: ignore[no-any-return]
    return None
