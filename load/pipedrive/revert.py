"""The before-image of a record the load updated, as a body Pipedrive takes back.

Rollback of an update PATCHes (notes: PUT) what the record held before. The before-image is the
record as the listing answered it, and v2 refuses a body with keys its create/update schema
does not know ("Parameter 'x' is not allowed for this request", destinations-2.md §2.11 rule 4):
``id``, ``add_time`` of a person that the account set, ``update_time``, nested ids inside
``prices`` ... So only the fields the migration writes are sent back, each in the shape the
body takes: the names below are the v2 create bodies' properties (v1 for notes) that a mart
can fill, and ``custom_fields`` goes back only for the codes the migration writes (the
customer's other custom fields were never touched).
"""

from __future__ import annotations

from typing import Any

from load.pipedrive.schema import FieldMap
from load.pipedrive.specs import Entity

WRITABLE: dict[str, tuple[str, ...]] = {
    "organization": ("name", "owner_id", "address", "visible_to", "label_ids"),
    "person": ("name", "owner_id", "org_id", "emails", "phones", "visible_to", "label_ids"),
    "product": ("name", "code", "description", "unit", "tax", "category", "owner_id", "prices"),
    "deal": ("title", "owner_id", "person_id", "org_id", "value", "currency", "status"),
    "activity": (
        "subject",
        "type",
        "owner_id",
        "deal_id",
        "person_id",
        "org_id",
        "due_date",
        "due_time",
        "duration",
        "done",
        "location",
        "note",
    ),
    "note": ("content", "person_id", "org_id", "deal_id"),
}
ITEM_KEYS = {
    "emails": ("value", "primary", "label"),
    "phones": ("value", "primary", "label"),
    "prices": ("currency", "price", "cost", "direct_cost"),
}


def _clean(key: str, value: Any) -> Any:
    keep = ITEM_KEYS.get(key)
    if keep and isinstance(value, list):
        return [
            {k: v for k, v in item.items() if k in keep} if isinstance(item, dict) else item
            for item in value
        ]
    return value


def before_body(
    entity: Entity, before: dict[str, Any], fields: FieldMap, written: set[str]
) -> dict[str, Any]:
    """``written``: the body keys the migration's mart fills; a list the record did not hold
    before is sent back empty. A scalar the load set where the record had none (an ``org_id``)
    stays: no v2 body field is nullable, so Pipedrive's API cannot clear it."""
    body = {
        key: _clean(key, before[key])
        for key in WRITABLE[entity.singular]
        if before.get(key) is not None
    }
    for key in written - body.keys():
        if key in (*ITEM_KEYS, "label_ids") and key in WRITABLE[entity.singular]:
            body[key] = []  # a scalar cannot be cleared: no v2 body field is nullable
    if entity.custom_fields:
        held = before.get("custom_fields") or {}
        codes = [f.code for f in fields.fields.get(entity.singular, {}).values() if f.code]
        body["custom_fields"] = {code: held.get(code) for code in codes}
    return body
