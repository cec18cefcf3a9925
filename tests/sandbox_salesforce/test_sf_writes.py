"""Rules 2, 3, 13, 14 and 16 (with the audit-field permission on) of destinations-2.md §1.12,
plus the owner and value rules a loader classifies as data errors (§1.6)."""

from __future__ import annotations

import base64

import httpx

from tests.sandbox_salesforce.sf_helpers import V, create, errors, query, unique


def test_rule02_create_answers_201_and_refuses_an_id(api: httpx.Client) -> None:
    resp = api.post(f"{V}/sobjects/Account", json={"Name": "Created Co"})
    assert resp.status_code == 201
    body = resp.json()
    assert body["success"] is True and body["errors"] == [] and body["id"].startswith("001")
    refused = api.post(f"{V}/sobjects/Account", json={"Name": "Again", "Id": body["id"]})
    assert errors(refused) == [{"message": "The Id field should not be specified in the "
                                           "sobject data.", "errorCode": "INVALID_FIELD",
                                "fields": ["Id"]}]
    assert query(api, "SELECT COUNT() FROM Account WHERE Name = 'Again'")["totalSize"] == 0


def test_rule03_required_fields_are_named(api: httpx.Client) -> None:
    lead = errors(api.post(f"{V}/sobjects/Lead", json={"FirstName": "No"}))[0]
    assert lead["errorCode"] == "REQUIRED_FIELD_MISSING"
    assert sorted(lead["fields"]) == ["Company", "LastName"]
    opportunity = errors(api.post(f"{V}/sobjects/Opportunity", json={"Name": "Deal"}))[0]
    assert sorted(opportunity["fields"]) == ["CloseDate", "StageName"]
    contact = errors(api.post(f"{V}/sobjects/Contact", json={"LastName": None}))[0]
    assert contact["fields"] == ["LastName"]
    event = errors(api.post(f"{V}/sobjects/Event", json={
        "Subject": "Visit", "StartDateTime": "2026-03-01T10:00:00Z"}))[0]
    assert event["errorCode"] == "REQUIRED_FIELD_MISSING"
    # clearing a required field on update is the same error
    contact_id = create(api, "Contact", LastName="Kept")
    cleared = api.patch(f"{V}/sobjects/Contact/{contact_id}", json={"LastName": ""})
    assert errors(cleared)[0]["errorCode"] == "REQUIRED_FIELD_MISSING"


def test_rule13_restricted_picklists_are_case_sensitive(api: httpx.Client) -> None:
    deal = {"Name": "Deal", "CloseDate": "2026-05-01"}
    wrong_case = api.post(f"{V}/sobjects/Opportunity", json={**deal, "StageName": "closed won"})
    assert errors(wrong_case) == [{
        "message": "Stage: bad value for restricted picklist field: closed won",
        "errorCode": "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "fields": ["StageName"]}]
    won = create(api, "Opportunity", **deal, StageName="Closed Won")
    row = api.get(f"{V}/sobjects/Opportunity/{won}").json()
    assert row["IsWon"] is True and row["Probability"] == 100
    # Product2.Family has no values until the Metadata API adds some
    family = api.post(f"{V}/sobjects/Product2", json={"Name": "Massage", "Family": "Therapy"})
    assert errors(family)[0]["errorCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"


def test_rule14_custom_price_needs_a_standard_price(api: httpx.Client) -> None:
    product = create(api, "Product2", Name=unique("Session"))
    book = create(api, "Pricebook2", Name=unique("Clinic prices"), IsActive=True)
    entry = {"Pricebook2Id": book, "Product2Id": product, "UnitPrice": 40}
    refused = api.post(f"{V}/sobjects/PricebookEntry", json=entry)
    assert errors(refused) == [{"message": "No standard price defined for this product",
                                "errorCode": "STANDARD_PRICE_NOT_DEFINED", "fields": []}]
    standard = query(api, "SELECT Id FROM Pricebook2 WHERE IsStandard = true")["records"]
    assert len(standard) == 1
    create(api, "PricebookEntry", Pricebook2Id=standard[0]["Id"], Product2Id=product,
           UnitPrice=45, IsActive=True)
    assert api.post(f"{V}/sobjects/PricebookEntry", json=entry).status_code == 201
    again = api.post(f"{V}/sobjects/PricebookEntry", json=entry)
    assert errors(again)[0]["errorCode"] == "DUPLICATE_VALUE"


def test_rule16_audit_fields_on_insert_only(api: httpx.Client) -> None:
    """This org has "Set Audit Fields upon Record Creation" (test_sf_audit_off.py: without)."""
    stamp = "2019-04-01T09:30:00.000+0000"
    note = create(api, "ContentNote", Title="Old note", CreatedDate=stamp,
                  Content=base64.b64encode(b"written in 2019").decode())
    row = api.get(f"{V}/sobjects/ContentNote/{note}").json()
    assert row["CreatedDate"] == stamp and row["TextPreview"] == "written in 2019"
    update = api.patch(f"{V}/sobjects/ContentNote/{note}", json={"CreatedDate": stamp})
    assert errors(update)[0]["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
    key = unique("audit")
    upsert = api.patch(f"{V}/sobjects/Account/Bizstim_Id__c/{key}",
                       json={"Name": "Upserted", "CreatedDate": stamp})
    assert errors(upsert)[0] == {
        "message": "Unable to create/update fields: CreatedDate. Please check the security "
                   "settings of this field and verify that it is read/write for your profile "
                   "or permission set.",
        "errorCode": "INVALID_FIELD_FOR_INSERT_UPDATE", "fields": ["CreatedDate"]}


def test_owner_must_be_active_except_on_accounts(api: httpx.Client) -> None:
    users = query(api, "SELECT Id, Email, IsActive FROM User ORDER BY Email")["records"]
    gone = next(u["Id"] for u in users if u["Email"] == "gone@example.com")
    assert next(u for u in users if u["Id"] == gone)["IsActive"] is False
    refused = api.post(f"{V}/sobjects/Contact", json={"LastName": "Owned", "OwnerId": gone})
    assert errors(refused)[0]["errorCode"] == "INACTIVE_OWNER_OR_USER"
    assert api.post(f"{V}/sobjects/Account", json={"Name": "Owned", "OwnerId": gone}) \
        .status_code == 201
    user_insert = api.post(f"{V}/sobjects/User", json={"LastName": "New"})
    assert errors(user_insert)[0]["errorCode"] == "LICENSE_LIMIT_EXCEEDED"


def test_values_are_checked_like_an_org(api: httpx.Client) -> None:
    too_long = api.post(f"{V}/sobjects/Contact", json={"LastName": "x" * 81})
    assert errors(too_long)[0]["errorCode"] == "STRING_TOO_LONG"
    email = api.post(f"{V}/sobjects/Contact", json={"LastName": "M", "Email": "no-at-sign"})
    assert errors(email)[0]["errorCode"] == "INVALID_EMAIL_ADDRESS"
    amount = api.post(f"{V}/sobjects/Opportunity", json={
        "Name": "D", "StageName": "Prospecting", "CloseDate": "2026-13-45"})
    assert errors(amount)[0]["errorCode"] == "INVALID_TYPE_ON_FIELD_IN_RECORD"
    event = api.post(f"{V}/sobjects/Event", json={
        "Subject": "x", "StartDateTime": "2026-03-01T10:00:00Z", "DurationInMinutes": 30,
        "WhoId": create(api, "Account", Name="Not a person")})
    assert errors(event)[0]["errorCode"] == "FIELD_INTEGRITY_EXCEPTION"
    malformed = api.post(f"{V}/sobjects/Contact", json={"LastName": "M", "AccountId": "001x"})
    assert errors(malformed)[0]["errorCode"] == "MALFORMED_ID"
