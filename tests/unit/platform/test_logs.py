import json
import logging

from ingest.platform import logs


def test_json_lines_carry_the_request_id_and_extras() -> None:
    record = logging.makeLogRecord({"name": "x", "levelname": "INFO", "msg": "batch %s", "args": ("b1",),
                                    "documents": 3})
    token = logs.request_id.set("req-1")
    try:
        line = json.loads(logs.JsonFormatter().format(record))
    finally:
        logs.request_id.reset(token)
    assert line["msg"] == "batch b1" and line["request_id"] == "req-1" and line["documents"] == 3
    assert "task_id" not in line and line["level"] == "info"


def test_json_lines_carry_the_document_id_of_the_task() -> None:
    record = logging.makeLogRecord({"name": "x", "levelname": "INFO", "msg": "done"})
    token = logs.document_id.set("doc-1")
    try:
        line = json.loads(logs.JsonFormatter().format(record))
    finally:
        logs.document_id.reset(token)
    assert line["document_id"] == "doc-1" and "request_id" not in line


def test_a_request_id_is_kept_only_when_it_is_a_plain_token() -> None:
    for sane in ("abc", "0f8e-4b.2:x_y", "a" * 64):
        assert logs.sane_request_id(sane) == sane
    for unsafe in (None, "", "a" * 65, "two words", "line\nbreak", '"quoted"', "é"):
        assert logs.sane_request_id(unsafe) is None
