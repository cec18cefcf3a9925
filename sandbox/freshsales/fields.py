"""Each module's fields in the Freshsales stand-in: the standard ones every account has, the
``cf_*`` ones an admin adds, and the typing of custom values (§3.11 rules 3 and 11).

Custom values go only under ``custom_field`` with keys that exist as ``cf_*`` fields of the
module in ``GET /api/settings/<module>/fields`` (destinations-2.md §3.1, §3.11 rule 3). Creating
such fields on a standard module by API is unconfirmed (§3.5 [?]): an admin creates them in the
UI, which the stand-in's hook ``POST /_sandbox/accounts/{acct}/fields`` plays. With the stand-in
option ``allow_field_create`` (``--allow-field-create``, off) ``POST /api/settings/<module>/
fields`` creates them too; without it that call answers 403, as a settings endpoint a key may
read but not change (rule 11).

Choices where the reference is silent:

* A new account holds NO ``cf_*`` field: the loader must find them missing and print its
  checklist. Standard fields answer ``default: true``, custom ones ``default: false``.
* Custom field types: ``text``, ``paragraph`` (a JSON string), ``number`` (a JSON number, not a
  numeric string, booleans refused), ``date`` (``YYYY-MM-DD``), ``dropdown`` (the label of an
  existing choice, exact case, as Freshsales takes the label as the value), ``checkbox``
  (a JSON boolean), ``multi_select_dropdown`` (a list of existing labels). ``null`` clears any
  of them. Standard fields also show ``email``, ``phone_number``, ``lookup`` (an id of another
  record), ``group_field`` (``emails``, ``product_pricings``), ``datetime``.
* A field's ``name`` is the given one, or ``cf_`` + the label in snake case; a name without the
  ``cf_`` prefix gets it. Creating a name the module already has adds the choices it lacks and
  answers 200 (an admin adding a label to a dropdown); other attributes are kept.
* ``required: true`` (an admin's choice; instances often make ``cf_*`` fields mandatory,
  §3.10 item 3) makes every create and update of the module need a value (400 otherwise).
  Standard text fields (``text``, ``paragraph``, ``phone_number``) take JSON strings only.
* ``unique: true`` is allowed on ``text`` fields only; a unique value is held by one live record
  of the module at most (recycled records do not hold it).
* ``products`` carry custom fields (CPQ); ``appointments`` and ``notes`` have none (their
  settings answer lists their standard fields only, and a POST there is 403 whatever the
  option).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sandbox.freshsales.errors import FsError, general, invalid
from sandbox.pipedrive.store import Doc, Store

CUSTOM_TYPES = {
    "text",
    "paragraph",
    "number",
    "date",
    "dropdown",
    "checkbox",
    "multi_select_dropdown",
}
CUSTOM_MODULES = ("contacts", "sales_accounts", "deals", "products")
# module -> (name, label, type, required); required is enforced by records.py
STANDARD: dict[str, list[tuple[str, str, str, bool]]] = {
    "contacts": [
        ("first_name", "First name", "text", False),
        ("last_name", "Last name", "text", False),
        ("emails", "Emails", "group_field", False),
        ("mobile_number", "Mobile", "phone_number", False),
        ("work_number", "Work", "phone_number", False),
        ("job_title", "Job title", "text", False),
        ("address", "Address", "paragraph", False),
        ("city", "City", "text", False),
        ("state", "State", "text", False),
        ("zipcode", "Zipcode", "text", False),
        ("country", "Country", "text", False),
        ("time_zone", "Time zone", "dropdown", False),
        ("owner_id", "Sales owner", "lookup", False),
        ("sales_accounts", "Accounts", "lookup", False),
    ],
    "sales_accounts": [
        ("name", "Name", "text", True),
        ("address", "Address", "paragraph", False),
        ("city", "City", "text", False),
        ("state", "State", "text", False),
        ("zipcode", "Zipcode", "text", False),
        ("country", "Country", "text", False),
        ("phone", "Phone", "phone_number", False),
        ("website", "Website", "text", False),
        ("owner_id", "Sales owner", "lookup", False),
    ],
    "deals": [
        ("name", "Name", "text", True),
        ("amount", "Deal value", "number", True),
        ("sales_account_id", "Account name", "lookup", True),
        ("contacts_added_list", "Related contacts", "lookup", False),
        ("expected_close", "Expected close date", "date", False),
        ("closed_date", "Closed date", "date", False),
        ("deal_pipeline_id", "Pipeline", "lookup", False),
        ("deal_stage_id", "Deal stage", "lookup", False),
        ("owner_id", "Sales owner", "lookup", False),
    ],
    "products": [
        ("name", "Name", "text", True),
        ("description", "Description", "paragraph", False),
        ("is_active", "Active", "checkbox", False),
        ("product_code", "Product code", "text", False),
        ("sku_number", "SKU", "text", False),
        ("product_pricings", "Pricing", "group_field", False),
        ("owner_id", "Owner", "lookup", False),
    ],
    "appointments": [
        ("title", "Title", "text", True),
        ("description", "Description", "paragraph", False),
        ("from_date", "From", "datetime", True),
        ("end_date", "To", "datetime", True),
        ("time_zone", "Time zone", "dropdown", False),
        ("location", "Location", "text", False),
        ("targetable_type", "Related to type", "dropdown", False),
        ("targetable_id", "Related to", "lookup", False),
        ("owner_id", "Owner", "lookup", False),
    ],
    "notes": [
        ("description", "Description", "paragraph", True),
        ("targetable_type", "Related to type", "dropdown", True),
        ("targetable_id", "Related to", "lookup", True),
    ],
}


def kind(module: str) -> str:
    return f"field:{module}"


def seed(store: Store, module: str) -> None:
    """The module's standard fields, once per account."""
    for name, label, type_, required in STANDARD[module]:
        field_id = store.next_id("field")
        store.save(
            kind(module),
            field_id,
            {
                "id": field_id,
                "name": name,
                "label": label,
                "type": type_,
                "default": True,
                "required": required,
                "unique": name == "emails",
                "choices": [],
            },
        )


def all_fields(store: Store, module: str) -> list[Doc]:
    return sorted(store.kind(kind(module)).values(), key=lambda f: f["id"])


def custom(store: Store, module: str) -> dict[str, Doc]:
    return {f["name"]: f for f in all_fields(store, module) if not f["default"]}


def unique_names(store: Store, module: str) -> set[str]:
    """Valid ``unique_identifier`` keys: ``emails`` for contacts and unique ``cf_*`` fields."""
    names = {f["name"] for f in custom(store, module).values() if f.get("unique")}
    return names | ({"emails"} if module == "contacts" else set())


def snake(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def create(store: Store, module: str, spec: Any) -> tuple[int, Doc]:
    """An admin's new custom field (201), or an existing one given missing choices (200)."""
    if module not in CUSTOM_MODULES:
        raise general(403, f"{module} have no custom fields")
    if not isinstance(spec, dict):
        raise invalid("field", "must be an object")
    label = str(spec.get("label") or "").strip()
    name = str(spec.get("name") or "").strip() or ("cf_" + snake(label) if label else "")
    if not name:
        raise invalid("label", "can't be blank")
    name = name if name.startswith("cf_") else "cf_" + name
    if not re.fullmatch(r"cf_[a-z0-9_]+", name):
        raise invalid("name", "may hold lower-case letters, digits and underscores only")
    type_ = str(spec.get("type") or "text")
    if type_ not in CUSTOM_TYPES:
        raise invalid("type", f"must be one of {', '.join(sorted(CUSTOM_TYPES))}")
    unique = bool(spec.get("unique"))
    if unique and type_ != "text":
        raise invalid("unique", "is allowed on text fields only")
    labels = [_label(c) for c in spec.get("choices") or []]
    existing = next((f for f in all_fields(store, module) if f["name"] == name), None)
    if existing is not None:
        if existing["default"]:
            raise invalid("name", "is a standard field")
        held = {c["value"] for c in existing["choices"]}
        for text in labels:
            if text not in held:
                existing["choices"].append({"id": store.next_id("choice"), "value": text})
                held.add(text)
        store.save(kind(module), existing["id"], existing)
        return 200, existing
    field_id = store.next_id("field")
    doc = {
        "id": field_id,
        "name": name,
        "label": label or name,
        "type": type_,
        "default": False,
        "required": bool(spec.get("required")),
        "unique": unique,
        "choices": [{"id": store.next_id("choice"), "value": t} for t in dict.fromkeys(labels)],
    }
    store.save(kind(module), field_id, doc)
    return 201, doc


def _label(choice: Any) -> str:
    text = choice.get("value") if isinstance(choice, dict) else choice
    if not isinstance(text, str) or not text.strip():
        raise invalid("choices", "each choice needs a non-empty label")
    return text.strip()


def check_custom(store: Store, module: str, values: Any) -> dict[str, Any]:
    """``custom_field`` of a write, typed per field (rule 3); every fault is reported."""
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise invalid("custom_field", "must be an object")
    fields = custom(store, module)
    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        field = fields.get(name)
        problem = "is not a field of this module" if field is None else _typed(field, value)
        if problem:
            errors[name] = [problem]
    if errors:
        raise FsError(400, errors)
    return dict(values)


def _typed(field: Doc, value: Any) -> str | None:
    if value is None:
        return None
    type_ = field["type"]
    labels = {c["value"] for c in field["choices"]}
    if type_ in ("text", "paragraph"):
        return None if isinstance(value, str) else "should be text"
    if type_ == "number":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return None if ok else "should be a number"
    if type_ == "checkbox":
        return None if isinstance(value, bool) else "should be true or false"
    if type_ == "date":
        return None if _is_date(value) else "should be a date (YYYY-MM-DD)"
    if type_ == "dropdown":
        return None if value in labels else f"{value!r} is not a choice of this field"
    if type_ == "multi_select_dropdown":
        ok = isinstance(value, list) and all(v in labels for v in value)
        return None if ok else "should be a list of this field's choices"
    return None


def _is_date(value: Any) -> bool:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True
