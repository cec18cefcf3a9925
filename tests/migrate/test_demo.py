"""README command 1, end to end: `bizmig demo` against both stand-ins."""

from __future__ import annotations

import json
import subprocess
import sys


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
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    urls: list[str] = []
    assert demo.stderr is not None
    for line in demo.stderr:
        urls += re.findall(r"(http://127\.0\.0\.1:\d+)", line)
        if "Twenty stand-in" in line:
            break
    assert len(urls) == 2, urls
    time.sleep(1)
    demo.send_signal(signal.SIGINT)  # what Ctrl-C sends
    demo.communicate(timeout=60)
    assert demo.returncode != 0
    for url in urls:
        try:
            urllib.request.urlopen(f"{url}/_sandbox/health", timeout=2)
        except urllib.error.URLError:
            continue
        raise AssertionError(f"{url} still answers after Ctrl-C")
