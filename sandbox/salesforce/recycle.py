"""Delete, the Recycle Bin and undelete (destinations-2.md §1.8, §1.12 rule 17).

Why it matters to a loader: rollback is "delete what we created", and a real delete is soft —
the row stays queryable through ``queryAll`` with ``IsDeleted = true`` for 15 days, takes its
dependants along (an Account its Contacts, Opportunities, Events, note links) and clears the
lookups that pointed at it; ``undelete`` brings all of that back. A stand-in that removed
rows outright would let reconciliation counts and rollback-of-rollback pass that fail on an org.

As built:
* cascade: every lookup flagged ``cascade_delete`` (Contact/Opportunity → Account, Event →
  Who/What, PricebookEntry → Product2/Pricebook2, ContentDocumentLink → both ends,
  FieldPermissions/assignments → PermissionSet, custom master-detail) deletes the child with
  the parent, transitively; other lookups are set to null and restored by undelete; a
  *required* lookup without cascade blocks the delete (``DELETE_FAILED``).
* every row deleted with a parent remembers it (``_deleted_by``); only the parent is in the
  bin, so undeleting a child alone is ``UNDELETE_FAILED``; undeleting the parent restores the
  whole group.
* a recycled row no longer holds its unique / External ID values (a new record may take
  them; upsert never matches it) — undelete then fails with ``DUPLICATE_VALUE`` if the value
  was taken meanwhile.
* deleting a row that an earlier row of the *same call* already took along succeeds (a
  rollback that lists parents before children is not punished).
* ``hardDelete`` (Bulk, with the permission) and deletes of non-recyclable objects (links,
  permission sets, field permissions, assignments) remove rows for good; the bin is emptied
  of rows deleted more than 15 days ago (``purge``) at start-up and when the clock moves.
* ``User`` cannot be deleted (``INVALID_TYPE_FOR_OPERATION``), nor the Standard Price Book.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from sandbox.salesforce import ids
from sandbox.salesforce.engine_protocols import RuleEngine
from sandbox.salesforce.errors import Outcome, RowError
from sandbox.salesforce.values import format_datetime

Row = dict[str, Any]
BIN_DAYS = 15


def _outcome(rid: str) -> Outcome:
    return Outcome(rid, True, False)


def _gone_error(engine: RuleEngine, rid: str) -> RowError:
    """A missing id that this org once issued was deleted; one it never issued is unknown."""
    number = 0
    for char in rid[6:15]:
        number = number * 62 + ids.BASE62.index(char)
    if number <= engine.counters.get(rid[:3], 0):
        return RowError("ENTITY_IS_DELETED", "entity is deleted")
    return RowError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")


def delete_one(engine: RuleEngine, obj: Any, row: Row, hard: bool,
               deleted_now: set[str]) -> Outcome:
    raw = next((v for k, v in row.items() if k.lower() == "id"), None)
    rid = ids.normalize(raw) if isinstance(raw, str) else None
    if rid is None:
        raise RowError("MALFORMED_ID", f"malformed id {raw}", ["Id"])
    owner = engine.schema.object_for_id(rid)
    if owner is None or owner.table != obj.table:
        raise RowError("MALFORMED_ID", f"{obj.label} ID: id value of incorrect type: {rid}")
    current = engine.tables.get(obj.table, {}).get(rid)
    if current is None:
        raise _gone_error(engine, rid)
    if current.get("IsDeleted"):
        if current.get("_deleted_by") in deleted_now:
            return _outcome(rid)
        raise RowError("ENTITY_IS_DELETED", "entity is deleted")
    if not obj.deletable:
        raise RowError("INVALID_TYPE_FOR_OPERATION", "entity type cannot be deleted")
    if obj.name == "Pricebook2" and current.get("IsStandard"):
        raise RowError("DELETE_FAILED", "The standard price book can't be deleted")
    group, clears = _collect(engine, obj.table, rid)
    now = engine.org.now()
    stamp = format_datetime(now)
    permanent = hard or not obj.recyclable
    for table, child_id, field in clears:
        child = dict(engine.tables[table][child_id])
        child[field] = None
        child["SystemModstamp"] = stamp
        if not permanent:
            child["_cleared"] = {**(child.get("_cleared") or {}), field: rid}
        engine.put(engine.table_object(table), child)
    for table, member_id in group:
        if permanent:
            engine.remove(table, member_id)
            continue
        gone = dict(engine.tables[table][member_id])
        gone.update(IsDeleted=True, SystemModstamp=stamp, _deleted_by=rid,
                    _deleted_at=now.timestamp())
        engine.put(engine.table_object(table), gone)
    deleted_now.add(rid)
    return _outcome(rid)


def _collect(engine: RuleEngine, table: str, rid: str) -> tuple[list[tuple[str, str]],
                                                            list[tuple[str, str, str]]]:
    """Rows deleted with ``rid`` (itself first) and lookups (table, id, field) to clear."""
    group: list[tuple[str, str]] = [(table, rid)]
    seen = {rid}
    clears: list[tuple[str, str, str]] = []
    queue = deque([rid])
    while queue:
        parent = queue.popleft()
        for child_table, child_id, field in sorted(engine.children.get(parent, ())):
            child = engine.tables.get(child_table, {}).get(child_id)
            if child is None or child.get("IsDeleted") or child_id in seen:
                continue
            fdef = engine.table_object(child_table).fields.get(field)
            if fdef is None:
                continue
            if fdef.cascade_delete:
                seen.add(child_id)
                group.append((child_table, child_id))
                queue.append(child_id)
            elif fdef.required:
                raise RowError("DELETE_FAILED", f"Your attempt to delete {parent} could not be "
                               f"completed because it is associated with {child_id} through "
                               f"{child_table}.{field}")
            else:
                clears.append((child_table, child_id, field))
    clears = [c for c in clears if c[1] not in seen]
    return group, clears


def undelete_one(engine: RuleEngine, raw: Any) -> Outcome:
    rid = ids.normalize(raw) if isinstance(raw, str) else None
    if rid is None:
        raise RowError("MALFORMED_ID", f"malformed id {raw}", ["Id"])
    obj = engine.schema.object_for_id(rid)
    row = engine.tables.get(obj.table, {}).get(rid) if obj is not None else None
    if row is None or not row.get("IsDeleted") or row.get("_deleted_by") != rid:
        raise RowError("UNDELETE_FAILED", "Entity is not in the recycle bin")
    stamp = format_datetime(engine.org.now())
    members = sorted(engine.groups.get(rid, ()), key=lambda m: m[1] != rid)
    for table, member_id in members:
        back = {k: v for k, v in engine.tables[table][member_id].items()
                if k not in ("_deleted_by", "_deleted_at")}
        back.update(IsDeleted=False, SystemModstamp=stamp)
        member_obj = engine.table_object(table)
        for fdef in member_obj.fields.values():
            parent = back.get(fdef.name)
            if fdef.cascade_delete and parent and not any(parent == m for _, m in members):
                _live_parent(engine, fdef.label, parent)
        engine.check_unique(member_obj, back)
        engine.put(member_obj, back)
    for _table, member_id in members:
        for table, child_id in sorted(engine.cleared.get(member_id, ())):
            child = dict(engine.tables[table][child_id])
            cleared = dict(child.get("_cleared") or {})
            for field, parent in list(cleared.items()):
                if parent == member_id:
                    del cleared[field]
                    if child.get(field) is None:
                        child[field] = parent
            child["_cleared"] = cleared or None
            child["SystemModstamp"] = stamp
            engine.put(engine.table_object(table), child)
    return _outcome(rid)


def _live_parent(engine: RuleEngine, label: str, parent: str) -> None:
    owner = engine.schema.object_for_id(parent)
    found = engine.tables.get(owner.table, {}).get(parent) if owner is not None else None
    if found is None or found.get("IsDeleted"):
        raise RowError("UNDELETE_FAILED", f"{label}: the parent record is deleted; undelete it "
                       "first")


def purge(engine: RuleEngine) -> int:
    """Empty the bin of rows deleted more than 15 days ago (org clock); how many went."""
    limit = engine.org.now().timestamp() - BIN_DAYS * 86400
    expired = [(t, r["Id"]) for t, rows in engine.tables.items() for r in rows.values()
               if r.get("IsDeleted") and (r.get("_deleted_at") or limit) < limit]
    if expired:
        with engine.org.lock:
            engine.begin()
            for table, rid in expired:
                if engine.schema.objects.get(table) is not None:
                    engine.remove(table, rid)
            engine.commit()
    return len(expired)


def schema_removed(engine: RuleEngine, object_name: str, field_name: str | None) -> None:
    """After a Metadata delete: drop the object's rows, and Field/ObjectPermissions naming it."""
    obj = engine.schema.objects.get(object_name)
    if obj is None:
        engine.tables.pop(object_name, None)
        engine.store.commit(drop_tables=[object_name])
        prefix = f"{object_name}."
    elif field_name is not None and field_name not in obj.fields:
        prefix = f"{object_name}.{field_name}"
    else:
        return
    for row in list(engine.tables.get("FieldPermissions", {}).values()):
        name = row.get("Field") or ""
        if name == prefix or (prefix.endswith(".") and name.startswith(prefix)):
            engine.remove("FieldPermissions", row["Id"])
    if prefix.endswith("."):
        for row in list(engine.tables.get("ObjectPermissions", {}).values()):
            if row.get("SobjectType") == object_name:
                engine.remove("ObjectPermissions", row["Id"])
