"""Metadata documents: builders for objects/fields and the standard workspace (reference §5).

Object and field metadata are kept as plain dicts in the API's camelCase shape, plus a few
internal keys prefixed ``_`` (never sent over the wire). Relation fields carry
``settings = {relationType, onDelete, joinColumnName}`` as Twenty's field metadata does.
"""

from __future__ import annotations

import uuid
from typing import Any

Row = dict[str, Any]
NAMESPACE = uuid.UUID("6f1c2b9e-4d1a-4c3e-9a55-2b7d1e0c9f11")

SYSTEM_FIELDS: list[tuple[str, str, str]] = [
    ("id", "UUID", "Id"),
    ("createdAt", "DATE_TIME", "Creation date"),
    ("updatedAt", "DATE_TIME", "Last update"),
    ("deletedAt", "DATE_TIME", "Deleted"),
    ("position", "POSITION", "Position"),
    ("createdBy", "ACTOR", "Created by"),
    ("updatedBy", "ACTOR", "Updated by"),
]
TARGET_HOLDERS = ("noteTarget", "taskTarget", "attachment")
TARGET_INVERSE = {h: h + "s" for h in TARGET_HOLDERS}


def stable_id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def rich_text_type(generation: str) -> str:
    """v1 names the {markdown, blocknote} type RICH_TEXT_V2; the 2.43 schema calls it RICH_TEXT."""
    return "RICH_TEXT_V2" if generation == "v1" else "RICH_TEXT"


def target_field_name(generation: str, singular: str) -> str:
    """noteTarget/taskTarget/attachment field pointing at ``singular`` (reference §3.4)."""
    return singular if generation == "v1" else "target" + singular[0].upper() + singular[1:]


def make_object(
    object_id: str, singular: str, plural: str, label_s: str, label_p: str, now: str, **extra: Any
) -> dict[str, Any]:
    return {
        "id": object_id,
        "nameSingular": singular,
        "namePlural": plural,
        "labelSingular": label_s,
        "labelPlural": label_p,
        "description": extra.get("description"),
        "icon": extra.get("icon"),
        "shortcut": extra.get("shortcut"),
        "isCustom": extra.get("isCustom", False),
        "isRemote": False,
        "isActive": True,
        "isSystem": extra.get("isSystem", False),
        "isSearchable": True,
        "isLabelSyncedWithName": extra.get("isLabelSyncedWithName", False),
        "createdAt": now,
        "updatedAt": now,
        "labelIdentifierFieldMetadataId": None,
        "imageIdentifierFieldMetadataId": None,
    }


def make_field(
    field_id: str, object_id: str, name: str, ftype: str, label: str, now: str, **extra: Any
) -> dict[str, Any]:
    return {
        "id": field_id,
        "objectMetadataId": object_id,
        "type": ftype,
        "name": name,
        "label": label,
        "description": extra.get("description"),
        "icon": extra.get("icon"),
        "isCustom": extra.get("isCustom", False),
        "isActive": True,
        "isSystem": extra.get("isSystem", False),
        "isNullable": extra.get("isNullable", True),
        "isUnique": extra.get("isUnique", False),
        "defaultValue": extra.get("defaultValue"),
        "options": extra.get("options"),
        "settings": extra.get("settings"),
        "isLabelSyncedWithName": extra.get("isLabelSyncedWithName", False),
        "createdAt": now,
        "updatedAt": now,
        "_targetObjectId": extra.get("_targetObjectId"),
        "_targetFieldId": extra.get("_targetFieldId"),
        "morphId": extra.get("morphId"),
    }


def system_fields(object_id: str, now: str, custom: bool) -> list[dict[str, Any]]:
    fields = [
        make_field(stable_id(object_id, name), object_id, name, ftype, label, now,
                   isSystem=name not in ("createdAt", "updatedAt", "deletedAt", "createdBy"),
                   isNullable=name in ("deletedAt", "position"), isCustom=False)
        for name, ftype, label in SYSTEM_FIELDS
    ]
    if custom:  # label identifier of a new custom object (reference §6)
        fields.append(make_field(stable_id(object_id, "name"), object_id, "name", "TEXT", "Name",
                                 now, defaultValue="''"))
    return fields


def relation_pair(
    source: dict[str, Any], name: str, label: str, target: dict[str, Any], inverse: str,
    inverse_label: str, now: str, on_delete: str = "SET_NULL", custom: bool = False,
    morph: bool = False, fresh_ids: bool = False,
) -> list[dict[str, Any]]:
    """A MANY_TO_ONE field on ``source`` (join column ``<name>Id``) and its ONE_TO_MANY inverse."""
    many_id = str(uuid.uuid4()) if fresh_ids else stable_id(source["id"], name)
    one_id = str(uuid.uuid4()) if fresh_ids else stable_id(target["id"], inverse, source["id"])
    ftype = "MORPH_RELATION" if morph else "RELATION"
    many = make_field(
        many_id, source["id"], name, ftype, label, now, isCustom=custom,
        settings={"relationType": "MANY_TO_ONE", "onDelete": on_delete,
                  "joinColumnName": f"{name}Id"},
        _targetObjectId=target["id"], _targetFieldId=one_id,
        morphId=stable_id(source["id"], "target") if morph else None,
    )
    one = make_field(
        one_id, target["id"], inverse, ftype, inverse_label, now, isCustom=custom,
        settings={"relationType": "ONE_TO_MANY"}, _targetObjectId=source["id"],
        _targetFieldId=many_id,
    )
    return [many, one]


def _opts(*values: str) -> list[dict[str, Any]]:
    return [
        {"id": stable_id("option", v), "value": v, "label": v.replace("_", " ").title(),
         "color": "gray", "position": i}
        for i, v in enumerate(values)
    ]


FieldSpec = tuple[str, str, dict[str, Any]]


def _standard_objects() -> list[tuple[str, str, str, str, bool, list[FieldSpec]]]:
    rich = "RICH"
    return [
        ("person", "people", "Person", "People", False, [
            ("name", "FULL_NAME", {}), ("emails", "EMAILS", {"isUnique": True}),
            ("linkedinLink", "LINKS", {}), ("xLink", "LINKS", {}), ("jobTitle", "TEXT", {}),
            ("phones", "PHONES", {}), ("city", "TEXT", {}),
            ("avatarUrl", "TEXT", {"isSystem": True})]),
        ("company", "companies", "Company", "Companies", False, [
            ("name", "TEXT", {}), ("domainName", "LINKS", {"isUnique": True}),
            ("address", "ADDRESS", {}), ("employees", "NUMBER", {}),
            ("linkedinLink", "LINKS", {}), ("xLink", "LINKS", {}),
            ("annualRecurringRevenue", "CURRENCY", {}),
            ("idealCustomerProfile", "BOOLEAN", {"isNullable": False, "defaultValue": False})]),
        ("opportunity", "opportunities", "Opportunity", "Opportunities", False, [
            ("name", "TEXT", {}), ("amount", "CURRENCY", {}), ("closeDate", "DATE_TIME", {}),
            ("stage", "SELECT", {"isNullable": False, "defaultValue": "'NEW'", "options": _opts(
                "NEW", "SCREENING", "MEETING", "PROPOSAL", "CUSTOMER")})]),
        ("note", "notes", "Note", "Notes", False, [("title", "TEXT", {}), ("bodyV2", rich, {})]),
        ("noteTarget", "noteTargets", "Note Target", "Note Targets", True, []),
        ("task", "tasks", "Task", "Tasks", False, [
            ("title", "TEXT", {}), ("bodyV2", rich, {}), ("dueAt", "DATE_TIME", {}),
            ("status", "SELECT", {"defaultValue": "'TODO'",
                                  "options": _opts("TODO", "IN_PROGRESS", "DONE")})]),
        ("taskTarget", "taskTargets", "Task Target", "Task Targets", True, []),
        ("attachment", "attachments", "Attachment", "Attachments", True, [
            ("name", "TEXT", {}), ("fullPath", "TEXT", {}),
            ("fileCategory", "SELECT", {"isNullable": False, "defaultValue": "'OTHER'",
                                        "options": _opts("ARCHIVE", "AUDIO", "IMAGE",
                                                         "PRESENTATION", "SPREADSHEET",
                                                         "TEXT_DOCUMENT", "VIDEO", "OTHER")})]),
        ("workspaceMember", "workspaceMembers", "Workspace Member", "Workspace Members", True, [
            ("name", "FULL_NAME", {}), ("userEmail", "TEXT", {}), ("userId", "UUID", {}),
            ("avatarUrl", "TEXT", {}), ("colorScheme", "TEXT", {}), ("locale", "TEXT", {}),
            ("timeZone", "TEXT", {}), ("dateFormat", "TEXT", {}), ("timeFormat", "TEXT", {}),
            ("numberFormat", "TEXT", {}), ("calendarStartDay", "NUMBER", {})]),
    ]


def standard_metadata(generation: str, now: str) -> tuple[list[Row], list[Row]]:
    objects: dict[str, dict[str, Any]] = {}
    fields: list[dict[str, Any]] = []
    for singular, plural, label_s, label_p, is_system, defs in _standard_objects():
        obj = make_object(stable_id("object", singular), singular, plural, label_s, label_p, now,
                          isSystem=is_system)
        objects[singular] = obj
        fields.extend(system_fields(obj["id"], now, custom=False))
        for name, ftype, extra in defs:
            ftype = rich_text_type(generation) if ftype == "RICH" else ftype
            label = name[0].upper() + name[1:]
            fields.append(make_field(stable_id(obj["id"], name), obj["id"], name, ftype, label,
                                     now, **extra))
    o = objects
    pairs = [
        ("person", "company", "company", "people", "SET_NULL"),
        ("opportunity", "company", "company", "opportunities", "SET_NULL"),
        ("opportunity", "pointOfContact", "person", "pointOfContactForOpportunities", "SET_NULL"),
        ("company", "accountOwner", "workspaceMember", "accountOwnerForCompanies", "SET_NULL"),
        ("task", "assignee", "workspaceMember", "assignedTasks", "SET_NULL"),
        ("noteTarget", "note", "note", "noteTargets", "CASCADE"),
        ("taskTarget", "task", "task", "taskTargets", "CASCADE"),
    ]
    if generation == "v1":
        pairs += [("attachment", "note", "note", "attachments", "CASCADE"),
                  ("attachment", "task", "task", "attachments", "CASCADE")]
    for src, name, dst, inverse, on_delete in pairs:
        fields += relation_pair(o[src], name, name[0].upper() + name[1:], o[dst], inverse,
                                inverse[0].upper() + inverse[1:], now, on_delete)
    targets = ["person", "company", "opportunity"]
    for holder in TARGET_HOLDERS:
        extra_targets = ["note", "task"] if holder == "attachment" and generation == "v2" else []
        for target in targets + extra_targets:
            name = target_field_name(generation, target)
            fields += relation_pair(o[holder], name, name[0].upper() + name[1:], o[target],
                                    TARGET_INVERSE[holder], TARGET_INVERSE[holder].title(), now,
                                    "CASCADE", morph=generation == "v2")
    for obj in objects.values():
        name_field = next((f for f in fields if f["objectMetadataId"] == obj["id"]
                           and f["name"] in ("name", "title")), None)
        obj["labelIdentifierFieldMetadataId"] = name_field["id"] if name_field else None
    return list(objects.values()), fields
