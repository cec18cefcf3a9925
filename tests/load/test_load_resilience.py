"""Pacing, injected faults, kill -9 and an auditor reading the staging file mid-load."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter

import duckdb

from tests.load.conftest import TWENTY_KEY, load, mart_counts, start_twenty
from tests.load.test_load import PLURALS


def _assert_exact_and_unique(staging, twenty) -> None:
    for obj, rows in mart_counts(staging).items():
        records = twenty.all_records(PLURALS[obj])
        assert len(records) == rows, obj
        key = "id" if obj == "noteTarget" else "bizstimId"
        assert len({r[key] for r in records}) == rows, f"duplicates in {obj}"
    with duckdb.connect(str(staging), read_only=True) as con:
        assert (
            con.execute("select count(*) from migration.ledger where state = 'pending'").fetchone()[
                0
            ]
            == 0
        )


def test_paced_load_meets_no_429_on_a_scaled_clock(staging, tmp_path):
    twenty = start_twenty(tmp_path, "--rate-limit", "40", "--rate-window", "2")
    try:
        result = load(staging, twenty, "--rate-limit", "40", "--rate-window", "2")
        assert result.returncode == 0, result.stderr
        statuses = Counter(r["status"] for r in twenty.server.requests())
        assert statuses[429] == 0
        assert sum(statuses.values()) > 40  # the bucket was really exercised
        _assert_exact_and_unique(staging, twenty)
    finally:
        twenty.server.stop()


def test_injected_429_500_and_dropped_after_commit_still_land_exactly_once(staging, tmp_path):
    faults = [
        "--p429",
        "0.05",
        "--p500",
        "0.05",
        "--p-drop-after-commit",
        "0.15",
        "--fault-seed",
        "4",
        "--rate-limit",
        "0",
    ]
    twenty = start_twenty(tmp_path, *faults)
    try:
        result = load(staging, twenty)
        assert result.returncode == 0, result.stderr
        log = twenty.server.requests()
        assert any(r["dropped"] for r in log) and any(r["status"] == 500 for r in log)
        assert any(r["status"] == 429 for r in log)
        _assert_exact_and_unique(staging, twenty)
    finally:
        twenty.server.stop()


def start_load(staging, twenty, cwd, stderr) -> subprocess.Popen:
    """`bizmig load` as a real subprocess (to kill it, or to read the file beside it)."""
    env = {
        **os.environ,
        "TWENTY_API_URL": twenty.url,
        "TWENTY_API_KEY": TWENTY_KEY,
        "BIZMIG_DUCKDB": str(staging),
    }
    cmd = [
        sys.executable,
        "-m",
        "bizmig.cli",
        "load",
        "--yes",
        "--allow-unmatched-owners",
        "--rate-limit",
        "100000",
        "--rate-window",
        "1",
    ]
    return subprocess.Popen(
        cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=stderr, text=True
    )


def test_kill_9_mid_load_then_rerun_finishes_exactly(staging, tmp_path):
    twenty = start_twenty(tmp_path, "--rate-limit", "0", "--p-slow", "0.3", "--slow-seconds", "0.2")
    try:
        proc = start_load(staging, twenty, tmp_path, subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            batches = [r for r in twenty.server.requests() if r["path"].startswith("/rest/batch/")]
            if len(batches) >= 6:
                break
            assert proc.poll() is None, "the load finished before it could be killed"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        rerun = load(staging, twenty)
        assert rerun.returncode == 0, rerun.stderr
        _assert_exact_and_unique(staging, twenty)
    finally:
        twenty.server.stop()


AUDITOR = (
    "import duckdb, sys, time\n"
    "deadline = time.time() + 60\n"
    "while True:  # poll like an auditor would, until the ledger shows the load's first rows\n"
    "    try:\n"
    "        con = duckdb.connect(sys.argv[1], read_only=True)\n"
    "    except duckdb.IOException:\n"
    "        if time.time() > deadline: raise\n"
    "        time.sleep(0.05)\n"
    "        continue\n"
    "    n = con.execute('select count(*) from migration.ledger').fetchone()[0]\n"
    "    time.sleep(0.3)  # an auditor takes their time; the loader must wait, not fail\n"
    "    con.close()\n"
    "    if n > 0 or time.time() > deadline: break\n"
    "    time.sleep(0.2)\n"
    "print(n)\n"
)


def test_an_auditor_can_open_the_staging_file_read_only_mid_load(staging, tmp_path):
    twenty = start_twenty(tmp_path, "--rate-limit", "0", "--p-slow", "0.5", "--slow-seconds", "0.2")
    try:
        proc = start_load(staging, twenty, tmp_path, subprocess.PIPE)
        deadline = time.monotonic() + 120
        while not any(r["path"].startswith("/rest/batch/") for r in twenty.server.requests()):
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.05)
        audit = subprocess.run(
            [sys.executable, "-c", AUDITOR, str(staging)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert audit.returncode == 0, audit.stderr
        assert int(audit.stdout) > 0
        assert proc.poll() is None, "the audit should have happened mid-load"
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err[-2000:]
        _assert_exact_and_unique(staging, twenty)
    finally:
        twenty.server.stop()
