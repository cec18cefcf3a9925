"""Field values: from what a client sends (JSON, or Bulk CSV strings) to what the org stores.

Each refusal is the row error a real org gives for that kind of value (destinations-2.md
§1.6's "Data" class): ``STRING_TOO_LONG``, ``INVALID_EMAIL_ADDRESS``,
``INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST`` (rule 13, case-sensitive),
``INVALID_TYPE_ON_FIELD_IN_RECORD`` (a number, date or boolean that is not one),
``NUMBER_OUTSIDE_VALID_RANGE``, ``MALFORMED_ID``. Messages start with the field's *label*, as
real ones do ("Last Name: data value too large: … (max length=80)").

Choices where the references are silent: JSON numbers, booleans and dates may also arrive as
strings ("12.50", "true"), which Salesforce's JSON reader accepts; numbers are rounded half-up
to the field's scale; a date-time without a zone is UTC, one without a time is refused; a
date is ``YYYY-MM-DD`` only. Stored forms: date ``YYYY-MM-DD``, date-time
``YYYY-MM-DDTHH:MM:SS.sss+0000`` (what the REST API answers), currency/percent/double as float,
int as int, references as 18-character ids.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from sandbox.salesforce import ids
from sandbox.salesforce.errors import RowError
from sandbox.salesforce.schema import TEXT_TYPES, FieldDef

EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                   r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")
DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
DATETIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?"
                      r"(Z|[+-]\d{2}:?\d{2})?$")
TRUE, FALSE = {"true", "1"}, {"false", "0"}


def wrong_type(fdef: FieldDef, value: Any) -> RowError:
    return RowError("INVALID_TYPE_ON_FIELD_IN_RECORD",
                    f"{fdef.label}: value not of required type: {value}", [fdef.name])


def format_datetime(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def parse_datetime(text: str) -> datetime | None:
    found = DATETIME.match(text.strip())
    if not found:
        return None
    year, month, day, hour, minute, second, frac, zone = found.groups()
    tz = UTC
    if zone and zone != "Z":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    try:
        micro = int((frac or "0")[:6].ljust(6, "0"))
        return datetime(int(year), int(month), int(day), int(hour), int(minute),
                        int(second or 0), micro, tzinfo=tz)
    except ValueError:
        return None


def parse_date(text: str) -> date | None:
    found = DATE.match(text.strip())
    if not found:
        return None
    try:
        return date(*(int(p) for p in found.groups()))
    except ValueError:
        return None


def _text(fdef: FieldDef, value: Any) -> str:
    if isinstance(value, bool):
        value = "true" if value else "false"
    elif isinstance(value, int | float):
        value = str(value)
    elif not isinstance(value, str):
        raise RowError("JSON_PARSER_ERROR",
                       f"Cannot deserialize instance of string from {type(value).__name__} "
                       f"value for field {fdef.name}", [fdef.name])
    limit = fdef.length or 255
    if len(value) > limit:
        raise RowError("STRING_TOO_LONG",
                       f"{fdef.label}: data value too large: {value} (max length={limit})",
                       [fdef.name])
    if fdef.type == "email" and value and not EMAIL.match(value):
        raise RowError("INVALID_EMAIL_ADDRESS", f"{fdef.label}: invalid email address: {value}",
                       [fdef.name])
    if fdef.type in ("picklist", "multipicklist") and fdef.restricted and value:
        chosen = value.split(";") if fdef.type == "multipicklist" else [value]
        for item in chosen:
            if item not in fdef.picklist_values:
                raise RowError("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                               f"{fdef.label}: bad value for restricted picklist field: {item}",
                               [fdef.name])
    return value


def _number(fdef: FieldDef, value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise wrong_type(fdef, value)
    try:
        number = Decimal(value.strip()) if isinstance(value, str) else Decimal(str(value))
    except InvalidOperation:
        raise wrong_type(fdef, value) from None
    if not number.is_finite():
        raise wrong_type(fdef, value)
    scale = 0 if fdef.type == "int" else fdef.scale
    number = number.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP)
    precision = fdef.precision or 18
    if abs(number) >= Decimal(10) ** (precision - scale):
        raise RowError("NUMBER_OUTSIDE_VALID_RANGE",
                       f"{fdef.label}: value outside of valid range on numeric field: {value}",
                       [fdef.name])
    return int(number) if fdef.type == "int" else float(number)


def _boolean(fdef: FieldDef, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in TRUE | FALSE:
        return value.strip().lower() in TRUE
    raise wrong_type(fdef, value)


def _base64(fdef: FieldDef, value: Any) -> str:
    if not isinstance(value, str):
        raise wrong_type(fdef, value)
    try:
        base64.b64decode(value.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise wrong_type(fdef, value[:80]) from None
    return value


def coerce(fdef: FieldDef, value: Any) -> Any:
    """The stored form of ``value`` for ``fdef``, or a RowError. ``None`` and ``""`` are
    null (Salesforce keeps no empty strings); a null checkbox is false.

    References come back as canonical 18-character ids; whether the id names a record of the
    right object is the engine's business."""
    if value is None or value == "":
        return False if fdef.type == "boolean" else None
    kind = fdef.type
    if kind in TEXT_TYPES:
        return _text(fdef, value)
    if kind in ("int", "double", "currency", "percent"):
        return _number(fdef, value)
    if kind == "boolean":
        return _boolean(fdef, value)
    if kind == "date":
        parsed = parse_date(value) if isinstance(value, str) else None
        if parsed is None:
            raise wrong_type(fdef, value)
        return parsed.isoformat()
    if kind == "datetime":
        moment = parse_datetime(value) if isinstance(value, str) else None
        if moment is None:
            raise wrong_type(fdef, value)
        return format_datetime(moment)
    if kind in ("reference", "id"):
        canonical = ids.normalize(value.strip() if isinstance(value, str) else value)
        if canonical is None:
            raise RowError("MALFORMED_ID", f"{fdef.label}: id value of incorrect type: {value}",
                           [fdef.name])
        return canonical
    if kind == "base64":
        return _base64(fdef, value)
    raise wrong_type(fdef, value)
