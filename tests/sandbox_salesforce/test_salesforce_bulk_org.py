"""Bulk API 2.0 behaviours that need an org of their own: the lock simulation (rule 12), the
daily batch cap (rule 19) and the 7-day purge of ended jobs (rule 9).

The org: ``--lock-contention 1`` (every child row whose parent an earlier internal batch
touched fails to lock), ``--lock-failure-rate 0.2`` (any row fails to lock one time in five),
6 Bulk batches a day, tokens that never expire (the tests move the org clock by days)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from sandbox.servers import RunningServer, start_server
from tests.sandbox_salesforce.s2_helpers import (
    JOBS,
    bulk_batches_left,
    csv_rows,
    results,
    run_job,
)
from tests.sandbox_salesforce.sf_helpers import (
    grant,
    login,
    permission_set,
    query,
    server_args,
    text_field,
    unique,
)

KEY = {"externalIdFieldName": "Bizstim_Id__c"}
LOCKED = "UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record"
BATCHES_A_DAY = 6


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    db = tmp_path_factory.mktemp("salesforce_bulk_org") / "org.sqlite"
    server = start_server("salesforce", server_args(
        str(db), "--lock-contention", "1", "--lock-failure-rate", "0.2", "--seed", "11",
        "--bulk-batch-limit", str(BATCHES_A_DAY), "--session-hours", "0"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def api(org: RunningServer) -> Iterator[httpx.Client]:
    with login(org) as client:
        ps = permission_set(client)
        for sobject in ("Account", "Contact"):
            text_field(client, sobject, "Bizstim_Id__c", external_id=True, unique_values=True)
            grant(client, ps, sobject, "Bizstim_Id__c")
        yield client


def next_day(org: RunningServer) -> None:
    """Move the org clock past the rolling 24 hours: the day's Bulk batches are free again."""
    moved = httpx.post(f"{org.url}/_sandbox/clock/advance", params={"hours": 24.1})
    assert moved.status_code == 200, moved.text


def test_lock_failures_leave_rows_unwritten_and_a_retry_finishes(
        org: RunningServer, api: httpx.Client) -> None:
    """Rule 12 (``--lock-failure-rate``): some rows fail with UNABLE_TO_LOCK_ROW and are not
    written; sending just those again, job after job, lands them all."""
    next_day(org)
    prefix = unique("LOCK")
    pending = [f"{prefix}-{i}" for i in range(40)]
    info = run_job(api, "Account", "upsert",
                   csv_rows("Bizstim_Id__c,Name", [f"{k},{k}" for k in pending]), **KEY)
    failed = results(api, info["id"], "failedResults")
    assert 0 < len(failed) < 40 and {r["sf__Error"] for r in failed} == {LOCKED}
    landed = query(api, f"SELECT Id FROM Account WHERE Bizstim_Id__c LIKE '{prefix}-%'")
    assert landed["totalSize"] == 40 - len(failed)
    for _ in range(BATCHES_A_DAY - 1):
        pending = [r["Bizstim_Id__c"] for r in failed]
        if not pending:
            break
        info = run_job(api, "Account", "upsert",
                       csv_rows("Bizstim_Id__c,Name", [f"{k},{k}" for k in pending]), **KEY)
        failed = results(api, info["id"], "failedResults")
    assert failed == []
    landed = query(api, f"SELECT Id FROM Account WHERE Bizstim_Id__c LIKE '{prefix}-%'")
    assert landed["totalSize"] == 40


def test_children_of_a_parent_another_batch_touched_fail_to_lock(
        org: RunningServer, api: httpx.Client) -> None:
    """Rule 12 (``--lock-contention``): 10 030 Contacts of one Account; the 30 in the second
    internal batch meet the parent the first batch holds and all fail to lock."""
    next_day(org)
    prefix = unique("PARENT")
    run_job(api, "Account", "upsert", csv_rows("Bizstim_Id__c,Name", [f"{prefix},Parent"]),
            **KEY)
    lines = [f"{prefix}-{i},Child {i},{prefix}" for i in range(10_030)]
    info = run_job(api, "Contact", "upsert",
                   csv_rows("Bizstim_Id__c,LastName,Account.Bizstim_Id__c", lines), **KEY)
    failed = {r["Bizstim_Id__c"]: r["sf__Error"] for r in results(api, info["id"],
                                                                    "failedResults")}
    second_batch = [f"{prefix}-{i}" for i in range(10_000, 10_030)]
    assert [failed.get(k) for k in second_batch] == [LOCKED] * 30
    first_batch_failed = len(failed) - 30
    assert 0 < first_batch_failed < 5_000  # only the one-in-five draw in the first batch


def test_the_daily_batch_cap_fails_the_job(org: RunningServer, api: httpx.Client) -> None:
    """Rule 19: once the day's Bulk batches are spent, the next job fails and leaves its rows
    unprocessed; a day later batches are there again."""
    next_day(org)
    prefix = unique("CAP")
    for day_job in range(BATCHES_A_DAY):
        info = run_job(api, "Account", "insert", csv_rows("Name", [f"{prefix} {day_job}"]))
        assert info["state"] == "JobComplete"
    assert bulk_batches_left(api) == 0
    info = run_job(api, "Account", "insert", csv_rows("Name", [f"{prefix} over", f"{prefix} x"]))
    assert info["state"] == "Failed"
    assert info["errorMessage"] == "ExceededQuota : ApiBatchItems Limit exceeded."
    assert info["numberRecordsProcessed"] == 0
    assert len(results(api, info["id"], "unprocessedrecords")) == 2
    next_day(org)
    assert bulk_batches_left(api) == BATCHES_A_DAY


def test_ended_jobs_are_purged_after_seven_days(org: RunningServer, api: httpx.Client) -> None:
    """Rule 9: a job that ended is still readable for 7 days of the org clock, then gone."""
    next_day(org)
    info = run_job(api, "Account", "insert", csv_rows("Name", [unique("Purged")]))
    job = f"{JOBS}/{info['id']}"
    httpx.post(f"{org.url}/_sandbox/clock/advance", params={"hours": 7 * 24 - 1})
    assert api.get(job).status_code == 200
    httpx.post(f"{org.url}/_sandbox/clock/advance", params={"hours": 2})
    assert api.get(job).status_code == 404
    assert info["id"] not in {j["id"] for j in api.get(JOBS).json()["records"]}

