"""Logs as JSON lines, each with the request or task it belongs to.

Nothing sensitive goes in: API keys never reach a log line (the auth code logs
none, and the ``Authorization`` header is not logged by anyone).
"""

from __future__ import annotations

import json
import logging
import re
import sys
from contextvars import ContextVar
from datetime import UTC, datetime

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
task_id: ContextVar[str | None] = ContextVar("task_id", default=None)
document_id: ContextVar[str | None] = ContextVar("document_id", default=None)
_CONTEXT = (("request_id", request_id), ("task_id", task_id), ("document_id", document_id))

# A caller's X-Request-ID is kept when it is a plain token of sane length: it goes into every log
# line, the outbox and task headers, so anything else (spaces, quotes, control characters, a
# kilobyte of text) is replaced by an id of ours rather than logged.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")

# Attributes every LogRecord has; anything else was passed with ``extra=``.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, var in _CONTEXT:
            if (value := var.get()) is not None:
                line[key] = value
        line.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD and not k.startswith("_")})
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


def sane_request_id(value: str | None) -> str | None:
    """`value` if it may serve as a request id, else None (the caller makes a new one)."""
    return value if value is not None and _SANE_REQUEST_ID.fullmatch(value) else None


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)
