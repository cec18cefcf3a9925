"""Helpers shared by the Salesforce stand-in tests: login, Metadata deploys, FLS grants."""

from __future__ import annotations

import itertools
from typing import Any

import httpx

from sandbox.servers import RunningServer

CLIENT_ID, CLIENT_SECRET = "sf-test-client", "sf-test-secret"
USERS = ["ann@example.com:Ann Lee", "bob@example.com:Bob Stone"]
INACTIVE_USERS = ["gone@example.com:Gina Gone"]
V = "/services/data/v60.0"
_counter = itertools.count()


def unique(prefix: str = "v") -> str:
    """A value no other test uses."""
    return f"{prefix}-{next(_counter)}"


def server_args(db: str, *extra: str) -> list[str]:
    args = ["--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET, "--db", db]
    for user in USERS:
        args += ["--user", user]
    for user in INACTIVE_USERS:
        args += ["--inactive-user", user]
    return [*args, *extra]


def token_answer(server: RunningServer) -> dict[str, Any]:
    resp = httpx.post(f"{server.url}/services/oauth2/token",
                      data={"grant_type": "client_credentials", "client_id": CLIENT_ID,
                            "client_secret": CLIENT_SECRET})
    assert resp.status_code == 200, resp.text
    return resp.json()


def login(server: RunningServer) -> httpx.Client:
    answer = token_answer(server)
    client = httpx.Client(base_url=answer["instance_url"], timeout=30,
                          headers={"Authorization": f"Bearer {answer['access_token']}"})
    client.token = answer["access_token"]  # type: ignore[attr-defined]
    client.user_id = answer["id"].rsplit("/", 1)[1]  # type: ignore[attr-defined]
    return client


def errors(resp: httpx.Response, status: int = 400) -> list[dict[str, Any]]:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert isinstance(body, list), body
    return body


def create(api: httpx.Client, sobject: str, **values: Any) -> str:
    resp = api.post(f"{V}/sobjects/{sobject}", json=values)
    assert resp.status_code == 201, resp.text
    return resp.json()["id"]


def query(api: httpx.Client, soql: str, all_rows: bool = False) -> dict[str, Any]:
    resp = api.get(f"{V}/{'queryAll' if all_rows else 'query'}", params={"q": soql})
    assert resp.status_code == 200, resp.text
    return resp.json()


def metadata(api: httpx.Client, call: str, body: str) -> str:
    envelope = (
        '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv='
        '"http://schemas.xmlsoap.org/soap/envelope/" xmlns:met="http://soap.sforce.com/2006/04/'
        'metadata" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Header>'
        f"<met:SessionHeader><met:sessionId>{api.token}</met:sessionId>"  # type: ignore[attr-defined]
        f"</met:SessionHeader></soapenv:Header><soapenv:Body><met:{call}>{body}</met:{call}>"
        "</soapenv:Body></soapenv:Envelope>")
    resp = api.post("/services/Soap/m/60.0", content=envelope,
                    headers={"Content-Type": "text/xml", "SOAPAction": '""'})
    assert resp.status_code == 200, resp.text
    assert "<success>true</success>" in resp.text, resp.text
    return resp.text


def text_field(api: httpx.Client, sobject: str, name: str, external_id: bool = False,
               unique_values: bool = False, length: int = 80) -> None:
    """Deploy a Text custom field through the Metadata API (S2's ``metadata.py``)."""
    metadata(api, "createMetadata",
             f'<met:metadata xsi:type="met:CustomField"><met:fullName>{sobject}.{name}'
             f"</met:fullName><met:label>{name}</met:label><met:type>Text</met:type>"
             f"<met:length>{length}</met:length><met:externalId>{str(external_id).lower()}"
             f"</met:externalId><met:unique>{str(unique_values).lower()}</met:unique>"
             "</met:metadata>")


def permission_set(api: httpx.Client) -> str:
    """A new permission set assigned to the integration user."""
    name = unique("Bizmig_Test").replace("-", "_")
    ps = create(api, "PermissionSet", Name=name, Label=name)
    create(api, "PermissionSetAssignment", AssigneeId=api.user_id,  # type: ignore[attr-defined]
           PermissionSetId=ps)
    return ps


def grant_object(api: httpx.Client, ps: str, sobject: str, **flags: bool) -> str:
    """ObjectPermissions on a custom object: everything unless ``flags`` say otherwise."""
    every = {f"Permissions{p}": True for p in ("Read", "Create", "Edit", "Delete",
                                               "ViewAllRecords", "ModifyAllRecords")}
    return create(api, "ObjectPermissions", ParentId=ps, SobjectType=sobject,
                  **{**every, **flags})


def grant(api: httpx.Client, ps: str, sobject: str, name: str, edit: bool = True) -> str:
    return create(api, "FieldPermissions", ParentId=ps, SobjectType=sobject,
                  Field=f"{sobject}.{name}", PermissionsRead=True, PermissionsEdit=edit)
