"""The dbt phase's progress comes from dbt's structured events, not from its text."""

from __future__ import annotations

import json

from bizmig.phases import read_dbt_line


def event(name: str, msg: str, **data: object) -> str:
    """One line as ``dbt --log-format json`` prints it (only the parts bizmig reads)."""
    return json.dumps({"info": {"name": name, "level": "info", "msg": msg}, "data": data})


def test_finished_nodes_move_the_bar_and_every_line_keeps_its_text():
    lines = [
        event("LogHookEndLine", "1 of 1 OK hook: bizmig.on-run-start.0", index=1, total=1),
        event("LogStartLine", "1 of 3 START sql table model marts.people", index=1, total=3),
        event("LogModelResult", "1 of 3 OK created sql table model marts.people", index=1, total=3),
        event("LogTestResult", "2 of 3 FAIL 3 unique_people_id", index=2, num_models=3),
        event("SkippingDetails", "3 of 3 SKIP relation marts.notes", index=3, total=3),
        event("Formatting", "a model called 3 of 9 OK is only text"),
        "UserWarning: a Python warning on the same pipe\n",
    ]
    read = [read_dbt_line(line) for line in lines]
    assert [(r.done, r.total) for r in read if r.done is not None] == [(1, 3), (2, 3), (3, 3)]
    assert read[3].text == "2 of 3 FAIL 3 unique_people_id"
    assert read[5].done is None and read[5].text == "a model called 3 of 9 OK is only text"
    assert read[6].text == "UserWarning: a Python warning on the same pipe"


def test_an_event_without_a_total_is_no_progress():
    line = read_dbt_line(event("LogTestResult", "1 of ? PASS x", index=1))
    assert (line.done, line.total, line.text) == (None, None, "1 of ? PASS x")
