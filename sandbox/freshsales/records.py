"""Writing Freshsales records in the stand-in: create, update, upsert, delete and forget.

One function per write, used by the single calls and by S2's bulk jobs alike (``Writer``), so a
bulk row is refused exactly as its single call would be. Bodies may come wrapped in their
resource (``{"contact": {...}}``, the documented form) or unwrapped (n8n's; §3.11 rule 2).

Rules enforced here: custom values only under ``custom_field``, a ``cf_*`` key at the root is a
400 (rule 3, typing in ``fields.py``); upsert's ``unique_identifier`` names one unique field
(``emails`` for contacts, a ``cf_*`` field with ``unique: true``), 201 when it created, 200
when it updated (rule 4); owners, accounts and targets must exist (rule 5, ``checks.py``);
``DELETE`` sends a record to the recycle bin, ``/forget`` erases it (rule 10).

Choices where the reference is silent:

* Root keys a module does not know (other than ``cf_*``) are ignored and not kept, as a Rails
  API drops unpermitted parameters; ``id``, ``created_at`` and ``updated_at`` are the
  account's own (a note's ``created_at`` is taken only with the option ``note_created_at``,
  ``--note-created-at``, off: whether Freshsales lets an import set it is [?] §3.1).
* Upsert matches live records only: a record in the recycle bin holds neither its e-mail nor
  its unique values, so an upsert after a DELETE creates a new record (the bin is what a
  rollback leaves; a rerun must not silently revive it). A created record gets the
  identifier's value (its ``cf_*`` field, or its address as primary ``emails`` entry).
* PUT changes only the keys it carries; ``null`` clears a field (a required one: 400);
  ``custom_field`` is merged key by key; a carried ``product_pricings`` or ``sales_accounts``
  list replaces the held one. Ids are numbers, one counter per module, never reused.
* A deal's ``contacts_added_list`` (existing contact ids) is held and answered as
  ``contact_ids``. A record's ``owner_id`` defaults to the key's user.
* ``DELETE`` of a record already in the bin is 404; ``/forget`` erases a live or recycled one.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from sandbox.freshsales import checks, fields
from sandbox.freshsales.accounts import Account
from sandbox.freshsales.checks import Problems
from sandbox.freshsales.errors import FsError, general, invalid, not_found
from sandbox.pipedrive.store import Doc

RESOURCE = {
    "contacts": "contact",
    "sales_accounts": "sales_account",
    "deals": "deal",
    "products": "product",
    "appointments": "appointment",
    "notes": "note",
}
UPSERT_MODULES = ("contacts", "sales_accounts", "deals")
OWNED = ("contacts", "sales_accounts", "deals", "products", "appointments")
EXTRA_KEYS = {"contacts": {"email"}, "appointments": {"is_allday"}, "notes": set()}
TEXT_TYPES = ("text", "paragraph", "phone_number")


@dataclass(frozen=True)
class Options:
    allow_field_create: bool = False  # POST /api/settings/<module>/fields ([?] §3.5)
    note_created_at: bool = False  # a note's created_at taken from the body ([?] §3.1)


def unwrap(module: str, body: Any) -> Doc:
    """The record of a wrapped (``{"contact": {...}}``) or unwrapped body."""
    if not isinstance(body, dict):
        raise invalid(RESOURCE[module], "the body should be a JSON object")
    inner = body.get(RESOURCE[module])
    if isinstance(inner, dict):
        return inner
    return body


def live(account: Account, module: str, record_id: Any) -> Doc:
    record = account.store.get(module, str(record_id))
    if record is None or record.get("deleted"):
        raise not_found(RESOURCE[module].replace("_", " ").capitalize())
    return record


def _known(module: str) -> set[str]:
    return {name for name, *_ in fields.STANDARD[module]} | EXTRA_KEYS.get(module, set())


def _apply(
    account: Account, module: str, held: Doc, given: Doc, options: Options, user_id: int
) -> Doc:
    """``held`` with ``given`` applied and checked; raises every fault as one 400."""
    problems = Problems()
    for key in given:
        if key.startswith("cf_"):
            problems.add(key, "custom fields go under custom_field")
    record = copy.deepcopy(held)
    known = _known(module)
    texts = {n for n, _, t, _ in fields.STANDARD[module] if t in TEXT_TYPES}
    for key, value in given.items():
        if key in texts and value is not None and not isinstance(value, str):
            problems.add(key, "should be text")
        if key in known and key not in ("email", "emails", "sales_accounts", "product_pricings"):
            record[key] = value
    store = account.store
    tables = {m: store.kind(m) for m in checks.TARGETS.values()}
    if module == "contacts":
        addresses = checks.emails(given, problems)
        if addresses is not None:
            record["emails"] = addresses
            record["email"] = next((a["value"] for a in addresses if a["is_primary"]), None)
        if "sales_accounts" in given:
            record["sales_accounts"] = checks.sales_accounts(
                given["sales_accounts"], tables["sales_accounts"], problems
            )
    if module == "deals":
        account_id = given.get("sales_account_id")
        checks.reference("sales_account_id", account_id, tables["sales_accounts"], problems)
        if "contacts_added_list" in given:
            ids = given["contacts_added_list"] or []
            for contact_id in ids if isinstance(ids, list) else [ids]:
                checks.reference("contacts_added_list", contact_id, tables["contacts"], problems)
            record["contact_ids"] = list(ids) if isinstance(ids, list) else [ids]
        record.pop("contacts_added_list", None)
        if given.get("amount") is not None and not checks.is_number(given["amount"]):
            problems.add("amount", "should be a number")
        checks.dates(record, ("expected_close", "closed_date"), problems)
    if module == "products":
        if "product_pricings" in given:
            record["product_pricings"] = checks.pricings(given["product_pricings"], problems)
        if given.get("is_active") is not None and not isinstance(given["is_active"], bool):
            problems.add("is_active", "should be true or false")
    if module == "appointments":
        checks.appointment_times(record, problems)
    if module in ("appointments", "notes") and (
        "targetable_type" in given or "targetable_id" in given
    ):
        checks.target(record, tables, problems)
    if module == "notes" and options.note_created_at and "created_at" in given:
        if checks.moment(given["created_at"]) is None:
            problems.add("created_at", "should be an ISO 8601 date-time with an offset")
        else:
            record["created_at"] = given["created_at"]
    owner = given.get("owner_id") if module in OWNED else None
    if owner is not None and account.active_user(owner) is None:
        problems.add("owner_id", f"{given['owner_id']!r} is not an active user (owner)")
    if module in fields.CUSTOM_MODULES and "custom_field" in given:
        try:
            values = fields.check_custom(store, module, given["custom_field"])
        except FsError as exc:  # its fields join the body's other faults
            problems.errors.update(exc.errors)
            values = {}
        merged = {**(record.get("custom_field") or {}), **values}
        record["custom_field"] = {k: v for k, v in merged.items() if v is not None}
    if module in fields.CUSTOM_MODULES:
        held_custom = record.get("custom_field") or {}
        for name, field in fields.custom(store, module).items():
            if field["required"] and checks.blank(held_custom.get(name)):
                problems.add(name, "can't be blank")
    checks.required(module, record, problems)
    _unique(account, module, record, problems)
    problems.raise_any()
    return record


def _unique(account: Account, module: str, record: Doc, problems: Problems) -> None:
    """A unique value (``cf_*`` with ``unique``, a contact's address) held by one live record."""
    if module not in fields.CUSTOM_MODULES:
        return
    names = [n for n in fields.unique_names(account.store, module) if n != "emails"]
    mine = record.get("custom_field") or {}
    addresses = {a["value"].lower() for a in record.get("emails") or []}
    for other in account.store.kind(module).values():
        if other.get("deleted") or other["id"] == record.get("id"):
            continue
        theirs = other.get("custom_field") or {}
        for name in names:
            if mine.get(name) is not None and theirs.get(name) == mine.get(name):
                problems.add(name, "has already been taken")
        if addresses & {a["value"].lower() for a in other.get("emails") or []}:
            problems.add("emails", "has already been taken")


def create(account: Account, user_id: int, module: str, body: Any, options: Options) -> Doc:
    given = unwrap(module, body)
    now = account.now()
    base: Doc = {"custom_field": {}} if module in fields.CUSTOM_MODULES else {}
    if module in OWNED:
        base["owner_id"] = user_id
    if module == "notes":
        base["creater_id"] = user_id
    record = _apply(account, module, base, given, options, user_id)
    record["id"] = account.store.next_id(module)
    record.setdefault("created_at", now)
    record["updated_at"] = now
    account.store.save(module, record["id"], record)
    return record


def update(
    account: Account, user_id: int, module: str, record_id: str, body: Any, options: Options
) -> Doc:
    held = live(account, module, record_id)
    record = _apply(account, module, held, unwrap(module, body), options, user_id)
    record["updated_at"] = account.now()
    account.store.save(module, record["id"], record)
    return record


def upsert(
    account: Account,
    user_id: int,
    module: str,
    unique_identifier: Any,
    data: Any,
    options: Options,
) -> tuple[int, Doc]:
    if module not in UPSERT_MODULES:
        raise general(404, f"{module} have no upsert")
    allowed = fields.unique_names(account.store, module)
    if not isinstance(unique_identifier, dict) or len(unique_identifier) != 1:
        raise invalid("unique_identifier", "should name one unique field and its value")
    ((name, value),) = unique_identifier.items()
    if name not in allowed:
        raise invalid("unique_identifier", f"{name!r} is not a unique field of {module}")
    if not isinstance(value, str) or not value:
        raise invalid("unique_identifier", "the value should be non-empty text")
    given = copy.deepcopy(unwrap(module, data))
    found = _match(account, module, name, value)
    if found is not None:
        record = _apply(account, module, found, given, options, user_id)
        record["updated_at"] = account.now()
        account.store.save(module, record["id"], record)
        return 200, record
    if name == "emails":
        if not given.get("emails") and not given.get("email"):
            given["emails"] = [{"value": value, "is_primary": True}]
    else:
        custom = given.get("custom_field")
        given["custom_field"] = {**(custom if isinstance(custom, dict) else {}), name: value}
    return 201, create(account, user_id, module, given, options)


def _match(account: Account, module: str, name: str, value: str) -> Doc | None:
    for record in account.store.kind(module).values():
        if record.get("deleted"):
            continue
        if name == "emails":
            if value.lower() in {a["value"].lower() for a in record.get("emails") or []}:
                return record
        elif (record.get("custom_field") or {}).get(name) == value:
            return record
    return None


def delete(account: Account, module: str, record_id: Any) -> None:
    record = live(account, module, record_id)
    record = {**record, "deleted": True, "deleted_at": account.now()}
    account.store.save(module, record["id"], record)


def forget(account: Account, module: str, record_id: str) -> None:
    if account.store.get(module, record_id) is None:
        raise not_found(RESOURCE[module].replace("_", " ").capitalize())
    account.store.drop(module, record_id)


class Writer:
    """What S2's bulk jobs write through (``bulk.RecordWriter``)."""

    def __init__(self, options: Options) -> None:
        self.options = options

    def upsert(
        self, account: Account, user_id: int, module: str, unique_identifier: Any, data: Any
    ) -> tuple[int, Doc]:
        status, record = upsert(account, user_id, module, unique_identifier, data, self.options)
        return status, render(module, record)

    def destroy(self, account: Account, module: str, record_id: int) -> None:
        delete(account, module, record_id)


def render(module: str, record: Doc, include_pricings: bool = True) -> Doc:
    """The record as answered: without the bin's marks (and prices unless asked for)."""
    out = {k: copy.deepcopy(v) for k, v in record.items() if k not in ("deleted", "deleted_at")}
    if module == "products" and not include_pricings:
        out.pop("product_pricings", None)
    return out
