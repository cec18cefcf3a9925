"""`bizmig rollback`: undo loads exactly, from the ledger, in reverse dependency order.

For every record the selected runs touched, the *earliest* thing they did decides the undo:

* ``created`` → destroyed (hard delete, so a soft-deleted row can never block a re-run through
  Twenty's unique indexes, which count soft-deleted rows);
* ``updated`` → its before-image written back (the fields the migration writes);
* ``restored`` → its before-image written back, then soft-deleted again, as it was;
* ``archived`` (soft-deleted by ``--archive-missing``) → restored.

With ``--schema`` the custom fields and objects the loader created are removed as well
(deactivated, then deleted; fields before objects). Every undo is itself recorded in the ledger
(``destroyed`` / ``reverted``), so the next load starts from the true state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from load.core.ledger import SCHEMA, Entry
from load.core.loader import Loader
from load.twenty.catalog import EXTERNAL_ID_FIELD
from load.twenty.specs import LoadSpec

BULK = 100  # MUTATION_MAXIMUM_AFFECTED_RECORDS
ANY_STATE = "or(deletedAt[is]:NULL,deletedAt[is]:NOT_NULL)"  # lists soft-deleted rows too


@dataclass
class RollbackResult:
    destroyed: dict[str, int] = field(default_factory=dict)
    reverted: dict[str, int] = field(default_factory=dict)
    schema_removed: list[str] = field(default_factory=list)


def _first_actions(loader: Loader, run_ids: Sequence[str] | None) -> dict[str, dict[str, Any]]:
    """(object/external id) → earliest committed create/update/restore of the selected runs."""
    where = "and l.run_id in (select unnest(?))" if run_ids else ""
    params: list[Any] = [list(run_ids)] if run_ids else []
    sql = (
        f"select l.* from {SCHEMA}.ledger l join {SCHEMA}.load_runs r using (run_id) "
        "where r.command = 'load' and l.state = 'committed' "
        f"and l.action in ('created', 'updated', 'restored') {where} "
        "qualify row_number() over (partition by l.object, l.external_id order by l.seq) = 1"
    )
    rows = loader.ledger.query(sql, params)
    undone = loader.ledger.query(
        f"select object, external_id, max(seq) as seq from {SCHEMA}.ledger "
        "where state = 'committed' and action in ('destroyed', 'reverted') "
        "group by object, external_id"
    )
    undone_at = {(u["object"], u["external_id"]): u["seq"] for u in undone}
    return {
        f"{r['object']}/{r['external_id']}": r
        for r in rows
        if undone_at.get((r["object"], r["external_id"]), -1) < r["seq"]
    }


def _archived(loader: Loader, run_ids: Sequence[str] | None) -> list[dict[str, Any]]:
    where = "and l.run_id in (select unnest(?))" if run_ids else ""
    params: list[Any] = [list(run_ids)] if run_ids else []
    return loader.ledger.query(
        f"select l.* from {SCHEMA}.ledger_current l join {SCHEMA}.load_runs r using (run_id) "
        f"where r.command = 'load' and l.action = 'archived' {where}",
        params,
    )


def _writable(loader: Loader, spec: LoadSpec) -> set[str]:
    names = {EXTERNAL_ID_FIELD}
    for f in loader.catalog.fields_of(spec.singular):
        names.add(f"{f.name}Id" if f.type == "RELATION" else f.name)
    return names


def rollback(
    loader: Loader, specs: Sequence[LoadSpec], run_ids: Sequence[str] | None, schema: bool
) -> RollbackResult:
    result = RollbackResult()
    todo = _first_actions(loader, run_ids)
    for spec in reversed(specs):
        mine = [r for r in todo.values() if r["object"] == spec.singular]
        plural = loader.workspace.plural(spec.singular)
        created = [r for r in mine if r["action"] == "created" and r["twenty_id"]]
        for i in range(0, len(created), BULK):
            chunk = created[i : i + BULK]
            ids = ",".join(r["twenty_id"] for r in chunk)
            loader.client.request(
                "DELETE", f"/rest/{plural}", params={"filter": f"and(id[in]:[{ids}],{ANY_STATE})"}
            )
            loader.ledger.record(loader.run_id, [_undo(r, "destroyed") for r in chunk])
        result.destroyed[spec.singular] = len(created)
        changed = [r for r in mine if r["action"] in ("updated", "restored")]
        writable = _writable(loader, spec)
        for row in changed:
            before = row["before_image"] or {}
            body = {k: v for k, v in before.items() if k in writable}
            loader.client.request("PATCH", f"/rest/{plural}/{row['twenty_id']}", json=body)
            if row["action"] == "restored":
                loader.client.request(
                    "DELETE", f"/rest/{plural}/{row['twenty_id']}", params={"soft_delete": "true"}
                )
            loader.ledger.record(loader.run_id, [_undo(row, "reverted")])
        archived = [
            r
            for r in _archived(loader, run_ids)
            if r["object"] == spec.singular and f"{r['object']}/{r['external_id']}" not in todo
        ]
        for row in archived:  # soft-deleted by --archive-missing: bring back
            loader.client.request("PATCH", f"/rest/{plural}/{row['twenty_id']}/restore")
            loader.ledger.record(loader.run_id, [_undo(row, "reverted")])
        result.reverted[spec.singular] = len(changed) + len(archived)
    if schema:
        result.schema_removed = remove_schema(loader)
    return result


def _undo(row: dict[str, Any], action: str) -> Entry:
    return Entry(row["object"], row["external_id"], action, row["twenty_id"], row["row_hash"])


def remove_schema(loader: Loader) -> list[str]:
    created = loader.ledger.schema_created()
    removed: list[str] = []
    for kind in ("field", "object"):
        for item in reversed([c for c in created if c["kind"] == kind]):
            path = f"/rest/metadata/{kind}s/{item['metadata_id']}"
            loader.client.request("PATCH", path, json={"isActive": False})
            loader.client.request("DELETE", path)
            loader.ledger.forget_schema([item["metadata_id"]])
            removed.append(f"{item['object']}.{item['name']}" if kind == "field" else item["name"])
    return removed
