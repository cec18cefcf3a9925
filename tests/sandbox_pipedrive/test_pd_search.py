"""§2.11 rules 10 (search) and 14 (person merge), called as the app's dispatch calls them
(``search.search``, ``merge.merge``) on records made through the in-process stand-in; every
answer is checked against the spec's documented response."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.pipedrive import merge, search
from sandbox.pipedrive.accounts import Account
from sandbox.pipedrive.contract import load_contract
from sandbox.pipedrive.errors import PdError
from tests.sandbox_pipedrive.pd_helpers import InProcess


def _account(pd: InProcess) -> Account:
    return pd.app.accounts.by_name["acme"]


def _found(pd: InProcess, plural: str, lag_s: float = 0.0, **query: str) -> list[Any]:
    body = search.answer(_account(pd), plural, {k: [v] for k, v in query.items()}, lag_s)
    problem = load_contract().check_response("GET", f"/api/v2/{plural}/search", 200, body)
    assert problem is None
    return sorted(hit["item"]["id"] for hit in body["data"]["items"])


def test_rule10_search_terms_exact_match_and_searchable_field_types(pd: InProcess) -> None:
    key = pd.field("person", "Bizstim ID", "varchar")["field_code"]
    status = pd.field("person", "Client status", "enum", "Active", "Left")
    born = pd.field("person", "Born", "date")["field_code"]
    active = status["options"][0]["id"]
    ann = pd.call(
        "POST",
        "/api/v2/persons",
        {
            "name": "Ann Lee",
            "emails": [{"value": "Ann.Lee@Example.com"}],
            "custom_fields": {key: "client:17", status["field_code"]: active, born: "1990-01-02"},
        },
    ).data["id"]
    annette = pd.call("POST", "/api/v2/persons", {"name": "Annette Stone"}).data["id"]
    for term, exact in (("A", "false"), ("", "true")):
        with pytest.raises(PdError) as refused:
            search.search(_account(pd), "persons", {"term": [term], "exact_match": [exact]})
        assert refused.value.status == 400
    assert _found(pd, "persons", term="ann") == [ann, annette]
    assert _found(pd, "persons", term="ANN LEE", exact_match="true") == [ann]
    assert _found(pd, "persons", term="ann", exact_match="true") == []
    assert _found(pd, "persons", term="ann.lee@example.COM", exact_match="true") == [ann]
    assert _found(pd, "persons", term="CLIENT:17", exact_match="true", fields="custom_fields") == [
        ann
    ]
    assert _found(pd, "persons", term="client:17", fields="name,email") == []
    # enum and date custom fields are not searchable, though the values are stored
    assert _found(pd, "persons", term=str(active), exact_match="true", fields="custom_fields") == []
    assert _found(pd, "persons", term="1990-01-02", fields="custom_fields") == []
    # with an indexing lag, a record written moments ago is not found yet
    assert _found(pd, "persons", lag_s=30, term="ann") == []
    pd.clock.advance(31)
    assert _found(pd, "persons", lag_s=30, term="ann") == [ann, annette]


def test_rule10_products_and_organizations_search_their_own_fields(pd: InProcess) -> None:
    product = pd.call("POST", "/api/v2/products", {"name": "Massage 60", "code": "SVC-7"})
    org = pd.call("POST", "/api/v2/organizations", {"name": "Lee household"}).data["id"]
    assert _found(pd, "products", term="svc-7", exact_match="true") == [product.data["id"]]
    assert _found(pd, "products", term="svc-7", fields="name") == []
    assert _found(pd, "organizations", term="household") == [org]


def test_rule14_merge_keeps_merge_with_id_and_moves_children(pd: InProcess) -> None:
    contract = load_contract()
    assert contract.token_cost("PUT", "/v1/persons/5/merge") == 40
    key = pd.field("person", "Legacy ref", "varchar")["field_code"]
    kept = pd.call(
        "POST", "/api/v2/persons", {"name": "Bo Keep", "emails": [{"value": "bo@example.com"}]}
    ).data["id"]
    twin = pd.call(
        "POST",
        "/api/v2/persons",
        {
            "name": "Bo Twin",
            "emails": [{"value": "BO@example.com"}, {"value": "bo@work.example"}],
            "custom_fields": {key: "ref-9"},
        },
    ).data["id"]
    note = pd.call("POST", "/v1/notes", {"content": "paid [bizstim:p-1]", "person_id": twin})
    activity = pd.call("POST", "/api/v2/activities", {"subject": "Session", "person_id": twin})
    body = {"merge_with_id": kept}
    assert (
        contract.check_request("PUT", f"/v1/persons/{twin}/merge", {}, b'{"merge_with_id": 1}')
        is None
    )
    survivor = merge.merge(_account(pd), str(twin), body)
    answer = {"success": True, "data": survivor}
    assert contract.check_response("PUT", f"/v1/persons/{twin}/merge", 200, answer) is None
    assert (survivor["id"], survivor["merge_what_id"], survivor["name"]) == (kept, twin, "Bo Keep")
    assert [e["value"] for e in survivor["email"]] == ["bo@example.com", "bo@work.example"]
    assert survivor["notes_count"] == 1 and survivor["activities_count"] == 1
    assert pd.call("GET", f"/api/v2/persons/{twin}").status == 404
    assert pd.call("GET", f"/api/v2/persons/{kept}").data["custom_fields"][key] == "ref-9"
    assert pd.call("GET", f"/v1/notes/{note.data['id']}").data["person_id"] == kept
    moved = pd.call("GET", f"/api/v2/activities/{activity.data['id']}").data
    assert moved["person_id"] == kept
    for person_id, wrong in ((str(kept), {"merge_with_id": kept}), (str(twin), body)):
        with pytest.raises(PdError) as refused:
            merge.merge(_account(pd), person_id, wrong)
        assert refused.value.v1 and refused.value.status in (400, 404)
