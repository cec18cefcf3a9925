"""Reconcile after someone deleted a migrated record in the org: the record waits in the
Recycle Bin (``queryAll`` sees it for 15 days), so it is counted as deleted in Salesforce —
not as live, and not as missing — and reconcile exits as for any mismatch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from common.exits import ExitCode
from tests.load_salesforce.conftest import CLIENT, Org, start_org


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Org]:
    running = start_org(tmp_path_factory.mktemp("reconcile-org"))
    yield running
    running.server.stop()


def test_a_contact_deleted_after_the_load_is_counted_in_the_recycle_bin(
    org: Org, staging: Path, tmp_path: Path
):
    env = {
        **os.environ,
        "SALESFORCE_INSTANCE_URL": org.url,
        "SALESFORCE_CLIENT_ID": CLIENT[0],
        "SALESFORCE_CLIENT_SECRET": CLIENT[1],
        "BIZMIG_DUCKDB": str(staging),
        "COLUMNS": "200",
    }

    def bizmig(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "bizmig.cli", *args, "--to", "salesforce"]
        return subprocess.run(
            command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300
        )

    loaded = bizmig("load", "--yes", "--allow-unmatched-owners", "--rate-limit", "100000")
    assert loaded.returncode == 0, loaded.stderr[-2000:]
    with duckdb.connect(str(staging), read_only=True) as con:
        external_id, record_id = con.execute(
            "select external_id, record_id from migration.ledger_current where destination = "
            "'salesforce' and object = 'Contact' and action = 'created' order by external_id "
            "limit 1"
        ).fetchone()
    client = org.client()
    client.data("DELETE", f"/sobjects/Contact/{record_id}")  # someone, in the org, after the load

    checked = bizmig("reconcile", "--json", "--out", str(tmp_path / "report"))
    assert checked.returncode == ExitCode.FAILED, checked.stderr[-2000:]
    result = json.loads(checked.stdout)
    contact = next(o for o in result["objects"] if o["object"] == "Contact")
    assert (contact["in_bin"], contact["deleted_in_destination"]) == (1, [external_id])
    assert contact["missing_in_twenty"] == [] and not contact["ok"]
    assert contact["in_twenty"] == contact["ledger_live"] - 1  # the recycled one is not live
    markdown = (tmp_path / "report" / "reconciliation.md").read_text()
    assert (
        f"Contact: 1 loaded record(s) deleted in Salesforce after the load (in its "
        f"Recycle Bin, restorable): {external_id}" in markdown
    )
