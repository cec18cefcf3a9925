"""Object permissions (rule 15's object half, ``security.py``): a custom object the Metadata API
deployed is unknown to the API-only integration user on every path until ObjectPermissions on
an assigned permission set grant Read, and each write needs its own flag."""

from __future__ import annotations

import httpx

from tests.sandbox_salesforce.s2_helpers import object_xml, open_job, soap_results
from tests.sandbox_salesforce.sf_helpers import (
    V,
    create,
    errors,
    grant_object,
    permission_set,
    query,
    unique,
)


def test_custom_object_refused_until_object_permissions_grant_it(api: httpx.Client) -> None:
    obj = f"Obj_{unique().replace('-', '')}__c"
    assert soap_results(api, "createMetadata", object_xml(obj))[0]["success"] == "true"
    unknown = f"sObject type '{obj}' is not supported."

    soql = errors(api.get(f"{V}/query", params={"q": f"SELECT Id FROM {obj}"}))[0]
    assert soql["errorCode"] == "INVALID_TYPE" and unknown in soql["message"]
    assert api.post(f"{V}/sobjects/{obj}", json={"Name": "x"}).status_code == 404
    rows = {"records": [{"attributes": {"type": obj}, "Name": "x"}]}
    collections = errors(api.post(f"{V}/composite/sobjects", json=rows))[0]
    assert collections["errorCode"] == "INVALID_TYPE" and unknown in collections["message"]
    bulk = api.post(f"{V}/jobs/ingest", json={"object": obj, "operation": "insert"})
    assert bulk.status_code == 400 and "Unable to find object" in bulk.json()[0]["message"]
    listed = {o["name"] for o in api.get(f"{V}/sobjects").json()["sobjects"]}
    assert obj not in listed and "Contact" in listed  # standard objects stay reachable

    ps = permission_set(api)
    depends = api.post(f"{V}/sobjects/ObjectPermissions", json={
        "ParentId": ps, "SobjectType": obj, "PermissionsEdit": True})
    assert errors(depends)[0] == {
        "errorCode": "FIELD_INTEGRITY_EXCEPTION", "fields": [],
        "message": f"Permission Edit {obj} depends on permission(s): Read {obj}"}
    read_only = grant_object(api, ps, obj, PermissionsCreate=False, PermissionsEdit=False,
                             PermissionsDelete=False, PermissionsModifyAllRecords=False)
    assert read_only.startswith("110")
    assert query(api, f"SELECT Id FROM {obj}")["totalSize"] == 0
    described = api.get(f"{V}/sobjects/{obj}/describe").json()
    assert (described["createable"], described["deletable"]) == (False, False)
    refused = errors(api.post(f"{V}/sobjects/{obj}", json={"Name": "x"}))[0]
    assert refused["errorCode"] == "INSUFFICIENT_ACCESS_OR_READONLY"

    assert api.patch(f"{V}/sobjects/ObjectPermissions/{read_only}", json={
        "PermissionsCreate": True, "PermissionsEdit": True,
        "PermissionsDelete": True}).status_code == 204
    record = create(api, obj, Name="granted")
    assert query(api, f"SELECT Name FROM {obj}")["records"][0]["Name"] == "granted"
    assert open_job(api, obj, "insert")  # Bulk finds it too
    assert api.delete(f"{V}/sobjects/{obj}/{record}").status_code == 204

    # revoking the grant makes the object unknown again
    assert api.delete(f"{V}/sobjects/ObjectPermissions/{read_only}").status_code == 204
    assert api.get(f"{V}/sobjects/{obj}/describe").status_code == 404
