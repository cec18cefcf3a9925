"""The Salesforce cost plan (issue 14 part 4): requests and Bulk batches per object, ETA in days.

The arithmetic is checked on known sizes (a remainder under the Bulk threshold goes through
Collections; PricebookEntry's created and updated rows are two writes), the ETA on a small
allocation (a resume's re-read is charged to every later day, and a day too small for it
never finishes), and the plan against the stand-in: the requests and Bulk batches a write of a
known size makes are exactly the plan's, and ``/limits`` is read as the org's allocation.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from load.core.specs import LoadSpec
from load.salesforce.cost import (
    BATCHES,
    BULK_JOB_REQUESTS,
    REQUESTS,
    ObjectRows,
    assumed_allowances,
    org_allowances,
    salesforce_plan,
    scope_plan,
    write_cost,
)
from load.salesforce.specs import API_NAME, EXTERNAL_ID, LOAD_ORDER
from tests.load_salesforce.conftest import Org, key_field, planned, set_up, start_org, writer


def test_bulk_jobs_per_ten_thousand_rows_and_a_small_remainder_through_collections():
    line = write_cost("Event", ObjectRows(21_000), threshold=2_000)
    # 10 000 + 10 000 as Bulk jobs, the last 1 000 under the threshold: 5 Collections requests
    assert line.costs == {REQUESTS: 2 * BULK_JOB_REQUESTS + 5, BATCHES: 2}
    assert line.path == "Bulk: 2 jobs + Collections: 5"
    assert line.reads == {REQUESTS: 2}  # describe + one (empty) SOQL page
    held = write_cost("Contact", ObjectRows(0, 4_500, held=4_500), threshold=2_000)
    assert held.costs == {REQUESTS: BULK_JOB_REQUESTS, BATCHES: 1}
    assert held.reads == {REQUESTS: 1 + 3}  # 4 500 held records: three 2 000-row pages


def test_notes_never_use_bulk_and_price_book_entries_split_created_from_updated():
    assert write_cost("ContentNote", ObjectRows(5_000), 2_000).costs == {REQUESTS: 25, BATCHES: 0}
    line = write_cost("PricebookEntry", ObjectRows(2_500, 300), threshold=2_000)
    assert line.costs == {REQUESTS: BULK_JOB_REQUESTS + 2, BATCHES: 1}


def test_eta_in_days_charges_every_resume_the_re_read_and_says_never_when_it_cannot_fit():
    rows = {"Contact": ObjectRows(25_000)}
    # writes 3 jobs (24) + reads 12 objects x (describe + 1 page) (24) + /limits (1) = 49;
    # a resume re-reads 12 describes + 13 pages (25 000 records) + /limits = 26
    plan = salesforce_plan(rows, assumed_allowances(daily_requests=50), "test", 2_000)
    assert plan.total(REQUESTS) == 49 and plan.total(BATCHES) == 3
    assert plan.resume_reread == {REQUESTS: 26}
    # 80 % of 50 = 40 today, then 40 - 26 = 14 a day: 1 + ceil(9 / 14) = 2 days
    assert plan.eta_windows() == 2
    assert salesforce_plan(rows, assumed_allowances(), "test").eta_windows() == 1
    starved = salesforce_plan(rows, assumed_allowances(daily_requests=30), "test", 2_000)
    assert starved.eta_windows() is None  # 24 a day never covers the 26-request re-read


def test_bulk_batches_are_planned_at_the_same_share_the_adapter_stops_at():
    rows = {"Event": ObjectRows(50_000)}  # 5 jobs, 5 batches
    allowances = assumed_allowances(share=0.5, daily_requests=10_000, daily_batches=6)
    # the load keeps 50 % of 6 = 3 batches a day: 3 today, 2 tomorrow
    assert salesforce_plan(rows, allowances, "test", 2_000).eta_windows() == 2
    collections = salesforce_plan({"Event": ObjectRows(1_000)}, allowances, "test", 2_000)
    assert collections.total(BATCHES) == 0 and collections.resume_reread == {REQUESTS: 13}


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Org]:
    tmp = tmp_path_factory.mktemp("cost-org")
    running = start_org(tmp, "--daily-api-limit", "5000", "--bulk-batch-limit", "40")
    client = running.client()
    set_up(client, Path(tmp), [key_field("Account"), key_field("Contact")])
    client.close()
    yield running
    running.server.stop()


def test_a_write_costs_exactly_the_plan_in_requests_and_bulk_batches(org: Org):
    client = org.client()
    try:
        before = {a.unit: a.used for a in org_allowances(client)}
        since = len(org.server.requests())
        write = writer(client, threshold=100)
        sizes = {"Account": 250, "Contact": 90}
        for obj, n in sizes.items():
            rows = [{EXTERNAL_ID: f"cost:{obj}:{i:04d}", "Name": f"N{i}"} for i in range(n)]
            if obj == "Contact":
                rows = [{EXTERNAL_ID: r[EXTERNAL_ID], "LastName": r["Name"]} for r in rows]
            answer = write.write(LoadSpec(obj, "x", payload_names=API_NAME), planned(obj, rows))
            assert len(answer.records) == n and not answer.refused
        sent = org.server.requests(since)
        after = org_allowances(client)
    finally:
        client.close()
    plan = [write_cost(obj, ObjectRows(n), threshold=100) for obj, n in sizes.items()]
    writes = [r for r in sent if "/limits" not in r["path"]]
    # the writer read the batches left once, as the plan's "(Bulk batches left)" line says
    assert len(sent) - len(writes) == 1
    polls = [r for r in writes if r["method"] == "GET" and r["path"].count("/") == 6]
    assert len(polls) >= 2  # the plan's two: the first poll after closing answers InProgress
    # polls past those two are the job's own duration; every other request is the plan's
    assert len(writes) - (len(polls) - 2) == sum(line.costs[REQUESTS] for line in plan)
    assert sum(line.costs[REQUESTS] for line in plan) == BULK_JOB_REQUESTS + 1
    used = {a.unit: a.used for a in after}
    assert used[BATCHES] - before[BATCHES] == sum(line.costs[BATCHES] for line in plan) == 1
    limits = {a.unit: a for a in after}
    assert limits[REQUESTS].limit == 5000 and limits[BATCHES].limit == 40
    assert "/limits" in limits[REQUESTS].source


def test_scope_plans_from_the_marts_when_built_else_from_the_inventory(tmp_path: Path):
    inventory = {"clients": 100, "practitioners": 5, "staffs": 3, "payments": 2_500}
    estimate = scope_plan(inventory, tmp_path / "absent.duckdb", None)
    assert "estimate" in estimate.basis
    counts = {line.object: line.records for line in estimate.lines}
    assert counts["Account"] == 101  # a household per client and the staff's
    assert counts["Contact"] == 108  # clients, practitioners and staff
    assert counts["Bizstim_Payment__c"] == 2_500 and estimate.total(BATCHES) == 1
    staging = tmp_path / "staging.duckdb"
    with duckdb.connect(str(staging)) as con:
        con.execute("create schema marts")
        for spec in LOAD_ORDER:
            rows = 12_000 if spec.singular == "Event" else 3
            con.execute(f"create table {spec.relation} as select range as i from range({rows})")
    exact = scope_plan(inventory, staging, None, daily_requests=1_000)
    assert "exact" in exact.basis
    event = next(line for line in exact.lines if line.object == "Event")
    # 10 000 rows as one job, the 2 000 left at the threshold as a second
    assert event.records == 12_000 and event.costs == {REQUESTS: 16, BATCHES: 2}
    # bizmig migrate reconciles in the same allocation: a re-read and 50 records one by one
    last = exact.lines[-1]
    assert last.object == "(reconcile)"
    assert last.reads == {REQUESTS: exact.resume_reread[REQUESTS] - 1 + 50}  # no /limits
    assert exact.lines[-2].reads == {REQUESTS: 1}  # the load's one /limits read
    requests = next(a for a in exact.allowances if a.unit == REQUESTS)
    assert requests.limit == 1_000 and requests.source == "configured"
