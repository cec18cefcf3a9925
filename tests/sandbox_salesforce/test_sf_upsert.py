"""Rules 4-7 of destinations-2.md §1.12: upsert only on External IDs, its answers, repeated
keys in one call, unique values — and parents named by External ID."""

from __future__ import annotations

import httpx

from tests.sandbox_salesforce.sf_helpers import V, create, errors, query, unique

UPSERT = f"{V}/composite/sobjects/Account/Bizstim_Id__c"


def account(key: str, **extra: object) -> dict[str, object]:
    return {"attributes": {"type": "Account"}, "Name": f"Household {key}",
            "Bizstim_Id__c": key, **extra}


def test_rule04_upsert_only_on_external_id_fields(api: httpx.Client) -> None:
    not_external = api.patch(f"{V}/sobjects/Account/Name/Acme", json={"Phone": "1"})
    assert errors(not_external, 404) == [{
        "message": "Provided external ID field does not exist or is not accessible: Name",
        "errorCode": "NOT_FOUND"}]
    collection = api.patch(f"{V}/composite/sobjects/Account/Name",
                           json={"records": [account(unique())]})
    assert errors(collection, 404)[0]["errorCode"] == "NOT_FOUND"
    assert api.patch(f"{V}/sobjects/Account/Bizstim_Id__c/{unique()}",
                     json={"Name": "Fine"}).status_code == 201


def test_rule05_upsert_created_updated_multiple_update_only(api: httpx.Client) -> None:
    key = unique("A")
    url = f"{V}/sobjects/Account/Bizstim_Id__c/{key}"
    first = api.patch(url, json={"Name": "First"})
    assert first.status_code == 201 and first.json()["created"] is True
    second = api.patch(url, json={"Name": "Second"})
    assert second.status_code == 200 and second.json() == {
        "id": first.json()["id"], "success": True, "errors": [], "created": False}
    assert api.get(f"{V}/sobjects/Account/{first.json()['id']}").json()["Name"] == "Second"
    missing = api.patch(f"{V}/sobjects/Account/Bizstim_Id__c/{unique('A')}",
                        params={"updateOnly": "true"}, json={"Name": "Never"})
    assert missing.status_code == 404
    shared = unique("legacy")
    ids = [create(api, "Account", Name=f"Twin {n}", Legacy_Key__c=shared) for n in (1, 2)]
    several = api.patch(f"{V}/sobjects/Account/Legacy_Key__c/{shared}", json={"Phone": "9"})
    assert several.status_code == 300
    assert sorted(u.rsplit("/", 1)[1] for u in several.json()) == sorted(ids)
    phones = query(api, f"SELECT Phone FROM Account WHERE Legacy_Key__c = '{shared}'")
    assert [r["Phone"] for r in phones["records"]] == [None, None]


def test_rule06_a_key_twice_in_one_call_fails_every_such_row(api: httpx.Client) -> None:
    key, other = unique("D"), unique("D")
    records = [account(key), account(other), account(key.lower())]
    resp = api.patch(UPSERT, json={"records": records})
    assert resp.status_code == 200
    results = resp.json()
    assert [r["success"] for r in results] == [False, True, False]
    for failed, sent in ((results[0], key), (results[2], key.lower())):
        assert failed["errors"] == [{"statusCode": "DUPLICATE_VALUE", "message":
                                     f"Duplicate external id specified: {sent}",
                                     "fields": ["Bizstim_Id__c"]}]
    assert query(api, f"SELECT COUNT() FROM Account WHERE Bizstim_Id__c = '{key}'")[
        "totalSize"] == 0


def test_rule07_unique_field_rejects_a_second_record(api: httpx.Client) -> None:
    key = unique("U")
    holder = create(api, "Contact", LastName="First", Bizstim_Id__c=key)
    second = api.post(f"{V}/sobjects/Contact", json={"LastName": "Second",
                                                      "Bizstim_Id__c": key.lower()})
    assert errors(second) == [{"message": "duplicate value found: Bizstim_Id__c duplicates "
                                          f"value on record with id: {holder}",
                               "errorCode": "DUPLICATE_VALUE", "fields": ["Bizstim_Id__c"]}]


def test_parents_by_external_id(api: httpx.Client) -> None:
    household = unique("H")
    parent = api.patch(f"{V}/sobjects/Account/Bizstim_Id__c/{household}",
                       json={"Name": "Parent"}).json()["id"]
    child = unique("C")
    resp = api.patch(f"{V}/sobjects/Contact/Bizstim_Id__c/{child}", json={
        "LastName": "Child", "Account": {"Bizstim_Id__c": household}})
    assert resp.status_code == 201
    row = query(api, f"SELECT AccountId, Account.Name FROM Contact WHERE Bizstim_Id__c = "
                     f"'{child}'")["records"][0]
    assert row["AccountId"] == parent and row["Account"]["Name"] == "Parent"
    orphan = api.patch(f"{V}/sobjects/Contact/Bizstim_Id__c/{unique('C')}", json={
        "LastName": "Orphan", "Account": {"Bizstim_Id__c": "no-such-household"}})
    assert errors(orphan)[0]["errorCode"] == "INVALID_CROSS_REFERENCE_KEY"
    event = {"Subject": "Visit", "StartDateTime": "2026-03-01T10:00:00Z",
             "DurationInMinutes": 30, "Who": {"Bizstim_Id__c": child}}
    untyped = api.post(f"{V}/sobjects/Event", json=event)
    assert errors(untyped)[0]["errorCode"] == "INVALID_FIELD"
    event["Who"] = {"attributes": {"type": "Contact"}, "Bizstim_Id__c": child}
    assert api.post(f"{V}/sobjects/Event", json=event).status_code == 201
