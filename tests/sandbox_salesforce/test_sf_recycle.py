"""Rule 17 of destinations-2.md §1.12: delete moves records to the Recycle Bin (queryAll only),
cascades from an Account, never deletes a User; undelete (partner SOAP) brings it all back."""

from __future__ import annotations

import base64

import httpx

from tests.sandbox_salesforce.sf_helpers import V, create, errors, query, unique


def undelete(api: httpx.Client, record_id: str) -> str:
    envelope = (
        '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.'
        'xmlsoap.org/soap/envelope/" xmlns:urn="urn:partner.soap.sforce.com"><soapenv:Header>'
        f"<urn:SessionHeader><urn:sessionId>{api.token}</urn:sessionId>"  # type: ignore[attr-defined]
        "</urn:SessionHeader></soapenv:Header><soapenv:Body><urn:undelete>"
        f"<urn:ids>{record_id}</urn:ids></urn:undelete></soapenv:Body></soapenv:Envelope>")
    resp = api.post("/services/Soap/u/60.0", content=envelope,
                    headers={"Content-Type": "text/xml", "SOAPAction": '""'})
    assert resp.status_code == 200, resp.text
    return resp.text


def test_rule17_delete_goes_to_the_recycle_bin_with_its_children(api: httpx.Client) -> None:
    key = unique("bin")
    account = create(api, "Account", Name="Binned", Bizstim_Id__c=key)
    contact = create(api, "Contact", LastName="Binned", AccountId=account)
    deal = create(api, "Opportunity", Name="Binned", StageName="Prospecting",
                  CloseDate="2026-06-30", AccountId=account)
    event = create(api, "Event", Subject="Binned", WhoId=contact, DurationInMinutes=15,
                   StartDateTime="2026-04-01T08:00:00Z")
    note = create(api, "ContentNote", Title="Binned",
                  Content=base64.b64encode(b"hello").decode())
    link = create(api, "ContentDocumentLink", ContentDocumentId=note, LinkedEntityId=contact)
    assert api.delete(f"{V}/sobjects/Account/{account}").status_code == 204

    for sobject, record_id in (("Account", account), ("Contact", contact),
                               ("Opportunity", deal), ("Event", event)):
        soql = f"SELECT Id, IsDeleted FROM {sobject} WHERE Id = '{record_id}'"
        assert query(api, soql)["totalSize"] == 0
        assert query(api, soql, all_rows=True)["records"][0]["IsDeleted"] is True
    links = query(api, f"SELECT Id FROM ContentDocumentLink WHERE ContentDocumentId = '{note}'")
    assert link not in [r["Id"] for r in links["records"]]
    gone = api.get(f"{V}/sobjects/Contact/{contact}")
    assert errors(gone, 404)[0]["errorCode"] == "ENTITY_IS_DELETED"
    # a recycled record is not matched by upsert: the same key creates a new Account
    again = api.patch(f"{V}/sobjects/Account/Bizstim_Id__c/{key}", json={"Name": "Reborn"})
    assert again.status_code == 201 and again.json()["id"] != account
    assert api.delete(f"{V}/sobjects/Account/{again.json()['id']}").status_code == 204

    assert "<success>true</success>" in undelete(api, account)
    assert query(api, f"SELECT COUNT() FROM Contact WHERE AccountId = '{account}'")[
        "totalSize"] == 1
    assert query(api, f"SELECT COUNT() FROM Event WHERE Id = '{event}'")["totalSize"] == 1
    links = query(api, f"SELECT Id FROM ContentDocumentLink WHERE LinkedEntityId = '{contact}'")
    assert [r["Id"] for r in links["records"]] == [link]

    user = api.delete(f"{V}/sobjects/User/{api.user_id}")  # type: ignore[attr-defined]
    assert errors(user)[0]["errorCode"] == "INVALID_TYPE_FOR_OPERATION"


def test_deleted_lookup_target_is_cleared_and_restored(api: httpx.Client) -> None:
    contact = create(api, "Contact", LastName=unique("Looked"))
    deal = create(api, "Opportunity", Name="Lookup", StageName="Prospecting",
                  CloseDate="2026-06-30", ContactId=contact)
    assert api.delete(f"{V}/sobjects/Contact/{contact}").status_code == 204
    assert api.get(f"{V}/sobjects/Opportunity/{deal}").json()["ContactId"] is None
    undelete(api, contact)
    assert api.get(f"{V}/sobjects/Opportunity/{deal}").json()["ContactId"] == contact


def test_content_document_link_needs_a_filter(api: httpx.Client) -> None:
    resp = api.get(f"{V}/query", params={"q": "SELECT Id FROM ContentDocumentLink"})
    assert errors(resp)[0]["errorCode"] == "MALFORMED_QUERY"
    note = create(api, "ContentNote", Title="Owner link")
    owner_links = query(api, "SELECT LinkedEntityId, ShareType FROM ContentDocumentLink "
                             f"WHERE ContentDocumentId = '{note}'")["records"]
    assert [(r["LinkedEntityId"], r["ShareType"]) for r in owner_links] == [
        (api.user_id, "I")]  # type: ignore[attr-defined]
    dup = api.post(f"{V}/sobjects/ContentDocumentLink", json={
        "ContentDocumentId": note, "LinkedEntityId": api.user_id})  # type: ignore[attr-defined]
    assert errors(dup)[0]["errorCode"] == "DUPLICATE_VALUE"
