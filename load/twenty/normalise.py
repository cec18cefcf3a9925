"""Values the way real Twenty stores them, so two sides compare like Twenty does.

Twenty rewrites values on write (twenty-real-rules.md): e-mails lower-cased (rule 1),
``additionalEmails: []`` stored as null (rule 2), a link URL's scheme and host lower-cased and
its trailing slash removed (rule 3), phones parsed with libphonenumber and stored as the
national significant number with the calling code filled in (rule 4). A reconcile spot check
comparing raw mart values with what Twenty returns would report a difference on every real
workspace; the loader pairing answers by key must compare keys the same way. Both sides go
through :func:`normalise` (by Twenty field type) before they are compared; tests against a
Twenty stand-in can share it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import phonenumbers

from load.core.values import same_value


def stored_key(key: str, value: Any) -> Any:
    """An upsert key as Twenty stores it: UUIDs lower-case, e-mails lower-case, link origins
    canonical (rules 1, 3); ``bizstimId`` (TEXT) as sent."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):  # a NUMBER key: 12 and 12.0 are one value
        return value
    text = value
    if key == "id":
        return text.lower()
    if key.endswith("primaryEmail"):
        return email(text)
    if key.endswith("primaryLinkUrl"):
        return link_url(text)
    return text


def email(value: str | None) -> str | None:
    return value.strip().lower() if isinstance(value, str) else value


def link_url(url: str | None) -> str | None:
    """Scheme and host lower-cased, one trailing slash dropped (rule 3); text that is not an
    absolute URL stays as it is."""
    if not isinstance(url, str) or "://" not in url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if not parts.scheme or not parts.netloc:
        return url
    head = f"{parts.scheme}://{parts.netloc}"
    rest = url[len(head) :] if url.lower().startswith(head.lower()) else url
    text = f"{parts.scheme.lower()}://{parts.netloc.lower()}{rest}"
    return text[:-1] if text.endswith("/") else text


def phone_key(
    number: str | None, country: str | None = None, calling: str | None = None
) -> tuple[str, str] | str | None:
    """(calling code, national significant number) of a phone (rule 4), from a national number
    with a country or calling code, or an E.164 number; the digits alone when it cannot be
    parsed (then only the same digits compare equal)."""
    if number in (None, ""):
        return None
    text = str(number).strip()
    region = (country or "").upper() or None
    calling_digits = _digits(str(calling or ""))
    if calling_digits and not text.startswith("+"):  # the calling code Twenty filled in wins
        text, region = f"+{calling_digits}{_digits(text)}", None
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return _digits(text)
    return f"+{parsed.country_code}", phonenumbers.national_significant_number(parsed)


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _empty(value: Any) -> bool:
    return value in (None, "", [], {})


def normalise(ftype: str | None, value: Any) -> Any:
    """See :func:`_normalise`; in a composite, an empty sub-field ("" or []) is null."""
    out = _normalise(ftype, value)
    if isinstance(out, dict):
        return {k: None if _empty(v) else v for k, v in out.items()}
    return out


def _normalise(ftype: str | None, value: Any) -> Any:
    """``value`` of a Twenty field of type ``ftype`` in the form Twenty stores and compares:
    e-mails lower-cased and an empty list as null, link URLs canonical, phones as (calling
    code, national number) pairs. Other types pass through."""
    if not isinstance(value, dict):
        return None if _empty(value) else value
    if ftype == "EMAILS":
        extra = [email(e) for e in value.get("additionalEmails") or []]
        return {
            "primaryEmail": email(value.get("primaryEmail")) or None,
            "additionalEmails": extra or None,
        }
    if ftype == "LINKS":
        links = [
            {**link, "url": link_url(link.get("url"))} for link in value.get("secondaryLinks") or []
        ]
        return {
            **value,
            "primaryLinkUrl": link_url(value.get("primaryLinkUrl")) or None,
            "secondaryLinks": links or None,
        }
    if ftype == "PHONES":
        extra = [
            phone_key(p.get("number"), p.get("countryCode"), p.get("callingCode"))
            for p in value.get("additionalPhones") or []
        ]
        return {
            "primaryPhone": phone_key(
                value.get("primaryPhoneNumber"),
                value.get("primaryPhoneCountryCode"),
                value.get("primaryPhoneCallingCode"),
            ),
            "additionalPhones": extra or None,
        }
    return value


def compare(
    payload: dict[str, Any], record: dict[str, Any], types: dict[str, str] | None = None
) -> list[str]:
    """Differences between a mart payload and Twenty's record, both sides first normalised
    the way Twenty stores values (``types``: field → Twenty type)."""
    types = types or {}
    return [
        f"{name}: mart {value!r} ≠ Twenty {record.get(name)!r}"
        for name, value in payload.items()
        if not same_value(
            normalise(types.get(name), value), normalise(types.get(name), record.get(name))
        )
    ]
