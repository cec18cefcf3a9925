"""The five v2 record kinds: which body keys each takes, how each is checked, its defaults,
and how a stored record is shown (the v2 spec's response schemas, §2.11 rules 3-6).

A key missing from an entity's table is refused with "Parameter 'x' is not allowed for this
request" (rule 4) even when the contract layer is off; for activities that includes
``custom_fields`` (rule 6: the v2 ``POST /activities`` body has none).

Choices where the reference is silent:

* Required on create: person ``name``, organization ``name`` (the spec's ``title`` is its
  known defect), product ``name`` non-empty (rule 5), deal ``title``. Activities need
  nothing: ``type`` defaults to ``task``, ``subject`` to the type's label, ``due_date`` to
  today (stand-in clock), as the web app does.
* Activity types are the six a new company has: call, meeting, task, deadline, email, lunch.
* Deals live in the one pipeline a new company has (id 1, stages 1-5); status ``open``,
  currency ``EUR`` and ``value`` 0 by default; ``won_time``/``lost_time`` follow ``status``.
* Person ``first_name``/``last_name`` are the name's first word and the rest; the first
  e-mail/phone is primary when none is; labels default to ``work``.
* Product ``prices`` hold one entry per currency (rule 5: a repeated currency is 400); a
  PATCH with ``prices`` replaces the list; ``category`` must be an option id of the built-in
  category field (a new company has none, see ``fields.py``).
* ``visible_to`` defaults to 3 (owner's visibility group), one of 1/3/5/7.
* Root keys whose value is unset are left out of answers: the spec marks most of them
  non-nullable (``org_id`` is ``integer``), and answers must conform to it. ``custom_fields``
  lists every custom field of the entity, unset ones as null.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sandbox.pipedrive import checks, fields
from sandbox.pipedrive.accounts import Account
from sandbox.pipedrive.store import Doc

ACTIVITY_TYPES = {
    "call": "Call",
    "meeting": "Meeting",
    "task": "Task",
    "deadline": "Deadline",
    "email": "Email",
    "lunch": "Lunch",
}
DEAL_STATUSES = ("open", "won", "lost")
BILLING = ("one-time", "annually", "semi-annually", "quarterly", "monthly", "weekly")


@dataclass(frozen=True)
class Entity:
    kind: str  # store kind and fields entity: person, organization, ...
    label: str  # "Person", for messages
    keys: dict[str, checks.Check]
    required: tuple[str, ...]
    shown: tuple[str, ...]  # root keys of an answer, in the spec's order

    @property
    def has_custom_fields(self) -> bool:
        return "custom_fields" in self.keys


_OWNED = {
    "owner_id": checks.ref,
    "visible_to": checks.one_of((1, 3, 5, 7)),
    "add_time": checks.stamp,
    "update_time": checks.stamp,
    "label_ids": checks.ints,
    "custom_fields": checks.free,
}
ENTITIES: dict[str, Entity] = {
    "persons": Entity(
        "person",
        "Person",
        {
            "name": checks.text(255, False),
            "org_id": checks.ref,
            "emails": checks.contacts,
            "phones": checks.contacts,
            "marketing_status": checks.one_of(
                ("no_consent", "unsubscribed", "subscribed", "archived")
            ),
            **_OWNED,
        },
        ("name",),
        (
            "id",
            "name",
            "first_name",
            "last_name",
            "owner_id",
            "org_id",
            "add_time",
            "update_time",
            "emails",
            "phones",
            "is_deleted",
            "visible_to",
            "label_ids",
        ),
    ),
    "organizations": Entity(
        "organization",
        "Organization",
        {"name": checks.text(255, False), "address": checks.address, **_OWNED},
        ("name",),
        (
            "id",
            "name",
            "owner_id",
            "add_time",
            "update_time",
            "is_deleted",
            "visible_to",
            "address",
            "label_ids",
        ),
    ),
    "products": Entity(
        "product",
        "Product",
        {
            "name": checks.text(255, False),
            "code": checks.text(),
            "description": checks.text(65535),
            "unit": checks.text(),
            "tax": checks.num,
            "category": checks.category,
            "owner_id": checks.ref,
            "is_linkable": checks.boolean,
            "visible_to": checks.one_of((1, 3, 5, 7)),
            "prices": checks.prices,
            "custom_fields": checks.free,
            "billing_frequency": checks.one_of(BILLING),
            "billing_frequency_cycles": checks.integer,
        },
        ("name",),
        (
            "id",
            "name",
            "code",
            "description",
            "unit",
            "tax",
            "category",
            "is_deleted",
            "is_linkable",
            "visible_to",
            "owner_id",
            "billing_frequency",
            "billing_frequency_cycles",
            "prices",
            "add_time",
            "update_time",
        ),
    ),
    "deals": Entity(
        "deal",
        "Deal",
        {
            "title": checks.text(255, False),
            "person_id": checks.ref,
            "org_id": checks.ref,
            "pipeline_id": checks.one_of((1,)),
            "stage_id": checks.one_of((1, 2, 3, 4, 5)),
            "value": checks.num,
            "currency": checks.text(3),
            "status": checks.one_of(DEAL_STATUSES),
            "probability": checks.num,
            "lost_reason": checks.text(),
            "close_time": checks.stamp,
            "won_time": checks.stamp,
            "lost_time": checks.stamp,
            "expected_close_date": checks.date,
            "is_deleted": checks.one_of((False,)),
            "is_archived": checks.boolean,
            "archive_time": checks.stamp,
            **_OWNED,
        },
        ("title",),
        (
            "id",
            "title",
            "owner_id",
            "person_id",
            "org_id",
            "pipeline_id",
            "stage_id",
            "value",
            "currency",
            "add_time",
            "update_time",
            "stage_change_time",
            "is_deleted",
            "is_archived",
            "status",
            "probability",
            "lost_reason",
            "visible_to",
            "close_time",
            "won_time",
            "lost_time",
            "expected_close_date",
            "label_ids",
        ),
    ),
    "activities": Entity(
        "activity",
        "Activity",
        {
            "subject": checks.text(),
            "type": checks.one_of(tuple(ACTIVITY_TYPES)),
            "owner_id": checks.ref,
            "deal_id": checks.ref,
            "lead_id": checks.text(),
            "person_id": checks.ref,
            "org_id": checks.ref,
            "project_id": checks.integer,
            "due_date": checks.date,
            "due_time": checks.time,
            "duration": checks.time,
            "busy": checks.boolean,
            "done": checks.boolean,
            "location": checks.address,
            "participants": checks.free,
            "attendees": checks.free,
            "public_description": checks.text(65535),
            "priority": checks.integer,
            "note": checks.text(65535),
        },
        (),
        (
            "id",
            "subject",
            "type",
            "owner_id",
            "creator_user_id",
            "is_deleted",
            "add_time",
            "update_time",
            "deal_id",
            "lead_id",
            "person_id",
            "org_id",
            "project_id",
            "due_date",
            "due_time",
            "duration",
            "busy",
            "done",
            "marked_as_done_time",
            "location",
            "participants",
            "attendees",
            "public_description",
            "priority",
            "note",
        ),
    ),
}


def defaults(entity: Entity, account: Account, user_id: int, doc: Doc) -> None:
    """Fill what a new record gets when the body leaves it out."""
    doc.setdefault("owner_id", user_id)
    if entity.kind in ("person", "organization", "product", "deal"):
        doc.setdefault("visible_to", 3)
    if entity.kind == "product":
        doc.setdefault("tax", 0)
        doc.setdefault("is_linkable", True)
        doc.setdefault("billing_frequency", "one-time")
        doc.setdefault("prices", [])
    if entity.kind == "deal":
        for key, value in (
            ("pipeline_id", 1),
            ("stage_id", 1),
            ("status", "open"),
            ("value", 0),
            ("currency", "EUR"),
            ("is_archived", False),
        ):
            doc.setdefault(key, value)
        doc.setdefault("stage_change_time", doc["add_time"])
    if entity.kind == "activity":
        doc.setdefault("type", "task")
        doc.setdefault("subject", ACTIVITY_TYPES[doc["type"]])
        doc.setdefault("due_date", account.clock.now().strftime("%Y-%m-%d"))
        doc.setdefault("done", False)
        doc["creator_user_id"] = user_id


def derive(entity: Entity, account: Account, doc: Doc, changed: set[str], given: set[str]) -> None:
    """Keys the server computes from others after a write that ``changed`` keys; a time the
    body ``given`` itself (settable history: ``won_time``...) is kept as sent."""
    now = doc["update_time"]

    def stamp(key: str, condition: bool) -> None:
        if key not in given:
            doc[key] = now if condition else (doc.get(key) if key != "close_time" else None)

    if entity.kind == "person":
        first, _, last = (doc.get("name") or "").partition(" ")
        doc["first_name"], doc["last_name"] = first, last
    if entity.kind == "deal" and "status" in changed:
        stamp("won_time", doc["status"] == "won")
        stamp("lost_time", doc["status"] == "lost")
        stamp("close_time", doc["status"] != "open")
    if entity.kind == "deal" and "stage_id" in changed:
        stamp("stage_change_time", True)
    if entity.kind == "activity" and "done" in changed:
        doc["marked_as_done_time"] = now if doc["done"] else None
    if entity.kind == "product":
        doc["prices"] = [{"product_id": doc["id"], **p} for p in doc.get("prices", [])]


def render(
    entity: Entity, account: Account, doc: Doc, selected: list[str] | None = None
) -> dict[str, Any]:
    """A stored record as the v2 answer shows it (``selected`` = the ``custom_fields=`` list)."""
    out = {k: doc[k] for k in entity.shown if doc.get(k) is not None}
    out["is_deleted"] = bool(doc.get("is_deleted"))
    if entity.has_custom_fields:
        stored = doc.get("custom_fields", {})
        codes = [f["field_code"] for f in fields.custom_fields(account, entity.kind)]
        if selected is not None:
            codes = [c for c in codes if c in selected]
        out["custom_fields"] = {code: stored.get(code) for code in codes}
    return out
