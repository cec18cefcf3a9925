"""§2.11 rules 7 (v1 notes), 8 (v1 users) and 9 (Fields API), in process."""

from __future__ import annotations

from tests.sandbox_pipedrive.pd_helpers import USER, Answer, InProcess


def _v1_refusal(answer: Answer, status: int = 400) -> None:
    assert answer.status == status, (answer.status, answer.body)
    body = answer.body
    assert body["success"] is False and body["error"]
    assert body["data"] is None and body["additional_data"] is None and "error_info" in body


def test_rule7_notes_need_content_a_parent_and_a_v1_add_time(pd: InProcess) -> None:
    person = pd.call("POST", "/api/v2/persons", {"name": "Noted"}).data["id"]
    for body in (
        {"person_id": person},  # no content
        {"content": "", "person_id": person},  # empty content
        {"content": "paid 40 EUR"},  # hangs on nothing
        {"content": "x", "person_id": person, "add_time": "2024-01-02T03:04:05Z"},
        {"content": "x", "person_id": person, "add_time": "2024-01-02"},
        {"content": "x", "person_id": str(person)},
        {"content": "x", "person_id": 999999},  # no such person
    ):
        _v1_refusal(pd.call("POST", "/v1/notes", body))
    made = pd.call(
        "POST",
        "/v1/notes",
        {
            "content": "<p>paid</p> [bizstim:pay:1]",
            "person_id": person,
            "add_time": "2024-01-02 03:04:05",
        },
    ).data
    pinned_wrong = {"content": "x", "person_id": person, "pinned_to_deal_flag": 1}
    _v1_refusal(pd.call("POST", "/v1/notes", pinned_wrong))
    by_other = {"content": "x", "person_id": person, "user_id": made["user_id"]}
    _v1_refusal(pd.call("POST", "/v1/notes", by_other, token=USER), 403)  # admins only
    assert made["add_time"] == "2024-01-02 03:04:05"
    assert made["content"] == "<p>paid</p> [bizstim:pay:1]"
    for n in range(3):
        pd.call("POST", "/v1/notes", {"content": f"n{n}", "person_id": person})
    first = pd.call("GET", f"/v1/notes?person_id={person}&limit=3").body
    assert [n["person_id"] for n in first["data"]] == [person] * 3
    page = first["additional_data"]["pagination"]
    assert page["more_items_in_collection"] is True and page["next_start"] == 3
    rest = pd.call("GET", f"/v1/notes?person_id={person}&limit=3&start=3").body
    assert len(rest["data"]) == 1
    assert rest["additional_data"]["pagination"]["more_items_in_collection"] is False
    url = f"/v1/notes/{made['id']}"
    assert pd.call("PUT", url, {"content": "changed"}).data["content"] == "changed"
    assert pd.call("DELETE", url).data is True
    _v1_refusal(pd.call("GET", url), 404)


def test_rule8_users_post_needs_email_put_only_active_flag_admins_only(pd: InProcess) -> None:
    users = pd.call("GET", "/v1/users").data
    assert {"admin@example.com", "ann@example.com", "gone@example.com"} <= {
        u["email"] for u in users
    }
    assert pd.call("GET", "/v1/users", token=USER).status == 200
    _v1_refusal(pd.call("POST", "/v1/users", {"active_flag": False}))
    _v1_refusal(pd.call("POST", "/v1/users", {"email": "carl@example.com"}, token=USER), 403)
    made = pd.call("POST", "/v1/users", {"email": "carl@example.com", "active_flag": False}).data
    assert made["email"] == "carl@example.com" and made["active_flag"] is False
    url = f"/v1/users/{made['id']}"
    _v1_refusal(pd.call("PUT", url, {"active_flag": True, "name": "Carl"}))
    _v1_refusal(pd.call("PUT", url, {"active_flag": True}, token=USER), 403)
    assert pd.call("PUT", url, {"active_flag": True}).data["active_flag"] is True
    _v1_refusal(pd.call("POST", "/v1/users", {"email": "CARL@example.com"}))


def test_rule9_fields_create_patch_delete_and_atomic_options(pd: InProcess) -> None:
    made = pd.field("deal", "Kind", "enum", "one", "two")
    code = made["field_code"]
    assert len(code) == 40 and all(c in "0123456789abcdef" for c in code)
    assert made["is_custom_field"] is True
    assert (
        pd.call("POST", "/api/v2/dealFields", {"field_name": "E", "field_type": "enum"}).status
        == 400
    )
    listed = pd.call("GET", "/api/v2/dealFields?limit=500").data
    assert {"title", code} <= {f["field_code"] for f in listed}
    assert [f["is_custom_field"] for f in listed if f["field_code"] == "title"] == [False]
    url = f"/api/v2/dealFields/{code}"
    assert pd.call("PATCH", url, {"field_name": "Payment kind"}).data["field_name"] == (
        "Payment kind"
    )
    one, two = (o["id"] for o in made["options"])
    deal = pd.call("POST", "/api/v2/deals", {"title": "D", "custom_fields": {code: two}}).data
    added = pd.call("POST", f"{url}/options", [{"label": "three"}]).data
    assert [o["label"] for o in added] == ["three"]
    # one unknown id: nothing at all changes
    both = [{"id": one, "label": "uno"}, {"id": 999999, "label": "x"}]
    assert pd.call("PATCH", f"{url}/options", both).status == 404
    labels = [o["label"] for o in pd.call("GET", url).data["options"]]
    assert labels == ["one", "two", "three"]
    assert pd.call("DELETE", f"{url}/options", [{"id": two}, {"id": 999999}]).status == 404
    assert len(pd.call("GET", url).data["options"]) == 3
    assert pd.call("DELETE", f"{url}/options", [{"id": two}]).status == 200
    assert pd.call("GET", f"/api/v2/deals/{deal['id']}").data["custom_fields"][code] is None
    assert pd.call("DELETE", "/api/v2/dealFields/title").status == 400
    assert pd.call("DELETE", url).data["field_code"] == code
    assert pd.call("GET", url).status == 404
    flagged = {"field_name": "Due", "field_type": "date", "required_fields": {"enabled": True}}
    due = pd.call("POST", "/api/v2/dealFields", flagged).data["field_code"]
    shown = pd.call("GET", f"/api/v2/dealFields/{due}?include_fields=required_fields").data
    assert shown["required_fields"] == {"enabled": True}
    assert "required_fields" not in pd.call("GET", f"/api/v2/dealFields/{due}").data
    assert code not in pd.call("GET", f"/api/v2/deals/{deal['id']}").data["custom_fields"]
