"""Reading Freshsales records back in the stand-in: selectors, fields, views, lookup, includes.

Lists go through views (destinations-2.md §3.6, §3.11 rule 9): ``GET /api/<module>/filters``
names the views, ``GET /api/<module>/view/{id}?page=&per_page=`` pages one, ``page`` 1-based,
``per_page`` at most 100, ``meta.total_pages``. A record in the recycle bin is in no list, no
lookup and no include (rule 10). Settings and selectors are read here and only read (rule 11:
a change is refused by the app).

Choices where the reference is silent:

* Views per module: "All <Plural>" and "My <Plural>" (owned by the key's user), ids fixed per
  module (contacts 1001/1002, sales accounts 2001/2002, deals 3001/3002); records in id order.
  A view of another module is 404.
* ``per_page`` defaults to 25 and a larger one than 100 is served as 100 (the meta says so:
  ``per_page`` in ``meta``); ``page`` < 1 or not a number is a 400 naming it. ``meta`` is
  ``{"total_pages", "total", "per_page"}``; an empty view has ``total_pages`` 0.
* ``GET /api/cpq/products`` pages the same way (the loader's product listing; §3.2 names no
  product view); a product shows ``product_pricings`` only with ``include=product_pricings``.
* ``GET /api/contacts/{id}?include=`` accepts ``notes``, ``appointments``, ``sales_accounts``,
  ``owner`` (others ignored); the included lists are side-loaded beside ``contact``:
  ``{"contact", "notes", "appointments", "sales_accounts", "users"}``, notes and appointments
  being those whose target is this contact.
* ``GET /api/lookup?q=&f=&entities=`` matches ``f`` exactly (case-insensitive): ``email`` (or
  ``emails``) against every address, a standard field, or a ``cf_*`` field; it answers
  ``{"<plural>": {"<plural>": [...]}}`` per entity asked (``contact``, ``sales_account``,
  ``deal``); ``f`` and ``q`` are required (400).
* Selectors answer fixed lists: contact statuses, one pipeline "Default Pipeline" with its
  stages, activity types, lead sources; owners are the account's users with ``is_active``.
"""

from __future__ import annotations

import math
from typing import Any

from sandbox.freshsales import fields
from sandbox.freshsales.accounts import Account
from sandbox.freshsales.errors import invalid, not_found
from sandbox.freshsales.records import RESOURCE, live, render
from sandbox.httpbase import Request
from sandbox.pipedrive.store import Doc

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 25
VIEWS = {  # module -> (all view id, my view id, plural label)
    "contacts": (1001, 1002, "Contacts"),
    "sales_accounts": (2001, 2002, "Accounts"),
    "deals": (3001, 3002, "Deals"),
}
ENTITIES = {"contact": "contacts", "sales_account": "sales_accounts", "deal": "deals"}
SELECTORS: dict[str, list[Doc]] = {
    "contact_statuses": [
        {"id": 1, "name": "New", "position": 1},
        {"id": 2, "name": "Contacted", "position": 2},
        {"id": 3, "name": "Customer", "position": 3},
    ],
    "deal_pipelines": [{"id": 1, "name": "Default Pipeline", "is_default": True}],
    "deal_stages": [
        {"id": 1, "name": "New", "position": 1, "deal_pipeline_id": 1, "forecast_type": "Open"},
        {"id": 2, "name": "Won", "position": 2, "deal_pipeline_id": 1, "forecast_type": "Won"},
        {"id": 3, "name": "Lost", "position": 3, "deal_pipeline_id": 1, "forecast_type": "Lost"},
    ],
    "sales_activity_types": [
        {"id": 1, "name": "Appointment"},
        {"id": 2, "name": "Phone"},
        {"id": 3, "name": "Note"},
    ],
    "lead_sources": [{"id": 1, "name": "Web"}, {"id": 2, "name": "Referral"}],
}


def selector(account: Account, name: str) -> dict[str, Any] | None:
    if name == "owners":
        users = [
            {k: u[k] for k in ("id", "display_name", "email", "is_active")} for u in account.users()
        ]
        return {"users": users}
    found = SELECTORS.get(name)
    return None if found is None else {name: found}


def field_list(account: Account, module: str) -> dict[str, Any] | None:
    if module not in fields.STANDARD:
        return None
    return {"fields": fields.all_fields(account.store, module)}


def filters(module: str) -> dict[str, Any]:
    all_id, my_id, label = VIEWS[module]
    return {
        "filters": [
            {"id": all_id, "name": f"All {label}", "is_default": True},
            {"id": my_id, "name": f"My {label}", "is_default": False},
        ]
    }


def _live(account: Account, module: str) -> list[Doc]:
    held = account.store.kind(module).values()
    return sorted((r for r in held if not r.get("deleted")), key=lambda r: r["id"])


def _paging(request: Request) -> tuple[int, int]:
    out = []
    for name, default in (("page", 1), ("per_page", DEFAULT_PER_PAGE)):
        text = request.param(name)
        if text is None or text == "":
            out.append(default)
            continue
        if not text.isdigit() or int(text) < 1:
            raise invalid(name, "should be a whole number from 1")
        out.append(int(text))
    return out[0], min(out[1], MAX_PER_PAGE)


def _page(rows: list[Doc], request: Request, key: str, module: str) -> dict[str, Any]:
    page, per_page = _paging(request)
    chosen = rows[(page - 1) * per_page : page * per_page]
    pricings = "product_pricings" in (request.param("include") or "").split(",")
    meta = {"total_pages": math.ceil(len(rows) / per_page), "total": len(rows)}
    meta["per_page"] = per_page
    return {key: [render(module, r, pricings) for r in chosen], "meta": meta}


def view(account: Account, module: str, view_id: str, user_id: int, request: Request) -> Doc:
    all_id, my_id, _ = VIEWS[module]
    rows = _live(account, module)
    if view_id == str(my_id):
        rows = [r for r in rows if r.get("owner_id") == user_id]
    elif view_id != str(all_id):
        raise not_found("View")
    return _page(rows, request, module, module)


def products(account: Account, request: Request) -> Doc:
    return _page(_live(account, "products"), request, "products", "products")


def one(account: Account, module: str, record_id: str, request: Request) -> Doc:
    """``GET /api/<module>/{id}``, with a contact's side-loaded includes."""
    record = live(account, module, record_id)
    include = {p.strip() for p in (request.param("include") or "").split(",") if p.strip()}
    answer: Doc = {RESOURCE[module]: render(module, record, "product_pricings" in include)}
    if module != "contacts":
        return answer
    for kind in ("notes", "appointments"):
        if kind in include:
            answer[kind] = [
                render(kind, r)
                for r in _live(account, kind)
                if r.get("targetable_type") == "Contact" and r.get("targetable_id") == record["id"]
            ]
    if "sales_accounts" in include:
        ids = [a.get("id") for a in record.get("sales_accounts") or []]
        held = account.store.kind("sales_accounts")
        answer["sales_accounts"] = [
            render("sales_accounts", held[str(i)])
            for i in ids
            if str(i) in held and not held[str(i)].get("deleted")
        ]
    if "owner" in include:
        owner = account.store.get("user", str(record.get("owner_id")))
        answer["users"] = [] if owner is None else [selector_user(owner)]
    return answer


def selector_user(user: Doc) -> Doc:
    return {k: user[k] for k in ("id", "display_name", "email", "is_active")}


def lookup(account: Account, request: Request) -> Doc:
    query, field = request.param("q"), request.param("f")
    if not query:
        raise invalid("q", "can't be blank")
    if not field:
        raise invalid("f", "can't be blank")
    asked = [e.strip() for e in (request.param("entities") or "contact").split(",") if e.strip()]
    answer: Doc = {}
    for entity in asked:
        module = ENTITIES.get(entity)
        if module is None:
            raise invalid("entities", f"{entity!r} is not one of {', '.join(ENTITIES)}")
        found = [render(module, r) for r in _live(account, module) if _matches(r, field, query)]
        answer[module] = {module: found}
    return answer


def _matches(record: Doc, field: str, query: str) -> bool:
    wanted = query.lower()
    if field in ("email", "emails"):
        return wanted in {str(a.get("value", "")).lower() for a in record.get("emails") or []}
    source = (record.get("custom_field") or {}) if field.startswith("cf_") else record
    value = source.get(field)
    return value is not None and str(value).lower() == wanted
