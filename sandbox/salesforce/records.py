"""The one record engine behind REST, sObject Collections and Bulk API 2.0.

Why one engine: on a real org every API path runs the same save pipeline, so a rule enforced
for REST but not for Bulk would let a loader pass here and fail there. ``Engine.save`` takes
rows as field → value dicts (parents by External ID as nested dicts, ``{"Account":
{"Bizstim_Id__c": "A-17"}}``; a polymorphic one names its type, ``{"Who": {"attributes":
{"type": "Contact"}, "Bizstim_Id__c": "C-3"}}``) and answers one :class:`Outcome` per row, in
input order. ``strings=True`` is the Bulk CSV mode: values are strings, ``""`` means "no
change" (the caller may also just leave the key out) and ``None`` means ``#N/A`` = set null.

How a call runs: rows are processed in order against the live state *including the rows
already saved in this call* (so a unique value taken by row 1 is taken for row 2); each row's
changes are applied in memory with an undo log and kept only if the whole row succeeds; at the
end the call commits in one SQLite transaction, or — ``all_or_none`` with any failed row — is
undone entirely and every innocent row reports ``ALL_OR_NONE_OPERATION_ROLLED_BACK``.

Row rules live in ``rules.py`` (values, references, per-object rules), Recycle Bin behaviour in
``recycle.py``, field-level security in ``security.py``, indexes and the transaction in
``ledger.py`` (``Engine`` extends ``Ledger``); this module holds the pipeline and upsert
matching. Those modules, and this one, see the engine and the org through the protocols in
``engine_protocols.py``, never by importing ``Engine``/``Org``, so no import runs in a circle.
Every save takes the org lock, so Bulk jobs processed on a background thread interleave with
REST calls one call at a time.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sandbox.salesforce import ids, recycle, rules, security
from sandbox.salesforce.engine_protocols import EngineOrg
from sandbox.salesforce.errors import (
    ID_IN_CREATE,
    ROLLED_BACK,
    Outcome,
    RowError,
    SfError,
    unsupported_type,
)
from sandbox.salesforce.ledger import Ledger, norm, public
from sandbox.salesforce.schema import FieldDef, ObjectDef
from sandbox.salesforce.values import coerce, format_datetime

Row = dict[str, Any]
OPERATIONS = ("insert", "update", "upsert", "delete", "hardDelete")
__all__ = ["OPERATIONS", "Engine", "Outcome", "public"]


class Engine(Ledger):
    def __init__(self, org: EngineOrg) -> None:
        super().__init__(org)
        self.schema.listeners.append(self._schema_changed)

    # -- public API ----------------------------------------------------------------------------

    def find(self, sobject: str) -> ObjectDef | None:
        """The object as the integration user sees it: None when absent *or* when no
        ObjectPermissions grant Read on it (``security.py``)."""
        obj = self.schema.get(sobject)
        if obj is None or not security.object_allowed(self, obj, "read"):
            return None
        return obj

    def object(self, sobject: str) -> ObjectDef:
        obj = self.find(sobject)
        if obj is None:
            raise unsupported_type(sobject)
        return obj

    def save(self, sobject: str, rows: list[Row], operation: str,
             external_field: str | None = None, all_or_none: bool = False,
             strings: bool = False) -> list[Outcome]:
        obj = self.object(sobject)
        return self.save_mixed([(obj.name, r) for r in rows], operation, external_field,
                               all_or_none, strings)

    def save_mixed(self, items: list[tuple[str, Row]], operation: str,
                   external_field: str | None = None, all_or_none: bool = False,
                   strings: bool = False) -> list[Outcome]:
        """``save`` for rows of several objects in one transaction (Collections create)."""
        if operation not in OPERATIONS:
            raise ValueError(f"unknown operation {operation}")
        with self.org.lock:
            if operation == "hardDelete" and not self.org.settings.hard_delete_permission:
                raise SfError(400, "FEATURENOTENABLED",
                              "The Bulk API Hard Delete permission is not enabled for this user")
            keys: dict[str, FieldDef] = {}
            if operation == "upsert":
                for name in dict.fromkeys(s for s, _ in items):
                    if self.find(name) is not None:
                        keys[name] = self.upsert_field(name, external_field or "")
            repeated = self._repeated_keys(items, keys) if keys else set()
            outcomes: list[Outcome] = []
            self.begin()
            deleted_now: set[str] = set()
            for sobject, row in items:
                mark = len(self._undo)
                try:
                    outcomes.append(self._one(sobject, row, operation, keys, repeated, strings,
                                              deleted_now))
                except RowError as exc:
                    self._undo_to(mark)
                    hint = _id_hint(row) if operation != "insert" else None
                    outcomes.append(Outcome(hint, False, False, [exc.as_dict()]))
            if all_or_none and any(not o.success for o in outcomes):
                self._undo_to(0)
                self._end()
                rolled = RowError("ALL_OR_NONE_OPERATION_ROLLED_BACK", ROLLED_BACK).as_dict()
                return [o if not o.success else Outcome(None, False, False, [rolled])
                        for o in outcomes]
            self.commit()
            return outcomes

    def undelete(self, record_ids: list[str]) -> list[Outcome]:
        """Restore Recycle Bin records and everything their delete took along."""
        with self.org.lock:
            self.begin()
            outcomes = []
            for raw in record_ids:
                mark = len(self._undo)
                try:
                    outcomes.append(recycle.undelete_one(self, raw))
                except RowError as exc:
                    self._undo_to(mark)
                    outcomes.append(Outcome(ids.normalize(raw) or raw, False, False,
                                            [exc.as_dict()]))
            self.commit()
            return outcomes

    def upsert_field(self, sobject: str, name: str) -> FieldDef:
        """The External ID field an upsert may match on (rule 4), else a 404 as REST gives."""
        obj = self.object(sobject)
        fdef = self.visible_field(obj, name) if name else None
        if fdef is None or not (fdef.external_id or fdef.name == "Id"):
            raise SfError(404, "NOT_FOUND",
                          f"Provided external ID field does not exist or is not accessible: "
                          f"{name}")
        return fdef

    def match(self, obj: ObjectDef, fdef: FieldDef, value: Any) -> list[str]:
        """Ids of the *live* records whose ``fdef`` equals ``value`` (recycled rows never
        match, so an upsert after a delete creates a new record)."""
        stored = coerce(fdef, value)
        if stored is None:
            return []
        if fdef.name == "Id":
            row = self.tables.get(obj.table, {}).get(stored)
            return [stored] if row is not None and not row.get("IsDeleted") else []
        bucket = self.unique.get((obj.table, fdef.name))
        if bucket is not None:
            return sorted(bucket.get(norm(fdef, stored), ()))
        wanted = norm(fdef, stored)
        return sorted(r["Id"] for r in self.tables.get(obj.table, {}).values()
                      if not r.get("IsDeleted") and norm(fdef, r.get(fdef.name)) == wanted)

    def find_external(self, sobject: str, field_name: str, value: Any) -> list[str]:
        obj = self.object(sobject)
        try:
            return self.match(obj, self.upsert_field(obj.name, field_name), value)
        except RowError:
            return []

    def get(self, sobject: str, record_id: str) -> Row | None:
        """The stored row (live or recycled) of that object, or None."""
        obj = self.object(sobject)
        rid = ids.normalize(record_id)
        owner = self.schema.object_for_id(rid) if rid else None
        if rid is None or owner is None or owner.table != obj.table:
            return None
        return self.tables.get(obj.table, {}).get(rid)

    def rows(self, sobject: str, include_deleted: bool = False) -> list[Row]:
        obj = self.object(sobject)
        return [r for r in self.tables.get(obj.table, {}).values()
                if include_deleted or not r.get("IsDeleted")]

    def visible_field(self, obj: ObjectDef, name: str) -> FieldDef | None:
        """The field as the integration user sees it: None when absent *or* hidden by FLS."""
        fdef = obj.field_named(name)
        if fdef is None or not security.readable(self, obj, fdef):
            return None
        return fdef

    def visible_fields(self, sobject: str) -> dict[str, FieldDef]:
        obj = self.object(sobject)
        return {n: f for n, f in obj.fields.items() if security.readable(self, obj, f)}

    def editable(self, obj: ObjectDef, fdef: FieldDef) -> bool:
        return security.editable(self, obj, fdef)

    def seed(self, sobject: str, values: Row) -> str:
        """Create a record without the API's rules (org set-up: users, Standard Price Book)."""
        obj = self.object(sobject)
        with self.org.lock:
            self.begin()
            row = self.fresh(obj, values)
            self.put(obj, row)
            self.commit()
            return row["Id"]

    # -- one row ---------------------------------------------------------------------------------

    def _one(self, sobject: str, row: Row, operation: str, keys: dict[str, FieldDef],
             repeated: set[tuple[str, Any]], strings: bool, deleted_now: set[str]) -> Outcome:
        if not isinstance(row, dict):
            raise RowError("JSON_PARSER_ERROR", "Each record must be a JSON object")
        obj = self.schema.get(sobject) if sobject else self._object_of_id(row)
        if obj is None or not security.object_allowed(self, obj, "read"):
            name = sobject or (obj.name if obj is not None else "")
            raise RowError("INVALID_TYPE", unsupported_type(name).message)
        if operation == "insert":
            if any(k.lower() == "id" for k in row):
                raise RowError("INVALID_FIELD", ID_IN_CREATE, ["Id"])
            return self._insert(obj, row, "insert", strings)
        if operation == "update":
            return self._update(obj, row, self._row_id(obj, row), "update", strings)
        if operation == "upsert":
            return self._upsert(obj, row, keys[obj.name], repeated, strings)
        security.require(self, obj, "delete")
        return recycle.delete_one(self, obj, row, operation == "hardDelete", deleted_now)

    def _object_of_id(self, row: Row) -> ObjectDef:
        """Deletes may name only ids (Collections DELETE): the key prefix says the object."""
        raw = _id_hint(row)
        rid = ids.normalize(raw) if raw is not None else None
        obj = self.schema.object_for_id(rid) if rid is not None else None
        if obj is None:
            raise RowError("MALFORMED_ID", f"malformed id {raw}", ["Id"])
        return obj

    def _insert(self, obj: ObjectDef, row: Row, mode: str, strings: bool) -> Outcome:
        if obj.name == "User":
            raise RowError("LICENSE_LIMIT_EXCEEDED", "License Limit Exceeded")
        if not obj.createable:
            raise RowError("INVALID_TYPE_FOR_OPERATION",
                           f"entity type cannot be inserted: {obj.label}")
        security.require(self, obj, "create")
        values = rules.incoming(self, obj, row, mode, strings)
        new = self.fresh(obj, values)
        rules.complete(self, obj, new, None)
        self.check_unique(obj, new)
        self.put(obj, new)
        rules.after_insert(self, obj, new)
        return Outcome(new["Id"], True, True)

    def _update(self, obj: ObjectDef, row: Row, rid: str, mode: str, strings: bool) -> Outcome:
        old = self.existing(obj, rid)
        if not obj.updateable:
            raise RowError("INVALID_TYPE_FOR_OPERATION",
                           f"entity type cannot be updated: {obj.label}")
        security.require(self, obj, "edit")
        values = rules.incoming(self, obj, row, mode, strings)
        new = {**old, **values}
        self.stamp(new)
        rules.complete(self, obj, new, old)
        self.check_unique(obj, new)
        self.put(obj, new)
        return Outcome(rid, True, False)

    def _upsert(self, obj: ObjectDef, row: Row, key: FieldDef,
                repeated: set[tuple[str, Any]], strings: bool) -> Outcome:
        if key.name != "Id" and any(k.lower() == "id" for k in row):
            raise RowError("INVALID_FIELD", ID_IN_CREATE, ["Id"])
        raw = next((v for k, v in row.items() if k.lower() == key.name.lower()), None)
        if raw is None or raw == "":
            if key.name == "Id":
                rest = {k: v for k, v in row.items() if k.lower() != "id"}
                return self._insert(obj, rest, "upsert-insert", strings)
            raise RowError("MISSING_ARGUMENT", f"{key.name} not specified", [key.name])
        if (obj.name, _repeat_key(key, raw)) in repeated:
            raise RowError("DUPLICATE_VALUE", f"Duplicate external id specified: {raw}",
                           [key.name])
        matches = self.match(obj, key, raw)
        if len(matches) > 1:
            raise RowError("DUPLICATE_EXTERNAL_ID",
                           f"{key.name}: more than one record found for external id field: "
                           f"[{', '.join(matches)}]", [key.name])
        if matches:
            rest = {k: v for k, v in row.items() if k.lower() != "id"}
            return self._update(obj, rest, matches[0], "upsert-update", strings)
        if key.name == "Id":
            raise RowError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", ["Id"])
        return self._insert(obj, row, "upsert-insert", strings)

    def _row_id(self, obj: ObjectDef, row: Row) -> str:
        raw = _id_hint(row)
        if raw is None:
            raise RowError("MISSING_ARGUMENT", "Id not specified in an update call", ["Id"])
        rid = ids.normalize(raw)
        if rid is None:
            raise RowError("MALFORMED_ID", f"malformed id {raw}", ["Id"])
        return rid

    def existing(self, obj: ObjectDef, rid: str) -> Row:
        owner = self.schema.object_for_id(rid)
        if owner is None or owner.table != obj.table:
            raise RowError("MALFORMED_ID", f"{obj.label} ID: id value of incorrect type: {rid}",
                           ["Id"])
        row = self.tables.get(obj.table, {}).get(rid)
        if row is None:
            raise RowError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", ["Id"])
        if row.get("IsDeleted"):
            raise RowError("ENTITY_IS_DELETED", "entity is deleted", ["Id"])
        return row

    # -- building rows -----------------------------------------------------------------------

    def fresh(self, obj: ObjectDef, values: Row) -> Row:
        """A new row: defaults, then the sent values, then system fields (audit values kept)."""
        now = format_datetime(self.org.now())
        user = self.org.integration_user_id
        row: Row = {f.name: f.default for f in obj.fields.values() if f.default is not None}
        row.update(values)
        row["Id"] = self.new_id(obj.key_prefix)
        row["IsDeleted"] = False
        if "OwnerId" in obj.fields and not row.get("OwnerId"):
            row["OwnerId"] = user
        if "CreatedDate" in obj.fields:
            row["CreatedDate"] = row.get("CreatedDate") or now
            row["CreatedById"] = row.get("CreatedById") or user
            row["LastModifiedDate"] = row.get("LastModifiedDate") or row["CreatedDate"]
            row["LastModifiedById"] = row.get("LastModifiedById") or row["CreatedById"]
        row["SystemModstamp"] = now
        return row

    def stamp(self, row: Row) -> None:
        now = format_datetime(self.org.now())
        if "LastModifiedDate" in row:
            row["LastModifiedDate"] = now
            row["LastModifiedById"] = self.org.integration_user_id
        row["SystemModstamp"] = now

    def _schema_changed(self, object_name: str, field_name: str | None) -> None:
        with self.org.lock:
            self.begin()
            recycle.schema_removed(self, object_name, field_name)
            self.commit()
            self.rebuild()

    def _repeated_keys(self, items: list[tuple[str, Row]],
                       keys: dict[str, FieldDef]) -> set[tuple[str, Any]]:
        """(object, value) pairs that occur in more than one row of this call (rule 6)."""
        seen: Counter[tuple[str, Any]] = Counter()
        for sobject, row in items:
            obj = self.find(sobject)
            key = keys.get(obj.name) if obj is not None else None
            if key is None or not isinstance(row, dict):
                continue
            raw = next((v for k, v in row.items() if k.lower() == key.name.lower()), None)
            if raw is not None and raw != "":
                seen[(obj.name, _repeat_key(key, raw))] += 1
        return {k for k, n in seen.items() if n > 1}


def _repeat_key(key: FieldDef, raw: Any) -> Any:
    try:
        return norm(key, coerce(key, raw))
    except RowError:
        return ("unparsable", str(raw))


def _id_hint(row: Any) -> str | None:
    if not isinstance(row, dict):
        return None
    return next((v for k, v in row.items() if k.lower() == "id" and isinstance(v, str)), None)
