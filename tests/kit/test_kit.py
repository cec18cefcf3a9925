"""The acceptance kit (issue 13, part 5): what every destination must do, asserted the same way.

Each test runs once per built destination (``harness``; tests/kit/harness.py), on a private
copy of the shared 40-client account, against a fresh stand-in: exact counts per object, a
rerun that writes nothing, the fewest record writes the write path allows, a clean reconcile,
``kill -9`` at seeded points then resume, injected throttling / 5xx / dropped connections, a
refused record quarantined while the rest lands, and rollback to a destination equal to its
snapshot. Counts are asserted, never wall-clock time.
"""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import duckdb
import pytest

from tests.killing import kill_after
from tests.kit.conftest import (
    Undisturbed,
    bizmig,
    command,
    differences,
    load,
    load_args,
    problems,
)
from tests.kit.harness import Harness
from tests.load.conftest import FAST

SEED = 20261203
KINDS = ("throttle", "5xx", "dropped")


def test_exact_counts_fewest_writes_clean_reconcile_and_a_rerun_that_writes_nothing(
    harness: Harness, start, staging: Path, tmp_path: Path
):
    stand_in = start()
    first = load(harness, stand_in, staging)
    assert first.returncode == 0, first.stderr[-3000:]
    expected = harness.expected(staging)
    objects = first.json()["objects"]
    for obj, rows in expected.items():
        assert (objects[obj]["created"], objects[obj]["quarantined"]) == (rows, 0), obj
    assert problems(harness, harness.holdings(stand_in), staging) == []
    writes = sum(map(harness.is_record_write, stand_in.requests()))
    assert writes == harness.minimum_record_writes(staging)

    args = ["reconcile", "--to", harness.name, "--json", "--out", str(tmp_path / "rec"), *FAST]
    reconciled = bizmig(harness, stand_in, staging, *args)
    assert reconciled.returncode == 0, reconciled.stdout[-3000:]
    assert reconciled.json()["ok"] is True

    since = len(stand_in.requests())
    again = load(harness, stand_in, staging)
    assert again.returncode == 0, again.stderr[-3000:]
    assert [r for r in stand_in.requests(since) if harness.is_write(r)] == []
    for obj, rows in expected.items():
        assert again.json()["objects"][obj]["unchanged"] == rows, obj


def test_kill_9_at_a_seeded_point_then_resume_is_exact(
    harness: Harness, start, staging: Path, undisturbed: Undisturbed, kill_point: int
):
    k = random.Random(SEED + kill_point).randint(1, max(1, undisturbed.record_writes - 1))
    stand_in = start(*harness.slow)
    cmd, env = command(harness, stand_in, staging, *load_args(harness))
    process = subprocess.Popen(
        cmd,
        env=env,
        cwd=staging.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    kill_after(process, stand_in, k, counts=harness.is_record_write)
    resumed = load(harness, stand_in, staging)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    held = harness.holdings(stand_in)
    assert problems(harness, held, staging) == [], f"killed after record write {k}"
    assert differences(held, undisturbed.content) == [], f"killed after record write {k}"


@pytest.mark.parametrize("kind", KINDS)
def test_injected_faults_still_land_everything_exactly_once(
    harness: Harness, start, staging: Path, undisturbed: Undisturbed, kind: str
):
    fault = harness.faults[kind]
    stand_in = start(*fault.options)
    result, stops = load(harness, stand_in, staging), 0
    while fault.stops_with is not None and result.returncode == fault.stops_with and stops < 20:
        stops += 1  # stopped cleanly at the destination's budget: its window passes, rerun
        harness.recover(stand_in)
        result = load(harness, stand_in, staging)
    assert result.returncode == 0, result.stderr[-3000:]
    assert stops > 0 or fault.stops_with is None, "the load never stopped at the budget"
    assert fault.seen in harness.fault_seen(stand_in.requests()), "no fault was injected"
    held = harness.holdings(stand_in)
    assert problems(harness, held, staging) == []
    assert differences(held, undisturbed.content) == []


def test_a_refused_record_is_quarantined_with_its_reason_and_the_rest_lands(
    harness: Harness, start, staging: Path
):
    obj, external_id = harness.refuse_one(staging)
    stand_in = start()
    result = load(harness, stand_in, staging)
    assert result.returncode == 0, result.stderr[-3000:]
    held = harness.holdings(stand_in)
    assert external_id not in {key for key, _ in held[obj]}
    with duckdb.connect(str(staging), read_only=True) as con:
        action, message = con.execute(
            "select action, message from migration.ledger_current "
            "where destination = ? and object = ? and external_id = ?",
            [harness.name, obj, external_id],
        ).fetchone()
        quarantined = dict(
            con.execute(
                "select object, count(*) from migration.ledger_current "
                "where destination = ? and action = 'quarantined' group by object",
                [harness.name],
            ).fetchall()
        )
    assert action == "quarantined" and message, (action, message)
    # nothing is lost: every mart row is held by the destination or quarantined with a reason
    # (records that point at the refused one are held back, not sent without their parent)
    for kind, rows in harness.expected(staging).items():
        assert len(held[kind]) + quarantined.get(kind, 0) == rows, kind
        assert result.json()["objects"][kind]["quarantined"] == quarantined.get(kind, 0), kind
    assert quarantined[obj] == 1


def test_rollback_returns_the_destination_to_its_snapshot(harness: Harness, start, staging: Path):
    stand_in = start()
    harness.populate(stand_in, staging)
    before = harness.snapshot(stand_in)
    assert load(harness, stand_in, staging).returncode == 0
    assert harness.snapshot(stand_in) != before
    undo = bizmig(
        harness, stand_in, staging, "rollback", "--to", harness.name, "--yes", "--schema", *FAST
    )
    assert undo.returncode == 0, undo.stderr[-3000:]
    assert harness.snapshot(stand_in) == before
