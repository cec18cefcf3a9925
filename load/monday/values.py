"""One mart value, three ways monday takes or gives it: an ingest CSV cell, mutation JSON, a read.

The marts hold neutral typed values (models/marts/monday: varchar labels, decimals, dates,
'HH:MM', booleans, relations as item-id lists resolved by the core). monday takes them in two
dialects: the ``column_values`` JSON of ``create_item`` / ``change_multiple_column_values``
(destinations.md §4.2: ``{"label": ...}``, ``{"item_ids": [...]}``, a JSON *string* keyed by
column id) and the cells of an ``ingest_items`` CSV. A board's rows go through either path
(above ``MONDAY_INGEST_THRESHOLD`` an ingest job, below it and for retries aliased mutations),
and the plan compares what a board holds with what the mart asks (the adapter's
``differences``), so the three conversions live here together: a type encoded one way by the
CSV and another by the mutations would make every rerun see a difference and rewrite the row.

The CSV cell format is [?] in destinations-2.md §4.2 (monday's "Column type validation" page
was not retrieved); issue 17 DECIDED it and the stand-in (sandbox/monday/ingest_csv.py and its
values parser) documents the same: text plain; numbers plain decimal; email the address; phone
E.164 (``+14155550100``, the country read from the number); date ``YYYY-MM-DD``; status the
label; dropdown labels joined by ``", "``; people user ids joined by ``", "``; board_relation
item ids joined by ``", "``; hour ``HH:MM``; checkbox ``true``/``false``; an empty cell is no
value.

Mutation JSON choices: a phone's ``countryShortName`` is read from the E.164 number with
``phonenumbers`` (monday needs it, §4.10 pitfall 8); a value the mart leaves empty is left out
of ``create_item`` and sent as JSON ``null`` by ``change_multiple_column_values`` (monday clears a
column given null or an empty value; [?] which one every type accepts, null chosen); an
unchecked checkbox is ``null`` (monday stores only ``{"checked": "true"}``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

import phonenumbers

LIST_SEPARATOR = ", "
KINDS = (
    "text",
    "long_text",
    "numbers",
    "email",
    "phone",
    "date",
    "status",
    "dropdown",
    "people",
    "board_relation",
    "hour",
    "checkbox",
)


class UnknownColumnType(ValueError):
    """A column type the mapping names that this loader cannot write."""


def _kind(column_type: str) -> str:
    if column_type not in KINDS:
        raise UnknownColumnType(f"column type {column_type!r} is not one the loader writes")
    return column_type


def _number_text(value: Any) -> str:
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _date_text(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)[:10]


def _ids(value: Any) -> list[str]:
    """A list of ids from a list, or from ids joined by commas."""
    items = value if isinstance(value, (list, tuple)) else str(value).split(",")
    return [str(item).strip() for item in items if str(item).strip()]


def _labels(value: Any) -> list[str]:
    items = value if isinstance(value, (list, tuple)) else str(value).split(",")
    return [str(item).strip() for item in items if str(item).strip()]


def _hour_parts(value: Any) -> tuple[int, int]:
    if isinstance(value, dt.time):
        return value.hour, value.minute
    hour, _, minute = str(value).partition(":")
    return int(hour), int(minute[:2] or 0)


def phone_country(number: str) -> str:
    """The ISO country of an E.164 number (``+14155550100`` → ``US``), empty when unknown."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return ""
    return phonenumbers.region_code_for_number(parsed) or ""


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, (str, list, tuple)) and len(value) == 0)


def cell(column_type: str, value: Any) -> str:
    """The ingest CSV cell of a mart value (the decided format above)."""
    kind = _kind(column_type)
    if is_empty(value):
        return ""
    if kind == "numbers":
        return _number_text(value)
    if kind == "date":
        return _date_text(value)
    if kind in ("dropdown",):
        return LIST_SEPARATOR.join(_labels(value))
    if kind in ("people", "board_relation"):
        return LIST_SEPARATOR.join(_ids(value))
    if kind == "hour":
        hour, minute = _hour_parts(value)
        return f"{hour:02d}:{minute:02d}"
    if kind == "checkbox":
        return "true" if value is True or str(value).lower() == "true" else "false"
    return str(value)


def mutation_value(column_type: str, value: Any) -> Any:
    """The ``column_values`` entry of a mart value; None for an empty value."""
    kind = _kind(column_type)
    if is_empty(value):
        return None
    if kind == "text":
        return str(value)
    if kind == "long_text":
        return {"text": str(value)}
    if kind == "numbers":
        return _number_text(value)
    if kind == "email":
        return {"email": str(value), "text": str(value)}
    if kind == "phone":
        return {"phone": str(value), "countryShortName": phone_country(str(value))}
    if kind == "date":
        return {"date": _date_text(value)}
    if kind == "status":
        return {"label": str(value)}
    if kind == "dropdown":
        return {"labels": _labels(value)}
    if kind == "people":
        return {"personsAndTeams": [{"id": int(i), "kind": "person"} for i in _ids(value)]}
    if kind == "board_relation":
        return {"item_ids": [int(i) for i in _ids(value)]}
    if kind == "hour":
        hour, minute = _hour_parts(value)
        return {"hour": hour, "minute": minute}
    checked = value is True or str(value).lower() == "true"
    return {"checked": "true"} if checked else None


def column_values(
    types: Mapping[str, str], row: Mapping[str, Any], *, creating: bool
) -> dict[str, Any]:
    """A row's ``column_values`` object for the columns in ``types`` (column id → type):
    empty values left out of a create, sent as null by a change (which clears them)."""
    values: dict[str, Any] = {}
    for column_id, column_type in types.items():
        encoded = mutation_value(column_type, row.get(column_id))
        if encoded is not None or not creating:
            values[column_id] = encoded
    return values


def neutral_of(column_type: str, read: Mapping[str, Any]) -> Any:
    """A column as read (``text``, ``value`` JSON string, ``linked_item_ids``) back to the
    mart's neutral value, for comparing the board with the mart; None when empty."""
    kind = _kind(column_type)
    if kind == "board_relation":
        ids = sorted(str(i) for i in read.get("linked_item_ids") or [])
        return ids or None
    raw = read.get("value")
    value = json.loads(raw) if isinstance(raw, str) and raw else raw
    text = read.get("text") or None
    if kind == "checkbox":  # the mart holds false where monday holds nothing
        return isinstance(value, dict) and str(value.get("checked")).lower() == "true"
    if not value and not text:
        return None
    if kind in ("text", "status", "dropdown"):
        return text if text is not None else (value if isinstance(value, str) else None)
    if kind == "long_text":
        return value.get("text") if isinstance(value, dict) else text
    if kind == "numbers":
        try:
            return Decimal(str(value if value is not None else text))
        except InvalidOperation:
            return None
    if kind == "email":
        return value.get("email") if isinstance(value, dict) else text
    if kind == "phone":
        return value.get("phone") if isinstance(value, dict) else text
    if kind == "date":
        return value.get("date") if isinstance(value, dict) else text
    if kind == "people":
        people = value.get("personsAndTeams", []) if isinstance(value, dict) else []
        return sorted(str(p["id"]) for p in people) or None
    if kind == "hour":
        if isinstance(value, dict):
            return f"{int(value.get('hour', 0)):02d}:{int(value.get('minute', 0)):02d}"
        return text
    raise UnknownColumnType(f"column type {column_type!r} has no read-back")


def csv_header_and_rows(
    types: Mapping[str, str], rows: Sequence[Mapping[str, Any]], name_key: str = "name"
) -> tuple[list[str], list[list[str]]]:
    """The ingest header (``name`` then the column ids) and each row's cells."""
    header = [name_key, *types]
    cells = [
        [str(row.get(name_key) or ""), *(cell(t, row.get(c)) for c, t in types.items())]
        for row in rows
    ]
    return header, cells
