"""Value checks for v2 record bodies (§2.11 rules 4 and 5) beyond what the OpenAPI schema says.

The spec (checked first by ``contract.py``) gives JSON types; Pipedrive also refuses, with
``ERR_SCHEMA_VALIDATION_FAILED``, what the schema cannot say: a custom field code that does
not exist, an option id that is not one of the field's, a number sent as a string inside
``custom_fields`` (its schema is a free object), a parent id that names nothing. Stringly
values are the most reported failure (destinations-2.md §2.10 pitfall 1), so they are
refused here even when the contract layer is off.

Choices where the reference is silent: ``varchar``/``varchar_auto``/``phone`` values ≤ 255
characters, ``text`` ≤ 65 535; ``date`` is ``YYYY-MM-DD``, ``time`` ``HH:MM[:SS]``,
``daterange``/``timerange`` ``{"start", "until"}``, ``address`` ``{"value", ...}`` or a
string, ``monetary`` ``{"value": number, "currency": "EUR"}``; ``set`` refuses ``[]`` (the
spec's own description: clear with null); ``org``/``people``/``user`` take live ids. An
``owner_id`` may name an inactive user (the service page makes practitioners inactive users).
Times at the root (``add_time``...) take RFC 3339 or ``YYYY-MM-DD HH:MM:SS`` and are stored
as RFC 3339 UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sandbox.pipedrive import fields
from sandbox.pipedrive.accounts import V2_TIME, Account
from sandbox.pipedrive.errors import PdError, invalid

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$")
CURRENCY = re.compile(r"^[A-Z]{3}$")
PARENTS = {
    "org_id": ("organization", "Organization"),
    "person_id": ("person", "Person"),
    "deal_id": ("deal", "Deal"),
}


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def live(account: Account, entity: str, record_id: Any) -> bool:
    doc = account.store.get(entity, record_id) if is_int(record_id) else None
    return doc is not None and not doc.get("is_deleted")


def reference(account: Account, key: str, value: Any) -> int | None:
    """``owner_id``/``org_id``/``person_id``/``deal_id``: a number naming a live record."""
    if value is None:
        return None
    if not is_int(value):
        raise invalid(f"{key}: Expected 'number' as value, got '{type(value).__name__}'")
    if key == "owner_id" or key == "user_id":
        if account.user(value) is None:
            raise invalid(f"{key}: User with id {value} does not exist")
        return value
    entity, label = PARENTS[key]
    if not live(account, entity, value):
        raise invalid(f"{key}: {label} with id {value} does not exist")
    return value


def date(key: str, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not DATE.match(value) or not _parses(value, "%Y-%m-%d"):
        raise invalid(f"{key}: Expected a date in format YYYY-MM-DD")
    return value


def clock_time(key: str, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not TIME.match(value):
        raise invalid(f"{key}: Expected a time in format HH:MM")
    return value[:5]


def timestamp(key: str, value: Any) -> str | None:
    """RFC 3339 (``2025-01-01T10:20:00Z``) or ``YYYY-MM-DD HH:MM:SS`` (UTC) → RFC 3339 UTC."""
    if value is None:
        return None
    moment = parse_rfc3339(value) if isinstance(value, str) else None
    if moment is None and isinstance(value, str):
        try:
            moment = datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
        except ValueError:
            moment = None
    if moment is None:
        raise invalid(f"{key}: Expected a date-time in RFC 3339 format")
    return moment.astimezone(UTC).strftime(V2_TIME)


def parse_rfc3339(text: str) -> datetime | None:
    if not re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$", text):
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def string(key: str, value: Any, limit: int = 255, empty: bool = True) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid(f"{key}: Expected 'string' as value, got '{type(value).__name__}'")
    if len(value) > limit:
        raise invalid(f"{key}: Must be at most {limit} characters long")
    if not empty and not value.strip():
        raise invalid(f"{key}: Must not be empty")
    return value


def number(key: str, value: Any) -> float | int | None:
    if value is None:
        return None
    if not is_number(value):
        raise invalid(f"{key}: Expected 'number' as value, got '{type(value).__name__}'")
    return value


def boolean(key: str, value: Any) -> bool | None:
    if value is None:
        return None
    if not isinstance(value, bool):
        raise invalid(f"{key}: Expected 'boolean' as value")
    return value


def int_list(key: str, value: Any) -> list[int]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(is_int(v) for v in value):
        raise invalid(f"{key}: Expected an array of numbers")
    return value


def address(key: str, value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return {"value": value}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise invalid(f"{key}: Expected an address object of strings")
    return dict(value)


def custom_values(account: Account, entity: str, values: Any) -> dict[str, Any]:
    """Check a body's ``custom_fields`` object: existing codes, values typed per field."""
    if not isinstance(values, dict):
        raise invalid("custom_fields: Expected an object keyed by field codes")
    out: dict[str, Any] = {}
    for code, value in values.items():
        field = fields.custom_field(account, entity, code)
        if field is None:
            raise invalid(f"custom_fields: Field with key '{code}' does not exist")
        out[code] = None if value is None else _custom(account, field, value)
    return out


def _custom(account: Account, field: dict[str, Any], value: Any) -> Any:
    code, ftype = field["field_code"], field["field_type"]
    where = f"custom_fields.{code}"
    if ftype in ("varchar", "varchar_auto", "phone"):
        return string(where, value)
    if ftype == "text":
        return string(where, value, 65535)
    if ftype == "double":
        if not is_number(value):
            raise invalid(
                f"custom_fields: Expected 'number' as value for numeric custom field '{code}'"
            )
        return value
    if ftype in ("enum", "set"):
        return _options(field, value)
    if ftype == "date":
        return date(where, value)
    if ftype == "time":
        return clock_time(where, value)
    if ftype in ("daterange", "timerange"):
        check = date if ftype == "daterange" else clock_time
        if not isinstance(value, dict) or set(value) != {"start", "until"}:
            raise invalid(f"{where}: Expected an object with 'start' and 'until'")
        return {"start": check(where, value["start"]), "until": check(where, value["until"])}
    if ftype == "monetary":
        if (
            not isinstance(value, dict)
            or not is_number(value.get("value"))
            or not CURRENCY.match(str(value.get("currency", "")))
        ):
            raise invalid(
                f"{where}: Expected an object with a number 'value' and a 3-letter 'currency'"
            )
        return {"value": value["value"], "currency": value["currency"]}
    if ftype == "address":
        return address(where, value)
    key = {"org": "org_id", "people": "person_id", "user": "owner_id"}[ftype]
    try:
        return reference(account, key, value)
    except PdError as exc:
        raise invalid(f"{where}: {exc.message.removeprefix('Validation failed: ')}") from None


def _options(field: dict[str, Any], value: Any) -> Any:
    code, ids = field["field_code"], {o["id"] for o in field["options"] or []}
    if field["field_type"] == "enum":
        if not is_int(value):
            raise invalid(
                f"custom_fields: Expected 'number' as value for single option custom field '{code}'"
            )
        if value not in ids:
            raise invalid(
                f"custom_fields: Option with id {value} does not exist for field '{code}'"
            )
        return value
    if not isinstance(value, list) or not value or not all(is_int(v) for v in value):
        raise invalid(
            f"custom_fields: Expected a non-empty array of numbers as value for "
            f"multiple option custom field '{code}'"
        )
    unknown = [v for v in value if v not in ids]
    if unknown:
        raise invalid(
            f"custom_fields: Option with id {unknown[0]} does not exist for field '{code}'"
        )
    return list(dict.fromkeys(value))


def _parses(text: str, fmt: str) -> bool:
    try:
        datetime.strptime(text, fmt)
    except ValueError:
        return False
    return True
