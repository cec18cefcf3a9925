"""§3.11 rules 2-6 in process: wrapped bodies and answers, custom values only under
``custom_field`` by existing, typed ``cf_*`` fields, upsert on a unique field (201 then 200),
owners/accounts/targets that must exist, and the 400 ``{"errors": {field: [messages]}}`` shape."""

from __future__ import annotations

from tests.sandbox_freshsales.fs_helpers import InProcess

OWNER = "owner@example.com"


def _account(fs: InProcess, key: str) -> int:
    answer = fs.api(
        "POST",
        "/sales_accounts/upsert",
        {"unique_identifier": {"cf_bizstim_id": key}, "sales_account": {"name": key}},
    )
    assert answer.status in (200, 201), answer.body
    return answer.body["sales_account"]["id"]


def test_rule2_bodies_are_wrapped_in_their_resource_and_so_are_answers(fs: InProcess) -> None:
    wrapped = fs.api("POST", "/sales_accounts", {"sales_account": {"name": "Wrapped"}})
    assert wrapped.status == 200
    assert wrapped.body["sales_account"]["name"] == "Wrapped"
    unwrapped = fs.api("POST", "/sales_accounts", {"name": "Bare"})  # n8n's form, accepted
    assert unwrapped.body["sales_account"]["name"] == "Bare"
    record_id = wrapped.body["sales_account"]["id"]
    read = fs.api("GET", f"/sales_accounts/{record_id}")
    assert read.body == {"sales_account": wrapped.body["sales_account"]}


def test_rule3_custom_values_only_under_custom_field_by_existing_typed_cf_names(
    fs: InProcess,
) -> None:
    at_root = fs.api("POST", "/contacts", {"contact": {"last_name": "R", "cf_status": "Active"}})
    assert at_root.status == 400 and "cf_status" in at_root.body["errors"]
    custom = {"cf_unknown": "x", "cf_status": "active", "cf_limit": "4"}
    refused = fs.api("POST", "/contacts", {"contact": {"last_name": "R", "custom_field": custom}})
    assert refused.status == 400
    assert set(refused.body["errors"]) == {"cf_unknown", "cf_status", "cf_limit"}
    good = {"cf_status": "Active", "cf_limit": 4}
    kept = fs.api("POST", "/contacts", {"contact": {"last_name": "R", "custom_field": good}})
    assert kept.status == 200 and kept.body["contact"]["custom_field"] == good


def test_rule4_upsert_names_a_unique_field_and_answers_201_then_200(fs: InProcess) -> None:
    body = {"unique_identifier": {"cf_plain": "p1"}, "contact": {"last_name": "U"}}
    assert fs.api("POST", "/contacts/upsert", body).status == 400  # cf_plain is not unique
    body["unique_identifier"] = {"cf_bizstim_id": "client:u"}
    created = fs.api("POST", "/contacts/upsert", body)
    body["contact"]["first_name"] = "Una"
    updated = fs.api("POST", "/contacts/upsert", body)
    assert (created.status, updated.status) == (201, 200)
    assert created.body["contact"]["id"] == updated.body["contact"]["id"]
    assert updated.body["contact"]["custom_field"]["cf_bizstim_id"] == "client:u"
    by_email = {"unique_identifier": {"emails": "u@example.com"}, "contact": {"last_name": "E"}}
    first, second = (fs.api("POST", "/contacts/upsert", by_email) for _ in range(2))
    assert (first.status, second.status) == (201, 200)


def test_rule5_owners_accounts_and_targets_must_exist(fs: InProcess) -> None:
    household = _account(fs, "household:5")
    gone = fs.user_id("gone@example.com")
    for owner in (9999, gone):
        answer = fs.api("POST", "/contacts", {"contact": {"last_name": "O", "owner_id": owner}})
        assert answer.status == 400 and "owner_id" in answer.body["errors"]
    owned = fs.api(
        "POST", "/contacts", {"contact": {"last_name": "O", "owner_id": fs.user_id(OWNER)}}
    )
    assert owned.status == 200
    deal = {"name": "Payment", "amount": 40}
    assert fs.api("POST", "/deals", {"deal": deal}).status == 400
    assert fs.api("POST", "/deals", {"deal": {**deal, "sales_account_id": 999}}).status == 400
    assert fs.api("POST", "/deals", {"deal": {**deal, "sales_account_id": household}}).status == 200
    two_primaries = [{"id": household, "is_primary": True}] * 2
    eleven = [{"id": household, "is_primary": i == 0} for i in range(11)]
    for links in (two_primaries, eleven):
        body = {"contact": {"last_name": "A", "sales_accounts": links}}
        answer = fs.api("POST", "/contacts", body)
        assert answer.status == 400 and "sales_accounts" in answer.body["errors"]
    contact = owned.body["contact"]["id"]
    note = {"description": "n", "targetable_type": "Lead", "targetable_id": contact}
    assert fs.api("POST", "/notes", {"note": note}).status == 400
    note["targetable_type"] = "Contact"
    assert fs.api("POST", "/notes", {"note": note}).status == 200


def test_rule6_validation_errors_name_each_field_with_a_list_of_messages(fs: InProcess) -> None:
    answer = fs.api("POST", "/deals", {"deal": {"amount": "forty"}})
    assert answer.status == 400
    errors = answer.body["errors"]
    assert {"name", "amount", "sales_account_id"} <= set(errors)
    assert all(isinstance(m, list) and all(isinstance(t, str) for t in m) for m in errors.values())
    assert errors["name"] == ["can't be blank"]
