"""§2.11 rules 4, 5, 6, 12 and 13 on v2 records, in process (they are about bodies and state,
not about HTTP)."""

from __future__ import annotations

from pathlib import Path

from tests.sandbox_pipedrive.pd_helpers import InProcess


def test_rule4_custom_fields_by_existing_code_and_typed_per_field(pd: InProcess) -> None:
    status = pd.field("person", "Status", "enum", "active", "left")
    tags = pd.field("person", "Tags", "set", "a", "b")
    wage = pd.field("person", "Wage", "double")
    active = status["options"][0]["id"]
    code, tags_code, wage_code = status["field_code"], tags["field_code"], wage["field_code"]
    refused = [
        {"name": "X", "custom_fields": {code: str(active)}},  # enum id as a string
        {"name": "X", "custom_fields": {code: "active"}},  # enum label
        {"name": "X", "custom_fields": {code: 999999}},  # not one of the field's options
        {"name": "X", "custom_fields": {tags_code: active}},  # set needs an array
        {"name": "X", "custom_fields": {tags_code: []}},  # [] is refused, null clears
        {"name": "X", "custom_fields": {wage_code: "12.5"}},  # number as a string
        {"name": "X", "custom_fields": {"0" * 40: "x"}},  # no such field
        {"name": "X", code: active},  # custom field at the root
        {"name": "X", "owner_id": "1"},  # ids are numbers
        {"name": "X", "org_id": 987654},  # no such organization
    ]
    for body in refused:
        answer = pd.call("POST", "/api/v2/persons", body)
        assert answer.status == 400, body
        assert answer.body["code"] == "ERR_SCHEMA_VALIDATION_FAILED", body
    tag_ids = [o["id"] for o in tags["options"]]
    made = pd.call(
        "POST",
        "/api/v2/persons",
        {"name": "Typed", "custom_fields": {code: active, tags_code: tag_ids, wage_code: 12.5}},
    ).data
    assert made["custom_fields"][code] == active
    assert made["custom_fields"][tags_code] == tag_ids
    assert made["custom_fields"][wage_code] == 12.5
    assert "not allowed" in pd.call("POST", "/api/v2/persons", refused[7]).body["error"]
    as_text = pd.call("POST", "/api/v2/persons", refused[0]).body["error"]
    assert "Expected 'number' as value for single option custom field" in as_text


def test_rule5_product_name_required_non_empty_and_one_price_per_currency(
    pd: InProcess,
) -> None:
    for body in ({"code": "S1"}, {"name": ""}, {"name": "   "}):
        assert pd.call("POST", "/api/v2/products", body).status == 400, body
    twice = [{"currency": "EUR", "price": 10}, {"currency": "EUR", "price": 12}]
    assert pd.call("POST", "/api/v2/products", {"name": "S", "prices": twice}).status == 400
    prices = [{"currency": "EUR", "price": 10}, {"currency": "USD", "price": 12}]
    made = pd.call("POST", "/api/v2/products", {"name": "Session", "prices": prices}).data
    assert [(p["currency"], p["price"]) for p in made["prices"]] == [("EUR", 10), ("USD", 12)]
    patch = pd.call("PATCH", f"/api/v2/products/{made['id']}", {"name": ""})
    assert patch.status == 400


def test_rule6_activities_take_no_custom_fields_and_activity_fields_are_read_only(
    pd: InProcess,
) -> None:
    person = pd.call("POST", "/api/v2/persons", {"name": "Client"}).data
    body = {"subject": "Session", "person_id": person["id"], "custom_fields": {"a" * 40: "x"}}
    refused = pd.call("POST", "/api/v2/activities", body)
    assert refused.status == 400
    assert refused.body["error"] == "Parameter 'custom_fields' is not allowed for this request"
    del body["custom_fields"]
    made = pd.call("POST", "/api/v2/activities", body).data
    assert made["subject"] == "Session" and "custom_fields" not in made
    listed = pd.call("GET", "/api/v2/activityFields").data
    assert listed and not any(f["is_custom_field"] for f in listed)
    new_field = {"field_name": "Practitioner", "field_type": "varchar"}
    assert pd.call("POST", "/api/v2/activityFields", new_field).status == 404
    assert pd.call("DELETE", "/api/v2/activityFields/subject").status == 404


def test_rule12_lists_limit_cursor_ids_updated_since_custom_fields(pd: InProcess) -> None:
    key = pd.field("organization", "Bizstim ID", "varchar")["field_code"]
    other = pd.field("organization", "Region", "varchar")["field_code"]
    made = [
        pd.call(
            "POST",
            "/api/v2/organizations",
            {"name": f"Org {i}", "custom_fields": {key: f"org:{i}", other: "north"}},
        ).data["id"]
        for i in range(7)
    ]
    seen, cursor, pages = [], None, 0
    while True:
        url = f"/api/v2/organizations?limit=3&custom_fields={key}"
        answer = pd.call("GET", url + (f"&cursor={cursor}" if cursor else "")).body
        seen += [(o["id"], o["custom_fields"]) for o in answer["data"]]
        pages += 1
        cursor = answer["additional_data"]["next_cursor"]
        if cursor is None:
            break
    mine = [(i, cf) for i, cf in seen if i in made]
    assert [i for i, _ in mine] == made and len(seen) == len({i for i, _ in seen})
    assert all(cf == {key: f"org:{n}"} for n, (_, cf) in enumerate(mine))
    assert pages == -(-len(seen) // 3)
    assert pd.call("GET", "/api/v2/organizations?limit=501").status == 400
    assert pd.call("GET", "/api/v2/organizations?limit=500").status == 200
    ids = ",".join(str(i) for i in range(1, 102))
    assert pd.call("GET", f"/api/v2/organizations?ids={ids}").status == 400
    picked = pd.call("GET", f"/api/v2/organizations?ids={made[1]},{made[4]}").data
    assert [o["id"] for o in picked] == [made[1], made[4]]
    assert pd.call("GET", "/api/v2/organizations?cursor=not-ours").status == 400
    assert pd.call("GET", "/api/v2/organizations?updated_since=yesterday").status == 400
    pd.clock.advance(3600)
    pd.call("PATCH", f"/api/v2/organizations/{made[2]}", {"name": "Renamed"})
    since = pd.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")
    changed = pd.call("GET", f"/api/v2/organizations?updated_since={since}").data
    assert [o["id"] for o in changed] == [made[2]]


def test_rule13_delete_is_soft_then_404_then_purged_after_30_days(pd: InProcess) -> None:
    deal = pd.call("POST", "/api/v2/deals", {"title": "Payment 1", "value": 40}).data
    url = f"/api/v2/deals/{deal['id']}"
    answer = pd.call("DELETE", url)
    assert answer.status == 200 and answer.body == {"success": True, "data": {"id": deal["id"]}}
    assert pd.call("GET", url).status == 404
    assert pd.call("PATCH", url, {"title": "back"}).status == 404  # no undelete
    assert pd.call("DELETE", url).status == 404
    assert deal["id"] not in [d["id"] for d in pd.call("GET", "/api/v2/deals?limit=500").data]
    binned = pd.call("GET", "/api/v2/deals?status=deleted&limit=500").data
    assert [d["is_deleted"] for d in binned if d["id"] == deal["id"]] == [True]
    store = pd.app.accounts.by_name["acme"].store
    assert store.get("deal", deal["id"])["is_deleted"] is True
    pd.clock.advance(29 * 86400)
    pd.call("GET", "/api/v2/deals")
    assert store.get("deal", deal["id"]) is not None
    pd.clock.advance(2 * 86400)
    pd.call("GET", "/api/v2/deals")
    assert store.get("deal", deal["id"]) is None
    binned = pd.call("GET", "/api/v2/deals?status=deleted&limit=500").data
    assert deal["id"] not in [d["id"] for d in binned]


def test_a_restart_keeps_records_fields_deletions_and_id_counters(tmp_path: Path) -> None:
    first = InProcess(tmp_path)
    code = first.field("person", "Bizstim ID", "varchar")["field_code"]
    kept = first.call("POST", "/api/v2/persons", {"name": "Kept", "custom_fields": {code: "c:1"}})
    gone = first.call("POST", "/api/v2/persons", {"name": "Gone"}).data["id"]
    first.call("DELETE", f"/api/v2/persons/{gone}")
    first.close()
    again = InProcess(tmp_path)
    try:
        assert again.call("GET", f"/api/v2/persons/{kept.data['id']}").data["custom_fields"] == {
            code: "c:1"
        }
        assert again.call("GET", f"/api/v2/persons/{gone}").status == 404
        fresh = again.call("POST", "/api/v2/persons", {"name": "Next"}).data["id"]
        assert fresh == gone + 1
    finally:
        again.close()
