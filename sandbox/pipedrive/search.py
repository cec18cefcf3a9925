"""v2 search (§2.11 rule 10): ``GET /api/v2/{persons,organizations,products}/search``.

The loader should not search per record (20 tokens each, destinations-2.md §2.3), but a
careless adapter will, so the stand-in makes search behave as documented and no kinder:
``term`` needs 2 characters (1 with ``exact_match``); ``exact_match`` compares whole values
case-insensitively; only ``address``, ``varchar``, ``text``, ``varchar_auto``, ``double``,
``monetary`` and ``phone`` custom fields are searched (an ``enum`` or ``date`` value is
never found); and an optional indexing lag hides records written moments ago, as search
indexes do in comparable CRMs (HubSpot php#59, Zendesk ruby#275; [?] for Pipedrive).

Choices where the reference is silent:

* Without ``exact_match`` a value matches when it contains the term, case-insensitively.
  ``result_score`` is 1 for a whole-value match, else term length / value length of the
  best match; results come best first, then by id, paged by ``limit`` (≤ 500, default 100)
  and the list cursor (``listing.page``).
* Searchable built-ins (``fields``, default all): persons ``name``, ``email``, ``phone``,
  ``notes``; organizations ``name``, ``address``, ``notes``; products ``name``, ``code``.
  ``notes`` are the v1 notes on the record, HTML tags dropped. A number is searched as
  written without a trailing ``.0``; ``monetary`` by its amount; ``address`` by its
  formatted ``value``.
* An item lists the values that matched under ``custom_fields`` and ``notes``.
* With a lag of L seconds a record is found only once its ``update_time`` is L seconds
  old on the stand-in clock (an update hides it again until then: the stand-in keeps no
  stale copy of the index).
* ``searchProducts`` documents ``item.code`` as an integer though a product's ``code`` is a
  string everywhere else in the spec; the item carries the string (``contract.py`` patches
  the response schema to match).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox.pipedrive import fields, listing
from sandbox.pipedrive.accounts import V2_TIME, Account
from sandbox.pipedrive.errors import invalid
from sandbox.pipedrive.store import Doc

SEARCHABLE_TYPES = ("address", "varchar", "text", "varchar_auto", "double", "monetary", "phone")
FIELDS = {
    "persons": ("custom_fields", "email", "notes", "phone", "name"),
    "organizations": ("address", "custom_fields", "notes", "name"),
    "products": ("code", "custom_fields", "name"),
}
KINDS = {"persons": "person", "organizations": "organization", "products": "product"}
NOTE_PARENT = {"person": "person_id", "organization": "org_id"}
TAG = re.compile(r"<[^>]+>")


def search(
    account: Account, plural: str, query: listing.Query, lag_s: float = 0.0
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of search results for ``/api/v2/<plural>/search`` and the next cursor."""
    kind = KINDS[plural]
    exact = (listing.param(query, "exact_match") or "").lower() in ("true", "1")
    term = (listing.param(query, "term") or "").strip()
    if len(term) < (1 if exact else 2):
        raise invalid("term: Search term must be at least 2 characters long (1 with exact_match)")
    wanted = _fields(plural, listing.param(query, "fields"))
    org_filter = listing.param(query, "organization_id") if plural == "persons" else None
    if org_filter and not org_filter.isdigit():
        raise invalid("organization_id: Expected 'number' as value")
    searchable = [
        f["field_code"]
        for f in fields.custom_fields(account, kind)
        if f["field_type"] in SEARCHABLE_TYPES
    ]
    indexed_until = (account.clock.now() - timedelta(seconds=lag_s)).astimezone(UTC)
    found = []
    for doc in account.store.kind(kind).values():
        if doc.get("is_deleted") or not _indexed(doc, indexed_until):
            continue
        if org_filter and doc.get("org_id") != int(org_filter):
            continue
        hits = _hits(account, kind, doc, wanted, searchable)
        scored = [
            (score, where, text) for where, text in hits if (score := _score(text, term, exact))
        ]
        if scored:
            found.append((max(s for s, _, _ in scored), doc, scored))
    chunk, cursor = listing.page(found, query, lambda hit: (-hit[0], hit[1]["id"]))
    return [_item(account, kind, *hit) for hit in chunk], cursor


def answer(
    account: Account, plural: str, query: listing.Query, lag_s: float = 0.0
) -> dict[str, Any]:
    """The whole v2 answer body: ``{"success", "data": {"items"}, "additional_data"}``."""
    items, cursor = search(account, plural, query, lag_s)
    return {"success": True, "data": {"items": items}, "additional_data": {"next_cursor": cursor}}


def _fields(plural: str, text: str | None) -> tuple[str, ...]:
    allowed = FIELDS[plural]
    if not text:
        return allowed
    wanted = tuple(part.strip() for part in text.split(",") if part.strip())
    for part in wanted:
        if part not in allowed:
            raise invalid(f"fields: '{part}' is not one of {', '.join(allowed)}")
    return wanted


def _indexed(doc: Doc, until: datetime) -> bool:
    stamp = doc.get("update_time") or doc.get("add_time")
    if not stamp:
        return True
    return datetime.strptime(stamp, V2_TIME).replace(tzinfo=UTC) <= until


def _hits(
    account: Account, kind: str, doc: Doc, wanted: tuple[str, ...], searchable: list[str]
) -> list[tuple[str, str]]:
    """(where, text) of every searchable value of the record among the ``fields`` asked."""
    hits: list[tuple[str, str]] = []
    if "name" in wanted and doc.get("name"):
        hits.append(("name", doc["name"]))
    if "code" in wanted and doc.get("code"):
        hits.append(("code", doc["code"]))
    for where, key in (("email", "emails"), ("phone", "phones")):
        if where in wanted:
            hits += [(where, item["value"]) for item in doc.get(key) or []]
    if "address" in wanted and doc.get("address"):
        hits.append(("address", _text(doc["address"])))
    if "custom_fields" in wanted:
        stored = doc.get("custom_fields") or {}
        hits += [
            ("custom_fields", _text(stored[code]))
            for code in searchable
            if stored.get(code) is not None
        ]
    if "notes" in wanted and kind in NOTE_PARENT:
        parent = NOTE_PARENT[kind]
        hits += [
            ("notes", TAG.sub("", note.get("content", "")))
            for note in account.store.kind("note").values()
            if note.get(parent) == doc["id"]
        ]
    return hits


def _text(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("value", "")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _score(text: str, term: str, exact: bool) -> float:
    value, wanted = text.casefold(), term.casefold()
    if value == wanted:
        return 1.0
    if exact or not value or wanted not in value:
        return 0.0
    return round(len(wanted) / len(value), 4)


def _item(
    account: Account, kind: str, score: float, doc: Doc, scored: list[tuple[float, str, str]]
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": doc["id"],
        "type": kind,
        "name": doc.get("name", ""),
        "visible_to": doc.get("visible_to", 3),
        "owner": {"id": doc.get("owner_id")},
        "custom_fields": [text for _, where, text in scored if where == "custom_fields"],
    }
    if kind in NOTE_PARENT:
        item["notes"] = [text for _, where, text in scored if where == "notes"]
    if kind == "person":
        item["phones"] = [p["value"] for p in doc.get("phones") or []]
        item["emails"] = [e["value"] for e in doc.get("emails") or []]
        org = account.store.get("organization", doc["org_id"]) if doc.get("org_id") else None
        if org is not None and not org.get("is_deleted"):
            item["organization"] = {"id": org["id"], "name": org.get("name", "")}
    if kind == "organization" and doc.get("address"):
        item["address"] = _text(doc["address"])
    if kind == "product" and doc.get("code"):
        item["code"] = doc["code"]
    return {"result_score": score, "item": item}
