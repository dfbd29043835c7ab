"""Reading a service process's log file: its JSON lines (anything else, such as Celery's banner,
is left out)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def json_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(text) for text in path.read_text(errors="replace").splitlines() if text.startswith("{")]
