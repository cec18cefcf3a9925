"""Validation and normalisation of record values, per Twenty field type (reference §4).

Every validator takes ``(value, current)`` and returns the stored form; ``current`` is the
stored value being updated (composites merge sub-fields: only the ones sent are written) or
``None`` on create. Errors are ``ApiError`` 400s naming the field.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import phonenumbers

from sandbox.twenty.errors import bad_request
from sandbox.twenty.rewrites import rewrite_composite, wiped_on_update

Validator = Callable[[Any, Any], Any]

UUID_RE = re.compile(r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$")
EMAIL_RE = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
URL_RE = re.compile(r"^(https?://)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:\d{1,5})?([/?#]\S*)?$",
                    re.IGNORECASE)
CALLING_RE = re.compile(r"^\+[1-9][0-9]{0,3}$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CURRENCIES = """AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL
BSD BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD
FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS
KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK
MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD
SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX
USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL"""
CURRENCY_CODES = frozenset(_CURRENCIES.split())
COUNTRY_CODES = frozenset(phonenumbers.SUPPORTED_REGIONS)
CALLING_CODES = {r: f"+{phonenumbers.country_code_for_region(r)}" for r in COUNTRY_CODES}

# Composite types: sub-field -> sub-validator kind. Sub-field names are exact (reference §4).
COMPOSITES: dict[str, dict[str, str]] = {
    "FULL_NAME": {"firstName": "text", "lastName": "text"},
    "EMAILS": {"primaryEmail": "email", "additionalEmails": "emails"},
    "PHONES": {
        "primaryPhoneNumber": "phone",
        "primaryPhoneCountryCode": "country",
        "primaryPhoneCallingCode": "calling",
        "additionalPhones": "phones",
    },
    "ADDRESS": {
        "addressStreet1": "text",
        "addressStreet2": "text",
        "addressCity": "text",
        "addressState": "text",
        "addressPostcode": "text",
        "addressCountry": "text",
        "addressLat": "number",
        "addressLng": "number",
    },
    "CURRENCY": {"amountMicros": "micros", "currencyCode": "currency"},
    "LINKS": {"primaryLinkUrl": "url", "primaryLinkLabel": "text", "secondaryLinks": "links"},
    "RICH_TEXT_V2": {"blocknote": "text", "markdown": "text"},
    "RICH_TEXT": {"blocknote": "text", "markdown": "text"},
    "ACTOR": {"source": "text", "workspaceMemberId": "text", "name": "text", "context": "any"},
}
# The sub-field a unique index covers, for composite types that can be unique.
UNIQUE_SUBFIELD = {
    "EMAILS": "primaryEmail", "LINKS": "primaryLinkUrl", "PHONES": "primaryPhoneNumber"}


def _fail(where: str, value: Any, why: str) -> Exception:
    shown = json.dumps(value, default=str)
    return bad_request(f"Invalid value {shown} for field \"{where}\": {why}")


def _text(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _fail(where, value, "expected a string")
    return value or None  # "" is stored as null (reference §4, §11.9)


def _number(value: Any, where: str) -> int | float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _fail(where, value, "expected a number")
    return value


def _email(value: Any, where: str) -> str | None:
    text = _text(value, where)
    if text is not None and not EMAIL_RE.match(text):
        raise _fail(where, value, "invalid email")
    return text


def _emails(value: Any, where: str) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise _fail(where, value, "expected an array of emails")
    out = []
    for item in value:
        if not isinstance(item, str) or not EMAIL_RE.match(item):
            raise _fail(where, item, "invalid email")
        out.append(item)
    return out


def _phone(value: Any, where: str) -> str | None:
    return _text(value, where)  # parsed with libphonenumber by rewrites.parse_phone (rule 4)


def _country(value: Any, where: str) -> str | None:
    text = _text(value, where)
    if text is not None and text not in COUNTRY_CODES:
        raise _fail(where, value, "expected an ISO 3166-1 alpha-2 country code")
    return text


def _calling(value: Any, where: str) -> str | None:
    text = _text(value, where)
    if text is not None and not CALLING_RE.match(text):
        raise _fail(where, value, "expected a calling code like +33")
    return text


def _check_calling(country: str | None, calling: str | None, where: str) -> None:
    if country and calling and CALLING_CODES[country] != calling:
        raise _fail(where, calling, f"calling code does not match country {country}")


def _phones(value: Any, where: str) -> list[dict[str, Any]] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise _fail(where, value, "expected an array of phones")
    out = []
    for item in value:
        if not isinstance(item, dict) or set(item) - {"number", "countryCode", "callingCode"}:
            raise _fail(where, item, "expected {number, countryCode, callingCode}")
        phone = {
            "number": _phone(item.get("number"), where),
            "countryCode": _country(item.get("countryCode"), where),
            "callingCode": _calling(item.get("callingCode"), where),
        }
        _check_calling(phone["countryCode"], phone["callingCode"], where)
        out.append(phone)
    return out


def _micros(value: Any, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(where, value, "expected an integer amount in micros")
    if isinstance(value, float) and not value.is_integer():
        raise _fail(where, value, "amountMicros must be an integer")
    return int(value)


def _currency(value: Any, where: str) -> str | None:
    text = _text(value, where)
    if text is not None and text not in CURRENCY_CODES:
        raise _fail(where, value, "expected an ISO 4217 currency code")
    return text


def _url(value: Any, where: str) -> str | None:
    text = _text(value, where)
    if text is not None and not URL_RE.match(text):
        raise _fail(where, value, "invalid URL")
    return text


def _links(value: Any, where: str) -> list[dict[str, Any]] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise _fail(where, value, "expected an array of links")
    out = []
    for item in value:
        if not isinstance(item, dict) or set(item) - {"url", "label"}:
            raise _fail(where, item, "expected {url, label}")
        out.append({"url": _url(item.get("url"), where), "label": _text(item.get("label"), where)})
    return out


def _any(value: Any, where: str) -> Any:
    return value


SUB_VALIDATORS: dict[str, Callable[[Any, str], Any]] = {
    "text": _text, "number": _number, "email": _email, "emails": _emails, "phone": _phone,
    "country": _country, "calling": _calling, "phones": _phones, "micros": _micros,
    "currency": _currency, "url": _url, "links": _links, "any": _any,
}


def composite_validator(ftype: str, name: str, generation: str = "v2") -> Validator:
    subs = {sub: (SUB_VALIDATORS[kind], f"{name}.{sub}") for sub, kind in COMPOSITES[ftype].items()}

    def validate(value: Any, current: Any) -> dict[str, Any]:
        if value is None:  # composite null clears every sub-field
            return dict.fromkeys(subs)
        if not isinstance(value, dict):
            raise _fail(name, value, f"expected an object with {', '.join(subs)}")
        out = dict(current) if current else dict.fromkeys(subs)
        wiped = wiped_on_update(ftype, value, generation)
        if wiped is not None:
            out[wiped] = None  # rule 11: v2 clears what a partial update omits
        for sub, sub_value in value.items():
            spec = subs.get(sub)
            if spec is None:
                raise _fail(name, value, f"unknown sub-field '{sub}' (allowed: {', '.join(subs)})")
            out[sub] = spec[0](sub_value, spec[1])
        if ftype == "PHONES":
            _check_calling(out["primaryPhoneCountryCode"], out["primaryPhoneCallingCode"], name)
        return rewrite_composite(ftype, out, value, name, generation)

    return validate


def _date_time(value: Any, where: str) -> str:
    if isinstance(value, str) and DATE_RE.match(value):
        value += "T00:00:00Z"  # rule 5: a date-only value is accepted, as midnight UTC
    if not isinstance(value, str) or len(value) < 16 or value[10] not in "T ":
        raise _fail(where, value, "expected an ISO-8601 date-time")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise _fail(where, value, "expected an ISO-8601 date-time") from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC)
    return parsed.strftime("%Y-%m-%dT%H:%M:%S.") + f"{parsed.microsecond // 1000:03d}Z"


def _date(value: Any, where: str) -> str:
    if not isinstance(value, str) or not DATE_RE.match(value):
        raise _fail(where, value, "expected a date YYYY-MM-DD")
    try:
        date.fromisoformat(value)
    except ValueError:
        raise _fail(where, value, "expected a date YYYY-MM-DD") from None
    return value


def normalise_date_time(value: str, where: str) -> str:
    return _date_time(value, where)


def scalar_validator(ftype: str, name: str, options: list[str] | None = None) -> Validator:
    """Validators for non-composite types; ``None`` is passed through (nullability is checked
    by the caller, which knows the field's ``isNullable``)."""
    allowed = frozenset(options or ())

    def check(value: Any, current: Any) -> Any:
        if value is None:
            return None
        if ftype == "TEXT":
            return _text(value, name)
        if ftype in ("NUMBER", "POSITION"):
            return _number(value, name)
        if ftype == "NUMERIC":
            if isinstance(value, str):
                try:
                    return float(value) if not re.fullmatch(r"-?\d+", value) else int(value)
                except ValueError:
                    raise _fail(name, value, "expected a number") from None
            return _number(value, name)
        if ftype == "BOOLEAN":
            if not isinstance(value, bool):
                raise _fail(name, value, "expected true or false")
            return value
        if ftype == "DATE_TIME":
            return _date_time(value, name)
        if ftype == "DATE":
            return _date(value, name)
        if ftype == "UUID":
            if not isinstance(value, str) or not UUID_RE.match(value):
                raise _fail(name, value, "expected a UUID")
            return value.lower()
        if ftype in ("SELECT", "RATING"):
            if not isinstance(value, str) or value not in allowed:
                raise _fail(name, value, f"not one of the options {sorted(allowed)}")
            return value
        if ftype == "MULTI_SELECT":
            if not isinstance(value, list):
                raise _fail(name, value, "expected an array of option values")
            for item in value:
                if not isinstance(item, str) or item not in allowed:
                    raise _fail(name, item, f"not one of the options {sorted(allowed)}")
            return list(value) or None  # [] is stored as null
        if ftype == "RAW_JSON":
            if isinstance(value, str):
                try:
                    value = json.loads(value)
                except ValueError:
                    raise _fail(name, value, "expected JSON") from None
            if not isinstance(value, dict | list):
                raise _fail(name, value, "expected a JSON object or array")
            return value or None  # {} is stored as null
        if ftype == "ARRAY":
            value = [value] if isinstance(value, str) else value
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise _fail(name, value, "expected an array of strings")
            return value
        raise _fail(name, value, f"field type {ftype} is not writable")

    return check


def validator_for(ftype: str, name: str, options: list[str] | None = None,
                  generation: str = "v2") -> Validator:
    if ftype in COMPOSITES:
        return composite_validator(ftype, name, generation)
    return scalar_validator(ftype, name, options)


def empty_value(ftype: str) -> Any:
    """The stored value of an unset field: composites are objects of null sub-fields."""
    if ftype in COMPOSITES:
        return dict.fromkeys(COMPOSITES[ftype])
    return None


def parse_default(ftype: str, default: Any) -> Any:
    """Turn a metadata ``defaultValue`` (SQL-literal strings like ``"'NEW'"``) into a value."""
    if default is None or ftype in COMPOSITES:
        return None
    if isinstance(default, str) and len(default) >= 2 and default[0] == default[-1] == "'":
        return default[1:-1]
    if isinstance(default, list):
        return [parse_default("TEXT", item) for item in default]
    if isinstance(default, str) and ftype in ("DATE_TIME", "DATE") and default == "now":
        return None
    return default


def is_uuid(value: Any) -> bool:
    return isinstance(value, str) and bool(UUID_RE.match(value))
