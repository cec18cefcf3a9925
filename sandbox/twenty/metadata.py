"""Metadata REST API: objects (reference §6), shared naming rules and serialisation.

Fields live in ``sandbox.twenty.fields``. Responses use the legacy metadata envelope in both
generations: ``{"data": {"objects": [...]}, "pageInfo": {...}}`` and
``{"data": {"createOneObject": …}}``.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from sandbox.twenty.errors import ApiError, metadata_error
from sandbox.twenty.records import Records, now_iso
from sandbox.twenty.standard import (
    TARGET_HOLDERS,
    TARGET_INVERSE,
    make_object,
    relation_pair,
    system_fields,
    target_field_name,
)
from sandbox.twenty.values import COMPOSITES, is_uuid

Row = dict[str, Any]
MAX_NAME = 63  # IDENTIFIER_MAX_CHAR_LENGTH
RESERVED = {
    "user", "users", "workspace", "workspaces", "role", "roles", "featureFlag", "featureFlags",
    "job", "jobs", "plan", "plans", "event", "events", "field", "fields", "link", "links",
    "currency", "currencies", "fullName", "fullNames", "address", "addresses", "type", "types",
    "object", "objects", "index", "indexes", "relation", "relations", "aggregate",
}
RESERVED_PREFIXES = ("billing", "pageLayout")
OBJECT_INPUT_KEYS = {"nameSingular", "namePlural", "labelSingular", "labelPlural", "description",
                     "icon", "shortcut", "color", "skipNameField", "isRemote",
                     "isLabelSyncedWithName", "primaryKeyColumnType",
                     "primaryKeyFieldMetadataSettings"}
OBJECT_UPDATE_KEYS = {"labelSingular", "labelPlural", "nameSingular", "namePlural", "description",
                      "icon", "shortcut", "color", "isActive", "labelIdentifierFieldMetadataId",
                      "imageIdentifierFieldMetadataId", "isLabelSyncedWithName", "isSearchable"}
_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def camel_case(text: str) -> str:
    """lodash.camelCase for ASCII input: split into words, lower the first, capitalise the rest."""
    words = _WORD.findall(text)
    return "".join(w.lower() if i == 0 else w[:1].upper() + w[1:].lower()
                   for i, w in enumerate(words))


def check_name(name: Any) -> str:
    if not isinstance(name, str) or not name:
        raise metadata_error("Name is required and must be a non-empty string")
    if len(name) > MAX_NAME:
        raise metadata_error(f"Name \"{name}\" exceeds {MAX_NAME} characters")
    if not re.fullmatch(r"[a-z][a-zA-Z0-9]*", name) or camel_case(name) != name:
        raise metadata_error(f"Name \"{name}\" should be in camelCase")
    if name in RESERVED or name.startswith(RESERVED_PREFIXES):
        raise metadata_error(f"The name \"{name}\" is not available")
    return name


def check_label(label: Any, what: str) -> str:
    if not isinstance(label, str) or not label.strip():
        raise metadata_error(f"{what} is required and must be a non-empty string")
    if len(label) > MAX_NAME:
        raise metadata_error(f"{what} \"{label}\" exceeds {MAX_NAME} characters")
    return label


def check_keys(body: Any, allowed: set[str], what: str) -> Row:
    if not isinstance(body, dict):
        raise metadata_error(f"{what} must be a JSON object")
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise metadata_error(f"Field \"{unknown[0]}\" is not defined by type {what}")
    return body


def taken_names(records: Records, object_id: str) -> set[str]:
    """Field names, join columns and generated composite column names of one object."""
    names: set[str] = set()
    for doc in records.store.fields.values():
        if doc["objectMetadataId"] != object_id:
            continue
        names.add(doc["name"])
        settings = doc.get("settings") or {}
        if settings.get("joinColumnName"):
            names.add(settings["joinColumnName"])
        for sub in COMPOSITES.get(doc["type"], ()):
            names.add(doc["name"] + sub[0].upper() + sub[1:])
    return names


def public(doc: Row) -> Row:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


def field_out(records: Records, doc: Row) -> Row:
    out = public(doc)
    if doc["type"] in ("RELATION", "MORPH_RELATION"):
        store = records.store
        target_obj = store.objects.get(doc["_targetObjectId"], {})
        source_obj = store.objects.get(doc["objectMetadataId"], {})
        target_field = store.fields.get(doc["_targetFieldId"], {})
        brief = ("id", "nameSingular", "namePlural")
        out["relation"] = {
            "type": (doc.get("settings") or {}).get("relationType"),
            "sourceObjectMetadata": {k: source_obj.get(k) for k in brief},
            "targetObjectMetadata": {k: target_obj.get(k) for k in brief},
            "sourceFieldMetadata": {"id": doc["id"], "name": doc["name"]},
            "targetFieldMetadata": {"id": target_field.get("id"), "name": target_field.get("name")},
        }
    return out


def object_out(records: Records, doc: Row) -> Row:
    out = public(doc)
    fields = sorted((f for f in records.store.fields.values()
                     if f["objectMetadataId"] == doc["id"]), key=lambda f: f["createdAt"])
    out["fields"] = [field_out(records, f) for f in fields]
    return out


def paginate(items: list[Row], limit: str | None, after: str | None, before: str | None,
             ) -> tuple[list[Row], Row]:
    size = 1000
    if limit is not None:
        if not re.fullmatch(r"\d+", limit):
            raise metadata_error(f"limit '{limit}' is invalid. Should be an integer")
        size = int(limit)
    ids = [i["id"] for i in items]
    start, end = 0, len(items)
    if after is not None:
        start = ids.index(after) + 1 if after in ids else len(items)
    if before is not None:
        end = ids.index(before) if before in ids else 0
        start = max(start, end - size)
    page = items[start:min(end, start + size)]
    info = {"hasNextPage": start + len(page) < len(items), "hasPreviousPage": start > 0,
            "startCursor": page[0]["id"] if page else None,
            "endCursor": page[-1]["id"] if page else None}
    return page, info


def drop_keys(records: Records, object_id: str, keys: set[str]) -> list[tuple[str, Row]]:
    """Rewritten rows of one object without ``keys`` (a deleted field's data)."""
    return [(object_id, {k: v for k, v in row.items() if k not in keys})
            for row in records.store.table(object_id).values() if keys & row.keys()]


def get_object(records: Records, object_id: str) -> Row:
    doc = records.store.objects.get(object_id) if is_uuid(object_id) else None
    if doc is None:
        raise ApiError(404, f"Object metadata '{object_id}' not found", "Not Found")
    return doc


def create_object(records: Records, body: Any, generation: str) -> Row:
    body = check_keys(body, OBJECT_INPUT_KEYS, "CreateObjectInput")
    singular, plural = check_name(body.get("nameSingular")), check_name(body.get("namePlural"))
    check_label(body.get("labelSingular"), "labelSingular")
    check_label(body.get("labelPlural"), "labelPlural")
    if singular == plural:
        raise metadata_error("The singular and plural name cannot be the same for an object")
    for other in records.store.objects.values():
        if {singular, plural} & {other["nameSingular"], other["namePlural"]}:
            raise metadata_error(f"Object already exists: \"{singular}\"/\"{plural}\" is taken")
    now = now_iso()
    holders = {o["nameSingular"]: o for o in records.store.objects.values()
               if o["nameSingular"] in TARGET_HOLDERS and not o["isCustom"]}
    link = target_field_name(generation, singular)
    for holder in holders.values():
        if {link, f"{link}Id"} & taken_names(records, holder["id"]):
            raise metadata_error(f"Name \"{link}\" is not available on {holder['nameSingular']}")
    obj = make_object(str(uuid.uuid4()), singular, plural, body["labelSingular"],
                      body["labelPlural"], now, isCustom=True, description=body.get("description"),
                      icon=body.get("icon"), shortcut=body.get("shortcut"),
                      isLabelSyncedWithName=bool(body.get("isLabelSyncedWithName")))
    fields = system_fields(obj["id"], now, custom=True)
    for field in fields:
        field["id"] = str(uuid.uuid4())
        field["isCustom"] = field["name"] == "name"
    obj["labelIdentifierFieldMetadataId"] = next(f["id"] for f in fields if f["name"] == "name")
    for holder_name, holder in holders.items():
        inverse = TARGET_INVERSE[holder_name]
        fields += relation_pair(holder, link, body["labelSingular"], obj, inverse,
                                holder["labelPlural"], now, "CASCADE", custom=True,
                                morph=generation == "v2", fresh_ids=True)
    records.store.commit(meta_upserts=[obj, *fields])
    records.refresh()
    return obj


def update_object(records: Records, object_id: str, body: Any) -> Row:
    doc = dict(get_object(records, object_id))
    body = check_keys(body, OBJECT_UPDATE_KEYS, "UpdateObjectPayload")
    if not doc["isCustom"] and ({"nameSingular", "namePlural"} & set(body)):
        raise metadata_error("Standard object names cannot be changed")
    for key in ("nameSingular", "namePlural"):
        if key in body:
            check_name(body[key])
            for other in records.store.objects.values():
                names = (other["nameSingular"], other["namePlural"])
                if other["id"] != doc["id"] and body[key] in names:
                    raise metadata_error(f"Object already exists: \"{body[key]}\" is taken")
    for key in ("labelSingular", "labelPlural"):
        if key in body:
            check_label(body[key], key)
    if "isActive" in body and not isinstance(body["isActive"], bool):
        raise metadata_error("isActive must be a boolean")
    if "isActive" in body and not doc["isCustom"] and body["isActive"] is False:
        raise metadata_error("Standard objects cannot be deactivated")
    doc.update(body)
    if doc["nameSingular"] == doc["namePlural"]:
        raise metadata_error("The singular and plural name cannot be the same for an object")
    doc["updatedAt"] = now_iso()
    records.store.commit(meta_upserts=[doc])
    records.refresh()
    return doc


def delete_object(records: Records, object_id: str) -> Row:
    doc = get_object(records, object_id)
    if not doc["isCustom"]:
        raise metadata_error("Standard objects cannot be deleted")
    if doc["isActive"]:
        raise metadata_error("Active objects cannot be deleted; deactivate first (isActive: false)")
    store = records.store
    doomed = [f for f in store.fields.values() if f["objectMetadataId"] == object_id
              or f.get("_targetObjectId") == object_id]
    # Join columns on other objects that pointed at the deleted object are dropped from rows.
    columns: dict[str, set[str]] = {}
    for field in doomed:
        column = (field.get("settings") or {}).get("joinColumnName")
        if column and field["objectMetadataId"] != object_id:
            columns.setdefault(field["objectMetadataId"], set()).add(column)
    upserts = [u for oid, cols in columns.items() for u in drop_keys(records, oid, cols)]
    store.commit(upserts=upserts, meta_deletes=[object_id, *(f["id"] for f in doomed)],
                 drop_objects=[object_id])
    records.refresh()
    return doc
