"""Metadata API: objects and fields, naming rules, custom objects' REST endpoints (§6)."""

from __future__ import annotations

import pytest

from tests.sandbox_twenty.twenty_helpers import created, error_message, person, unique_name


def objects(api) -> dict[str, dict]:
    body = api.get("/rest/metadata/objects").json()
    assert set(body) == {"data", "pageInfo"}
    return {o["nameSingular"]: o for o in body["data"]["objects"]}


def make_object(api, singular: str | None = None) -> dict:
    singular = singular or unique_name("project")
    body = {
        "nameSingular": singular,
        "namePlural": singular + "s",
        "labelSingular": singular.title(),
        "labelPlural": singular.title() + "s",
        "icon": "IconBriefcase",
    }
    return created(api.post("/rest/metadata/objects", json=body), "createOneObject")


def make_field(api, object_id: str, **body) -> dict:
    body = {"objectMetadataId": object_id, "label": body.get("name", "x").title(), **body}
    return created(api.post("/rest/metadata/fields", json=body), "createOneField")


def field_names(obj: dict) -> set[str]:
    return {f["name"] for f in obj["fields"]}


def test_standard_objects_and_fields(api):
    objs = objects(api)
    assert {
        "person",
        "company",
        "opportunity",
        "note",
        "noteTarget",
        "task",
        "taskTarget",
        "attachment",
        "workspaceMember",
    } <= set(objs)
    person_obj = api.get(f"/rest/metadata/objects/{objs['person']['id']}").json()["data"]["object"]
    types = {f["name"]: f["type"] for f in person_obj["fields"]}
    assert types["emails"] == "EMAILS" and types["name"] == "FULL_NAME"
    assert types["phones"] == "PHONES" and types["company"] == "RELATION"
    emails = next(f for f in person_obj["fields"] if f["name"] == "emails")
    assert emails["isUnique"] is True
    company = next(f for f in person_obj["fields"] if f["name"] == "company")
    assert company["settings"]["joinColumnName"] == "companyId"
    assert company["relation"]["targetObjectMetadata"]["nameSingular"] == "company"
    note_targets = field_names(
        objs["noteTarget"]
        | api.get(f"/rest/metadata/objects/{objs['noteTarget']['id']}").json()["data"]["object"]
    )
    assert {"note", "targetPerson", "targetCompany", "targetOpportunity"} <= note_targets


def test_fields_list_and_get_by_id(api):
    body = api.get("/rest/metadata/fields", params={"limit": "5"}).json()
    assert len(body["data"]["fields"]) == 5 and body["pageInfo"]["hasNextPage"] is True
    field = body["data"]["fields"][0]
    got = api.get(f"/rest/metadata/fields/{field['id']}").json()["data"]["field"]
    assert got["id"] == field["id"]
    nxt = api.get(
        "/rest/metadata/fields",
        params={"limit": "5", "starting_after": body["pageInfo"]["endCursor"]},
    )
    assert nxt.json()["data"]["fields"][0]["id"] not in {f["id"] for f in body["data"]["fields"]}


def test_custom_object_gets_rest_endpoints_and_system_fields(api):
    obj = make_object(api)
    assert obj["isCustom"] is True
    assert {
        "id",
        "name",
        "createdAt",
        "updatedAt",
        "deletedAt",
        "position",
        "createdBy",
        "updatedBy",
    } <= field_names(obj)
    plural = obj["namePlural"]
    row = created(
        api.post(f"/rest/{plural}", json={"name": "Apollo"}), f"create{obj['nameSingular'].title()}"
    )
    assert row["name"] == "Apollo" and row["createdBy"]["source"] == "API"
    listed = api.get(f"/rest/{plural}").json()
    assert listed["data"][plural][0]["id"] == row["id"] and listed["totalCount"] == 1


def test_custom_object_adds_target_fields_to_note_targets(api):
    obj = make_object(api)
    singular = obj["nameSingular"]
    link = "target" + singular[0].upper() + singular[1:] + "Id"
    row = created(
        api.post(f"/rest/{obj['namePlural']}", json={"name": "P"}), f"create{singular.title()}"
    )
    note = created(api.post("/rest/notes", json={"title": "n"}), "createNote")
    target = created(
        api.post("/rest/noteTargets", json={"noteId": note["id"], link: row["id"]}),
        "createNoteTarget",
    )
    assert target[link] == row["id"]
    created(api.post("/rest/taskTargets", json={link: row["id"]}), "createTaskTarget")
    created(api.post("/rest/attachments", json={"name": "a", link: row["id"]}), "createAttachment")


@pytest.mark.parametrize(
    "singular", ["Project", "project_x", "projectX1y", "user", "billingThing", "a" * 64, ""]
)
def test_object_naming_rules(api, singular):
    body = {
        "nameSingular": singular,
        "namePlural": "whatevers",
        "labelSingular": "W",
        "labelPlural": "Ws",
    }
    resp = api.post("/rest/metadata/objects", json=body)
    assert resp.status_code == 400 and resp.json()["error"] == "Bad Request", resp.text


def test_duplicate_object_names_rejected(api):
    obj = make_object(api)
    for singular, plural in (
        (obj["nameSingular"], "others"),
        ("fresh", obj["namePlural"]),
        ("person", "persons"),
        ("same", "same"),
    ):
        body = {
            "nameSingular": singular,
            "namePlural": plural,
            "labelSingular": "L",
            "labelPlural": "Ls",
        }
        assert error_message(api.post("/rest/metadata/objects", json=body))


def test_missing_labels_and_unknown_keys_rejected(api):
    assert error_message(
        api.post(
            "/rest/metadata/objects",
            json={"nameSingular": unique_name("a"), "namePlural": unique_name("b")},
        )
    )
    body = {
        "nameSingular": unique_name("c"),
        "namePlural": unique_name("d"),
        "labelSingular": "C",
        "labelPlural": "Cs",
        "colour": "red",
    }
    assert error_message(api.post("/rest/metadata/objects", json=body))


def test_field_types_and_values(api):
    obj = make_object(api)
    oid, plural = obj["id"], obj["namePlural"]
    make_field(api, oid, type="NUMBER", name="budget")
    make_field(api, oid, type="BOOLEAN", name="isActiveProject")
    make_field(api, oid, type="DATE", name="kickoff")
    make_field(api, oid, type="CURRENCY", name="cost")
    make_field(api, oid, type="RICH_TEXT", name="summary")
    make_field(
        api,
        oid,
        type="MULTI_SELECT",
        name="tags",
        options=[{"value": "RED", "label": "Red"}, {"value": "BLUE", "label": "Blue"}],
    )
    make_field(
        api,
        oid,
        type="SELECT",
        name="phase",
        defaultValue="'PLANNED'",
        options=[
            {"value": "PLANNED", "label": "Planned", "color": "gray", "position": 0},
            {"value": "ACTIVE", "label": "Active", "color": "green", "position": 1},
        ],
    )
    key = f"create{obj['nameSingular'].title()}"
    row = created(
        api.post(
            f"/rest/{plural}",
            json={
                "name": "X",
                "budget": 3,
                "isActiveProject": True,
                "kickoff": "2026-02-01",
                "cost": {"amountMicros": 5, "currencyCode": "USD"},
                "summary": {"markdown": "hi"},
                "tags": ["RED"],
            },
        ),
        key,
    )
    assert row["phase"] == "PLANNED" and row["tags"] == ["RED"]
    assert error_message(api.post(f"/rest/{plural}", json={"phase": "DONE"}))
    assert error_message(api.post(f"/rest/{plural}", json={"tags": ["GREEN"]}))
    assert error_message(api.post(f"/rest/{plural}", json={"kickoff": "2026-02-01T00:00:00Z"}))
    assert created(api.post(f"/rest/{plural}", json={"tags": []}), key)["tags"] is None


def test_field_rules(api):
    obj = make_object(api)
    oid = obj["id"]
    bad = [
        {"type": "SELECT", "name": "stage", "options": [{"value": "Planned", "label": "P"}]},
        {"type": "SELECT", "name": "stage", "options": []},
        {
            "type": "SELECT",
            "name": "stage",
            "options": [{"value": "A", "label": "A"}, {"value": "A", "label": "B"}],
        },
        {"type": "TEXT", "name": "name"},  # exists already
        {"type": "TEXT", "name": "Bad_Name"},
        {"type": "TEXT", "name": "type"},  # reserved
        {"type": "RICH_TEXT_V2", "name": "body"},  # not a v2 (2.43) type
        {"type": "TS_VECTOR", "name": "search"},
        {"type": "BOOLEAN", "name": "flag", "isUnique": True},
    ]
    for body in bad:
        resp = api.post(
            "/rest/metadata/fields", json={"objectMetadataId": oid, "label": "L", **body}
        )
        assert resp.status_code == 400, (body, resp.text)
    make_field(api, oid, type="EMAILS", name="contact")
    resp = api.post(
        "/rest/metadata/fields",
        json={"objectMetadataId": oid, "label": "L", "type": "TEXT", "name": "contactPrimaryEmail"},
    )
    assert resp.status_code == 400  # collides with a generated composite column


def test_custom_unique_field_covers_soft_deleted_and_upsert(api):
    obj = make_object(api)
    make_field(api, obj["id"], type="TEXT", name="code", isUnique=True)
    plural, key = obj["namePlural"], f"create{obj['nameSingular'].title()}"
    row = created(api.post(f"/rest/{plural}", json={"name": "A", "code": "C1"}), key)
    assert "duplicate entry" in error_message(api.post(f"/rest/{plural}", json={"code": "C1"}))
    api.delete(f"/rest/{plural}/{row['id']}", params={"soft_delete": "true"})
    assert error_message(api.post(f"/rest/{plural}", json={"code": "C1"}))
    again = created(
        api.post(f"/rest/{plural}", params={"upsert": "true"}, json={"code": "C1", "name": "B"}),
        key,
    )
    assert again["id"] == row["id"] and again["deletedAt"] is None and again["name"] == "B"


def test_relation_field_with_inverse_and_join_column(api):
    project = make_object(api)
    milestone = make_object(api, unique_name("milestone"))
    field = make_field(
        api,
        milestone["id"],
        type="RELATION",
        name="project",
        label="Project",
        relationCreationPayload={
            "type": "MANY_TO_ONE",
            "targetObjectMetadataId": project["id"],
            "targetFieldLabel": "Milestones",
            "targetFieldIcon": "IconFlag",
        },
    )
    assert field["settings"]["joinColumnName"] == "projectId"
    assert field["relation"]["targetFieldMetadata"]["name"] == "milestones"
    proj = api.get(f"/rest/metadata/objects/{project['id']}").json()["data"]["object"]
    assert "milestones" in field_names(proj)
    p = created(
        api.post(f"/rest/{project['namePlural']}", json={"name": "P"}),
        f"create{project['nameSingular'].title()}",
    )
    m = created(
        api.post(f"/rest/{milestone['namePlural']}", json={"projectId": p["id"]}),
        f"create{milestone['nameSingular'].title()}",
    )
    deep = api.get(f"/rest/{project['namePlural']}/{p['id']}", params={"depth": "1"}).json()
    assert [x["id"] for x in deep["data"][project["nameSingular"]]["milestones"]] == [m["id"]]
    assert error_message(
        api.post(f"/rest/{milestone['namePlural']}", json={"projectId": m["id"]})
    )  # not a project id


def test_delete_custom_field_and_object_need_deactivation(api):
    obj = make_object(api)
    field = make_field(api, obj["id"], type="TEXT", name="code")
    assert error_message(api.delete(f"/rest/metadata/fields/{field['id']}"))
    resp = api.patch(f"/rest/metadata/fields/{field['id']}", json={"isActive": False})
    assert resp.json()["data"]["updateOneField"]["isActive"] is False
    assert api.delete(f"/rest/metadata/fields/{field['id']}").status_code == 200
    assert api.get(f"/rest/metadata/fields/{field['id']}").status_code == 404
    assert error_message(api.delete(f"/rest/metadata/objects/{obj['id']}"))
    api.patch(f"/rest/metadata/objects/{obj['id']}", json={"isActive": False})
    assert api.get(f"/rest/{obj['namePlural']}").status_code == 400  # inactive: no endpoint
    assert api.delete(f"/rest/metadata/objects/{obj['id']}").status_code == 200
    assert obj["nameSingular"] not in objects(api)
    std = objects(api)["person"]
    assert error_message(api.delete(f"/rest/metadata/objects/{std['id']}"))


def test_unknown_metadata_path_is_400(api):
    assert error_message(api.get("/rest/metadata/foo"))


def test_standard_people_still_work_after_metadata_changes(api):
    created(api.post("/rest/people", json=person()), "createPerson")
