"""The Fields API (§2.11 rule 9): built-in and custom fields of persons, organizations,
products and deals; activity fields are read-only and built-in only (rule 6).

Custom fields have no API names in Pipedrive: each gets a random 40-hex ``field_code`` when
created (destinations-2.md §2.5), and record values live under ``custom_fields`` keyed by it.
Codes come from ``secrets.token_hex(20)`` per account, so two companies never share one.

Choices where the reference is silent:

* Listings show the built-in fields first (``is_custom_field: false``, codes are the body
  keys: ``name``, ``emails``, ``category``...), then custom fields in creation order; both are
  paged by ``limit`` (≤ 500, default 100) and the same opaque cursor as record lists. The
  built-in list is a plausible subset (the fields a record answer carries), not the full one.
* Built-in fields cannot be renamed, deleted or given options by API: 400. Product
  ``category`` is a built-in ``enum`` that starts with no options, so a value for it is
  refused until someone adds options in the UI, which the stand-in cannot do (the reference
  marks adding them by API as [?]: the loader must use a custom "Service group" field).
* ``options`` is required (≥ 1 label) for ``enum``/``set`` and refused for other types;
  duplicate labels are allowed, as the web app allows them.
* The option endpoints take and answer arrays; each answer lists the options the call added,
  changed or removed. A call that names an unknown option id changes nothing (404): atomic.
  Removing an option clears it from every record (an enum value becomes null, a set loses
  the id and becomes null when empty), and deleting a field drops its values.
* ``ui_visibility``/``important_fields``/``required_fields`` given on create or PATCH are
  kept (merged into defaults: visible, not important, not required) and shown only when
  ``include_fields`` names them, as the spec says; built-in fields always show the defaults.
* Option ids come from one counter per account. Every field carries ``description`` (empty:
  nothing sets it), which the spec's listing schema requires.
"""

from __future__ import annotations

import secrets
from typing import Any

from sandbox.pipedrive.accounts import Account
from sandbox.pipedrive.errors import PdError, invalid
from sandbox.pipedrive.store import Doc

ENTITIES = ("person", "organization", "product", "deal", "activity")
CREATABLE = (
    "varchar",
    "text",
    "double",
    "phone",
    "date",
    "daterange",
    "time",
    "timerange",
    "set",
    "enum",
    "varchar_auto",
    "address",
    "monetary",
    "org",
    "people",
    "user",
)
OPTION_TYPES = ("enum", "set")
SETTINGS: dict[str, dict[str, Any]] = {
    "ui_visibility": {"add_visible_flag": True, "details_visible_flag": True},
    "important_fields": {"enabled": False, "stage_ids": []},
    "required_fields": {"enabled": False},
}

_COMMON = (
    ("id", "ID", "int"),
    ("owner_id", "Owner", "user"),
    ("add_time", "Created", "date"),
    ("update_time", "Update time", "date"),
    ("visible_to", "Visible to", "visible_to"),
)
BUILT_IN: dict[str, tuple[tuple[str, str, str], ...]] = {
    "person": (
        ("name", "Name", "varchar"),
        ("first_name", "First name", "varchar"),
        ("last_name", "Last name", "varchar"),
        ("org_id", "Organization", "org"),
        ("emails", "Email", "varchar"),
        ("phones", "Phone", "phone"),
        ("label_ids", "Labels", "set"),
        *_COMMON,
    ),
    "organization": (
        ("name", "Name", "varchar"),
        ("address", "Address", "address"),
        ("label_ids", "Labels", "set"),
        *_COMMON,
    ),
    "product": (
        ("name", "Name", "varchar"),
        ("code", "Product code", "varchar"),
        ("description", "Description", "text"),
        ("unit", "Unit", "varchar"),
        ("tax", "Tax", "double"),
        ("category", "Category", "enum"),
        ("prices", "Price", "price_list"),
        ("is_linkable", "Linkable", "boolean"),
        ("billing_frequency", "Billing frequency", "billing_frequency"),
        *_COMMON,
    ),
    "deal": (
        ("title", "Title", "varchar"),
        ("value", "Value", "monetary"),
        ("person_id", "Contact person", "people"),
        ("org_id", "Organization", "org"),
        ("pipeline_id", "Pipeline", "int"),
        ("stage_id", "Stage", "stage"),
        ("status", "Status", "status"),
        ("expected_close_date", "Expected close date", "date"),
        ("label_ids", "Labels", "set"),
        *_COMMON,
    ),
    "activity": (
        ("subject", "Subject", "varchar"),
        ("type", "Type", "varchar_options"),
        ("due_date", "Due date", "date"),
        ("due_time", "Due time", "time"),
        ("duration", "Duration", "time"),
        ("done", "Done", "boolean"),
        ("note", "Note", "text"),
        ("person_id", "Contact person", "people"),
        ("org_id", "Organization", "org"),
        ("deal_id", "Deal", "deal"),
        ("busy", "Free/busy", "boolean"),
        ("location", "Location", "address"),
        ("public_description", "Public description", "text"),
        ("priority", "Priority", "enum"),
        ("id", "ID", "int"),
        ("owner_id", "Assigned to user", "user"),
        ("add_time", "Created", "date"),
        ("update_time", "Update time", "date"),
    ),
}


def kind(entity: str) -> str:
    return f"field:{entity}"


def custom_fields(account: Account, entity: str) -> list[Doc]:
    return sorted(account.store.kind(kind(entity)).values(), key=lambda f: f["order"])


def custom_field(account: Account, entity: str, code: str) -> Doc | None:
    return account.store.get(kind(entity), code)


def all_fields(
    account: Account, entity: str, include: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    built = [
        {
            "field_name": name,
            "field_code": code,
            "description": "",
            "field_type": ftype,
            "options": [] if ftype in OPTION_TYPES else None,
            "subfields": None,
            "is_custom_field": False,
            "is_optional_response_field": False,
            **{key: dict(SETTINGS[key]) for key in include},
        }
        for code, name, ftype in BUILT_IN[entity]
    ]
    return built + [public(f, include) for f in custom_fields(account, entity)]


def public(field: Doc, include: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "field_name": field["field_name"],
        "field_code": field["field_code"],
        "description": field.get("description", ""),
        "field_type": field["field_type"],
        "options": [dict(o) for o in field["options"]] if field["options"] is not None else None,
        "subfields": None,
        "is_custom_field": True,
        "is_optional_response_field": False,
        **{key: dict(field.get(key, SETTINGS[key])) for key in include},
    }


def included(text: str | None) -> tuple[str, ...]:
    """The ``include_fields`` query parameter: which settings objects answers carry."""
    wanted = tuple(part.strip() for part in (text or "").split(",") if part.strip())
    unknown = [w for w in wanted if w not in SETTINGS]
    if unknown:
        raise invalid(f"include_fields: '{unknown[0]}' is not one of {', '.join(SETTINGS)}")
    return wanted


def find(account: Account, entity: str, code: str, include: tuple[str, ...] = ()) -> dict[str, Any]:
    for field in all_fields(account, entity, include):
        if field["field_code"] == code:
            return field
    raise PdError(404, "Field not found", "ERR_NOT_FOUND")


def create(account: Account, entity: str, body: dict[str, Any]) -> dict[str, Any]:
    name, ftype = body.get("field_name"), body.get("field_type")
    if not isinstance(name, str) or not name.strip():
        raise invalid("field_name: Required and must not be empty")
    if ftype not in CREATABLE:
        raise invalid(f"field_type: Must be one of {', '.join(CREATABLE)}")
    labels = _labels(body.get("options"), "options") if "options" in body else None
    if ftype in OPTION_TYPES and not labels:
        raise invalid(f"options: At least one option is required for '{ftype}' fields")
    if ftype not in OPTION_TYPES and labels is not None:
        raise invalid(f"options: Options are only allowed for enum and set fields, not '{ftype}'")
    code = secrets.token_hex(20)
    now = account.v2_now()
    options = [_option(account, label, now) for label in labels] if labels else None
    field = {
        "field_code": code,
        "field_name": name,
        "field_type": ftype,
        "options": options,
        "order": account.store.next_id(f"field_order:{entity}"),
        "add_time": now,
    }
    _settings(field, body)
    account.store.save(kind(entity), code, field)
    return public(field)


def update(account: Account, entity: str, code: str, body: dict[str, Any]) -> dict[str, Any]:
    field = _custom(account, entity, code)
    if "field_name" in body:
        name = body["field_name"]
        if not isinstance(name, str) or not name.strip():
            raise invalid("field_name: Must not be empty")
        field["field_name"] = name
    _settings(field, body)
    account.store.save(kind(entity), code, field)
    return public(field)


def _settings(field: Doc, body: dict[str, Any]) -> None:
    for key, default in SETTINGS.items():
        if key in body:
            if not isinstance(body[key], dict):
                raise invalid(f"{key}: Expected an object")
            field[key] = {**field.get(key, default), **body[key]}


def delete(account: Account, entity: str, code: str) -> dict[str, Any]:
    field = _custom(account, entity, code)
    account.store.drop(kind(entity), code)
    for record in list(account.store.kind(entity).values()):
        if code in record.get("custom_fields", {}):
            del record["custom_fields"][code]
            account.store.save(entity, record["id"], record)
    return public(field)


def add_options(account: Account, entity: str, code: str, body: Any) -> list[dict[str, Any]]:
    field = _option_field(account, entity, code)
    labels = _labels(body, "body")
    if not labels:
        raise invalid("body: At least one option is required")
    now = account.v2_now()
    added = [_option(account, label, now) for label in labels]
    field["options"].extend(added)
    account.store.save(kind(entity), code, field)
    return [{"id": o["id"], "label": o["label"]} for o in added]


def update_options(account: Account, entity: str, code: str, body: Any) -> list[dict[str, Any]]:
    field = _option_field(account, entity, code)
    items = _items(body, ("id", "label"))
    by_id = _existing(field, [item["id"] for item in items])
    for item in items:
        if not isinstance(item["label"], str) or not item["label"].strip():
            raise invalid("label: Must not be empty")
    now = account.v2_now()
    for item in items:
        by_id[item["id"]].update(label=item["label"], update_time=now)
    account.store.save(kind(entity), code, field)
    return [{"id": i["id"], "label": i["label"]} for i in items]


def delete_options(account: Account, entity: str, code: str, body: Any) -> list[dict[str, Any]]:
    field = _option_field(account, entity, code)
    ids = [item["id"] for item in _items(body, ("id",))]
    by_id = _existing(field, ids)
    gone = set(ids)
    field["options"] = [o for o in field["options"] if o["id"] not in gone]
    account.store.save(kind(entity), code, field)
    for record in list(account.store.kind(entity).values()):
        value = record.get("custom_fields", {}).get(code)
        if isinstance(value, int) and value in gone:
            record["custom_fields"][code] = None
        elif isinstance(value, list) and gone & set(value):
            rest = [v for v in value if v not in gone]
            record["custom_fields"][code] = rest or None
        else:
            continue
        account.store.save(entity, record["id"], record)
    return [{"id": i, "label": by_id[i]["label"]} for i in dict.fromkeys(ids)]


def _custom(account: Account, entity: str, code: str) -> Doc:
    field = custom_field(account, entity, code)
    if field is not None:
        return field
    if any(code == c for c, _, _ in BUILT_IN[entity]):
        raise invalid(f"field_code: '{code}' is a system field and cannot be changed")
    raise PdError(404, "Field not found", "ERR_NOT_FOUND")


def _option_field(account: Account, entity: str, code: str) -> Doc:
    field = _custom(account, entity, code)
    if field["field_type"] not in OPTION_TYPES:
        raise invalid(f"field_code: '{code}' is a {field['field_type']} field, not an option field")
    return field


def _option(account: Account, label: str, now: str) -> Doc:
    return {
        "id": account.store.next_id("option"),
        "label": label,
        "color": None,
        "add_time": now,
        "update_time": None,
    }


def _labels(value: Any, where: str) -> list[str]:
    items = _items(value, ("label",), where)
    labels = [item["label"] for item in items]
    if not all(isinstance(label, str) and label.strip() for label in labels):
        raise invalid(f"{where}: Every option needs a non-empty label")
    return labels


def _items(value: Any, keys: tuple[str, ...], where: str = "body") -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise invalid(f"{where}: Expected an array of objects")
    for item in value:
        missing = [k for k in keys if k not in item]
        if missing:
            raise invalid(f"{where}: '{missing[0]}' is required")
        if "id" in keys and (not isinstance(item["id"], int) or isinstance(item["id"], bool)):
            raise invalid(f"{where}: Expected 'number' as value for id")
    return value


def _existing(field: Doc, ids: list[int]) -> dict[int, Doc]:
    by_id = {o["id"]: o for o in field["options"]}
    unknown = [i for i in ids if i not in by_id]
    if unknown:
        raise PdError(404, f"Option with id {unknown[0]} not found", "ERR_NOT_FOUND")
    if not ids:
        raise invalid("body: At least one option is required")
    return by_id
