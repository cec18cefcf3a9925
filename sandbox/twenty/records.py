"""Record writes: create (batch, upsert), update, soft delete, destroy (cascade), restore.

Uniqueness and upsert follow reference §8 exactly: unique indexes (``id`` plus every unique
field) hold values of live *and* soft-deleted rows; upsert matches on ``id`` and every unique
index including soft-deleted rows, restores the match, and refuses an input that matches two
rows. A batch is validated completely before anything is written, then committed in one
SQLite transaction, so one bad record leaves the store untouched.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sandbox.twenty.errors import DUPLICATE, bad_request, not_found
from sandbox.twenty.rewrites import is_valid_uuid
from sandbox.twenty.schema import ObjectDef, Schema
from sandbox.twenty.store import Store
from sandbox.twenty.values import is_uuid

Row = dict[str, Any]
MAX_AFFECTED = 100  # MUTATION_MAXIMUM_AFFECTED_RECORDS (reference §7)


def now_iso() -> str:
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def new_uuid() -> str:
    """A random (version 4) UUID; ~4x cheaper than ``str(uuid.uuid4())`` on the batch path."""
    h = os.urandom(16).hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"


def copy_row(row: Row) -> Row:
    return {k: (dict(v) if isinstance(v, dict) else v) for k, v in row.items()}


def unique_value(row: Row, field: str, sub: str | None) -> Any:
    value = row.get(field)
    if sub is not None:
        value = value.get(sub) if isinstance(value, dict) else None
    return None if value == "" else value


class Records:
    def __init__(self, store: Store, actor_name: str, generation: str = "v2") -> None:
        self.store = store
        self.generation = generation
        self._last_seen: dict[tuple[str, str], Row] = {}
        self.last_dumps: list[str] = []  # JSON of the rows of the last write, in order
        self.actor = {"source": "API", "workspaceMemberId": None, "name": actor_name,
                      "context": {}}
        self.refresh()

    def refresh(self) -> None:
        """Recompile the schema and rebuild unique indexes after a metadata change."""
        self.schema = Schema(self.store.objects, self.store.fields, self.generation)
        self.unique: dict[str, dict[str, dict[Any, str]]] = {}
        self.next_position: dict[str, float] = {}
        for obj in self.schema.by_id.values():
            table = self.store.table(obj.id)
            self.unique[obj.id] = {key: {} for key, _, _ in obj.unique}
            for row in table.values():
                self._index(obj, row, add=True)
            positions = [r.get("position") or 0 for r in table.values()]
            self.next_position[obj.id] = max(positions, default=0) + 1

    def _index(self, obj: ObjectDef, row: Row, add: bool) -> None:
        indexes = self.unique[obj.id]
        for key, field, sub in obj.unique:
            value = unique_value(row, field, sub)
            if value is None:
                continue
            if add:
                indexes[key][value] = row["id"]
            elif indexes[key].get(value) == row["id"]:
                del indexes[key][value]

    def _write(
        self, writes: list[tuple[ObjectDef, Row]], deletes: Iterable[tuple[ObjectDef, str]] = ()
    ) -> None:
        deletes = list(deletes)
        self.last_dumps = self.store.commit(upserts=[(o.id, r) for o, r in writes],
                          deletes=[(o.id, rid) for o, rid in deletes])
        for obj, rid in deletes:  # the rows are gone from the store; unindex their old copies
            old = self._last_seen.pop((obj.id, rid), None)
            if old is not None:
                self._index(obj, old, add=False)
        for obj, row in writes:
            old = self._last_seen.pop((obj.id, row["id"]), None)
            if old is not None:
                self._index(obj, old, add=False)
            self._index(obj, row, add=True)

    # -- validation -----------------------------------------------------------------------

    def _apply(self, obj: ObjectDef, data: Any, row: Row, refs: list[tuple[str, str, str]]) -> None:
        if not isinstance(data, dict):
            raise bad_request("Each record must be a JSON object")
        inputs = obj.inputs
        for key, value in data.items():
            spec = inputs.get(key)
            if spec is None:
                if key == "id":
                    continue
                reason = obj.forbidden.get(key)
                raise bad_request(
                    reason or f"Object '{obj.singular}' doesn't have any \"{key}\" field.")
            new = spec.validate(value, row.get(key))
            if new is None and not spec.nullable:
                raise bad_request(f"Field \"{key}\" of '{obj.singular}' cannot be null")
            if spec.target is not None and new is not None:
                refs.append((key, spec.target, new))
            row[key] = new

    def _check_refs(
        self, obj: ObjectDef, refs: list[tuple[str, str, str]], pending: dict[str, Row]
    ) -> None:
        for column, target, rid in refs:
            found = self.store.table(target).get(rid)
            if found is None and target == obj.id:
                found = pending.get(rid)
            if found is None or found.get("deletedAt") is not None:
                raise bad_request(f"Record '{rid}' referenced by '{column}' does not exist")

    def _check_unique(self, obj: ObjectDef, row: Row, claims: dict[tuple[str, Any], str]) -> None:
        indexes = self.unique[obj.id]
        for key, field, sub in obj.unique:
            value = unique_value(row, field, sub)
            if value is None:
                continue
            owner = indexes[key].get(value)
            claimed = claims.get((key, value))
            if owner not in (None, row["id"]) or claimed not in (None, row["id"]):
                raise bad_request(f"{DUPLICATE} (unique field '{key}' value {value!r})")
            claims[(key, value)] = row["id"]

    # -- create / upsert ------------------------------------------------------------------

    def _stored_form(self, obj: ObjectDef, data: Row) -> Row:
        """The input's unique fields as they would be stored: real Twenty rewrites e-mails,
        links and phones before it looks for a match (rules 1, 3, 4)."""
        out: Row = {}
        for _key, field, _sub in obj.unique:
            spec = obj.inputs.get(field)
            if spec is not None and field in data:
                out[field] = spec.validate(data[field], None)
        return out

    def _match(self, obj: ObjectDef, data: Row, rid: str | None) -> str | None:
        table = self.store.table(obj.id)
        found: set[str] = set()
        if rid is not None and rid in table:
            found.add(rid)
        indexes = self.unique[obj.id]
        stored = self._stored_form(obj, data)
        for key, field, sub in obj.unique:
            value = unique_value(stored, field, sub)
            if value is None:
                continue  # a conflict group matches only if all its properties are present
            owner = indexes[key].get(value)
            if owner is not None:
                found.add(owner)
        if len(found) > 1:
            raise bad_request(
                f"Multiple records found with the same unique field values for {obj.singular}. "
                "Cannot determine which record to update.")
        return found.pop() if found else None

    def create_many(self, obj: ObjectDef, inputs: list[Any], upsert: bool) -> list[Row]:
        now, table = now_iso(), self.store.table(obj.id)
        pending: dict[str, Row] = {}
        claims: dict[tuple[str, Any], str] = {}
        refs: list[tuple[str, str, str]] = []
        self._last_seen: dict[tuple[str, str], Row] = {}
        position = self.next_position[obj.id]
        matched: list[str] = []  # existing rows this upsert updates, in first-seen order
        for data in inputs:
            if not isinstance(data, dict):
                raise bad_request("Each record must be a JSON object")
            rid = data.get("id")
            if rid is not None:
                if not is_valid_uuid(rid):  # rule 6: isValidUuid, versions 1 to 5 only
                    raise bad_request(f"Invalid value {rid!r} for field \"id\": "
                                      "expected a UUID of version 1 to 5")
                rid = rid.lower()
            match = self._match(obj, data, rid) if upsert else None
            if match is not None:
                if match in pending:  # rule 9: a second input for one row updates it again
                    row = pending[match]
                else:
                    old = table[match]
                    self._last_seen[(obj.id, match)] = old
                    row = copy_row(old)
                    matched.append(match)
                self._apply(obj, data, row, refs)
                row.update(deletedAt=None, updatedAt=now, updatedBy=self.actor)
            else:
                if rid is not None and (rid in table or rid in pending):
                    raise bad_request(f"{DUPLICATE} (id {rid})")
                row = obj.new_values()
                row.update(id=rid or new_uuid(), createdAt=now, updatedAt=now,
                           deletedAt=None, position=position, createdBy=self.actor,
                           updatedBy=self.actor)
                position += 1
                self._apply(obj, data, row, refs)
                for name in obj.required:
                    if row.get(name) is None:
                        raise bad_request(f"Field \"{name}\" of '{obj.singular}' cannot be null")
            self._check_unique(obj, row, claims)
            pending[row["id"]] = row
        self._check_refs(obj, refs, pending)
        # Rule 8: the answer (and so the write order) holds the matched rows first, then the
        # inserted ones, as common-create-many-query-runner.service.ts returns them.
        done = set(matched)
        rows = [pending[m] for m in matched] + [r for k, r in pending.items() if k not in done]
        self._write([(obj, r) for r in rows])
        self.next_position[obj.id] = position
        return rows

    # -- update / delete / restore --------------------------------------------------------

    def live_row(self, obj: ObjectDef, rid: str) -> Row:
        row = self.store.table(obj.id).get(rid.lower()) if is_uuid(rid) else None
        if row is None or row.get("deletedAt") is not None:
            raise not_found("Record not found" + ("" if is_uuid(rid) else f" (invalid id '{rid}')"))
        return row

    def update_rows(self, obj: ObjectDef, rows: list[Row], data: Any) -> list[Row]:
        if not isinstance(data, dict):
            raise bad_request("Body must be a JSON object")
        if len(rows) > MAX_AFFECTED:
            raise bad_request(f"Cannot update more than {MAX_AFFECTED} records at once")
        now, claims, refs = now_iso(), {}, []  # type: ignore[var-annotated]
        self._last_seen = {}
        out = []
        for old in rows:
            if "id" in data and str(data["id"]).lower() != old["id"]:
                raise bad_request("The id of a record cannot be changed")
            row = copy_row(old)
            self._apply(obj, data, row, refs)
            row.update(updatedAt=now, updatedBy=self.actor)
            self._check_unique(obj, row, claims)
            self._last_seen[(obj.id, row["id"])] = old
            out.append(row)
        self._check_refs(obj, refs, {})
        self._write([(obj, r) for r in out])
        return out

    def soft_delete(self, obj: ObjectDef, rows: list[Row]) -> list[Row]:
        now, out = now_iso(), []
        self._last_seen = {}
        for old in rows:
            row = copy_row(old)
            row.update(deletedAt=now, updatedAt=now)
            self._last_seen[(obj.id, row["id"])] = old
            out.append(row)
        self._write([(obj, r) for r in out])
        return out

    def restore(self, obj: ObjectDef, rows: list[Row]) -> list[Row]:
        now, out = now_iso(), []
        self._last_seen = {}
        for old in rows:
            row = copy_row(old)
            row.update(deletedAt=None, updatedAt=now)
            self._last_seen[(obj.id, row["id"])] = old
            out.append(row)
        self._write([(obj, r) for r in out])
        return out

    def destroy(self, obj: ObjectDef, rows: list[Row]) -> list[Row]:
        """Hard delete; CASCADE relations destroy children, SET_NULL ones clear the column."""
        doomed: dict[tuple[str, str], tuple[ObjectDef, Row]] = {}
        queue = [(obj, r) for r in rows]
        by_column: dict[tuple[str, str], dict[str, list[Row]]] = {}
        while queue:
            cur, row = queue.pop()
            if (cur.id, row["id"]) in doomed:
                continue
            doomed[(cur.id, row["id"])] = (cur, row)
            for child, rel in self.schema.inbound.get(cur.id, ()):
                index = by_column.get((child.id, rel.column))
                if index is None:
                    index = {}
                    for crow in self.store.table(child.id).values():
                        if crow.get(rel.column) is not None:
                            index.setdefault(crow[rel.column], []).append(crow)
                    by_column[(child.id, rel.column)] = index
                if rel.on_delete == "CASCADE":
                    queue.extend((child, c) for c in index.get(row["id"], ()))
        nulled: dict[tuple[str, str], tuple[ObjectDef, Row]] = {}
        for cur, row in doomed.values():
            for child, rel in self.schema.inbound.get(cur.id, ()):
                if rel.on_delete == "CASCADE":
                    continue
                for crow in by_column[(child.id, rel.column)].get(row["id"], ()):
                    key = (child.id, crow["id"])
                    if key in doomed:
                        continue
                    target = nulled.get(key, (child, copy_row(crow)))[1]
                    target[rel.column] = None
                    nulled[key] = (child, target)
        self._last_seen = {(c.id, r["id"]): r for c, r in doomed.values()}
        self._last_seen.update({k: self.store.table(c.id)[k[1]] for k, (c, _) in nulled.items()})
        self._write(list(nulled.values()), [(c, r["id"]) for c, r in doomed.values()])
        return rows

    def seed(self, obj: ObjectDef, rows: list[Row]) -> None:
        """Write rows that bypass API validation (workspace members from the command line)."""
        self._last_seen = {}
        self._write([(obj, r) for r in rows])
