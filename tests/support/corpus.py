"""Where the real e-invoices are read from (in place, never copied into the repo).

Beside the repository in ``../shared/corpus/facturx``, or ``BORDEREAU_CORPUS_DIR``.
A test that needs them skips where the folder is absent (a user's fresh clone)
and fails where ``CI`` is set.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def corpus_dir() -> Path:
    return Path(os.environ.get("BORDEREAU_CORPUS_DIR") or REPO.parent / "shared" / "corpus" / "facturx")


def corpus_pdfs(pattern: str = "*.pdf") -> list[Path | None]:
    """The corpus files for parametrisation; one placeholder when the folder is
    absent, so that the test still runs and says why it skips."""
    folder = corpus_dir()
    return sorted(folder.glob(pattern)) if folder.is_dir() else [None]


def require(path: Path | None) -> Path:
    if path is None:
        missing()
    assert path is not None
    return path


def missing() -> None:
    reason = f"the e-invoice corpus is not at {corpus_dir()} (a fresh clone has no ../shared)"
    if os.environ.get("CI"):
        pytest.fail(reason + "; CI must run these tests")
    pytest.skip(reason)
