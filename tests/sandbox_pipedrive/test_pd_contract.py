"""The stand-in's contract layer (``sandbox/pipedrive/contract.py``): §2.11 rule 4 as the real
API enforces it beyond the spec, the token costs rule 11 charges, and the spec's defects
patched in memory. In process: none of it is about HTTP. The specs are parsed once per
process (``load_contract`` is cached), so every test here shares one load."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sandbox.pipedrive.contract import Contract, ContractMissing, load_contract

HASH = "a3f1c9e2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a4"  # a 40-hex custom-field code
SCHEMA_FAILED = "ERR_SCHEMA_VALIDATION_FAILED"

# destinations-2.md §2.2's table (and destinations.md §2.4 for what it leaves out),
# for every operation the loader uses
COSTS = {
    **{
        (method, f"/api/v2/{entity}{suffix}"): cost
        for entity in ("persons", "organizations", "products", "deals", "activities")
        for method, suffix, cost in (
            ("POST", "", 5),
            ("PATCH", "/7", 5),
            ("GET", "/7", 1),
            ("DELETE", "/7", 3),
            ("GET", "", 10),
        )
    },
    **{
        (method, f"/api/v2/{entity}Fields{suffix}"): cost
        for entity in ("person", "organization", "product", "deal")
        for method, suffix, cost in (
            ("GET", "", 10),
            ("POST", "", 5),
            ("PATCH", f"/{HASH}", 5),
            ("DELETE", f"/{HASH}", 3),
            ("POST", f"/{HASH}/options", 5),
        )
    },
    ("GET", "/api/v2/activityFields"): 10,
    ("GET", "/api/v2/persons/search"): 20,
    ("GET", "/api/v2/organizations/search"): 20,
    ("GET", "/api/v2/products/search"): 20,
    ("POST", "/v1/notes"): 10,
    ("GET", "/v1/notes"): 20,
    ("DELETE", "/v1/notes/7"): 6,
    ("POST", "/v1/users"): 10,
    ("GET", "/v1/users"): 20,
    ("GET", "/v1/users/find"): 40,
    ("PUT", "/v1/persons/7/merge"): 40,
    ("POST", "/api/v2/deals/7/products/bulk"): 25,
}


@pytest.fixture(scope="session")
def contract() -> Contract:
    return load_contract()


def _body(value: Any) -> bytes:
    return json.dumps(value).encode()


def test_token_costs_of_every_operation_the_loader_uses(contract: Contract) -> None:
    costs = {call: contract.token_cost(*call) for call in COSTS}
    assert costs == COSTS
    missing = [
        op.operation_id
        for version in ("v1", "v2")
        for op in contract.operations[version]
        if op.cost is None
    ]
    assert missing == []  # every operation carries its x-token-cost
    assert contract.token_cost("GET", "/api/v2/nothing") == 0


def test_rule4_unknown_root_keys_refused_even_where_the_spec_allows_them(
    contract: Contract,
) -> None:
    """The v2 body schemas do not forbid extra properties; the real API refuses them."""
    schemas = contract._specs["v2"]["paths"]
    activity = schemas["/activities"]["post"]["requestBody"]["content"]["application/json"]
    assert "custom_fields" not in activity["schema"]["properties"]
    assert activity["schema"].get("additionalProperties", True) is not False
    refused = [
        ("POST", "/api/v2/persons", {"name": "Ann", HASH: "x"}, HASH),  # custom hash at root
        ("PATCH", "/api/v2/organizations/3", {"name": "Org", "nickname": "o"}, "nickname"),
        ("POST", "/api/v2/activities", {"subject": "S", "custom_fields": {HASH: 1}}, None),
    ]
    for method, path, body, key in refused:
        refusal = contract.check_request(method, path, {}, _body(body))
        assert refusal is not None and refusal.status == 400, (path, body)
        assert refusal.body["code"] == SCHEMA_FAILED
        name = key or "custom_fields"
        assert refusal.body["error"] == f"Parameter '{name}' is not allowed for this request"
    fine = {"name": "Ann", "owner_id": 1, "custom_fields": {HASH: "x"}}
    assert contract.check_request("POST", "/api/v2/persons", {}, _body(fine)) is None
    subject = {"subject": "Session", "due_date": "2026-01-05", "note": "x [bizstim:s-1]"}
    assert contract.check_request("POST", "/api/v2/activities", {}, _body(subject)) is None


def test_rule4_types_checked_with_the_version_s_error_body(contract: Contract) -> None:
    v2 = contract.check_request(
        "POST", "/api/v2/persons", {}, _body({"name": "A", "owner_id": "1"})
    )
    assert v2 is not None and v2.status == 400
    assert v2.body["code"] == SCHEMA_FAILED
    assert v2.body["error"].startswith("Validation failed: owner_id:")
    v1 = contract.check_request("POST", "/v1/notes", {}, _body({"content": 5, "person_id": 1}))
    assert v1 is not None and v1.status == 400
    assert set(v1.body) == {"success", "error", "error_info", "data", "additional_data"}
    assert v1.body["success"] is False and v1.body["data"] is None
    bad_limit = contract.check_request("GET", "/api/v2/deals", {"limit": ["many"]}, None)
    assert bad_limit is not None and bad_limit.status == 400
    gone = contract.check_request("PUT", "/api/v2/persons/3", {}, None)
    assert gone is not None and gone.status == 404
    listed = {"term": ["ann"], "fields": ["custom_fields,email"]}  # a comma list, not one enum
    assert contract.check_request("GET", "/api/v2/persons/search", listed, None) is None
    wrong = {"term": ["ann"], "fields": ["custom_fields,birthday"]}
    assert contract.check_request("GET", "/api/v2/persons/search", wrong, None) is not None


def test_add_organization_requires_name_not_the_spec_s_title(contract: Contract) -> None:
    named = contract.check_request("POST", "/api/v2/organizations", {}, _body({"name": "Lee"}))
    assert named is None
    unnamed = contract.check_request("POST", "/api/v2/organizations", {}, _body({"owner_id": 1}))
    assert unnamed is not None and "'name' is a required property" in unnamed.body["error"]


def test_answers_are_checked_against_the_documented_response(contract: Contract) -> None:
    person = {"success": True, "data": {"id": 4, "name": "Ann", "is_deleted": False}}
    assert contract.check_response("GET", "/api/v2/persons/4", 200, person) is None
    stringly = {"success": True, "data": {"id": "4", "name": "Ann"}}
    assert "data.id" in (contract.check_response("GET", "/api/v2/persons/4", 200, stringly) or "")
    assert contract.check_response("POST", "/api/v2/persons", 201, person) is not None
    last_page = {"success": True, "data": [], "additional_data": {"next_cursor": None}}
    assert contract.check_response("GET", "/api/v2/persons", 200, last_page) is None
    error = {"success": False, "error": "Person not found", "code": "ERR_NOT_FOUND"}
    assert contract.check_response("GET", "/api/v2/persons/9", 404, error) is None
    assert contract.check_response("GET", "/api/v2/persons/9", 404, {"error": "x"}) is not None


def test_missing_contract_files_name_the_directory(tmp_path: Path) -> None:
    with pytest.raises(ContractMissing, match=str(tmp_path.resolve())):
        load_contract(tmp_path)
