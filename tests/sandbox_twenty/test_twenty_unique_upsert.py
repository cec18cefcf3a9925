"""Batches, uniqueness, upsert, soft delete, restore and destroy cascades (reference §8)."""

from __future__ import annotations

import uuid

from tests.sandbox_twenty.twenty_helpers import created, email, error_message, person, unique


def count(api, plural: str, flt: str) -> int:
    return api.get(f"/rest/{plural}", params={"filter": flt}).json()["totalCount"]


def test_batch_create_order_and_envelope(api):
    body = [person() for _ in range(3)]
    rows = created(api.post("/rest/batch/people", json=body), "createPeople")
    assert [r["emails"]["primaryEmail"] for r in rows] == [
        b["emails"]["primaryEmail"] for b in body
    ]


def test_batch_cap_and_shape(api):
    msg = error_message(api.post("/rest/batch/notes", json=[{"title": "x"}] * 201))
    assert msg == "Maximum number of records to upsert is 200."
    assert (
        error_message(api.post("/rest/batch/notes", json={"title": "x"})) == "Body must be an array"
    )
    assert error_message(api.post("/rest/batch/notes", json=[]))


def test_one_bad_record_fails_the_whole_batch(api):
    good = person()
    bad = person(emails={"primaryEmail": "not-an-email"})
    error_message(api.post("/rest/batch/people", json=[good, bad]))
    assert count(api, "people", f"emails.primaryEmail[eq]:{good['emails']['primaryEmail']}") == 0


def test_same_unique_value_twice_in_one_batch_fails(api):
    address = email()
    resp = api.post(
        "/rest/batch/people",
        json=[person(emails={"primaryEmail": address}), person(emails={"primaryEmail": address})],
    )
    assert "duplicate entry" in error_message(resp)
    assert count(api, "people", f"emails.primaryEmail[eq]:{address}") == 0


def test_unique_email_clash_with_live_row(api):
    address = email()
    created(api.post("/rest/people", json=person(emails={"primaryEmail": address})), "createPerson")
    msg = error_message(api.post("/rest/people", json=person(emails={"primaryEmail": address})))
    assert msg.startswith("A duplicate entry was detected")


def test_unique_update_clash(api):
    a = created(api.post("/rest/people", json=person()), "createPerson")
    b = created(api.post("/rest/people", json=person()), "createPerson")
    resp = api.patch(f"/rest/people/{b['id']}", json={"emails": a["emails"]})
    assert "duplicate entry" in error_message(resp)


def test_company_domain_unique_but_name_not(api):
    domain = f"https://{unique('dom')}.example.com"
    created(
        api.post(
            "/rest/companies", json={"name": "Same", "domainName": {"primaryLinkUrl": domain}}
        ),
        "createCompany",
    )
    created(api.post("/rest/companies", json={"name": "Same"}), "createCompany")
    resp = api.post(
        "/rest/companies", json={"name": "Other", "domainName": {"primaryLinkUrl": domain}}
    )
    assert "duplicate entry" in error_message(resp)


def test_soft_deleted_row_still_holds_its_email(api):
    address = email()
    row = created(
        api.post("/rest/people", json=person(emails={"primaryEmail": address})), "createPerson"
    )
    resp = api.delete(f"/rest/people/{row['id']}", params={"soft_delete": "true"})
    assert resp.json() == {"data": {"deletePerson": {"id": row["id"]}}}
    assert api.get(f"/rest/people/{row['id']}").status_code == 404
    assert "duplicate entry" in error_message(
        api.post("/rest/people", json=person(emails={"primaryEmail": address}))
    )


def test_upsert_restores_soft_deleted_match(api):
    address = email()
    row = created(
        api.post("/rest/people", json=person(emails={"primaryEmail": address})), "createPerson"
    )
    api.delete(f"/rest/people/{row['id']}", params={"soft_delete": "true"})
    resp = api.post(
        "/rest/people",
        params={"upsert": "true"},
        json=person(emails={"primaryEmail": address}, city="Oslo"),
    )
    restored = created(resp, "createPerson")
    assert restored["id"] == row["id"] and restored["deletedAt"] is None
    assert restored["city"] == "Oslo" and restored["createdAt"] == row["createdAt"]


def test_upsert_matches_on_id_and_inserts_otherwise(api):
    row = created(api.post("/rest/people", json=person()), "createPerson")
    new_email = email()
    body = [{"id": row["id"], "jobTitle": "CTO"}, person(emails={"primaryEmail": new_email})]
    rows = created(
        api.post("/rest/batch/people", params={"upsert": "true"}, json=body), "createPeople"
    )
    assert rows[0]["id"] == row["id"] and rows[0]["jobTitle"] == "CTO"
    assert rows[0]["emails"] == row["emails"]
    assert (
        rows[1]["id"] != row["id"]
        and count(api, "people", f"emails.primaryEmail[eq]:{new_email}") == 1
    )


def test_upsert_without_flag_is_a_plain_insert(api):
    row = created(api.post("/rest/people", json=person()), "createPerson")
    assert "duplicate entry" in error_message(api.post("/rest/people", json={"id": row["id"]}))


def test_upsert_matching_two_rows_is_400(api):
    a = created(api.post("/rest/people", json=person()), "createPerson")
    b = created(api.post("/rest/people", json=person()), "createPerson")
    resp = api.post(
        "/rest/people", params={"upsert": "true"}, json={"id": a["id"], "emails": b["emails"]}
    )
    assert error_message(resp).startswith(
        "Multiple records found with the same unique field values"
    )


def test_upsert_company_does_not_match_on_name(api):
    name = unique("co")
    first = created(api.post("/rest/companies", json={"name": name}), "createCompany")
    second = created(
        api.post("/rest/companies", params={"upsert": "true"}, json={"name": name}), "createCompany"
    )
    assert second["id"] != first["id"]


def test_deleted_at_filter_lists_soft_deleted_rows(api):
    tag = unique("sd")
    row = created(api.post("/rest/companies", json={"name": tag}), "createCompany")
    api.delete(f"/rest/companies/{row['id']}", params={"soft_delete": "true"})
    assert count(api, "companies", f"name[eq]:{tag}") == 0
    listed = api.get("/rest/companies", params={"filter": f"name[eq]:{tag},deletedAt[is]:NOT_NULL"})
    assert [c["id"] for c in listed.json()["data"]["companies"]] == [row["id"]]


def test_restore_one(api):
    row = created(api.post("/rest/companies", json={"name": unique("rs")}), "createCompany")
    assert api.patch(f"/rest/companies/{row['id']}/restore").status_code == 404  # not deleted
    api.delete(f"/rest/companies/{row['id']}", params={"soft_delete": "true"})
    resp = api.patch(f"/rest/companies/{row['id']}/restore")
    assert resp.status_code == 200 and resp.json()["data"]["restoreCompany"]["deletedAt"] is None
    assert api.get(f"/rest/companies/{row['id']}").status_code == 200


def test_delete_destroys_by_default_freeing_unique_value(api):
    address = email()
    row = created(
        api.post("/rest/people", json=person(emails={"primaryEmail": address})), "createPerson"
    )
    assert api.delete(f"/rest/people/{row['id']}").json() == {
        "data": {"deletePerson": {"id": row["id"]}}
    }
    gone = api.get("/rest/people", params={"filter": f"id[eq]:{row['id']},deletedAt[is]:NOT_NULL"})
    assert gone.json()["totalCount"] == 0
    created(api.post("/rest/people", json=person(emails={"primaryEmail": address})), "createPerson")


def test_destroy_cascades_targets_and_nulls_references(api):
    company = created(api.post("/rest/companies", json={"name": unique("cas")}), "createCompany")
    who = created(api.post("/rest/people", json=person(companyId=company["id"])), "createPerson")
    note = created(api.post("/rest/notes", json={"title": "n"}), "createNote")
    target = created(
        api.post("/rest/noteTargets", json={"noteId": note["id"], "targetPersonId": who["id"]}),
        "createNoteTarget",
    )
    task = created(api.post("/rest/tasks", json={"title": "t"}), "createTask")
    tt = created(
        api.post("/rest/taskTargets", json={"taskId": task["id"], "targetPersonId": who["id"]}),
        "createTaskTarget",
    )
    att = created(
        api.post("/rest/attachments", json={"name": "a", "targetPersonId": who["id"]}),
        "createAttachment",
    )
    opp = created(
        api.post("/rest/opportunities", json={"name": "o", "pointOfContactId": who["id"]}),
        "createOpportunity",
    )
    assert api.delete(f"/rest/people/{who['id']}").status_code == 200
    for plural, rid in (
        ("noteTargets", target["id"]),
        ("taskTargets", tt["id"]),
        ("attachments", att["id"]),
    ):
        assert api.get(f"/rest/{plural}/{rid}").status_code == 404, plural
    assert api.get(f"/rest/notes/{note['id']}").status_code == 200
    after = api.get(f"/rest/opportunities/{opp['id']}").json()["data"]["opportunity"]
    assert after["pointOfContactId"] is None
    api.delete(f"/rest/companies/{company['id']}")


def test_filterless_bulk_delete_refused_and_filtered_bulk_delete(api):
    tag = unique("bd")
    api.post("/rest/batch/companies", json=[{"name": tag}, {"name": tag}])
    assert error_message(api.delete("/rest/companies"))
    resp = api.delete("/rest/companies", params={"filter": f"name[eq]:{tag}"})
    assert resp.status_code == 200 and len(resp.json()["data"]["deleteCompanies"]) == 2
    assert count(api, "companies", f"name[eq]:{tag}") == 0


def test_relation_to_soft_deleted_record_refused(api):
    company = created(api.post("/rest/companies", json={"name": unique("dead")}), "createCompany")
    api.delete(f"/rest/companies/{company['id']}", params={"soft_delete": "true"})
    assert "companyId" in error_message(
        api.post("/rest/people", json=person(companyId=company["id"]))
    )


def test_unknown_id_in_batch_upsert_inserts_with_that_id(api):
    rid = str(uuid.uuid4())
    rows = created(
        api.post("/rest/batch/people", params={"upsert": "true"}, json=[person(id=rid)]),
        "createPeople",
    )
    assert rows[0]["id"] == rid
