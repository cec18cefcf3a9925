"""The org's daily Bulk batches: a load stops at its share of them instead of letting the org
fail its jobs, and a job the org fails for them (``ExceededQuota``) is the same clean stop —
never a Collections fallback, which would spend 50 API requests per 10 000 rows instead.

One org with a cap of 5 batches a day (``--bulk-batch-limit``); each test moves the org's clock
a day on first, so the cap is whole again.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from common.exits import ExitCode
from load.core.specs import LoadSpec
from load.salesforce.bulk import BulkIngest
from load.salesforce.client import LimitReached
from load.salesforce.specs import API_NAME, EXTERNAL_ID
from tests.load_salesforce.conftest import (
    CLIENT,
    Org,
    assert_landed_once,
    key_field,
    planned,
    set_up,
    start_org,
)
from tests.load_salesforce.conftest import writer as make_writer

BATCHES = 5
THRESHOLD = 25  # 7 of the 40-client account's marts reach it: 7 jobs of one batch each


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Org]:
    running = start_org(tmp_path_factory.mktemp("batch-org"), "--bulk-batch-limit", str(BATCHES))
    yield running
    running.server.stop()


@pytest.fixture
def fresh(org: Org) -> Org:
    org.hook("clock/advance?hours=25", method="POST")  # yesterday's batches leave the window
    return org


def batches_left(org: Org) -> int:
    client = org.client()
    try:
        return int(client.data("GET", "/limits/")["DailyBulkApiBatches"]["Remaining"])
    finally:
        client.close()


def fallbacks(org: Org, since: int) -> list[dict]:
    """Collections upserts (the fallback for rows a Bulk job left)."""
    return [
        r
        for r in org.server.requests(since)
        if r["method"] == "PATCH" and "/composite/sobjects/" in r["path"]
    ]


def jobs_created(org: Org, since: int) -> int:
    return sum(
        1
        for r in org.server.requests(since)
        if r["method"] == "POST" and r["path"].endswith("/jobs/ingest")
    )


def test_a_load_stops_at_its_share_of_the_batches_and_resumes_after_the_window(
    fresh: Org, staging: Path, tmp_path: Path
):
    env = {
        **os.environ,
        "SALESFORCE_INSTANCE_URL": fresh.url,
        "SALESFORCE_CLIENT_ID": CLIENT[0],
        "SALESFORCE_CLIENT_SECRET": CLIENT[1],
        "SALESFORCE_LIMIT_SHARE": "0.8",
        "SALESFORCE_BULK_THRESHOLD": str(THRESHOLD),
        "BIZMIG_DUCKDB": str(staging),
        "COLUMNS": "200",
    }
    command = [sys.executable, "-m", "bizmig.cli", "load", "--to", "salesforce", "--yes"]
    command += ["--allow-unmatched-owners", "--rate-limit", "100000", "--rate-window", "1"]
    since = len(fresh.server.requests())
    first = subprocess.run(
        command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert first.returncode == ExitCode.DESTINATION_BUDGET_EXHAUSTED, first.stderr[-2000:]
    words = " ".join(first.stderr.split())  # the console wraps long lines
    assert "daily Bulk API batches" in words and "stops at 80%" in words, words[-2000:]
    assert "rolling 24-hour window" in words and "Traceback" not in words
    assert jobs_created(fresh, since) == 4  # 80 % of 5: the fifth job was never created
    assert batches_left(fresh) == 1
    assert not any("Bizstim_Payment__c" in r["path"] for r in fallbacks(fresh, since))

    fresh.hook("clock/advance?hours=24", method="POST")
    since = len(fresh.server.requests())
    again = subprocess.run(
        command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert again.returncode == 0, again.stderr[-2000:]
    assert jobs_created(fresh, since) == 3  # the 7 jobs' other three, nothing sent twice
    assert_landed_once(staging, fresh)


def test_a_job_the_org_refuses_for_exceeded_quota_stops_without_a_fallback(
    fresh: Org, tmp_path: Path
):
    client = fresh.client(limit_share=1.0)
    set_up(client, tmp_path, [key_field("Account")])
    spec = LoadSpec("Account", "x", payload_names=API_NAME)
    write = make_writer(client, threshold=10)
    first = [{EXTERNAL_ID: f"quota:a{i:02d}", "Name": f"A{i}"} for i in range(20)]
    assert len(write.write(spec, planned("Account", first)).records) == 20
    assert client.batches_used == BATCHES - batches_left(fresh) == 1  # /limits read, then kept

    other = fresh.client(limit_share=1.0)  # another integration spends the rest of the day's
    for n in range(BATCHES - 1):
        BulkIngest(other, poll_first=0.01).upsert(
            "Account", EXTERNAL_ID, [EXTERNAL_ID, "Name"], [[f"other:{n}", "Other"]]
        )
    other.close()
    assert batches_left(fresh) == 0

    since = len(fresh.server.requests())
    second = [{EXTERNAL_ID: f"quota:b{i:02d}", "Name": f"B{i}"} for i in range(20)]
    with pytest.raises(LimitReached, match="ExceededQuota") as stopped:
        write.write(spec, planned("Account", second))  # the local count still says 4 are left
    assert "daily Bulk API batches are spent" in str(stopped.value)
    assert "resumes from its ledger" in str(stopped.value)
    assert jobs_created(fresh, since) == 1 and fallbacks(fresh, since) == []
    assert write.retried == 0
    client.close()
