"""Bulk API 2.0 ingest on the shared stand-in: rules 4, 6, 9, 10, 11 and 19 of
destinations-2.md §1.12 (locks, the batch cap and the 7-day purge need their own org:
``test_salesforce_bulk_org.py``)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.sandbox_salesforce.s2_helpers import (
    JOBS,
    bulk_batches_left,
    csv_rows,
    field_xml,
    open_job,
    results,
    run_job,
    set_state,
    soap_results,
    upload,
    wait,
)
from tests.sandbox_salesforce.sf_helpers import errors, query, unique

KEY = {"externalIdFieldName": "Bizstim_Id__c"}


def keyed(api: httpx.Client, sobject: str, prefix: str) -> dict[str, str]:
    """Bizstim_Id__c → Id of the live records whose key starts with ``prefix``."""
    found = query(api, f"SELECT Id, Bizstim_Id__c FROM {sobject} WHERE Bizstim_Id__c LIKE "
                       f"'{prefix}%'")["records"]
    return {r["Bizstim_Id__c"]: r["Id"] for r in found}


def test_upsert_job_needs_a_visible_external_id_field(api: httpx.Client) -> None:
    """Rule 4 at job creation; hardDelete needs its permission (off on this org)."""
    refused = errors(api.post(JOBS, json={"object": "Account", "operation": "upsert",
                                          "externalIdFieldName": "Name"}))
    assert refused == [{"errorCode": "INVALIDJOB", "message": "InvalidJob : Field name "
                        "provided, Name does not match an External ID for Account"}]
    hidden = unique("S2_Hidden").replace("-", "_") + "__c"
    created = soap_results(api, "createMetadata", field_xml(
        f"Account.{hidden}", "Text", length=40, externalId=True, unique=True))
    assert created[0]["success"] == "true", created
    refused = errors(api.post(JOBS, json={"object": "Account", "operation": "upsert",
                                          "externalIdFieldName": hidden}))
    assert refused[0]["errorCode"] == "INVALIDJOB"  # an External ID nobody granted is unseen
    assert open_job(api, "Account", "upsert", **KEY).startswith("750")
    no_permission = errors(api.post(JOBS, json={"object": "Account", "operation": "hardDelete"}))
    assert no_permission[0]["errorCode"] == "INVALIDJOB"


def test_job_state_machine(api: httpx.Client) -> None:
    """Rule 9: uploads only while Open, InProgress seen, Aborted only before the work."""
    name = unique("S2 state")
    text = csv_rows("Name", [f"{name} a", f"{name} b"])
    job_id = open_job(api, "Account", "insert")
    assert upload(api, job_id, text).status_code == 201
    closed = set_state(api, job_id, "UploadComplete")
    assert closed.json()["state"] == "UploadComplete"
    late = upload(api, job_id, text)
    assert late.status_code == 409 and late.json()[0]["errorCode"] == "INVALIDJOBSTATE"
    seen, info = wait(api, job_id)
    assert seen[0] == "InProgress" and info["state"] == "JobComplete"
    assert (info["numberRecordsProcessed"], info["numberRecordsFailed"]) == (2, 0)
    assert set_state(api, job_id, "Aborted").status_code == 409
    assert api.delete(f"{JOBS}/{job_id}").status_code == 204
    assert api.get(f"{JOBS}/{job_id}").status_code == 404

    aborted = unique("S2 aborted")
    job_id = open_job(api, "Account", "insert")
    upload(api, job_id, csv_rows("Name", [aborted]))
    set_state(api, job_id, "UploadComplete")
    assert set_state(api, job_id, "Aborted").json()["state"] == "Aborted"
    assert api.get(f"{JOBS}/{job_id}").json()["state"] == "Aborted"  # never started
    assert results(api, job_id, "unprocessedrecords") == [{"Name": aborted}]
    assert query(api, f"SELECT Id FROM Account WHERE Name = '{aborted}'")["totalSize"] == 0
    assert api.delete(f"{JOBS}/{open_job(api, 'Account', 'insert')}").status_code == 409
    listed = {j["id"] for j in api.get(JOBS).json()["records"]}
    assert job_id in listed


def test_a_closed_job_runs_without_being_polled(api: httpx.Client) -> None:
    """Rule 9: the org works a closed job on its own (a loader stopped after closing finds
    its rows), yet the first poll still answers InProgress."""
    name = unique("S2 unpolled")
    job_id = open_job(api, "Account", "insert")
    upload(api, job_id, csv_rows("Name", [name]))
    set_state(api, job_id, "UploadComplete")
    for _ in range(100):
        if query(api, f"SELECT Id FROM Account WHERE Name = '{name}'")["totalSize"]:
            break
        time.sleep(0.1)
    assert query(api, f"SELECT Id FROM Account WHERE Name = '{name}'")["totalSize"] == 1
    assert [api.get(f"{JOBS}/{job_id}").json()["state"] for _ in range(2)] == \
        ["InProgress", "JobComplete"]


def test_unknown_header_fails_the_whole_job(api: httpx.Client) -> None:
    """Rule 10: one misspelt column and no row is attempted."""
    prefix = unique("HDR")
    info = run_job(api, "Account", "upsert",
                   csv_rows("Bizstim_Id__c,Name,Phnoe", [f"{prefix}-1,A,1", f"{prefix}-2,B,2"]),
                   **KEY)
    assert info["state"] == "Failed"
    assert info["errorMessage"] == "InvalidBatch : Field name not found : Phnoe"
    assert info["numberRecordsProcessed"] == 0
    assert len(results(api, info["id"], "unprocessedrecords")) == 2
    assert keyed(api, "Account", prefix) == {}


def test_csv_values_nulls_and_parents(api: httpx.Client) -> None:
    """Rule 10: empty keeps, #N/A clears, doubled quotes, a stray space fails its row,
    parents by ``Rel.ExtField``, CRLF + TAB honoured, a foreign line ending fails the job."""
    prefix = unique("CSV")
    first = run_job(api, "Account", "upsert", csv_rows(
        "Bizstim_Id__c,Name,Phone,Website",
        [f'{prefix}-1,"The ""Best"" Shop",111,shop.example.com']), **KEY)
    assert first["numberRecordsFailed"] == 0
    second = run_job(api, "Account", "upsert", csv_rows(
        "Bizstim_Id__c,Name,Phone,Website",
        [f"{prefix}-1,,,#N/A", f'{prefix}-2, "Spaced",,']), **KEY)
    failed = results(api, second["id"], "failedResults")
    assert [r["sf__Error"].split(":")[0] for r in failed] == ["INVALID_CSV_ROW"]
    account = query(api, "SELECT Name, Phone, Website FROM Account WHERE Bizstim_Id__c = "
                         f"'{prefix}-1'")["records"][0]
    assert (account["Name"], account["Phone"], account["Website"]) == \
        ('The "Best" Shop', "111", None)

    tab = run_job(api, "Contact", "upsert",
                  f"Bizstim_Id__c\tLastName\tAccount.Bizstim_Id__c\r\n"
                  f"{prefix}-c1\tDoe, Jane\t{prefix}-1\r\n{prefix}-c2\tRoe\t{prefix}-404\r\n",
                  lineEnding="CRLF", columnDelimiter="TAB", **KEY)
    assert (tab["numberRecordsProcessed"], tab["numberRecordsFailed"]) == (2, 1)
    (bad_parent,) = results(api, tab["id"], "failedResults", delimiter="\t")
    assert bad_parent["sf__Error"].startswith("INVALID_CROSS_REFERENCE_KEY:")
    contact = query(api, "SELECT LastName, AccountId FROM Contact WHERE Bizstim_Id__c = "
                         f"'{prefix}-c1'")["records"][0]
    assert contact == {**contact, "LastName": "Doe, Jane",
                       "AccountId": keyed(api, "Account", prefix)[f"{prefix}-1"]}

    wrong = run_job(api, "Account", "upsert", f"Bizstim_Id__c,Name\r\n{prefix}-3,X\r\n", **KEY)
    assert wrong["state"] == "Failed" and "LineEnding is invalid" in wrong["errorMessage"]


def test_result_files_are_shuffled(api: httpx.Client) -> None:
    """Rule 11: a 50-row job answers its rows in another order; the ids are the records."""
    prefix = unique("SHUF")
    keys = [f"{prefix}-{i:02d}" for i in range(50)]
    lines = [f"{k},Shuffled {k}" for k in keys] + [f"{prefix}-x{i}," for i in range(20)]
    info = run_job(api, "Account", "upsert", csv_rows("Bizstim_Id__c,Name", lines), **KEY)
    landed = results(api, info["id"], "successfulResults")
    refused = results(api, info["id"], "failedResults")
    assert [r["Bizstim_Id__c"] for r in landed] != keys
    assert sorted(r["Bizstim_Id__c"] for r in landed) == keys
    assert [r["Bizstim_Id__c"] for r in refused] != [f"{prefix}-x{i}" for i in range(20)]
    assert {r["sf__Id"] for r in landed} == set(keyed(api, "Account", prefix).values())


@pytest.fixture(scope="module")
def big_job(api: httpx.Client) -> Iterator[dict[str, Any]]:
    """10 001 Contacts in one upsert job (two internal batches); the first key comes back as
    the last row, so the two copies sit in different batches."""
    prefix = unique("BIG")
    lines = [f"{prefix}-{i},Big {i}" for i in range(10_000)] + [f"{prefix}-0,Again"]
    before = bulk_batches_left(api)
    info = run_job(api, "Contact", "upsert", csv_rows("Bizstim_Id__c,LastName", lines), **KEY)
    spent = before - bulk_batches_left(api)
    yield {"info": info, "prefix": prefix, "spent": spent}


def test_duplicate_key_fails_across_the_whole_job(api: httpx.Client,
                                                  big_job: dict[str, Any]) -> None:
    """Rule 6 held across internal batches, not only within one engine call."""
    prefix, info = big_job["prefix"], big_job["info"]
    failed = results(api, info["id"], "failedResults")
    assert sorted((r["Bizstim_Id__c"], r["LastName"], r["sf__Error"]) for r in failed) == [
        (f"{prefix}-0", name, f"DUPLICATE_VALUE:Duplicate external id specified: {prefix}-0")
        for name in ("Again", "Big 0")]
    assert info["numberRecordsProcessed"] == 10_001
    assert f"{prefix}-0" not in keyed(api, "Contact", f"{prefix}-0")


def test_batches_counted_per_10000_rows(api: httpx.Client, big_job: dict[str, Any]) -> None:
    """Rule 19: 10 001 rows spend two DailyBulkApiBatches, three rows one."""
    assert big_job["spent"] == 2
    before = bulk_batches_left(api)
    prefix = unique("SMALL")
    run_job(api, "Account", "upsert",
            csv_rows("Bizstim_Id__c,Name", [f"{prefix}-{i},Small {i}" for i in range(3)]), **KEY)
    assert before - bulk_batches_left(api) == 1
