"""The record store's transaction layer: in-memory tables, indexes, undo log, SQLite commit.

Why its own layer: the save pipeline (``records.Engine``), the Recycle Bin (``recycle.py``) and
org set-up (``org.py``) all change rows, and every change must keep three things in step —
the unique / External ID indexes (live rows only: a recycled row frees its values), the
parent → children index cascades walk, and the undo log that lets one row of a call, or a
whole ``allOrNone`` call, vanish without trace. ``put``/``remove`` are the only mutations;
``commit`` writes what changed since ``begin`` in one SQLite transaction (undoing the memory
change if SQLite refuses). Callers hold the org lock. It sees the org through
``engine_protocols.EngineOrg``: ``org.py`` builds the engine, so importing it here made a circle.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sandbox.salesforce import ids, rules, security
from sandbox.salesforce.engine_protocols import EngineOrg
from sandbox.salesforce.schema import TEXT_TYPES, FieldDef, ObjectDef

Row = dict[str, Any]
NOT_INDEXED_REFS = {"OwnerId", "CreatedById", "LastModifiedById"}  # Users are never deleted


def public(row: Row) -> Row:
    """A stored row without the engine's bookkeeping keys (they start with ``_``)."""
    return {k: v for k, v in row.items() if not k.startswith("_")}


def norm(fdef: FieldDef, value: Any) -> Any:
    """The form two values of a unique/External ID field are compared in."""
    if isinstance(value, str) and fdef.type in TEXT_TYPES and not fdef.case_sensitive:
        return value.casefold()
    return value


class Ledger:
    def __init__(self, org: EngineOrg) -> None:
        self.org = org
        self.schema = org.schema
        self.store = org.store
        self.tables = org.store.rows
        self.counters = org.store.counters()
        self.perm_version = 0  # bumped when permission rows change (security.py caches)
        self.grant_cache: tuple[int, security.Grants] | None = None
        self._undo: list[tuple[str, str, Row | None]] = []
        self._dirty: dict[tuple[str, str], Row | None] = {}
        self._dirty_counters: dict[str, int] = {}
        self.rebuild()

    def new_id(self, prefix: str) -> str:
        number = self.counters.get(prefix, 0) + 1
        self.counters[prefix] = number
        self._dirty_counters[prefix] = number
        return ids.make_id(prefix, number)

    def check_unique(self, obj: ObjectDef, row: Row) -> None:
        for key, names, enforced in _unique_keys(obj):
            if not enforced:
                continue
            value = _unique_value(obj, row, names)
            if value is None:
                continue
            others = self.unique.get((obj.table, key), {}).get(value, set()) - {row["Id"]}
            if others:
                other = sorted(others)[0]
                raise rules.duplicate_error(obj, names, row, other)

    def rebuild(self) -> None:
        self.unique: dict[tuple[str, str], dict[Any, set[str]]] = {}
        self.children: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
        self.groups: dict[str, set[tuple[str, str]]] = defaultdict(set)
        self.cleared: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for table, rows in self.tables.items():
            obj = self.schema.objects.get(table)
            if obj is None:
                continue
            for key, _names, _enforced in _unique_keys(obj):
                self.unique.setdefault((table, key), {})
            for row in rows.values():
                self._index(obj, row, add=True)
        self.perm_version += 1

    def _index(self, obj: ObjectDef, row: Row, add: bool) -> None:
        rid = row["Id"]
        if not row.get("IsDeleted"):
            for key, names, _enforced in _unique_keys(obj):
                value = _unique_value(obj, row, names)
                if value is None:
                    continue
                bucket = self.unique.setdefault((obj.table, key), {})
                if add:
                    bucket.setdefault(value, set()).add(rid)
                elif value in bucket:
                    bucket[value].discard(rid)
                    if not bucket[value]:
                        del bucket[value]
        for fdef in obj.fields.values():
            if fdef.type == "reference" and fdef.name not in NOT_INDEXED_REFS:
                parent = row.get(fdef.name)
                if parent:
                    _toggle(self.children[parent], (obj.table, rid, fdef.name), add)
        root = row.get("_deleted_by")
        if root:
            _toggle(self.groups[root], (obj.table, rid), add)
        for parent in (row.get("_cleared") or {}).values():
            _toggle(self.cleared[parent], (obj.table, rid), add)

    def table_object(self, table: str) -> ObjectDef:
        return self.schema.objects[table]

    def put(self, obj: ObjectDef, row: Row) -> None:
        table = obj.table
        owner = self.table_object(table)
        old = self.tables.setdefault(table, {}).get(row["Id"])
        if old is not None:
            self._index(owner, old, add=False)
        self.tables[table][row["Id"]] = row
        self._index(owner, row, add=True)
        self._undo.append((table, row["Id"], old))
        self._dirty[(table, row["Id"])] = row
        if table in security.PERMISSION_TABLES:
            self.perm_version += 1

    def remove(self, table: str, rid: str) -> None:
        old = self.tables.get(table, {}).pop(rid, None)
        if old is None:
            return
        self._index(self.table_object(table), old, add=False)
        self._undo.append((table, rid, old))
        self._dirty[(table, rid)] = None
        if table in security.PERMISSION_TABLES:
            self.perm_version += 1

    def begin(self) -> None:
        self._undo, self._dirty, self._dirty_counters = [], {}, {}

    def _end(self) -> None:
        self._undo, self._dirty, self._dirty_counters = [], {}, {}

    def _undo_to(self, mark: int) -> None:
        while len(self._undo) > mark:
            table, rid, old = self._undo.pop()
            owner = self.table_object(table)
            current = self.tables.setdefault(table, {}).pop(rid, None)
            if current is not None:
                self._index(owner, current, add=False)
            if old is not None:
                self.tables[table][rid] = old
                self._index(owner, old, add=True)
            self._dirty[(table, rid)] = old
        self.perm_version += 1

    def commit(self) -> None:
        upserts = [(t, r) for (t, _), r in self._dirty.items() if r is not None]
        deletes = [(t, i) for (t, i), r in self._dirty.items() if r is None]
        try:
            self.store.commit(upserts, deletes, self._dirty_counters)
        except BaseException:
            self._undo_to(0)
            self._end()
            raise
        self._end()


def _toggle(bucket: set[Any], item: Any, add: bool) -> None:
    if add:
        bucket.add(item)
    else:
        bucket.discard(item)


def _unique_keys(obj: ObjectDef) -> list[tuple[str, list[str], bool]]:
    """(index key, fields, enforced): unique fields, External IDs (matched, not enforced unless
    also unique) and multi-field uniqueness (PricebookEntry, links, permissions)."""
    keys = [(f.name, [f.name], f.unique) for f in obj.fields.values()
            if f.unique or f.external_id]
    keys += [("|".join(names), names, True) for names in obj.unique_together]
    return keys


def _unique_value(obj: ObjectDef, row: Row, names: list[str]) -> Any:
    if len(names) == 1:
        value = row.get(names[0])
        return None if value is None else norm(obj.fields[names[0]], value)
    parts = tuple(row.get(n) for n in names)
    return None if any(p is None for p in parts) else parts
