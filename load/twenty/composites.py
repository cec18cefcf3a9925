"""Composite fields are always sent whole.

On some real Twenty versions an update of a composite field that omits a sub-field wipes it
(twenty-real-rules.md rule 11, twentyhq/twenty#23024: an ``emails`` update without
``primaryEmail`` cleared the primary e-mail). A mart STRUCT need not name every sub-field
(``homeAddress`` has no ``addressLat``), and a custom field's JSON value may hold only the parts
Bizstim had. So every composite value in a payload is completed here with each sub-field
Twenty knows for its type: what the mart does not say is sent as empty, explicitly, and the
record ends up holding exactly the mart's value whatever the server does with omissions. A
sub-field Twenty does not know is a mart bug and stops the load before anything is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Twenty's composite types and their writable sub-fields, with the value "nothing" takes.
SUBFIELDS: dict[str, dict[str, Any]] = {
    "FULL_NAME": {"firstName": "", "lastName": ""},
    "EMAILS": {"primaryEmail": None, "additionalEmails": None},
    "PHONES": {
        "primaryPhoneNumber": None,
        "primaryPhoneCountryCode": None,
        "primaryPhoneCallingCode": None,
        "additionalPhones": None,
    },
    "LINKS": {"primaryLinkUrl": None, "primaryLinkLabel": None, "secondaryLinks": None},
    "ADDRESS": {
        "addressStreet1": None,
        "addressStreet2": None,
        "addressCity": None,
        "addressState": None,
        "addressPostcode": None,
        "addressCountry": None,
        "addressLat": None,
        "addressLng": None,
    },
    "CURRENCY": {"amountMicros": None, "currencyCode": None},
    "RICH_TEXT_V2": {"blocknote": None, "markdown": None},
}


class PartialComposite(ValueError):
    """A composite value that cannot be sent whole."""


def whole(ftype: str, name: str, value: Any) -> Any:
    """``value`` of composite field ``name`` with every sub-field of ``ftype`` present."""
    subfields = SUBFIELDS.get(ftype)
    if subfields is None or value is None:
        return value
    if not isinstance(value, Mapping):
        raise PartialComposite(f"{name} ({ftype}) must be an object, got {value!r}")
    unknown = sorted(set(value) - set(subfields))
    if unknown:
        raise PartialComposite(f"{name} ({ftype}) has sub-fields Twenty does not know: {unknown}")
    return {sub: value.get(sub, empty) for sub, empty in subfields.items()}


def complete(payload: dict[str, Any], types: Mapping[str, str]) -> dict[str, Any]:
    """``payload`` with every composite field (by Twenty type) sent whole."""
    return {
        name: whole(types[name], name, value) if name in types else value
        for name, value in payload.items()
    }
