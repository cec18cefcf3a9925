"""Mart rows into Pipedrive bodies, and Pipedrive's records back into comparable values.

The marts hold Pipedrive's own field names and values (models/README.md), so shaping is only
what a mart cannot know: the account's field codes and option ids (read at run time,
:mod:`load.pipedrive.schema`), the ids of parents and owners (resolved at load time), and
value types v2 checks strictly (destinations-2.md §2.5, pitfall 1: an ``owner_id`` or enum id
sent as a string is refused, "\\"owner_id\\" must be a number"):

* JSON-valued columns (``emails``, ``phones``, ``prices``, ``address``) hold JSON text in the
  mart and are decoded;
* ``cf_<key>`` columns go under ``custom_fields`` by code; an ``enum`` label becomes its option
  id, a ``set`` its list of ids, a ``double`` a number; the entity's "Bizstim ID" carries the
  external id;
* relations and the owner are numbers;
* activities and notes never get ``custom_fields`` (Pipedrive has none for them: the v2
  activity body refuses the key); their text carries the ``[bizstim:<id>]`` marker instead.

The pseudo-key ``bizstim_id`` rides along so the core can pair plans and answers by it; the
writer removes it before sending (:mod:`load.pipedrive.writes`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from load.core.marts import MartRow
from load.core.values import same_value
from load.pipedrive.markers import marked
from load.pipedrive.schema import FieldMap, option_labels
from load.pipedrive.specs import CUSTOM_PREFIX, KEY, RELATIONS, Entity

JSON_COLUMNS = ("emails", "phones", "prices", "address", "participants", "attendees", "label_ids")
REFERENCES = ("owner_id", "person_id", "org_id", "deal_id")  # numbers resolved at load time


def number_or_text(value: Any) -> Any:
    """An id as Pipedrive takes it: a number (a dry run's ``(new)`` placeholder stays text)."""
    text = str(value)
    return int(text) if text.isdigit() else value


def v1_time(value: str) -> str:
    """A timestamp as v1 takes it, ``YYYY-MM-DD HH:MM:SS`` UTC (a mart ``timestamp`` column
    reaches the loader as RFC 3339)."""
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def custom_value(field_type: str, options: Mapping[str, int], value: Any) -> Any:
    """A mart value as the field's type takes it. A label that is no option (only on a dry run
    before setup added it: setup adds every label the marts hold) stays a label, so Pipedrive's
    own refusal names it and the record is quarantined with it."""
    if value is None or value == "":
        return None
    if field_type == "enum":
        return options.get(str(value)) or str(value)
    if field_type == "set":
        return [options.get(label) or label for label in option_labels(value)]
    if field_type == "double":
        number = float(value)
        return int(number) if number.is_integer() else number
    return str(value) if not isinstance(value, str) else value


def body_values(
    entity: Entity, values: Mapping[str, Any], fields: FieldMap, external_id: str | None
) -> dict[str, Any]:
    """A mart row's payload columns as Pipedrive takes them: JSON decoded, ``cf_`` columns
    under ``custom_fields`` by code (with "Bizstim ID"), the marker on the text of entities
    without custom fields. Relations and the owner are :func:`shape`'s."""
    payload: dict[str, Any] = {}
    custom: dict[str, Any] = {}
    for column, value in values.items():
        if column.startswith(CUSTOM_PREFIX):
            if not entity.custom_fields:
                continue  # Pipedrive has no custom fields here: never sent
            key = column[len(CUSTOM_PREFIX) :]
            f = fields.field(entity.singular, key)
            if f is None:
                raise RuntimeError(
                    f"{entity.singular}: mart column {column} has no row in "
                    "seeds/pipedrive_fields.csv: add one (entity, field_key, field_name, "
                    "field_type, options) and run `dbt build`"
                )
            if f.code is not None:  # None only on a dry run before setup created the field
                custom[f.code] = custom_value(f.type, f.options, value)
        elif column in JSON_COLUMNS and isinstance(value, str):
            payload[column] = json.loads(value)
        elif entity.v1 and column == "add_time" and isinstance(value, str) and "T" in value:
            payload[column] = v1_time(value)
        else:
            payload[column] = value
    if entity.custom_fields:
        code = fields.code(entity.singular, KEY)
        if code is not None and external_id is not None:
            custom[code] = external_id
        payload["custom_fields"] = custom
    if entity.marker_field and external_id is not None:
        payload[entity.marker_field] = marked(payload.get(entity.marker_field), external_id)
    return payload


def shape(
    entity: Entity,
    row: MartRow,
    related: Mapping[str, str | None],
    fields: FieldMap,
    owners: Mapping[str, str],
) -> dict[str, Any]:
    payload = body_values(entity, row.payload, fields, row.external_id)
    for name, record_id in related.items():
        payload[RELATIONS[name][0]] = None if record_id is None else number_or_text(record_id)
    # v1 notes name their author in ``user_id``, which only an admin may set: never sent
    owned = row.has_owner and not entity.v1 and row.owner_user is not None
    if owned and owners.get(str(row.owner_user)):
        payload["owner_id"] = number_or_text(owners[str(row.owner_user)])
    payload[KEY] = row.external_id
    return payload


def _by_currency(prices: Any) -> Any:
    if not isinstance(prices, list):
        return prices
    return sorted(prices, key=lambda p: str(p.get("currency")) if isinstance(p, dict) else "")


def _clock(value: Any) -> Any:
    """``09:30`` and ``09:30:00`` are the same time of day."""
    if isinstance(value, str) and len(value) == 8 and value[2] == ":" and value.endswith(":00"):
        return value[:5]
    return value


def same_stored(key: str, wanted: Any, held: Any) -> bool:
    if key == "prices":
        return same_value(_by_currency(wanted), _by_currency(held))
    if key in ("due_time", "duration"):
        return _clock(wanted) == _clock(held) or same_value(wanted, held)
    if (
        isinstance(wanted, list)
        and isinstance(held, list)
        and all(isinstance(v, int) for v in [*wanted, *held])
    ):
        return sorted(wanted) == sorted(held)  # a set field's option ids, in any order
    return same_value(wanted, held)


def differences(payload: Mapping[str, Any], record: Mapping[str, Any]) -> list[str]:
    """Payload vs what Pipedrive holds, custom fields by code, ids as numbers."""
    out: list[str] = []
    for key, wanted in payload.items():
        if key == KEY or wanted is None:  # an empty value is never sent: Pipedrive keeps its own
            continue
        if key == "custom_fields":
            held_custom = record.get("custom_fields") or {}
            for code, value in wanted.items():
                held = held_custom.get(code)
                if isinstance(held, dict) and "id" in held:  # include_option_labels shape
                    held = held["id"]
                if not same_stored(code, value, held):
                    out.append(f"custom field {code}: mart {value!r}, Pipedrive {held!r}")
            continue
        held = record.get(key)
        if not same_stored(key, wanted, held):
            out.append(f"{key}: mart {wanted!r}, Pipedrive {held!r}")
    return out
