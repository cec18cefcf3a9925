"""Real Twenty's ids, batch answers and list order (twenty-real-rules.md rules 6-10).

Each test fails against the stand-in that answered in input order, refused a second upsert
input for one row, accepted any 8-4-4-4-12 hex id and listed rows in creation order.
"""

from __future__ import annotations

import uuid

from tests.sandbox_twenty.twenty_helpers import (
    client_for,
    created,
    error_message,
    person,
    unique,
)

UUID7 = "01890a5d-ac96-774b-bcce-b302099a8057"  # version nibble 7
NOT_RFC = "12345678-1234-1234-1234-123456789abc"  # version 1 but variant nibble 1


def _upsert(api, plural: str, body: list[dict]) -> list[dict]:
    resp = api.post(f"/rest/batch/{plural}", params={"upsert": "true"}, json=body)
    return created(resp, f"create{plural[:1].upper()}{plural[1:]}")


def test_rule6_client_ids_must_be_uuid_v1_to_v5(api):
    for bad in (UUID7, NOT_RFC):
        assert "UUID" in error_message(api.post("/rest/people", json=person(id=bad)))
        assert "UUID" in error_message(api.post("/rest/batch/people", json=[person(id=bad)]))
    for good in (str(uuid.uuid5(uuid.NAMESPACE_URL, unique("v5"))), str(uuid.uuid1())):
        assert created(api.post("/rest/people", json=person(id=good)), "createPerson")["id"] == good


def test_rule7_non_uuid_path_id_is_400(api):
    for method in ("GET", "PATCH", "DELETE"):
        resp = api.request(method, "/rest/people/abc", json={} if method == "PATCH" else None)
        assert error_message(resp, 400) == "'abc' is not a valid UUID"
    assert error_message(api.patch("/rest/people/abc/restore"), 400).endswith("not a valid UUID")
    assert error_message(api.get("/rest/people/restore"), 400).endswith("not a valid UUID")
    many = api.patch("/rest/people/restore", params={"filter": "city[eq]:nowhere-at-all"})
    assert many.status_code == 200, many.text  # the restore-many route is not an id


def test_rule8_upsert_answer_holds_matched_rows_first(api):
    existing = created(api.post("/rest/people", json=person()), "createPerson")
    gone = created(api.post("/rest/people", json=person()), "createPerson")
    api.delete(f"/rest/people/{gone['id']}", params={"soft_delete": "true"})
    new_a, new_b = person(), person()
    body = [new_a, {"emails": existing["emails"], "city": "Matched"}, new_b,
            {"emails": gone["emails"], "city": "Restored"}]
    rows = _upsert(api, "people", body)
    assert [r["emails"]["primaryEmail"] for r in rows] == [
        existing["emails"]["primaryEmail"], gone["emails"]["primaryEmail"],
        new_a["emails"]["primaryEmail"], new_b["emails"]["primaryEmail"]]
    assert [(r["id"], r["city"], r["deletedAt"]) for r in rows[:2]] == [
        (existing["id"], "Matched", None), (gone["id"], "Restored", None)]


def test_rule9_two_inputs_matching_one_row_both_update_it(api):
    row = created(api.post("/rest/people", json=person()), "createPerson")
    body = [{"id": row["id"], "city": "A", "jobTitle": "Chef"},
            {"emails": {"primaryEmail": row["emails"]["primaryEmail"].upper()}, "city": "B"}]
    rows = _upsert(api, "people", body)
    assert len(rows) == 1
    assert (rows[0]["id"], rows[0]["city"], rows[0]["jobTitle"]) == (row["id"], "B", "Chef")
    read = api.get(f"/rest/people/{row['id']}").json()["data"]["person"]
    assert (read["city"], read["jobTitle"]) == ("B", "Chef")


def _ids_listed(client, tag: str) -> list[str]:
    resp = client.get("/rest/companies", params={"filter": f"name[startsWith]:{tag}"})
    return [r["id"] for r in resp.json()["data"]["companies"]]


def test_rule10_list_without_order_by_is_in_id_order(api, spawn):
    tag = unique("order")
    ids = [str(uuid.UUID(int=(0xF - i) << 124 | uuid.uuid4().int >> 4, version=4))
           for i in range(4)]  # created in descending id order
    for n, rid in enumerate(ids):
        created(api.post("/rest/companies", json={"id": rid, "name": f"{tag}-{n}"}),
                "createCompany")
    assert _ids_listed(api, tag) == sorted(ids)
    # The 2025 generation orders the same way, and answers an upsert matched-first.
    server = spawn("--generation", "v1", "--rate-limit", "0")
    with client_for(server) as v1:
        for n, rid in enumerate(ids):
            created(v1.post("/rest/companies", json={"id": rid, "name": f"{tag}-{n}"}),
                    "createCompany")
        assert _ids_listed(v1, tag) == sorted(ids)
        rows = _upsert(v1, "companies", [{"name": f"{tag}-new"}, {"id": ids[2], "name": tag}])
        assert rows[0]["id"] == ids[2] and len(rows) == 2
