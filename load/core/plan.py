"""Decide, before any write, what each mart row will do in Twenty.

The loader lists the object's records once (live, then soft-deleted: Twenty hides those from
plain lists, and its unique indexes still count them) and matches each mart row the way
Twenty's upsert will (twenty-api.md §8): on ``bizstimId`` and on every other unique field, over
live and soft-deleted rows. That tells, per row, whether Twenty will create it, update a live
record (whose current state is kept as the before-image), or restore a soft-deleted one.
Keys are compared as Twenty stores them (:func:`load.twenty.normalise.stored_key`: e-mails
lower-cased, link origins canonical), so a mart e-mail differing only by case from a record's
is seen as the update Twenty will make of it, with its before-image kept.
Rows whose hash the ledger already holds, for a record still live in Twenty, are ``unchanged``
and are not sent at all: that is what makes a rerun (and the delta cutover) cheap.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from load.core.marts import MartRow
from load.twenty.catalog import EXTERNAL_ID_FIELD
from load.twenty.normalise import stored_key

ID_NAMESPACE = uuid.UUID("6f1d3c2a-8a8e-4b8e-9d42-4c1a2b3c4d5e")


def deterministic_id(obj: str, external_id: str) -> str:
    return str(uuid.uuid5(ID_NAMESPACE, f"{obj}:{external_id}"))


@dataclass
class Snapshot:
    """An object's records in Twenty, indexed by every key an upsert matches on."""

    live: dict[str, dict[str, Any]] = field(default_factory=dict)  # id → record
    deleted: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_key: dict[tuple[str, Any], set[str]] = field(default_factory=dict)

    @classmethod
    def build(cls, live: list[dict], deleted: list[dict], keys: list[str]) -> Snapshot:
        snap = cls({r["id"]: r for r in live}, {r["id"]: r for r in deleted})
        for record in [*live, *deleted]:
            snap.by_key.setdefault(("id", stored_key("id", record["id"])), set()).add(record["id"])
            for key in keys:
                value = stored_key(key, _get(record, key))
                if value is not None:
                    snap.by_key.setdefault((key, value), set()).add(record["id"])
        return snap

    def record(self, twenty_id: str) -> dict[str, Any] | None:
        return self.live.get(twenty_id) or self.deleted.get(twenty_id)

    def matches(self, payload: dict[str, Any], keys: list[str]) -> set[str]:
        found: set[str] = set()
        for key in ["id", *keys]:
            value = stored_key(key, _get(payload, key))  # as Twenty compares it (rules 1, 3)
            if value is not None:
                found |= self.by_key.get((key, value), set())
        return found


def _get(record: dict[str, Any], dotted: str) -> Any:
    value: Any = record
    for part in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


@dataclass
class Planned:
    row: MartRow
    payload: dict[str, Any]
    action: str  # created | updated | restored | unchanged | quarantined
    twenty_id: str | None = None
    before_image: dict[str, Any] | None = None
    message: str | None = None


def plan_row(
    row: MartRow,
    payload: dict[str, Any],
    known: dict[str, Any] | None,
    snapshot: Snapshot,
    keys: list[str],
) -> Planned:
    """``known``: the ledger's latest committed row for this record, if any."""
    if (
        known
        and known["twenty_id"] in snapshot.live
        and known["row_hash"] == row.row_hash
        and known["action"] in ("created", "updated", "restored", "unchanged")
        and not owner_changed(payload, snapshot.live[known["twenty_id"]])
    ):
        return Planned(row, payload, "unchanged", known["twenty_id"])
    matched = snapshot.matches(payload, keys)
    if not matched:
        return Planned(row, payload, "created")
    if len(matched) > 1:
        # Twenty refuses an input matching two records; send it anyway so the refusal (and its
        # message) is Twenty's, and the record is quarantined with it.
        return Planned(row, payload, "updated", message="matches several existing records")
    twenty_id = next(iter(matched))
    existing = snapshot.record(twenty_id)
    action = "restored" if twenty_id in snapshot.deleted else "updated"
    return Planned(row, payload, action, twenty_id, before_image=existing)


def owner_changed(payload: dict[str, Any], record: dict[str, Any]) -> bool:
    """An owner is resolved at load time, not in the mart's ``row_hash``: a practitioner whose
    workspace member was invited after the first load gets it on the next one, and a record
    whose owner was changed in Twenty is set back, although the Bizstim row did not change."""
    return "ownerId" in payload and record.get("ownerId") != payload["ownerId"]


def unique_keys(unique_fields: list[tuple[str, str]]) -> list[str]:
    """Keys an upsert matches on besides ``id``: ``bizstimId`` and every unique field."""
    keys = [EXTERNAL_ID_FIELD]
    for name, ftype in unique_fields:
        if name == EXTERNAL_ID_FIELD:
            continue
        if ftype == "EMAILS":
            keys.append(f"{name}.primaryEmail")
        elif ftype == "LINKS":
            keys.append(f"{name}.primaryLinkUrl")
        else:
            keys.append(name)
    return keys
