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
