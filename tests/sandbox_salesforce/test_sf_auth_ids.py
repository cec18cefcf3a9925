"""Rules 1 (OAuth token, Bearer everywhere) and 20 (18-character ids) of destinations-2.md
§1.12."""

from __future__ import annotations

import re

import httpx

from sandbox.salesforce.ids import checksum, normalize
from sandbox.servers import RunningServer
from tests.sandbox_salesforce.sf_helpers import (
    CLIENT_ID,
    CLIENT_SECRET,
    V,
    create,
    errors,
    token_answer,
)


def test_rule01_token_then_bearer_on_every_call(salesforce: RunningServer) -> None:
    answer = token_answer(salesforce)
    assert answer["instance_url"] == salesforce.url
    assert answer["token_type"] == "Bearer" and answer["access_token"].count("!") == 1
    assert {"id", "issued_at", "signature"} <= set(answer)
    bearer = {"Authorization": f"Bearer {answer['access_token']}"}
    assert httpx.get(f"{salesforce.url}{V}/limits/", headers=bearer).status_code == 200
    for headers in ({}, {"Authorization": "Bearer not-a-token"}):
        refused = httpx.get(f"{salesforce.url}{V}/sobjects/Account/describe", headers=headers)
        assert errors(refused, 401) == [{"message": "Session expired or invalid",
                                         "errorCode": "INVALID_SESSION_ID"}]
    token_url = f"{salesforce.url}/services/oauth2/token"
    wrong = {"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": "x"}
    assert httpx.post(token_url, data=wrong).json()["error"] == "invalid_client"
    stranger = {**wrong, "client_id": "someone-else", "client_secret": CLIENT_SECRET}
    assert httpx.post(token_url, data=stranger).json()["error"] == "invalid_client_id"
    password = {"grant_type": "password", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
    refused = httpx.post(token_url, data=password)
    assert refused.status_code == 400 and refused.json()["error"] == "unsupported_grant_type"


def test_rule20_ids_are_18_characters_with_prefix_and_checksum(api: httpx.Client) -> None:
    account = create(api, "Account", Name="Prefix Co")
    contact = create(api, "Contact", LastName="Prefix", AccountId=account)
    lead = create(api, "Lead", LastName="Prefix", Company="Prefix Co")
    product = create(api, "Product2", Name="Prefix product")
    for record_id, prefix in ((account, "001"), (contact, "003"), (lead, "00Q"),
                              (product, "01t"), (api.user_id, "005")):  # type: ignore[attr-defined]
        assert re.fullmatch(r"[0-9A-Za-z]{18}", record_id), record_id
        assert record_id.startswith(prefix)
        assert record_id[15:] == checksum(record_id[:15])
    # a 15-character id, and an 18-character one whose case was lost, both name the record
    assert api.get(f"{V}/sobjects/Contact/{contact[:15]}").json()["Id"] == contact
    shouted = contact.upper()
    assert normalize(shouted) == contact
    assert api.get(f"{V}/sobjects/Contact/{shouted}").json()["Id"] == contact
    # an id of another object in a lookup is refused
    resp = api.post(f"{V}/sobjects/Contact", json={"LastName": "Wrong", "AccountId": lead})
    assert errors(resp)[0]["errorCode"] == "FIELD_INTEGRITY_EXCEPTION"
