"""v2 record writes and reads by id: POST, GET one, PATCH, DELETE (§2.11 rules 3, 4, 5, 6, 13).

POST answers 200 (not 201) with ``{"success": true, "data": {...}}``, the only status the
v2 spec documents. DELETE "marks a ... as deleted. After 30 days, the ... will be
permanently deleted" (destinations-2.md §2.7): the record keeps its id, answers
``{"success": true, "data": {"id": N}}``, and from then on is missing from lists and from
GET/PATCH/DELETE (404; the reference marks the 404 [?]); there is no undelete. After 30 days
of the stand-in clock it is purged from the store (``purge``, run at most once per stand-in
day per account, before the request's work).

Choices where the reference is silent: a deleted record still counts as a missing parent
for new writes (``org_id`` of a deleted organization is refused); deleting a parent does not
touch its children (they keep the id, as Pipedrive keeps a deleted organization's persons);
``add_time``/``update_time`` in a body are kept (the reference: settable history), else the
stand-in clock's now.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sandbox.pipedrive import values
from sandbox.pipedrive.accounts import V2_TIME, Account
from sandbox.pipedrive.entities import ENTITIES, Entity, defaults, derive, render
from sandbox.pipedrive.errors import PdError, invalid, not_allowed, not_found
from sandbox.pipedrive.store import Doc

PURGE_DAYS = 30


def entity_of(plural: str) -> Entity:
    return ENTITIES[plural]


def create(account: Account, user_id: int, entity: Entity, body: Any) -> dict[str, Any]:
    body = _object(body)
    for key in entity.required:
        if key not in body or body[key] is None:
            raise invalid(f"{key}: Required field '{key}' is missing")
    now = account.v2_now()
    doc: Doc = {"add_time": now, "update_time": now, "is_deleted": False, "custom_fields": {}}
    changed = _apply(entity, account, doc, body)
    defaults(entity, account, user_id, doc)
    doc["id"] = account.store.next_id(entity.kind)  # only a create that passed uses an id
    derive(entity, account, doc, changed | {"status", "stage_id", "done"}, changed)
    account.store.save(entity.kind, doc["id"], doc)
    return render(entity, account, doc)


def get(
    account: Account, entity: Entity, record_id: str, selected: list[str] | None = None
) -> dict[str, Any]:
    return render(entity, account, live(account, entity, record_id), selected)


def update(account: Account, entity: Entity, record_id: str, body: Any) -> dict[str, Any]:
    doc = live(account, entity, record_id)
    body = _object(body)
    draft = {**doc, "custom_fields": dict(doc.get("custom_fields", {}))}
    draft["update_time"] = account.v2_now()
    changed = _apply(entity, account, draft, body)
    for key in entity.required:
        if draft.get(key) is None:
            raise invalid(f"{key}: Must not be null")
    derive(entity, account, draft, changed, changed)
    account.store.save(entity.kind, draft["id"], draft)
    return render(entity, account, draft)


def delete(account: Account, entity: Entity, record_id: str) -> dict[str, Any]:
    doc = live(account, entity, record_id)
    doc["is_deleted"] = True
    doc["delete_time"] = account.v2_now()
    account.store.save(entity.kind, doc["id"], doc)
    return {"id": doc["id"]}


def live(account: Account, entity: Entity, record_id: str | int) -> Doc:
    """The record with this id unless it is unknown or deleted (both 404)."""
    doc = account.store.get(entity.kind, record_id) if str(record_id).isdigit() else None
    if doc is None or doc.get("is_deleted"):
        raise not_found(entity.label)
    return doc


def purge(account: Account) -> int:
    """Drop records deleted more than 30 stand-in days ago; how many went."""
    today = account.clock.now().strftime("%Y-%m-%d")
    if account.last_purge == today:
        return 0
    account.last_purge = today
    cutoff = (account.clock.now() - timedelta(days=PURGE_DAYS)).strftime(V2_TIME)
    gone = 0
    for entity in ENTITIES.values():
        for doc in list(account.store.kind(entity.kind).values()):
            if doc.get("is_deleted") and doc.get("delete_time", cutoff) < cutoff:
                account.store.drop(entity.kind, doc["id"])
                gone += 1
    return gone


def _object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise PdError(400, "Validation failed: body: Expected an object")
    return body


def _apply(entity: Entity, account: Account, doc: Doc, body: dict[str, Any]) -> set[str]:
    """Check every body key and write it into ``doc``; the keys that were written."""
    for key in body:
        if key not in entity.keys:
            raise not_allowed(key)
    changed = set()
    for key, value in body.items():
        if key == "custom_fields":
            doc["custom_fields"].update(values.custom_values(account, entity.kind, value))
        else:
            doc[key] = entity.keys[key](account, key, value)
        changed.add(key)
    return changed
