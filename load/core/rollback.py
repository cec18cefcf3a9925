"""`bizmig rollback`: undo loads exactly, from the ledger, in reverse dependency order.

For every record the selected runs touched, the *earliest* thing they did decides the undo:

* ``created`` → destroyed (Twenty: hard delete, so a soft-deleted row can never block a re-run
  through its unique indexes, which count soft-deleted rows; each adapter's ``destroy`` says
  what its destination allows);
* ``updated`` → its before-image written back (the fields the migration writes);
* ``restored`` → its before-image written back, then soft-deleted again, as it was;
* ``archived`` (soft-deleted by ``--archive-missing``) → restored.

With ``--schema`` the custom fields and objects the loader created are removed as well
(Twenty: deactivated, then deleted; fields before objects). Every undo is itself recorded in
the ledger (``destroyed`` / ``reverted``) a chunk of 100 at a time, so the next load starts
from the true state and a killed rollback resumes where it stopped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from load.core.ledger import SCHEMA, Entry
from load.core.loader import Loader
from load.core.specs import LoadSpec

CHUNK = 100  # records destroyed (and recorded) per step


@dataclass
class RollbackResult:
    destroyed: dict[str, int] = field(default_factory=dict)
    reverted: dict[str, int] = field(default_factory=dict)
    schema_removed: list[str] = field(default_factory=list)


def _first_actions(loader: Loader, run_ids: Sequence[str] | None) -> dict[str, dict[str, Any]]:
    """(object/external id) → earliest committed create/update/restore of the selected runs."""
    where = "and l.run_id in (select unnest(?))" if run_ids else ""
    params: list[Any] = [loader.ledger.destination]
    params += [list(run_ids)] if run_ids else []
    sql = (
        f"select l.* from {SCHEMA}.ledger l join {SCHEMA}.load_runs r using (run_id) "
        "where r.command = 'load' and l.state = 'committed' and l.destination = ? "
        f"and l.action in ('created', 'updated', 'restored') {where} "
        "qualify row_number() over (partition by l.object, l.external_id order by l.seq) = 1"
    )
    rows = loader.ledger.query(sql, params)
    undone = loader.ledger.query(
        f"select object, external_id, max(seq) as seq from {SCHEMA}.ledger "
        "where state = 'committed' and action in ('destroyed', 'reverted') and destination = ? "
        "group by object, external_id",
        [loader.ledger.destination],
    )
    undone_at = {(u["object"], u["external_id"]): u["seq"] for u in undone}
    return {
        f"{r['object']}/{r['external_id']}": r
        for r in rows
        if undone_at.get((r["object"], r["external_id"]), -1) < r["seq"]
    }


def _archived(loader: Loader, run_ids: Sequence[str] | None) -> list[dict[str, Any]]:
    where = "and l.run_id in (select unnest(?))" if run_ids else ""
    params: list[Any] = [loader.ledger.destination]
    params += [list(run_ids)] if run_ids else []
    return loader.ledger.query(
        f"select l.* from {SCHEMA}.ledger_current l join {SCHEMA}.load_runs r using (run_id) "
        f"where r.command = 'load' and l.action = 'archived' and l.destination = ? {where}",
        params,
    )


def rollback(
    loader: Loader, specs: Sequence[LoadSpec], run_ids: Sequence[str] | None, schema: bool
) -> RollbackResult:
    result = RollbackResult()
    todo = _first_actions(loader, run_ids)
    for spec in reversed(specs):
        mine = [r for r in todo.values() if r["object"] == spec.singular]
        dest = loader.destination
        created = [r for r in mine if r["action"] == "created" and r["record_id"]]
        for i in range(0, len(created), CHUNK):
            chunk = created[i : i + CHUNK]
            dest.destroy(spec, [r["record_id"] for r in chunk])
            loader.ledger.record(loader.run_id, [_undo(r, "destroyed") for r in chunk])
        result.destroyed[spec.singular] = len(created)
        changed = [r for r in mine if r["action"] in ("updated", "restored")]
        for row in changed:
            before = row["before_image"] or {}
            dest.revert(spec, row["record_id"], before, row["action"] == "restored")
            loader.ledger.record(loader.run_id, [_undo(row, "reverted")])
        archived = [
            r
            for r in _archived(loader, run_ids)
            if r["object"] == spec.singular and f"{r['object']}/{r['external_id']}" not in todo
        ]
        for row in archived:  # soft-deleted by --archive-missing: bring back
            dest.unarchive(spec, row["record_id"])
            loader.ledger.record(loader.run_id, [_undo(row, "reverted")])
        result.reverted[spec.singular] = len(changed) + len(archived)
    if schema:
        result.schema_removed = loader.destination.remove_schema()
    return result


def _undo(row: dict[str, Any], action: str) -> Entry:
    return Entry(row["object"], row["external_id"], action, row["record_id"], row["row_hash"])
