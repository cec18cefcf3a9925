"""The Bulk write path against an org that shuffles result files and fails rows to lock.

One org, seeded so every job's result files come back in another order than the upload and
a fifth of the rows fail with ``UNABLE_TO_LOCK_ROW`` (``--lock-failure-rate``): outcomes must be
matched by external id, lock failures must land through the Collections retry, and a row the
org refuses for its data is retried once and then refused with Salesforce's own message.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest

from load.core.specs import LoadSpec
from load.salesforce.bulk import BulkIngest
from load.salesforce.client import DATA, SalesforceClient
from load.salesforce.specs import API_NAME, EXTERNAL_ID
from tests.load_salesforce.conftest import Org, key_field, planned, set_up, start_org, writer


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Org]:
    tmp = tmp_path_factory.mktemp("bulk-org")
    running = start_org(tmp, "--seed", "11", "--lock-failure-rate", "0.2")
    client = running.client()
    set_up(client, tmp, [key_field("Account"), key_field("Contact")])
    client.close()
    yield running
    running.server.stop()


@pytest.fixture
def client(org: Org) -> Iterator[SalesforceClient]:
    client = org.client()
    yield client
    client.close()


def held(client: SalesforceClient, obj: str, prefix: str) -> dict[str, str]:
    soql = f"SELECT Id, {EXTERNAL_ID} FROM {obj} WHERE {EXTERNAL_ID} LIKE '{prefix}%'"
    return {r[EXTERNAL_ID]: r["Id"] for r in client.query(soql)}


def test_shuffled_result_files_are_matched_by_external_id(client: SalesforceClient):
    rows = [[f"shuffle:{i:03d}", f"Household {i:03d}"] for i in range(120)]
    outcome = BulkIngest(client, poll_first=0.01).upsert(
        "Account", EXTERNAL_ID, [EXTERNAL_ID, "Name"], rows
    )
    text = client.data("GET", f"/jobs/ingest/{outcome.jobs[0]}/successfulResults/")
    order = [r[EXTERNAL_ID] for r in csv.DictReader(io.StringIO(text))]
    uploaded = [r[0] for r in rows if r[0] in set(order)]
    assert order != uploaded  # the org did shuffle: pairing by position would be wrong
    stored = held(client, "Account", "shuffle:")
    assert outcome.landed and all(stored[ext] == sf_id for ext, sf_id in outcome.landed.items())
    assert set(outcome.landed) | set(outcome.failed) == {r[0] for r in rows}
    assert {m.split(":")[0] for m in outcome.failed.values()} <= {"UNABLE_TO_LOCK_ROW"}


def test_rows_that_failed_to_lock_land_through_the_collections_retry(client: SalesforceClient):
    write = writer(client)
    batch = planned(
        "Account", [{EXTERNAL_ID: f"lock:{i:03d}", "Name": f"A{i}"} for i in range(150)]
    )
    answer = write.write(LoadSpec("Account", "x", payload_names=API_NAME), batch)
    assert write.bulk_jobs == 1 and write.retried > 0  # the job failed some rows to lock
    assert answer.refused == {}
    stored = held(client, "Account", "lock:")
    assert {r[EXTERNAL_ID]: r["id"] for r in answer.records} == stored
    assert len(stored) == 150


def test_a_refused_row_is_retried_once_then_refused_with_salesforces_message(
    org: Org, client: SalesforceClient
):
    rows = [
        {EXTERNAL_ID: f"mail:{i:02d}", "LastName": f"L{i}", "Email": f"p{i}@example.com"}
        for i in range(30)
    ]
    rows[7]["Email"] = "not-an-email"
    since = len(org.server.requests())
    write = writer(client)
    answer = write.write(LoadSpec("Contact", "x", payload_names=API_NAME), planned("Contact", rows))
    assert list(answer.refused) == [7]
    assert answer.refused[7].startswith("INVALID_EMAIL_ADDRESS: ")
    assert "not-an-email" in answer.refused[7]
    assert len(held(client, "Contact", "mail:")) == 29
    upserts = [
        r
        for r in org.server.requests(since)
        if r["method"] == "PATCH"
        and r["path"] == f"{DATA}/composite/sobjects/Contact/{EXTERNAL_ID}"
    ]
    assert len(upserts) == 1  # one Collections retry of the job's failed rows, not per row


def test_below_the_threshold_a_set_goes_through_collections_only(
    org: Org, client: SalesforceClient
):
    since = len(org.server.requests())
    write = writer(client, threshold=2000)
    batch = planned(
        "Account", [{EXTERNAL_ID: f"small:{i:03d}", "Name": f"S{i}"} for i in range(201)]
    )
    answer = write.write(LoadSpec("Account", "x", payload_names=API_NAME), batch)
    assert len(answer.records) == 201 and write.bulk_jobs == 0
    writes = [r for r in org.server.requests(since) if r["method"] != "GET"]
    assert len(writes) == 2  # ⌈201 / 200⌉ Collections upserts
