"""Column values in the monday stand-in: what a column of each type accepts, stores and reads back
(destinations.md §4.2 "Column value JSON", destinations-2.md §4.11 rules 6 and 7).

A loader that writes a status label the board lacks, a relation as a bare id list, or a phone
without its country learns it from monday only at load time, one refused item at a time; so the
stand-in refuses what monday refuses (``ColumnValueException``), for both doors an item has: the
``column_values`` JSON of ``create_item`` / ``change_multiple_column_values`` and the cells of an
``ingest_items`` CSV (the decided format, load/monday/values.py documents the same). One module
knows the types, so a value accepted by one door and refused by the other cannot happen.

Stored as monday reads it back: ``value`` (JSON) and ``text``. Choices where the reference is
silent:

* status stores ``{"index": n}`` with the label as ``text``; a label or index the column does
  not have is refused unless ``create_labels_if_missing`` (which adds it). Dropdown stores
  ``{"ids": [...]}``, text the labels joined by ``", "``.
* board_relation takes ``{"item_ids": [...]}`` only (a bare list or ``linkedPulseIds`` is
  refused, §4.11 rule 7); every id must be a live item on a board of the column's
  ``boardIds``. Its ``value`` reads back null (API 2025-04+), ``linked_item_ids`` holds the ids.
* phone needs ``countryShortName`` (two letters) in JSON (§4.10 pitfall 8); a CSV cell is E.164
  and the country is read from the number. email needs one ``@`` and a dotted domain. numbers a
  decimal; date ``YYYY-MM-DD`` (optional ``time`` ``HH:MM:SS``); hour 0-23 / 0-59; checkbox
  ``{"checked": "true"}`` (anything else clears it); people ids must be users of the account.
* JSON null (or an empty string) clears the column. An empty CSV cell is "no value given" and
  leaves the column as it is (jobs write only the cells given).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import phonenumbers

COLUMN_VALUE = "ColumnValueException"
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TYPENAMES = {
    "text": "TextValue", "long_text": "LongTextValue", "numbers": "NumbersValue",
    "email": "EmailValue", "phone": "PhoneValue", "date": "DateValue", "status": "StatusValue",
    "dropdown": "DropdownValue", "people": "PeopleValue", "board_relation": "BoardRelationValue",
    "hour": "HourValue", "checkbox": "CheckboxValue", "link": "LinkValue",
}  # fmt: skip
WRITABLE = frozenset(TYPENAMES)


class ValueRefused(ValueError):
    """A value the column will not take; ``code`` is monday's error code."""

    def __init__(self, message: str, code: str = COLUMN_VALUE) -> None:
        super().__init__(message)
        self.code, self.message = code, message


@dataclass
class Column:
    id: str
    title: str
    type: str
    settings: dict[str, Any]


@dataclass(frozen=True)
class Context:
    """What a value may refer to: items (for relations) and users (for people)."""

    item_board: Callable[[str], str | None]  # live item id → its board id, None when not live
    user_name: Callable[[str], str | None]  # user id → name, None when not a user
    item_name: Callable[[str], str]


Stored = tuple[Any, str]  # (value JSON-able or None, text)


def from_json(column: Column, raw: Any, context: Context, create_labels: bool) -> Stored | None:
    """A ``column_values`` entry as stored; None clears the column."""
    if raw is None or raw == "" or raw == {}:
        return None
    kind = column.type
    if kind not in WRITABLE:
        raise ValueRefused(f"Column {column.id} of type {kind} cannot be written by the API")
    if kind == "text":
        return _text(column, raw)
    if kind == "long_text":
        text = raw.get("text") if isinstance(raw, dict) else raw
        return {"text": str(text)}, str(text)
    if kind == "numbers":
        return _number(column, raw)
    if kind == "email":
        address = raw.get("email") if isinstance(raw, dict) else raw
        if not isinstance(address, str) or not EMAIL.match(address):
            raise ValueRefused(f"invalid email {address!r} for column {column.id}")
        shown = raw.get("text") if isinstance(raw, dict) and raw.get("text") else address
        return {"email": address, "text": shown}, address
    if kind == "phone":
        return _phone(column, raw)
    if kind == "date":
        return _date(column, raw)
    if kind == "status":
        return _status(column, raw, create_labels)
    if kind == "dropdown":
        return _dropdown(column, raw, create_labels)
    if kind == "people":
        return _people(column, raw, context)
    if kind == "board_relation":
        return _relation(column, raw, context)
    if kind == "hour":
        return _hour(column, raw)
    if kind == "link":
        url = raw.get("url") if isinstance(raw, dict) else raw
        return {"url": str(url), "text": str(url)}, str(url)
    checked = isinstance(raw, dict) and str(raw.get("checked")).lower() == "true"
    return ({"checked": "true"}, "v") if checked else None


def from_cell(column: Column, cell: str, context: Context) -> Stored | None:
    """A CSV cell (the decided ingest format) as stored; labels must exist (no create)."""
    text = cell.strip()
    if column.type == "phone":
        return _phone(column, {"phone": text, "countryShortName": _country(text)})
    if column.type == "long_text":
        return from_json(column, {"text": text}, context, False)
    if column.type == "date":
        return from_json(column, {"date": text}, context, False)
    if column.type == "status":
        return from_json(column, {"label": text}, context, False)
    if column.type == "dropdown":
        return from_json(column, {"labels": _split(text)}, context, False)
    if column.type == "people":
        ids = [{"id": i, "kind": "person"} for i in _split(text)]
        return from_json(column, {"personsAndTeams": ids}, context, False)
    if column.type == "board_relation":
        return from_json(column, {"item_ids": _split(text)}, context, False)
    if column.type == "hour":
        hour, _, minute = text.partition(":")
        if not (hour.isdigit() and minute.isdigit()):
            raise ValueRefused(f"invalid hour {text!r} for column {column.id} (HH:MM)")
        return from_json(column, {"hour": int(hour), "minute": int(minute)}, context, False)
    if column.type == "checkbox":
        if text.lower() not in ("true", "false"):
            raise ValueRefused(f"invalid checkbox {text!r} for column {column.id} (true|false)")
        return from_json(column, {"checked": text.lower()}, context, False)
    return from_json(column, text, context, False)


def linked_ids(value: Any) -> list[str]:
    """The item ids a stored board_relation value links."""
    if not isinstance(value, dict):
        return []
    return [str(p["linkedPulseId"]) for p in value.get("linkedPulseIds", [])]


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _text(column: Column, raw: Any) -> Stored:
    if isinstance(raw, (dict, list)):
        raise ValueRefused(f"column {column.id} (text) takes a string")
    return str(raw), str(raw)


def _number(column: Column, raw: Any) -> Stored:
    try:
        number = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ValueRefused(f"invalid number {raw!r} for column {column.id}") from None
    if not number.is_finite():
        raise ValueRefused(f"invalid number {raw!r} for column {column.id}")
    return str(raw).strip(), str(raw).strip()


def _country(number: str) -> str:
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(number, None)) or ""
    except phonenumbers.NumberParseException:
        return ""


def _phone(column: Column, raw: Any) -> Stored:
    if not isinstance(raw, dict):
        raise ValueRefused(f"column {column.id} (phone) takes {{phone, countryShortName}}")
    number, country = str(raw.get("phone") or ""), str(raw.get("countryShortName") or "")
    if not re.fullmatch(r"\+?\d{4,15}", number):
        raise ValueRefused(f"invalid phone number {number!r} for column {column.id}")
    if not re.fullmatch(r"[A-Z]{2}", country):
        raise ValueRefused(f"phone {number!r} needs a countryShortName (column {column.id})")
    return {"phone": number, "countryShortName": country}, number


def _date(column: Column, raw: Any) -> Stored:
    day = raw.get("date") if isinstance(raw, dict) else raw
    try:
        dt.date.fromisoformat(str(day))
    except ValueError:
        raise ValueRefused(f"invalid date {day!r} for column {column.id} (YYYY-MM-DD)") from None
    value = {"date": str(day)}
    if isinstance(raw, dict) and raw.get("time"):
        try:
            dt.time.fromisoformat(str(raw["time"]))
        except ValueError:
            raise ValueRefused(f"invalid time {raw['time']!r} for column {column.id}") from None
        value["time"] = str(raw["time"])
    return value, str(day)


def _status(column: Column, raw: Any, create: bool) -> Stored:
    labels: dict[str, str] = column.settings.setdefault("labels", {})
    if isinstance(raw, dict) and "index" in raw:
        index = str(raw["index"])
        if index not in labels:
            raise ValueRefused(f"status index {index} does not exist in column {column.id}")
        return {"index": int(index)}, labels[index]
    label = raw.get("label") if isinstance(raw, dict) else raw
    found = next((i for i, name in labels.items() if name == str(label)), None)
    if found is None:
        if not create:
            raise ValueRefused(
                f"This status label doesn't exist, possible statuses are: "
                f"{', '.join(labels.values())} (column {column.id}, label {label!r})"
            )
        found = str(max((int(i) for i in labels), default=-1) + 1)
        labels[found] = str(label)
    return {"index": int(found)}, str(label)


def _dropdown(column: Column, raw: Any, create: bool) -> Stored:
    options: list[dict[str, Any]] = column.settings.setdefault("labels", [])
    wanted = raw.get("labels") if isinstance(raw, dict) else _split(str(raw))
    ids: list[int] = []
    for label in wanted or []:
        found = next((o["id"] for o in options if o["name"] == str(label)), None)
        if found is None:
            if not create:
                raise ValueRefused(f"dropdown label {label!r} does not exist in column {column.id}")
            found = max((int(o["id"]) for o in options), default=0) + 1
            options.append({"id": found, "name": str(label)})
        ids.append(int(found))
    return {"ids": ids}, ", ".join(str(label) for label in wanted or [])


def _people(column: Column, raw: Any, context: Context) -> Stored:
    people = raw.get("personsAndTeams") if isinstance(raw, dict) else None
    if not isinstance(people, list):
        raise ValueRefused(f"column {column.id} (people) takes {{personsAndTeams: [...]}}")
    names = []
    for person in people:
        name = context.user_name(str(person.get("id")))
        if name is None:
            raise ValueRefused(f"user {person.get('id')} is not in this account")
        names.append(name)
    kept = [{"id": int(p["id"]), "kind": p.get("kind", "person")} for p in people]
    return {"personsAndTeams": kept}, ", ".join(names)


def _relation(column: Column, raw: Any, context: Context) -> Stored:
    if not isinstance(raw, dict) or not isinstance(raw.get("item_ids"), list):
        raise ValueRefused(f"column {column.id} (board_relation) takes {{item_ids: [...]}}")
    allowed = {str(b) for b in column.settings.get("boardIds", [])}
    ids = [str(i) for i in raw["item_ids"]]
    for item_id in ids:
        board = context.item_board(item_id)
        if board is None or board not in allowed:
            raise ValueRefused(f"item {item_id} is not on a board connected to column {column.id}")
    value = {"linkedPulseIds": [{"linkedPulseId": int(i)} for i in ids]}
    return value, ", ".join(context.item_name(i) for i in ids)


def _hour(column: Column, raw: Any) -> Stored:
    try:
        hour, minute = int(raw["hour"]), int(raw.get("minute", 0))
    except (TypeError, KeyError, ValueError):
        raise ValueRefused(f"column {column.id} (hour) takes {{hour, minute}}") from None
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise ValueRefused(f"invalid hour {hour}:{minute} for column {column.id}")
    return {"hour": hour, "minute": minute}, f"{hour:02d}:{minute:02d}"


def dumps(value: Any) -> str | None:
    return None if value is None else json.dumps(value, separators=(",", ":"))
