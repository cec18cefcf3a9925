"""README command 1, end to end: `bizmig demo` against both stand-ins."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from common.exits import ExitCode


def test_demo_runs_the_whole_migration_and_reconciles(tmp_path):
    workdir = tmp_path / "demo"
    run = subprocess.run(
        [sys.executable, "-m", "bizmig.cli", "demo", "--clients", "40", "--workdir", str(workdir)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    reconciliation = json.loads((workdir / "migration-report" / "reconciliation.json").read_text())
    assert reconciliation["ok"] is True
    objects = {o["object"]: o for o in reconciliation["objects"]}
    assert set(objects) == {
        "person",
        "serviceGroup",
        "tutoringService",
        "serviceLocation",
        "payment",
        "tutoringSession",
        "availabilityWindow",
        "note",
        "noteTarget",
    }
    for check in objects.values():
        assert (
            check["in_twenty"]
            == check["ledger_live"]
            == (check["mart_rows"] - check["load_quarantined"])
        )
        assert check["source_rows"] >= check["mart_rows"]
    assert objects["person"]["mart_rows"] > 40  # clients plus practitioners and staff
    assert len(reconciliation["spot_checks"]) == 50
    assert not any(s["differences"] for s in reconciliation["spot_checks"])
    index = workdir / "migration-report" / "index.html"
    assert index.exists() and "index.html" in run.stdout


def test_ctrl_c_stops_both_stand_ins(tmp_path):
    """Ctrl-C in the middle of the extraction (issue 19 item 6: it took 18.5 s and printed
    ``extraction failed: … <class 'KeyboardInterrupt'>``). The signal is sent at a fixed point,
    the line announcing the extract phase, not after a sleep: on a busy machine a sleep could
    land anywhere (the test once timed out). The time is printed; the bound only catches a
    return of the old 18 s stop, not the machine's load (measured 0.4-0.9 s idle)."""
    import re
    import signal
    import time
    import urllib.error
    import urllib.request

    demo = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bizmig.cli",
            "demo",
            "--clients",
            "40",
            "--workdir",
            str(tmp_path / "demo"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        # a terminal's Ctrl-C reaches a process whose SIGINT is the default; pytest-xdist's
        # workers ignore SIGINT and a child inherits that (the demo then ran to the end)
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    urls: list[str] = []
    seen: list[str] = []
    assert demo.stderr is not None
    for line in demo.stderr:
        seen.append(line)
        urls += re.findall(r"(http://127\.0\.0\.1:\d+)", line)
        if line.strip() == "extract":
            break
    assert len(urls) == 2 and seen[-1].strip() == "extract", "".join(seen)
    started = time.monotonic()
    demo.send_signal(signal.SIGINT)  # what Ctrl-C sends
    out, err = demo.communicate(timeout=120)
    seconds = time.monotonic() - started
    print(f"Ctrl-C during the extraction: stopped after {seconds:.2f} s")
    assert demo.returncode == ExitCode.INTERRUPTED, err
    assert "interrupted, rerun to resume" in err
    assert "KeyboardInterrupt" not in out + err and "Traceback" not in out + err
    assert "extraction failed" not in err
    assert "report:" not in out  # no report (and its dbt docs run) on the way out
    assert seconds < 10, f"Ctrl-C took {seconds:.1f} s"
    for url in urls:
        try:
            urllib.request.urlopen(f"{url}/_sandbox/health", timeout=2)
        except urllib.error.URLError:
            continue
        raise AssertionError(f"{url} still answers after Ctrl-C")
