"""Decide, before any write, what each mart row will do in the destination.

The destination's records of an object are read once (live, and deleted where the destination
keeps deleted rows an upsert still matches: Twenty's unique indexes count soft-deleted rows)
and each mart row is matched the way the destination's upsert will (Twenty: on ``bizstimId``
and every other unique field, twenty-api.md §8). That tells, per row, whether the destination
will create it, update a live record (whose current state is kept as the before-image), or
restore a deleted one. Keys are compared as the destination stores them (the adapter's
``key_value``; Twenty lower-cases e-mails), so a mart e-mail differing only by case from a
record's is seen as the update it will be, with its before-image kept.
Rows whose hash the ledger already holds, for a record still live in the destination, are
``unchanged`` and are not sent at all: that is what makes a rerun (and the delta cutover)
cheap.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from load.core.marts import MartRow

KeyValue = Callable[[str, Any], Any]

ID_NAMESPACE = uuid.UUID("6f1d3c2a-8a8e-4b8e-9d42-4c1a2b3c4d5e")


def deterministic_id(obj: str, external_id: str) -> str:
    return str(uuid.uuid5(ID_NAMESPACE, f"{obj}:{external_id}"))


@dataclass
class Snapshot:
    """An object's records in the destination, indexed by every key an upsert matches on."""

    live: dict[str, dict[str, Any]] = field(default_factory=dict)  # id → record
    deleted: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_key: dict[tuple[str, Any], set[str]] = field(default_factory=dict)
    key_value: KeyValue = field(default=lambda _key, value: value)

    @classmethod
    def build(
        cls,
        live: list[dict],
        deleted: list[dict],
        keys: list[str],
        key_value: KeyValue = lambda _key, value: value,
    ) -> Snapshot:
        snap = cls({r["id"]: r for r in live}, {r["id"]: r for r in deleted}, key_value=key_value)
        for record in [*live, *deleted]:
            snap.by_key.setdefault(("id", key_value("id", record["id"])), set()).add(record["id"])
            for key in keys:
                value = key_value(key, _get(record, key))
                if value is not None:
                    snap.by_key.setdefault((key, value), set()).add(record["id"])
        return snap

    def record(self, record_id: str) -> dict[str, Any] | None:
        return self.live.get(record_id) or self.deleted.get(record_id)

    def matches(self, payload: dict[str, Any], keys: list[str]) -> set[str]:
        found: set[str] = set()
        for key in ["id", *keys]:
            value = self.key_value(key, _get(payload, key))  # as the destination compares it
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
    record_id: str | None = None
    before_image: dict[str, Any] | None = None
    message: str | None = None


def plan_row(
    row: MartRow,
    payload: dict[str, Any],
    known: dict[str, Any] | None,
    snapshot: Snapshot,
    keys: list[str],
    unchanged_outside_hash: Callable[[dict[str, Any], dict[str, Any]], bool] = lambda p, r: True,
) -> Planned:
    """``known``: the ledger's latest committed row for this record, if any;
    ``unchanged_outside_hash``: the adapter's check of values resolved at load time."""
    if (
        known
        and known["record_id"] in snapshot.live
        and known["row_hash"] == row.row_hash
        and known["action"] in ("created", "updated", "restored", "unchanged")
        and unchanged_outside_hash(payload, snapshot.live[known["record_id"]])
    ):
        return Planned(row, payload, "unchanged", known["record_id"])
    matched = snapshot.matches(payload, keys)
    if not matched:
        return Planned(row, payload, "created")
    if len(matched) > 1:
        # the destination refuses an input matching two records; send it anyway so the refusal
        # (and its message) is the destination's, and the record is quarantined with it.
        return Planned(row, payload, "updated", message="matches several existing records")
    record_id = next(iter(matched))
    existing = snapshot.record(record_id)
    action = "restored" if record_id in snapshot.deleted else "updated"
    return Planned(row, payload, action, record_id, before_image=existing)
