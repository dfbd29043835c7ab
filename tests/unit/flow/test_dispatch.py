"""The dispatcher's pure parts: its cursor survives the database as JSON and keeps the rotation."""

from __future__ import annotations

import copy
import json

from ingest.flow.dispatch import _cursor_of
from ingest.flow.fairness import next_window
from ingest.flow.tables import DispatchCursor

QUEUES = {
    "A": {"a1": [f"a1-{i}" for i in range(10)], "a2": [f"a2-{i}" for i in range(10)]},
    "B": {"b1": [f"b1-{i}" for i in range(10)]},
    "C": {"c1": [f"c1-{i}" for i in range(10)]},
}


def _stored(cursor) -> DispatchCursor:  # type: ignore[no-untyped-def]
    """The cursor as a dispatch round saves it, through a JSON round trip."""
    data = json.loads(json.dumps({"account": cursor.account, "dossiers": dict(cursor.dossiers)}))
    return DispatchCursor(name="bulk", cursor=data)


def test_an_empty_row_is_the_start_of_the_rotation() -> None:
    assert next_window(QUEUES, 3, _cursor_of(DispatchCursor(name="bulk", cursor={})))[0] == ["a1-0", "b1-0", "c1-0"]


def test_rounds_resume_where_the_stored_cursor_stopped() -> None:
    """Windows of 2 over three accounts: each round starts at the next account, not at A again."""
    queues = copy.deepcopy(QUEUES)
    row, taken = DispatchCursor(name="bulk", cursor={}), []
    for _ in range(3):
        ids, cursor = next_window(queues, 2, _cursor_of(row))
        taken.extend(ids)
        row = _stored(cursor)
        # A round takes each id once: remove what was sent, as the database state does.
        for dossiers in queues.values():
            for queue in dossiers.values():
                for i in ids:
                    if i in queue:
                        queue.remove(i)
    assert taken == ["a1-0", "b1-0", "c1-0", "a2-0", "b1-1", "c1-1"]
