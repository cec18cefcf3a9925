"""Rule 15 of destinations-2.md §1.12: a deployed custom field is invisible until a
FieldPermissions row on a permission set assigned to the integration user grants it."""

from __future__ import annotations

import httpx

from tests.sandbox_salesforce.sf_helpers import (
    V,
    create,
    errors,
    grant,
    permission_set,
    query,
    text_field,
    unique,
)


def describe_names(api: httpx.Client, sobject: str) -> set[str]:
    return {f["name"] for f in api.get(f"{V}/sobjects/{sobject}/describe").json()["fields"]}


def test_rule15_custom_field_hidden_until_granted(api: httpx.Client) -> None:
    field = f"Status_{unique().replace('-', '')}__c"
    text_field(api, "Lead", field)
    lead = {"LastName": "Visible", "Company": "FLS Ltd", field: "active"}
    hidden = api.post(f"{V}/sobjects/Lead", json=lead)
    assert errors(hidden) == [{"message": f"No such column '{field}' on sobject of type Lead",
                               "errorCode": "INVALID_FIELD", "fields": [field]}]
    soql = api.get(f"{V}/query", params={"q": f"SELECT {field} FROM Lead"})
    assert errors(soql)[0]["errorCode"] == "INVALID_FIELD"
    assert field not in describe_names(api, "Lead")

    ps = permission_set(api)
    read_only = grant(api, ps, "Lead", field, edit=False)
    assert field in describe_names(api, "Lead")
    assert query(api, f"SELECT {field} FROM Lead LIMIT 1")["done"] is True
    not_editable = api.post(f"{V}/sobjects/Lead", json=lead)
    assert errors(not_editable)[0]["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"

    assert api.patch(f"{V}/sobjects/FieldPermissions/{read_only}",
                     json={"PermissionsEdit": True}).status_code == 204
    saved = create(api, "Lead", **lead)
    assert api.get(f"{V}/sobjects/Lead/{saved}").json()[field] == "active"


def test_field_permissions_behave_like_an_org(api: httpx.Client) -> None:
    field = f"Note_{unique().replace('-', '')}__c"
    text_field(api, "Contact", field)
    ps = permission_set(api)
    first = grant(api, ps, "Contact", field)
    twice = api.post(f"{V}/sobjects/FieldPermissions", json={
        "ParentId": ps, "SobjectType": "Contact", "Field": f"Contact.{field}",
        "PermissionsRead": True})
    assert errors(twice)[0]["errorCode"] == "DUPLICATE_VALUE"
    no_such = api.post(f"{V}/sobjects/FieldPermissions", json={
        "ParentId": ps, "SobjectType": "Contact", "Field": "Contact.Nope__c",
        "PermissionsRead": True})
    assert errors(no_such)[0]["errorCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    missing = api.post(f"{V}/sobjects/FieldPermissions", json={"ParentId": ps})
    assert sorted(errors(missing)[0]["fields"]) == ["Field", "SobjectType"]
    # revoking the grant hides the field again
    assert api.delete(f"{V}/sobjects/FieldPermissions/{first}").status_code == 204
    assert field not in describe_names(api, "Contact")
