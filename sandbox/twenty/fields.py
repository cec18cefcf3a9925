"""Metadata REST API: fields (reference §6; types and inputs checked against the generated
metadata schema of twenty-client-sdk 2.43.0: ``FieldMetadataType``, ``CreateFieldInput``)."""

from __future__ import annotations

import re
import uuid
from typing import Any

from sandbox.twenty.errors import ApiError, metadata_error
from sandbox.twenty.metadata import (
    camel_case,
    check_keys,
    check_label,
    check_name,
    drop_keys,
    get_object,
    taken_names,
)
from sandbox.twenty.records import Records, now_iso, unique_value
from sandbox.twenty.standard import make_field, relation_pair
from sandbox.twenty.values import (
    UNIQUE_SUBFIELD,
    empty_value,
    is_uuid,
    parse_default,
    validator_for,
)

Row = dict[str, Any]
BASE_TYPES = {"TEXT", "NUMBER", "NUMERIC", "BOOLEAN", "DATE", "DATE_TIME", "CURRENCY", "EMAILS",
              "PHONES", "FULL_NAME", "ADDRESS", "LINKS", "SELECT", "MULTI_SELECT", "RATING",
              "UUID", "RAW_JSON", "ARRAY", "RELATION"}
UNIQUE_TYPES = {"TEXT", "NUMBER", "NUMERIC", "DATE", "DATE_TIME", "UUID", "SELECT", "EMAILS",
                "LINKS", "PHONES"}
FIELD_INPUT_KEYS = {"type", "name", "label", "description", "icon", "isActive", "isSystem",
                    "isUIEditable", "isUIReadOnly", "isNullable", "isUnique", "isSearchable",
                    "isAuditLogged", "defaultValue", "options", "settings", "objectMetadataId",
                    "isLabelSyncedWithName", "isRemoteCreation", "relationCreationPayload",
                    "morphRelationsCreationPayload"}
FIELD_UPDATE_KEYS = {"label", "description", "icon", "isActive", "isUnique", "defaultValue",
                     "options", "isLabelSyncedWithName", "isNullable", "settings"}
OPTION_KEYS = {"id", "value", "label", "color", "position"}
OPTION_VALUE = re.compile(r"[A-Z0-9]+(_[A-Z0-9]+)*")


def allowed_types(generation: str) -> set[str]:
    return BASE_TYPES | {"RICH_TEXT_V2" if generation == "v1" else "RICH_TEXT"}


def get_field(records: Records, field_id: str) -> Row:
    doc = records.store.fields.get(field_id) if is_uuid(field_id) else None
    if doc is None:
        raise ApiError(404, f"Field metadata '{field_id}' not found", "Not Found")
    return doc


def check_options(ftype: str, options: Any) -> list[Row] | None:
    if ftype not in ("SELECT", "MULTI_SELECT"):
        if options is not None:
            raise metadata_error(f"Options are only allowed on SELECT/MULTI_SELECT, not {ftype}")
        return None
    if not isinstance(options, list) or not options:
        raise metadata_error("Options are required for SELECT and MULTI_SELECT fields")
    out, seen = [], {"id": set(), "value": set(), "position": set()}  # type: ignore[var-annotated]
    for index, option in enumerate(options):
        if not isinstance(option, dict) or set(option) - OPTION_KEYS:
            raise metadata_error("Each option must be {value, label, color?, position?, id?}")
        value = option.get("value")
        if not (isinstance(value, str) and len(value) <= 63 and OPTION_VALUE.fullmatch(value)):
            raise metadata_error(f"Value must be in UPPER_CASE and follow snake_case \"{value}\"")
        check_label(option.get("label"), "Option label")
        normalised = {"id": option.get("id") or str(uuid.uuid4()), "value": value,
                      "label": option["label"], "color": option.get("color") or "gray",
                      "position": option.get("position", index)}
        for key in seen:
            if normalised[key] in seen[key]:
                raise metadata_error(f"Option {key} \"{normalised[key]}\" must be unique")
            seen[key].add(normalised[key])
        out.append(normalised)
    return out


def check_default(ftype: str, name: str, default: Any, options: list[Row] | None) -> None:
    if default is None:
        return
    if ftype in ("TEXT", "SELECT") and not (isinstance(default, str) and len(default) >= 2
                                            and default[0] == default[-1] == "'"):
        raise metadata_error(f"Default value for {ftype} must be a quoted literal like \"'VALUE'\"")
    value = parse_default(ftype, default)
    values = [o["value"] for o in options or []]
    try:
        validator_for(ftype, name, values)(value, None)
    except ApiError as exc:
        raise metadata_error(f"Invalid default value for \"{name}\": {exc.message}") from None


def create_field(records: Records, body: Any, generation: str) -> Row:
    body = check_keys(body, FIELD_INPUT_KEYS, "CreateFieldInput")
    obj = get_object(records, str(body.get("objectMetadataId")))
    ftype = body.get("type")
    if ftype not in allowed_types(generation):
        raise metadata_error(f"Field type \"{ftype}\" is not supported. Allowed: "
                             + ", ".join(sorted(allowed_types(generation))))
    name, label = check_name(body.get("name")), check_label(body.get("label"), "label")
    if name in taken_names(records, obj["id"]):
        raise metadata_error(f"Name \"{name}\" is not available")
    now = now_iso()
    if ftype == "RELATION":
        return _create_relation(records, obj, name, label, body, now)
    if body.get("relationCreationPayload") is not None:
        raise metadata_error("relationCreationPayload is only allowed on RELATION fields")
    options = check_options(ftype, body.get("options"))
    is_unique = bool(body.get("isUnique"))
    if is_unique and ftype not in UNIQUE_TYPES:
        raise metadata_error(f"Fields of type {ftype} cannot be unique")
    nullable = body.get("isNullable", True) is not False
    check_default(ftype, name, body.get("defaultValue"), options)
    if not nullable and body.get("defaultValue") is None and records.store.table(obj["id"]):
        raise metadata_error("A non-nullable field needs a default value when records exist")
    doc = make_field(str(uuid.uuid4()), obj["id"], name, ftype, label, now, isCustom=True,
                     description=body.get("description"), icon=body.get("icon"),
                     isNullable=nullable, isUnique=is_unique, options=options,
                     defaultValue=body.get("defaultValue"), settings=body.get("settings"))
    default = parse_default(ftype, doc["defaultValue"])
    fill = empty_value(ftype) if default is None else default
    upserts = [(obj["id"], {**row, name: fill}) for row in records.store.table(obj["id"]).values()]
    records.store.commit(upserts=upserts, meta_upserts=[doc])
    records.refresh()
    return doc


def _create_relation(records: Records, obj: Row, name: str, label: str, body: Row, now: str) -> Row:
    payload = body.get("relationCreationPayload")
    if not isinstance(payload, dict):
        raise metadata_error("relationCreationPayload is required for RELATION fields")
    kind = payload.get("type")
    if kind not in ("MANY_TO_ONE", "ONE_TO_MANY"):
        raise metadata_error("relationCreationPayload.type must be MANY_TO_ONE or ONE_TO_MANY")
    target = get_object(records, str(payload.get("targetObjectMetadataId")))
    target_label = check_label(payload.get("targetFieldLabel"), "targetFieldLabel")
    inverse = check_name(camel_case(target_label))
    if inverse in taken_names(records, target["id"]) or (
            target["id"] == obj["id"] and inverse == name):
        raise metadata_error(f"Name \"{inverse}\" is not available on {target['nameSingular']}")
    if kind == "MANY_TO_ONE":
        many, one = relation_pair(obj, name, label, target, inverse, target_label, now,
                                  custom=True, fresh_ids=True)
        created = many
    else:
        many, one = relation_pair(target, inverse, target_label, obj, name, label, now,
                                  custom=True, fresh_ids=True)
        created = one
    column = many["settings"]["joinColumnName"]
    if column in taken_names(records, many["objectMetadataId"]):
        raise metadata_error(f"Name \"{column}\" is not available")
    for doc, icon in ((created, body.get("icon")), (many if created is one else one,
                                                    payload.get("targetFieldIcon"))):
        doc["icon"] = icon
    created["description"] = body.get("description")
    upserts = [(many["objectMetadataId"], {**row, column: None})
               for row in records.store.table(many["objectMetadataId"]).values()]
    records.store.commit(upserts=upserts, meta_upserts=[many, one])
    records.refresh()
    return created


def update_field(records: Records, field_id: str, body: Any) -> Row:
    doc = dict(get_field(records, field_id))
    body = check_keys(body, FIELD_UPDATE_KEYS | {"name", "objectMetadataId", "type"},
                      "UpdateFieldInput")
    for key in ("name", "objectMetadataId", "type"):
        if key in body and body[key] != doc[key]:
            raise metadata_error(f"Changing \"{key}\" of a field is not supported")
    if doc["isSystem"] or doc["name"] in ("id", "createdAt", "updatedAt", "deletedAt"):
        raise metadata_error("System fields cannot be updated")
    if "label" in body:
        check_label(body["label"], "label")
    if "options" in body:
        body["options"] = check_options(doc["type"], body["options"])
    if "defaultValue" in body:
        options = body.get("options", doc["options"])
        check_default(doc["type"], doc["name"], body["defaultValue"], options)
    if "isUnique" in body and bool(body["isUnique"]) != bool(doc["isUnique"]):
        if not doc["isCustom"]:
            raise metadata_error("isUnique of a standard field cannot be changed")
        if body["isUnique"] and doc["type"] not in UNIQUE_TYPES:
            raise metadata_error(f"Fields of type {doc['type']} cannot be unique")
        if body["isUnique"]:
            sub = UNIQUE_SUBFIELD.get(doc["type"])
            seen: set[Any] = set()
            for row in records.store.table(doc["objectMetadataId"]).values():
                value = unique_value(row, doc["name"], sub)
                if value is not None and value in seen:
                    raise metadata_error(f"Cannot make \"{doc['name']}\" unique: existing records "
                                         f"share the value {value!r}")
                seen.add(value)
    doc.update(body)
    doc["updatedAt"] = now_iso()
    records.store.commit(meta_upserts=[doc])
    records.refresh()
    return doc


def delete_field(records: Records, field_id: str) -> Row:
    doc = get_field(records, field_id)
    if not doc["isCustom"]:
        raise metadata_error("Standard fields cannot be deleted")
    if doc["isActive"]:
        raise metadata_error("Active fields cannot be deleted; deactivate first (isActive: false)")
    docs = [doc]
    if doc["type"] == "RELATION" and doc.get("_targetFieldId") in records.store.fields:
        docs.append(records.store.fields[doc["_targetFieldId"]])
    upserts = []
    for item in docs:
        column = (item.get("settings") or {}).get("joinColumnName")
        if item["type"] != "RELATION" or column:
            upserts += drop_keys(records, item["objectMetadataId"], {column or item["name"]})
    records.store.commit(upserts=upserts, meta_deletes=[d["id"] for d in docs])
    records.refresh()
    return doc
