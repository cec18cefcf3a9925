"""Mart rows into Freshsales bodies, and Freshsales' records back into comparable values.

The marts hold Freshsales' own field names and values (models/marts/freshsales/README.md), so
shaping is only what a mart cannot know, and where Freshsales puts it (destinations-2.md §3.1,
§3.11):

* ``cf_<snake>`` columns go under ``custom_field`` (a root ``cf_`` key is not a field), with
  ``cf_bizstim_id`` = the row's external id on every module that carries custom fields;
  dropdown values stay labels (Freshsales takes the label; setup checked each is a choice);
* JSON-valued columns (``emails``, ``product_pricings``) hold JSON text in the mart and are
  decoded;
* relations are ids resolved at load time, placed per module: a contact's household is its
  primary ``sales_accounts`` entry (at most 10, exactly one primary, §3.10 pitfall 4), a deal's
  is ``sales_account_id`` (required) and its client ``contacts_added_list``, an appointment's
  or note's client is ``targetable_type`` "Contact" + ``targetable_id``;
* the owner is the ``owner_id`` of a user of ``/api/selector/owners`` matched by e-mail, sent
  only when matched (a missing owner fails the write, §3.10 pitfall 1);
* appointments and notes end their ``description`` with ``[bizstim:<id>]`` (the mart writes it;
  :func:`load.pipedrive.markers.marked` adds it where a row lacks it);
* a note's ``created_at`` is sent only with ``FRESHSALES_NOTE_CREATED_AT=1``: whether
  Freshsales takes it is unconfirmed (§7 item 2), so by default a note carries its load time.

The pseudo-key ``bizstim_id`` rides along so the core can pair plans and answers by it; the
writer removes it before sending.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Mapping
from typing import Any

from load.core.marts import MartRow
from load.core.values import same_value
from load.freshsales.specs import CUSTOM_PREFIX, KEY, KEY_FIELD, Module
from load.pipedrive.markers import marked, marker_of

JSON_COLUMNS = ("emails", "product_pricings")
TIME_COLUMNS = ("from_date", "end_date", "created_at")
NOTE_CREATED_AT_FLAG = "FRESHSALES_NOTE_CREATED_AT"
REFERENCES = (
    "owner_id",
    "sales_account_id",
    "contact_id",
    "targetable_id",
)  # ids resolved at load time


def number_or_text(value: Any) -> Any:
    """An id as Freshsales takes it: a number (a dry run's ``(new)`` placeholder stays text)."""
    text = str(value)
    return int(text) if text.isdigit() else value


def note_created_at() -> bool:
    return os.environ.get(NOTE_CREATED_AT_FLAG, "").strip() in ("1", "true", "yes")


def with_offset(value: Any) -> Any:
    """An ISO 8601 time with an explicit offset (``+00:00``), as appointments take it."""
    if isinstance(value, str) and value.endswith("Z"):
        return value[:-1] + "+00:00"
    return value


def body_values(mod: Module, values: Mapping[str, Any], external_id: str | None) -> dict:
    """A mart row's payload columns as Freshsales takes them (relations and owner aside)."""
    payload: dict[str, Any] = {}
    custom: dict[str, Any] = {}
    for column, value in values.items():
        if column.startswith(CUSTOM_PREFIX):
            if mod.custom_fields:
                custom[column] = value
        elif column in JSON_COLUMNS and isinstance(value, str):
            payload[column] = json.loads(value)
        elif column == "created_at" and not note_created_at():
            continue
        elif column in TIME_COLUMNS:
            payload[column] = with_offset(value)
        else:
            payload[column] = value
    if mod.custom_fields:
        if external_id is not None:
            custom[KEY_FIELD] = external_id
        payload["custom_field"] = custom
    if mod.marker and external_id is not None:
        payload["description"] = marked(payload.get("description"), external_id)
    return payload


def place_relations(mod: Module, payload: dict[str, Any], related: Mapping[str, Any]) -> None:
    for name, record_id in related.items():
        value = None if record_id is None else number_or_text(record_id)
        if name == "sales_account" and mod.singular == "contact":
            payload["sales_account_id"] = value  # compared and kept; the list is what is sent
            payload["sales_accounts"] = [] if value is None else [{"id": value, "is_primary": True}]
        elif name == "sales_account":
            payload["sales_account_id"] = value
        elif name == "contact" and mod.singular == "deal":
            payload["contact_id"] = value  # compared and kept; the list is what is sent
            payload["contacts_added_list"] = [] if value is None else [value]
        elif name == "contact":
            payload["targetable_id"] = value
            payload.setdefault("targetable_type", "Contact")


def shape(
    mod: Module, row: MartRow, related: Mapping[str, str | None], owners: Mapping[str, str]
) -> dict[str, Any]:
    payload = body_values(mod, row.payload, row.external_id)
    place_relations(mod, payload, related)
    if row.has_owner and row.owner_user is not None and owners.get(str(row.owner_user)):
        payload["owner_id"] = number_or_text(owners[str(row.owner_user)])
    payload[KEY] = row.external_id
    return payload


def body_of(mod: Module, payload: Mapping[str, Any]) -> dict[str, Any]:
    """What is sent: without the pairing key, empty values left out (Freshsales keeps its
    own), and a contact's ``sales_account_id`` only as its ``sales_accounts`` entry."""
    body = {k: v for k, v in payload.items() if k != KEY and v is not None}
    if mod.singular == "contact":
        body.pop("sales_account_id", None)
    if mod.singular == "deal":
        body.pop("contact_id", None)
    return body


def flatten(mod: Module, raw: Mapping[str, Any]) -> dict[str, Any]:
    """A Freshsales record with ``id`` as text (the ledger's) and its Bizstim key; a contact's
    primary account also as ``sales_account_id``, for comparison."""
    record = dict(raw)
    record["id"] = str(raw["id"])
    if mod.custom_fields:
        record[KEY] = (raw.get("custom_field") or {}).get(KEY_FIELD)
    else:
        record[KEY] = marker_of(raw.get("description"))
    if mod.singular == "contact" and "sales_account_id" not in record and "sales_accounts" in raw:
        primary = [a for a in raw.get("sales_accounts") or [] if a.get("is_primary")]
        record["sales_account_id"] = primary[0].get("id") if primary else None
    held_contacts = [k for k in ("contact_ids", "contacts_added_list", "contacts") if k in raw]
    if mod.singular == "deal" and "contact_id" not in record and held_contacts:
        contacts = [
            c.get("id") if isinstance(c, dict) else c for c in raw.get(held_contacts[0]) or []
        ]
        record["contact_id"] = contacts[0] if contacts else None
    return record


def _moment(value: Any) -> Any:
    if isinstance(value, str) and "T" in value:
        try:
            moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
        return moment.astimezone(dt.UTC) if moment.tzinfo else moment
    return value


def _emails(value: Any) -> Any:
    if not isinstance(value, list):
        return value
    return sorted(str(e.get("value", "")).lower() for e in value if isinstance(e, dict))


def _pricings(value: Any) -> Any:
    if not isinstance(value, list):
        return value
    return sorted(
        (str(p.get("currency_code")), float(p.get("unit_price") or 0))
        for p in value
        if isinstance(p, dict)
    )


def same_stored(key: str, wanted: Any, held: Any) -> bool:
    if key in TIME_COLUMNS or key in ("expected_close", "closed_date"):
        return _moment(wanted) == _moment(held) or same_value(wanted, held)
    if key == "emails":
        return _emails(wanted) == _emails(held)
    if key == "product_pricings":
        return _pricings(wanted) == _pricings(held)
    if key in REFERENCES:
        return str(wanted) == str(held)
    if key == "email" and isinstance(wanted, str) and isinstance(held, str):
        return wanted.lower() == held.lower()
    return same_value(wanted, held)


SENT_ONLY = ("sales_accounts", "contacts_added_list")  # compared as sales_account_id / not held


def differences(payload: Mapping[str, Any], record: Mapping[str, Any]) -> list[str]:
    """Payload vs what Freshsales holds: custom fields by name, ids as text."""
    out: list[str] = []
    for key, wanted in payload.items():
        if key in (KEY, *SENT_ONLY) or wanted is None:
            continue
        if key == "custom_field":
            held_custom = record.get("custom_field") or {}
            for name, value in wanted.items():
                if value is None:
                    continue
                if not same_value(value, held_custom.get(name)):
                    out.append(f"{name}: mart {value!r}, Freshsales {held_custom.get(name)!r}")
            continue
        held = record.get(key)
        if not same_stored(key, wanted, held):
            out.append(f"{key}: mart {wanted!r}, Freshsales {held!r}")
    return out
