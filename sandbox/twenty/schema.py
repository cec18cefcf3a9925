"""The compiled workspace schema: what each object's records look like and accept.

Built from the metadata documents (``standard.py`` shapes) after every metadata change, so a
new custom object or field is usable on the very next request (reference §6).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sandbox.twenty.errors import bad_request
from sandbox.twenty.values import (
    COMPOSITES,
    UNIQUE_SUBFIELD,
    Validator,
    empty_value,
    parse_default,
    validator_for,
)

Row = dict[str, Any]
SERVER_SET = {"updatedAt", "deletedAt", "createdBy", "updatedBy", "searchVector"}
SUB_TYPES = {"number": "NUMBER", "micros": "NUMBER", "emails": "LIST", "phones": "LIST",
             "links": "LIST", "any": "LIST"}


@dataclass
class Relation:
    field: str  # relation field name, e.g. "company"
    column: str  # join column, e.g. "companyId"
    target: str  # target object metadata id
    on_delete: str  # CASCADE or SET_NULL


@dataclass
class Input:
    validate: Validator
    nullable: bool
    target: str | None = None  # object id a join column points at


@dataclass
class ObjectDef:
    meta: Row
    fields: dict[str, Row] = field(default_factory=dict)
    inputs: dict[str, Input] = field(default_factory=dict)
    forbidden: dict[str, str] = field(default_factory=dict)
    template: Row = field(default_factory=dict)
    unique: list[tuple[str, str, str | None]] = field(default_factory=list)
    many_to_one: list[Relation] = field(default_factory=list)
    one_to_many: list[tuple[str, str, str]] = field(default_factory=list)  # name, child, column
    paths: dict[str, str] = field(default_factory=dict)  # filter/order path -> value kind
    required: list[str] = field(default_factory=list)  # non-nullable inputs

    @property
    def id(self) -> str:
        return self.meta["id"]

    @property
    def singular(self) -> str:
        return self.meta["nameSingular"]

    @property
    def plural(self) -> str:
        return self.meta["namePlural"]

    def new_values(self) -> Row:
        # Composite values are dicts of immutable sub-values (lists are replaced, never
        # mutated), so copying one level down is enough.
        return {k: (v.copy() if type(v) is dict else v) for k, v in self.template.items()}


def _options(doc: Row) -> list[str] | None:
    if doc["type"] == "RATING":
        return [f"RATING_{i}" for i in range(1, 6)]
    return [o["value"] for o in doc.get("options") or []]


def _compile_object(meta: Row, docs: list[Row], objects: dict[str, Row], generation: str,
                    ) -> ObjectDef:
    obj = ObjectDef(meta=meta)
    for doc in docs:
        if not doc["isActive"]:
            continue
        name, ftype = doc["name"], doc["type"]
        obj.fields[name] = doc
        settings = doc.get("settings") or {}
        if ftype in ("RELATION", "MORPH_RELATION"):
            target = doc["_targetObjectId"]
            if settings.get("relationType") == "MANY_TO_ONE":
                column = settings["joinColumnName"]
                obj.many_to_one.append(Relation(name, column, target, settings["onDelete"]))
                obj.inputs[column] = Input(validator_for("UUID", column), True, target)
                obj.template[column] = None
                obj.paths[column] = "UUID"
                obj.forbidden[name] = (f"nested writes on relation '{name}' are not supported; "
                                       f"set '{column}' instead")
            else:
                inverse = objects.get(target)
                if inverse is not None:
                    obj.one_to_many.append((name, target, ""))
                obj.forbidden[name] = (f"'{name}' is a one-to-many relation and is read-only; "
                                       "create the related records instead")
            continue
        if name in SERVER_SET:
            obj.forbidden[name] = f"'{name}' is set by the server and cannot be written"
        elif name != "id":
            obj.inputs[name] = Input(validator_for(ftype, name, _options(doc), generation),
                                     doc["isNullable"])
            if not doc["isNullable"] and ftype not in COMPOSITES:
                obj.required.append(name)
        if name not in ("id", "createdAt", "updatedAt", "deletedAt", "createdBy", "updatedBy",
                        "position"):
            default = parse_default(ftype, doc.get("defaultValue"))
            obj.template[name] = empty_value(ftype) if default is None else default
        if ftype in COMPOSITES:
            for sub, kind in COMPOSITES[ftype].items():
                obj.paths[f"{name}.{sub}"] = SUB_TYPES.get(kind, "TEXT")
        else:
            obj.paths[name] = ftype
        if doc.get("isUnique"):
            sub = UNIQUE_SUBFIELD.get(ftype)
            obj.unique.append((f"{name}.{sub}" if sub else name, name, sub))
    return obj


class Schema:
    def __init__(self, objects: dict[str, Row], fields: dict[str, Row], generation: str = "v2",
                 ) -> None:
        by_object: dict[str, list[Row]] = {}
        for doc in fields.values():
            by_object.setdefault(doc["objectMetadataId"], []).append(doc)
        self.by_id: dict[str, ObjectDef] = {}
        for meta in objects.values():
            docs = sorted(by_object.get(meta["id"], []), key=lambda d: d["createdAt"])
            self.by_id[meta["id"]] = _compile_object(meta, docs, objects, generation)
        # Fill in the child join column of each one-to-many side.
        for obj in self.by_id.values():
            resolved = []
            for name, child_id, _ in obj.one_to_many:
                child = self.by_id.get(child_id)
                doc = obj.fields[name]
                column = next((r.column for r in child.many_to_one
                               if child.fields[r.field]["id"] == doc["_targetFieldId"]), None) \
                    if child else None
                if child is not None and column is not None:
                    resolved.append((name, child_id, column))
            obj.one_to_many = resolved
        self.active = {o.id: o for o in self.by_id.values() if o.meta["isActive"]}
        self.by_plural = {o.plural: o for o in self.active.values()}
        self.by_singular = {o.singular: o for o in self.active.values()}
        # Inbound many-to-one references: target object id -> [(child object, relation)].
        self.inbound: dict[str, list[tuple[ObjectDef, Relation]]] = {}
        for obj in self.active.values():
            for rel in obj.many_to_one:
                self.inbound.setdefault(rel.target, []).append((obj, rel))

    def resolve(self, plural: str) -> ObjectDef:
        obj = self.by_plural.get(plural)
        if obj is not None:
            return obj
        hint = self.by_singular.get(plural)
        if hint is not None:
            raise bad_request(f"object '{plural}' not found. Did you mean '{hint.plural}'?")
        raise bad_request(f"object '{plural}' not found")
