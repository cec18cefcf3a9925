"""Per-module checks of a Freshsales write in the stand-in (§3.11 rules 3, 5 and 6).

What the reference gives ([3P] unless said): a deal needs ``name``, ``amount`` and an existing
``sales_account_id`` ("deal cannot be created without an account", §3.1, §3.10 item 3); an
``owner_id`` must be a user of ``/api/selector/owners`` (§3.10 item 1); a contact's
``sales_accounts`` holds at most 10 entries with exactly one ``is_primary`` (§3.10 item 4);
notes target a ``Contact``, ``SalesAccount`` or ``Deal`` by ``targetable_type`` and
``targetable_id`` (§3.11 rule 5); appointments take ``from_date``/``end_date`` as ISO 8601 with
an offset (the common brief). Every failure is a 400 naming the field (rule 6); all of a body's
faults are reported together.

Choices where the reference is silent:

* A contact needs one of ``first_name``, ``last_name``, ``emails``/``email`` or
  ``mobile_number`` (else ``last_name: can't be blank``, the message clients quote); a sales
  account and a product need ``name``; an appointment ``title``, ``from_date`` and
  ``end_date`` (not before ``from_date``), its target optional but, when given, complete and
  existing; a note ``description`` and its target.
* ``owner_id`` of a deactivated user is refused like an unknown one (it cannot own records).
* ``emails`` is ``[{"value", "is_primary", "label"}]``: each value an address, at most one
  primary (the first when none says so); ``email`` (a string) sets the primary address. An
  address is held by one live contact at most (``emails`` is the contacts' unique field).
* ``amount`` and ``unit_price`` are JSON numbers; ``expected_close`` and ``closed_date`` are
  ``YYYY-MM-DD``; ``product_pricings`` holds one entry per ``currency_code`` (three capital
  letters) with a ``unit_price`` ≥ 0.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sandbox.freshsales.errors import FsError
from sandbox.freshsales.fields import _is_date
from sandbox.pipedrive.store import Doc

TARGETS = {"Contact": "contacts", "SalesAccount": "sales_accounts", "Deal": "deals"}
MAX_ACCOUNTS = 10
REQUIRED = {
    "sales_accounts": ("name",),
    "deals": ("name", "amount", "sales_account_id"),
    "products": ("name",),
    "appointments": ("title", "from_date", "end_date"),
    "notes": ("description", "targetable_type", "targetable_id"),
}


class Problems:
    """Collects ``{field: [messages]}`` and raises them as one 400."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def raise_any(self) -> None:
        if self.errors:
            raise FsError(400, self.errors)


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str | list) and not value)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def required(module: str, record: Doc, problems: Problems) -> None:
    for name in REQUIRED.get(module, ()):
        if blank(record.get(name)):
            problems.add(name, "can't be blank")
    if module == "contacts" and all(
        blank(record.get(n)) for n in ("first_name", "last_name", "emails", "mobile_number")
    ):
        problems.add("last_name", "can't be blank")


def emails(given: Doc, problems: Problems) -> list[Doc] | None:
    """The contact's addresses from ``emails`` and/or ``email``; None when neither is given."""
    if "emails" not in given and "email" not in given:
        return None
    raw = given.get("emails")
    items: list[Doc] = []
    if raw is not None and not isinstance(raw, list):
        problems.add("emails", "should be a list of {value, is_primary, label}")
        raw = []
    for entry in raw or []:
        value = entry.get("value") if isinstance(entry, dict) else entry
        if not isinstance(value, str) or "@" not in value:
            problems.add("emails", f"{value!r} is not an e-mail address")
            continue
        label = entry.get("label") if isinstance(entry, dict) else None
        primary = bool(entry.get("is_primary")) if isinstance(entry, dict) else False
        items.append({"value": value, "is_primary": primary, "label": label})
    single = given.get("email")
    if single is not None:
        if not isinstance(single, str) or "@" not in single:
            problems.add("email", f"{single!r} is not an e-mail address")
        elif single.lower() not in {i["value"].lower() for i in items}:
            items.insert(0, {"value": single, "is_primary": True, "label": None})
    if sum(i["is_primary"] for i in items) > 1:
        problems.add("emails", "only one address can be primary")
    elif items and not any(i["is_primary"] for i in items):
        items[0]["is_primary"] = True
    return items


def sales_accounts(value: Any, live: dict[str, Doc], problems: Problems) -> list[Doc]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        problems.add("sales_accounts", "should be a list of {id, is_primary}")
        return []
    if len(value) > MAX_ACCOUNTS:
        problems.add("sales_accounts", f"can hold at most {MAX_ACCOUNTS} accounts")
    if value and sum(bool(v.get("is_primary")) for v in value) != 1:
        problems.add("sales_accounts", "needs exactly one primary account (is_primary)")
    for entry in value:
        if not _exists(entry.get("id"), live):
            problems.add("sales_accounts", f"account {entry.get('id')!r} does not exist")
    return [{"id": v.get("id"), "is_primary": bool(v.get("is_primary"))} for v in value]


def reference(name: str, value: Any, live: dict[str, Doc], problems: Problems) -> None:
    if value is not None and not _exists(value, live):
        problems.add(name, f"{value!r} does not exist")


def _exists(record_id: Any, live: dict[str, Doc]) -> bool:
    if not isinstance(record_id, int) or isinstance(record_id, bool):
        return False
    record = live.get(str(record_id))
    return record is not None and not record.get("deleted")


def pricings(value: Any, problems: Problems) -> list[Doc]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        problems.add("product_pricings", "should be a list of {currency_code, unit_price}")
        return []
    seen: set[str] = set()
    for entry in value:
        code = entry.get("currency_code")
        if not isinstance(code, str) or not re.fullmatch(r"[A-Z]{3}", code):
            problems.add("product_pricings", f"{code!r} is not a currency code")
        elif code in seen:
            problems.add("product_pricings", f"{code} is priced twice")
        seen.add(str(code))
        price = entry.get("unit_price")
        if not is_number(price) or price < 0:
            problems.add("product_pricings", f"unit_price {price!r} should be a number >= 0")
    return [
        {"currency_code": v.get("currency_code"), "unit_price": v.get("unit_price")} for v in value
    ]


def dates(record: Doc, names: tuple[str, ...], problems: Problems) -> None:
    for name in names:
        value = record.get(name)
        if value is not None and not _is_date(value):
            problems.add(name, "should be a date (YYYY-MM-DD)")


def moment(value: Any) -> datetime | None:
    """An ISO 8601 date-time with an explicit offset, else None."""
    if not isinstance(value, str) or not re.search(r"(Z|[+-]\d{2}:?\d{2})$", value):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def appointment_times(record: Doc, problems: Problems) -> None:
    start, end = (moment(record.get(n)) for n in ("from_date", "end_date"))
    for name, parsed in (("from_date", start), ("end_date", end)):
        if record.get(name) is not None and parsed is None:
            problems.add(name, "should be an ISO 8601 date-time with an offset")
    if start is not None and end is not None and end < start:
        problems.add("end_date", "must not be before from_date")


def target(record: Doc, tables: dict[str, dict[str, Doc]], problems: Problems) -> None:
    kind, target_id = record.get("targetable_type"), record.get("targetable_id")
    if kind is None and target_id is None:
        return
    if kind not in TARGETS:
        problems.add("targetable_type", f"should be one of {', '.join(TARGETS)}")
        return
    reference("targetable_id", target_id, tables[TARGETS[kind]], problems)
