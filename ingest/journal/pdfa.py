"""An invoice's PDF made PDF/A-3 (level B), the base a Factur-X file must have.

The `factur-x` library embeds the XML and writes metadata that declare PDF/A-3; it does not make the
pages conform. A PDF that does not already declare PDF/A is therefore rewritten first by Ghostscript
(`pdfwrite` with `-dPDFA=3`): fonts embedded, colours in sRGB with its output intent, no
transparency or encryption that PDF/A forbids. Ghostscript reads a client's file, so it runs as a
child with a time limit, a memory cap and `-dSAFER`, reading nothing but the file and the colour
profile.
"""

from __future__ import annotations

import io
import re
import resource
import shutil
import subprocess
import tempfile
from importlib import resources
from pathlib import Path

from pypdf import PdfReader

SECONDS = 60
MEMORY_BYTES = 1024**3
# Debian's ghostscript package installs the sRGB profile here.
ICC_PROFILES = (Path("/usr/share/color/icc/ghostscript/srgb.icc"), Path("/usr/share/color/icc/sRGB.icc"))
_PDFA_PART = re.compile(rb"pdfaid:part\s*(?:=\s*['\"]|>)\s*([1-4])")


class PdfaUnavailable(RuntimeError):
    """PDF/A files cannot be made here; the message says why."""


class PdfaFailed(RuntimeError):
    """This PDF could not be made PDF/A; the message says why."""


def declares_pdfa(pdf: bytes) -> bool:
    """Whether the file's metadata already declares a PDF/A part (its XMP packet is plain text)."""
    return _PDFA_PART.search(pdf) is not None


def as_pdfa3(pdf: bytes) -> bytes:
    """The same pages as PDF/A-3B."""
    command, profile = shutil.which("gs"), next((p for p in ICC_PROFILES if p.is_file()), None)
    if command is None or profile is None:
        raise PdfaUnavailable("Ghostscript or its sRGB profile is not installed (package ghostscript)")
    with tempfile.TemporaryDirectory(prefix="pdfa-") as folder:
        work = Path(folder)
        (work / "in.pdf").write_bytes(pdf)
        intent = resources.files("ingest.journal").joinpath("srgb_intent.ps").read_text()
        (work / "intent.ps").write_text(intent.replace("ICC_PROFILE", str(profile)))
        args = [command, "-q", "-dPDFA=3", "-dPDFACompatibilityPolicy=1", "-dBATCH", "-dNOPAUSE", "-dSAFER",
                f"--permit-file-read={profile}", "-sDEVICE=pdfwrite", "-sColorConversionStrategy=RGB",
                f"-sOutputFile={work / 'out.pdf'}", str(work / "intent.ps"), str(work / "in.pdf")]
        try:
            done = subprocess.run(args, capture_output=True, timeout=SECONDS, check=False, preexec_fn=_limits)
        except subprocess.TimeoutExpired:
            raise PdfaFailed(f"rewriting it as PDF/A took more than {SECONDS} s") from None
        out = work / "out.pdf"
        if done.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
            raise PdfaFailed("Ghostscript could not rewrite it as PDF/A (a damaged or unusual PDF)")
        rewritten = out.read_bytes()
    # Ghostscript repairs what it can, and makes a blank page of what it cannot read: a page count
    # that changed is a rewrite that lost something.
    if _pages(rewritten) != _pages(pdf):
        raise PdfaFailed("Ghostscript could not rewrite every page of it as PDF/A (a damaged PDF)")
    return rewritten


def _pages(pdf: bytes) -> int | None:
    try:
        return len(PdfReader(io.BytesIO(pdf)).pages)
    except Exception:  # noqa: BLE001 - unreadable is an answer here: no count to match
        return None


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (SECONDS, SECONDS + 1))
