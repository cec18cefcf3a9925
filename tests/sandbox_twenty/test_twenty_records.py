"""Core REST records: envelopes, CRUD, list parameters (reference §3)."""

from __future__ import annotations

import uuid

from tests.sandbox_twenty.twenty_helpers import created, email, error_message, person, unique


def test_create_one_envelope_and_get_by_id(api):
    row = created(api.post("/rest/people", json=person(jobTitle="Engineer")), "createPerson")
    assert uuid.UUID(row["id"]) and row["deletedAt"] is None
    assert row["createdBy"]["source"] == "API" and row["jobTitle"] == "Engineer"
    assert row["phones"] == {
        "primaryPhoneNumber": None,
        "primaryPhoneCountryCode": None,
        "primaryPhoneCallingCode": None,
        "additionalPhones": None,
    }
    got = api.get(f"/rest/people/{row['id']}").json()
    assert got == {"data": {"person": row}}


def test_client_supplied_id_accepted_and_invalid_uuid_rejected(api):
    rid = str(uuid.uuid4())
    assert created(api.post("/rest/people", json=person(id=rid)), "createPerson")["id"] == rid
    assert "UUID" in error_message(api.post("/rest/people", json=person(id="not-a-uuid")))


def test_missing_record_is_404(api):
    missing = str(uuid.uuid4())
    for method in ("GET", "PATCH", "DELETE"):
        resp = api.request(
            method, f"/rest/people/{missing}", json={} if method == "PATCH" else None
        )
        assert error_message(resp, 404) == "Record not found"


def test_unknown_object_hints_the_plural(api):
    assert (
        error_message(api.get("/rest/person"))
        == "object 'person' not found. Did you mean 'people'?"
    )


def test_patch_updates_only_sent_subfields(api):
    row = created(api.post("/rest/people", json=person(city="Paris")), "createPerson")
    resp = api.patch(f"/rest/people/{row['id']}", json={"name": {"lastName": "Byron"}})
    assert resp.status_code == 200, resp.text
    updated = resp.json()["data"]["updatePerson"]
    assert updated["name"] == {"firstName": "Ada", "lastName": "Byron"}
    assert updated["city"] == "Paris" and updated["updatedAt"] >= row["updatedAt"]


def test_unknown_field_rejected(api):
    assert "bogus" in error_message(api.post("/rest/people", json=person(bogus=1)))


def test_server_set_and_one_to_many_fields_rejected(api):
    assert "updatedAt" in error_message(
        api.post("/rest/people", json=person(updatedAt="2026-01-01T00:00:00Z"))
    )
    assert "read-only" in error_message(api.post("/rest/companies", json={"people": []}))


def test_empty_text_stored_as_null(api):
    row = created(api.post("/rest/people", json=person(jobTitle="", city="")), "createPerson")
    assert row["jobTitle"] is None and row["city"] is None


def test_relation_id_must_exist(api):
    msg = error_message(api.post("/rest/people", json=person(companyId=str(uuid.uuid4()))))
    assert "companyId" in msg
    assert "UUID" in error_message(api.post("/rest/people", json=person(companyId="acme")))


def test_workspace_members_seeded_and_read_only(api):
    members = api.get("/rest/workspaceMembers").json()["data"]["workspaceMembers"]
    assert {m["userEmail"] for m in members} >= {"owner@example.com", "sales@example.com"}
    owner = next(m for m in members if m["userEmail"] == "owner@example.com")
    assert owner["name"] == {"firstName": "Olivia", "lastName": "Owner"}
    body = {"name": {"firstName": "New"}, "userEmail": "new@example.com"}
    assert error_message(api.post("/rest/workspaceMembers", json=body), 403)
    assert error_message(api.patch(f"/rest/workspaceMembers/{owner['id']}", json=body), 403)
    assert error_message(api.delete(f"/rest/workspaceMembers/{owner['id']}"), 403)
    company = created(
        api.post("/rest/companies", json={"name": "Owned", "accountOwnerId": owner["id"]}),
        "createCompany",
    )
    assert company["accountOwnerId"] == owner["id"]


def _companies(api, tag: str, n: int) -> list[dict]:
    body = [
        {
            "name": f"{tag}-{i:02d}",
            "employees": i,
            "domainName": {"primaryLinkUrl": f"https://{tag}{i}.example.com"},
        }
        for i in range(n)
    ]
    return created(api.post("/rest/batch/companies", json=body), "createCompanies")


def test_list_envelope_total_count_and_page_info_top_level(api):
    tag = unique("env")
    _companies(api, tag, 3)
    body = api.get(
        "/rest/companies", params={"filter": f"name[startsWith]:{tag}-", "limit": "2"}
    ).json()
    assert set(body) == {"data", "totalCount", "pageInfo"}
    assert len(body["data"]["companies"]) == 2 and body["totalCount"] == 3
    info = body["pageInfo"]
    assert info["hasNextPage"] is True and info["hasPreviousPage"] is False
    assert info["startCursor"] and info["endCursor"]


def test_cursor_pagination_forward_and_backward(api):
    tag = unique("page")
    rows = _companies(api, tag, 7)
    params = {"filter": f"name[startsWith]:{tag}-", "order_by": "name", "limit": "3"}
    seen, cursor = [], None
    while True:
        query = dict(params, **({"starting_after": cursor} if cursor else {}))
        body = api.get("/rest/companies", params=query).json()
        seen += [c["name"] for c in body["data"]["companies"]]
        if not body["pageInfo"]["hasNextPage"]:
            break
        cursor = body["pageInfo"]["endCursor"]
    assert seen == sorted(r["name"] for r in rows)
    back = api.get("/rest/companies", params=dict(params, ending_before=cursor)).json()
    assert [c["name"] for c in back["data"]["companies"]] == seen[2:5]  # the 3 before "-05"
    ignored = api.get("/rest/companies", params=dict(params, after=cursor)).json()
    assert [c["name"] for c in ignored["data"]["companies"]] == seen[:3]  # `after` is ignored


def test_limit_default_clamp_and_invalid(api):
    tag = unique("lim")
    _companies(api, tag, 3)
    assert "limit 'x' is invalid" in error_message(
        api.get("/rest/companies", params={"limit": "x"})
    )
    assert error_message(api.get("/rest/companies", params={"limit": "-1"}))
    many = created(api.post("/rest/batch/notes", json=[{"title": "n"}] * 200), "createNotes")
    assert len(many) == 200
    assert len(api.get("/rest/notes", params={"limit": "500"}).json()["data"]["notes"]) == 200
    assert len(api.get("/rest/notes").json()["data"]["notes"]) == 60


def test_order_by_directions_and_nulls(api):
    tag = unique("ord")
    _companies(api, tag, 3)
    api.post("/rest/companies", json={"name": f"{tag}-zz"})  # employees null
    flt = {"filter": f"name[startsWith]:{tag}-"}
    desc = api.get("/rest/companies", params=dict(flt, order_by="employees[DescNullsLast]"))
    assert [c["employees"] for c in desc.json()["data"]["companies"]] == [2, 1, 0, None]
    asc = api.get("/rest/companies", params=dict(flt, order_by="employees[AscNullsFirst]"))
    assert [c["employees"] for c in asc.json()["data"]["companies"]] == [None, 0, 1, 2]
    assert error_message(api.get("/rest/companies", params={"order_by": "name[Sideways]"}))


def test_filters_comparators_and_conjunctions(api):
    tag = unique("flt")
    _companies(api, tag, 5)
    base = f"name[startsWith]:{tag}-"

    def names(flt: str) -> list[str]:
        resp = api.get("/rest/companies", params={"filter": flt, "order_by": "name"})
        assert resp.status_code == 200, resp.text
        return [c["name"][-2:] for c in resp.json()["data"]["companies"]]

    assert names(f"{base},employees[eq]:2") == ["02"]
    assert names(f"{base},employees[neq]:2") == ["00", "01", "03", "04"]
    assert names(f"{base},employees[in]:[1,3]") == ["01", "03"]
    assert names(f"{base},employees[gt]:2") == ["03", "04"]
    assert names(f"{base},employees[gte]:3,employees[lt]:4") == ["03"]
    assert names(f"{base},employees[lte]:0") == ["00"]
    assert names(f"and({base},or(employees[eq]:0,employees[eq]:4))") == ["00", "04"]
    assert names(f"{base},not(employees[lt]:4)") == ["04"]
    assert names(f"{base},address.addressCity[is]:NULL") == ["00", "01", "02", "03", "04"]
    assert names(f"{base},employees[is]:NOT_NULL,employees[lt]:1") == ["00"]
    assert names(f'name[eq]:"{tag}-01"') == ["01"]
    assert names(f"domainName.primaryLinkUrl[eq]:https://{tag}3.example.com") == ["03"]


def test_filter_on_composite_email_and_quoted_values(api):
    address = email()
    row = created(
        api.post(
            "/rest/people", json=person(emails={"primaryEmail": address}, jobTitle="CEO, founder")
        ),
        "createPerson",
    )
    body = api.get("/rest/people", params={"filter": f"emails.primaryEmail[eq]:{address}"}).json()
    assert [p["id"] for p in body["data"]["people"]] == [row["id"]]
    quoted = api.get("/rest/people", params={"filter": 'jobTitle[eq]:"CEO, founder"'}).json()
    assert row["id"] in [p["id"] for p in quoted["data"]["people"]]


def test_bad_filter_syntax_and_unknown_field(api):
    assert "'filter' invalid" in error_message(api.get("/rest/people", params={"filter": "oops"}))
    assert error_message(api.get("/rest/people", params={"filter": "nope[eq]:1"}))
    assert error_message(api.get("/rest/people", params={"filter": "city[near]:x"}))


def test_depth_zero_one_and_invalid(api):
    company = created(api.post("/rest/companies", json={"name": unique("dep")}), "createCompany")
    row = created(api.post("/rest/people", json=person(companyId=company["id"])), "createPerson")
    plain = api.get(f"/rest/people/{row['id']}").json()["data"]["person"]
    assert "company" not in plain
    deep = api.get(f"/rest/people/{row['id']}", params={"depth": "1"}).json()["data"]["person"]
    assert deep["company"]["id"] == company["id"]
    comp = api.get(f"/rest/companies/{company['id']}", params={"depth": "1"}).json()
    assert [p["id"] for p in comp["data"]["company"]["people"]] == [row["id"]]
    msg = error_message(api.get("/rest/people", params={"depth": "2"}))
    assert msg == "'depth=2' parameter invalid. Allowed values are 0, 1"


def test_fields_param_v2(api):
    row = created(api.post("/rest/people", json=person(city="Rome")), "createPerson")
    got = api.get(f"/rest/people/{row['id']}", params={"fields": "city"}).json()
    assert got["data"]["person"] == {"id": row["id"], "city": "Rome"}
    assert error_message(api.get("/rest/people", params={"fields": "nope"}))


def test_bulk_update_by_filter(api):
    tag = unique("bulk")
    _companies(api, tag, 3)
    resp = api.patch(
        "/rest/companies", params={"filter": f"name[startsWith]:{tag}-"}, json={"employees": 99}
    )
    assert resp.status_code == 200, resp.text
    assert [c["employees"] for c in resp.json()["data"]["updateCompanies"]] == [99, 99, 99]
    assert error_message(api.patch("/rest/companies", json={"employees": 1}))
