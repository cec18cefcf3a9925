"""Rule 8 of destinations-2.md §1.12: sObject Collections (≤200, input order, HTTP 200 with
failed rows, allOrNone, typed records)."""

from __future__ import annotations

import httpx

from tests.sandbox_salesforce.sf_helpers import V, create, errors, query, unique

COLLECTION = f"{V}/composite/sobjects"


def contact(name: str, **extra: object) -> dict[str, object]:
    return {"attributes": {"type": "Contact"}, "LastName": name, **extra}


def test_rule08_more_than_200_records_is_refused_whole(api: httpx.Client) -> None:
    marker = unique("bulk")
    records = [contact(marker) for _ in range(201)]
    refused = api.post(COLLECTION, json={"records": records})
    assert errors(refused)[0]["errorCode"] == "EXCEEDED_ID_LIMIT"
    assert query(api, f"SELECT COUNT() FROM Contact WHERE LastName = '{marker}'")[
        "totalSize"] == 0
    ids = ",".join(create(api, "Lead", LastName=marker, Company="C") for _ in range(2))
    too_many_ids = api.delete(COLLECTION, params={"ids": ",".join([ids] * 101)})
    assert errors(too_many_ids)[0]["errorCode"] == "EXCEEDED_ID_LIMIT"


def test_rule08_results_in_input_order_with_mixed_types(api: httpx.Client) -> None:
    marker = unique("mixed")
    records = [contact(marker), {"attributes": {"type": "Lead"}, "LastName": marker},
               {"attributes": {"type": "Account"}, "Name": marker}, contact(marker)]
    resp = api.post(COLLECTION, json={"records": records})
    assert resp.status_code == 200
    results = resp.json()
    assert [r["success"] for r in results] == [True, False, True, True]
    assert [r["id"][:3] for r in results if r["success"]] == ["003", "001", "003"]
    assert results[1]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"
    assert "id" not in results[1]
    untyped = api.post(COLLECTION, json={"records": [{"LastName": marker}]})
    assert errors(untyped)[0]["errorCode"] == "INVALID_TYPE"


def test_rule08_all_or_none_rolls_everything_back(api: httpx.Client) -> None:
    marker = unique("atomic")
    records = [contact(marker), contact(marker, Email="broken"), contact(marker)]
    resp = api.post(COLLECTION, json={"allOrNone": True, "records": records})
    assert resp.status_code == 200
    results = resp.json()
    assert [r["success"] for r in results] == [False, False, False]
    assert results[1]["errors"][0]["statusCode"] == "INVALID_EMAIL_ADDRESS"
    for innocent in (results[0], results[2]):
        assert innocent["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert query(api, f"SELECT COUNT() FROM Contact WHERE LastName = '{marker}'")[
        "totalSize"] == 0
    partial = api.post(COLLECTION, json={"allOrNone": False, "records": records}).json()
    assert [r["success"] for r in partial] == [True, False, True]


def test_rule08_update_and_delete_by_collection(api: httpx.Client) -> None:
    marker = unique("upd")
    first, second = (create(api, "Contact", LastName=marker) for _ in range(2))
    update = api.patch(COLLECTION, json={"records": [
        {"attributes": {"type": "Contact"}, "id": second, "Title": "Second"},
        {"attributes": {"type": "Contact"}, "id": first, "Title": "First"}]})
    assert [r["id"] for r in update.json()] == [second, first]
    titles = query(api, f"SELECT Id, Title FROM Contact WHERE LastName = '{marker}'")
    assert {r["Id"]: r["Title"] for r in titles["records"]} == {first: "First",
                                                               second: "Second"}
    upsert_with_id = api.patch(f"{COLLECTION}/Contact/Bizstim_Id__c", json={"records": [
        {"attributes": {"type": "Contact"}, "Id": first, "LastName": marker,
         "Bizstim_Id__c": unique("K")}]})
    assert upsert_with_id.json()[0]["errors"][0]["statusCode"] == "INVALID_FIELD"
    deleted = api.delete(COLLECTION, params={"ids": f"{first},{second}"}).json()
    assert [(r["id"], r["success"]) for r in deleted] == [(first, True), (second, True)]
    again = api.delete(COLLECTION, params={"ids": first}).json()[0]
    assert again["errors"][0]["statusCode"] == "ENTITY_IS_DELETED"
