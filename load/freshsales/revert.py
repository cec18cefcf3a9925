"""The before-image of a record the load updated, as a body Freshsales takes back.

Rollback of an update PUTs back what the record held before, as the plan's read answered it.
That record carries keys a body must not (``id``, ``created_at``, ``updated_at``, the
``links`` and counts Freshsales adds), so only the fields a mart can fill are sent, each as the
body takes it. A field the load set where the record had none is sent back empty (``null``;
``[]`` for a list), since Freshsales' PUT leaves an absent key as it is, and ``custom_field``
goes back whole as it was, with ``null`` for every key the migration added: the customer's
other custom fields are sent back unchanged.
"""

from __future__ import annotations

from typing import Any

from load.freshsales.specs import Module

WRITABLE: dict[str, tuple[str, ...]] = {
    "sales_account": ("name", "address", "city", "zipcode", "country", "phone", "owner_id"),
    "contact": (
        "first_name",
        "last_name",
        "email",
        "emails",
        "mobile_number",
        "work_number",
        "address",
        "city",
        "state",
        "zipcode",
        "country",
        "job_title",
        "time_zone",
        "owner_id",
        "sales_accounts",
    ),
    "product": ("name", "description", "is_active", "product_pricings"),
    "deal": ("name", "amount", "expected_close", "closed_date", "sales_account_id", "owner_id"),
    "appointment": ("title", "description", "from_date", "end_date", "time_zone", "location"),
    "note": ("description",),
}
LISTS = ("emails", "sales_accounts", "product_pricings")
ITEM_KEYS = {
    "emails": ("value", "is_primary", "label"),
    "sales_accounts": ("id", "is_primary"),
    "product_pricings": ("currency_code", "unit_price"),
}


def _clean(key: str, value: Any) -> Any:
    keep = ITEM_KEYS.get(key)
    if keep and isinstance(value, list):
        return [
            {k: v for k, v in item.items() if k in keep} if isinstance(item, dict) else item
            for item in value
        ]
    return value


def before_body(mod: Module, before: dict[str, Any], written: set[str]) -> dict[str, Any]:
    """``written``: the custom-field names the migration's mart fills."""
    body: dict[str, Any] = {}
    for key in WRITABLE[mod.singular]:
        value = before.get(key)
        if value is None and key == "sales_account_id":
            continue  # a deal's account is required: a deal always had one
        body[key] = _clean(key, value) if value is not None else ([] if key in LISTS else None)
    if mod.custom_fields:
        held = dict(before.get("custom_field") or {})
        for name in written:
            held.setdefault(name, None)
        body["custom_field"] = held
    return body
