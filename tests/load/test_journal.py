"""The ledger's journal: writes are durable at once, reach DuckDB on a background thread.

Applying the journal to DuckDB used to block the sending thread every 2 s (12 % of it on the
2 000 000-record people path). These tests hold an apply at a gate to show the next write does
not wait for it, and check the two promises the background apply must keep: a killed run's
journal still holds every line not yet applied, and a failed apply loses nothing and is raised
where the loader can see it.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from load.core.journal import read_journal
from load.core.ledger import Entry, Ledger

GATE_TIMEOUT = 30.0


def entry(n: int) -> Entry:
    return Entry("person", f"ext-{n}", "created", record_id=f"id-{n}")


def external_ids(ledger: Ledger) -> list[str]:
    rows = ledger.query("select external_id from migration.ledger order by seq")
    return [r["external_id"] for r in rows]


def test_a_write_does_not_wait_for_a_running_apply(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "s.duckdb", flush_interval=0)
    run = ledger.start_run("load", "http://x", "v2", {})
    real_apply = ledger._journal._apply
    entered, gate = threading.Event(), threading.Event()

    def held_apply(ops):
        entered.set()
        assert gate.wait(GATE_TIMEOUT)
        real_apply(ops)

    ledger._journal._apply = held_apply
    ledger.record(run, [entry(1)])
    assert entered.wait(GATE_TIMEOUT), "the first write should start a background apply"
    ledger.record(run, [entry(2)])  # returns while the apply is held at the gate
    journalled = [row[3] for op in read_journal(ledger.journal_path) for row in op["rows"]]
    assert journalled == ["ext-1", "ext-2"]
    gate.set()
    assert external_ids(ledger) == ["ext-1", "ext-2"]  # a read drains the journal first
    ledger.close()
    assert read_journal(ledger.journal_path) == []


def test_a_killed_runs_journal_holds_exactly_what_was_not_applied(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    ledger = Ledger(path, flush_interval=3600)
    run = ledger.start_run("load", "http://x", "v2", {})
    ledger.record(run, [entry(1)])
    ledger.flush()
    ledger.record(run, [entry(2), entry(3)])
    left = read_journal(ledger.journal_path)
    assert [row[3] for op in left for row in op["rows"]] == ["ext-2", "ext-3"]
    # the process dies here without closing: the next ledger replays the journal
    again = Ledger(path, flush_interval=3600)
    assert external_ids(again) == ["ext-1", "ext-2", "ext-3"]
    again.close()


def test_a_failed_apply_is_raised_on_the_next_write_and_loses_nothing(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "s.duckdb", flush_interval=0)
    run = ledger.start_run("load", "http://x", "v2", {})
    real_apply = ledger._journal._apply
    failed = threading.Event()

    def failing_apply(ops):
        failed.set()
        raise RuntimeError("file locked by another process")

    ledger._journal._apply = failing_apply
    ledger.record(run, [entry(1)])
    assert failed.wait(GATE_TIMEOUT)
    ledger._journal._worker.join(GATE_TIMEOUT)
    with pytest.raises(RuntimeError, match="locked"):
        ledger.record(run, [entry(2)])
    ledger._journal._apply = real_apply
    ledger.record(run, [entry(3)])
    assert external_ids(ledger) == ["ext-1", "ext-3"]
    ledger.close()
