"""Object and field definitions of the org, and the only way to change them.

Why a schema at all: every write rule a loader must survive is a property of a field
(destinations-2.md §1.12 rules 3, 4, 7, 13, 15, 16): required, External ID, unique,
restricted picklist, visible to the integration user, writable on insert only. The built-in
objects come from ``standard.py``; the Metadata API (``metadata.py``, helper S2) adds custom
objects and fields at run time through ``Schema.add_object/add_field/set_picklist/
remove_object/remove_field``, and ``Schema.get`` answers what exists. Changes are persisted
(``store.schema``) so a restarted org keeps its custom schema, and announced to listeners
(the record engine rebuilds its indexes and drops FieldPermissions of removed fields).

Field ``type`` uses the REST describe vocabulary (``TYPES``); ``METADATA_TYPES`` maps the
Metadata API's CustomField types onto it. A number's ``precision`` is its total digit count
and ``scale`` its decimals, as in Metadata (Number(18, 0) describes as ``double``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sandbox.salesforce.ids import prefix_name
from sandbox.salesforce.store import Store

TYPES = {"id", "string", "textarea", "email", "phone", "url", "picklist", "multipicklist",
         "combobox", "boolean", "int", "double", "currency", "percent", "date", "datetime",
         "reference", "base64"}
METADATA_TYPES = {
    "Text": "string", "TextArea": "textarea", "LongTextArea": "textarea", "Html": "textarea",
    "Email": "email", "Phone": "phone", "Url": "url", "Picklist": "picklist",
    "MultiselectPicklist": "multipicklist", "Checkbox": "boolean", "Number": "double",
    "Currency": "currency", "Percent": "percent", "Date": "date", "DateTime": "datetime",
    "Lookup": "reference", "MasterDetail": "reference",
}
TEXT_TYPES = {"string", "textarea", "email", "phone", "url", "picklist", "multipicklist",
              "combobox"}
AUDIT_FIELDS = ("CreatedDate", "CreatedById", "LastModifiedDate", "LastModifiedById")


class SchemaError(ValueError):
    """A schema change the org refuses (duplicate name, unknown object, standard item)."""


@dataclass
class FieldDef:
    name: str
    label: str
    type: str
    length: int = 0
    precision: int = 0
    scale: int = 0
    required: bool = False  # nillable false, createable and no default: must be sent on insert
    external_id: bool = False
    unique: bool = False
    case_sensitive: bool = False  # unique/External ID text compares case-insensitively unless
    picklist_values: list[str] = field(default_factory=list)
    restricted: bool = False
    reference_to: list[str] = field(default_factory=list)
    relationship_name: str | None = None
    custom: bool = False
    createable: bool = True
    updateable: bool = True
    default: Any = None  # set on insert when the field is absent
    cascade_delete: bool = False  # deleting the referenced record deletes this one too
    audit: bool = False  # CreatedDate & co: writable on insert with "Set Audit Fields" only

    @property
    def nillable(self) -> bool:
        return not self.required and self.type != "boolean" and self.name != "Id"

    def to_doc(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> FieldDef:
        return cls(**doc)


@dataclass
class ObjectDef:
    name: str
    label: str
    label_plural: str = ""
    key_prefix: str = ""
    custom: bool = False
    fields: dict[str, FieldDef] = field(default_factory=dict)
    createable: bool = True
    updateable: bool = True
    deletable: bool = True
    recyclable: bool = True  # delete puts it in the Recycle Bin (else it is gone at once)
    table: str = ""  # storage table when two objects share records (ContentNote/Document)
    unique_together: list[list[str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.table = self.table or self.name
        self.label_plural = self.label_plural or self.label + "s"

    def field_named(self, name: str) -> FieldDef | None:
        """Case-insensitive field lookup (SOQL and REST bodies ignore case)."""
        found = self.fields.get(name)
        if found is not None:
            return found
        lower = name.lower()
        return next((f for n, f in self.fields.items() if n.lower() == lower), None)

    def relationship(self, name: str) -> FieldDef | None:
        lower = name.lower()
        return next((f for f in self.fields.values() if f.relationship_name
                     and f.relationship_name.lower() == lower), None)

    def to_doc(self) -> dict[str, Any]:
        doc = dataclasses.asdict(self)
        doc["fields"] = [f.to_doc() for f in self.fields.values()]
        return doc

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> ObjectDef:
        doc = dict(doc)
        fields = [FieldDef.from_doc(f) for f in doc.pop("fields")]
        return cls(**doc, fields={f.name: f for f in fields})


def system_fields(owner: bool) -> list[FieldDef]:
    """Id, IsDeleted, the audit quartet and SystemModstamp (+ OwnerId) every record has."""
    user = ["User"]
    out = [
        FieldDef("Id", "Record ID", "id", 18, createable=False, updateable=False),
        FieldDef("IsDeleted", "Deleted", "boolean", createable=False, updateable=False),
        FieldDef("CreatedDate", "Created Date", "datetime", createable=False,
                 updateable=False, audit=True),
        FieldDef("CreatedById", "Created By ID", "reference", 18, reference_to=user,
                 relationship_name="CreatedBy", createable=False, updateable=False, audit=True),
        FieldDef("LastModifiedDate", "Last Modified Date", "datetime", createable=False,
                 updateable=False, audit=True),
        FieldDef("LastModifiedById", "Last Modified By ID", "reference", 18,
                 reference_to=user, relationship_name="LastModifiedBy", createable=False,
                 updateable=False, audit=True),
        FieldDef("SystemModstamp", "System Modstamp", "datetime", createable=False,
                 updateable=False),
    ]
    if owner:
        out.insert(1, FieldDef("OwnerId", "Owner ID", "reference", 18, reference_to=user,
                               relationship_name="Owner"))
    return out


class Schema:
    def __init__(self, store: Store, standard: list[ObjectDef]) -> None:
        self.store = store
        self.objects: dict[str, ObjectDef] = {o.name: o for o in standard}
        self.listeners: list[Callable[[str, str | None], None]] = []
        self._standard = {o.name for o in standard}
        for name, doc in store.schema_docs().items():
            if "object" in doc:
                self.objects[name] = ObjectDef.from_doc(doc["object"])
                continue
            obj = self.objects.get(name)
            if obj is None:
                continue
            for fdoc in doc.get("custom_fields", []):
                custom = FieldDef.from_doc(fdoc)
                obj.fields[custom.name] = custom
            for fname, pick in doc.get("picklists", {}).items():
                if fname in obj.fields:
                    obj.fields[fname].picklist_values = list(pick["values"])
                    obj.fields[fname].restricted = bool(pick["restricted"])
        self._index()

    def _index(self) -> None:
        self._lower = {n.lower(): o for n, o in self.objects.items()}
        self.by_prefix = {o.key_prefix: o for o in self.objects.values() if o.key_prefix}
        self.by_prefix["069"] = self.objects["ContentDocument"]  # a note's id is its document's

    # -- reading -------------------------------------------------------------------------------

    def get(self, object_name: str) -> ObjectDef | None:
        """The object of that API name (case-insensitive, as REST and SOQL are), or None."""
        return self.objects.get(object_name) or self._lower.get(object_name.lower())

    def object_for_id(self, record_id: str) -> ObjectDef | None:
        return self.by_prefix.get(record_id[:3])

    # -- changing (Metadata API) ---------------------------------------------------------------

    def add_object(self, obj: ObjectDef) -> None:
        """Create a custom object; its key prefix and system fields (Id, OwnerId, Name Text(80)
        unless given, IsDeleted, audit fields) are added here."""
        if not obj.name.endswith("__c"):
            raise SchemaError(f"Custom object names end with __c: {obj.name}")
        if self.get(obj.name) is not None:
            raise SchemaError(f"There is already an object named {obj.name}")
        if not obj.key_prefix:
            index = int(self.store.get_kv("custom_prefix_next") or 0)
            obj.key_prefix = prefix_name(index)
            self.store.set_kv("custom_prefix_next", str(index + 1))
        obj.custom = True
        given = dict(obj.fields)
        obj.fields = {f.name: f for f in system_fields(owner=True)}
        obj.fields["Name"] = given.pop("Name", None) or FieldDef(
            "Name", f"{obj.label} Name", "string", 80, required=True)
        for fdef in given.values():
            self._check_field(obj, fdef)
            obj.fields[fdef.name] = fdef
        self.objects[obj.name] = obj
        self._save(obj.name)
        self._changed(obj.name, None)

    def add_field(self, object_name: str, field: FieldDef) -> None:
        obj = self._require(object_name)
        if field.name in obj.fields or obj.field_named(field.name) is not None:
            raise SchemaError(f"There is already a field named {field.name} on {obj.name}")
        self._check_field(obj, field)
        obj.fields[field.name] = field
        self._save(obj.name)
        self._changed(obj.name, field.name)

    def set_picklist(self, object_name: str, field_name: str, values: list[str],
                     restricted: bool) -> None:
        obj = self._require(object_name)
        fdef = obj.fields.get(field_name)
        if fdef is None or fdef.type not in ("picklist", "multipicklist"):
            raise SchemaError(f"{object_name}.{field_name} is not a picklist field")
        fdef.picklist_values = list(dict.fromkeys(values))
        fdef.restricted = restricted
        self._save(obj.name)
        self._changed(obj.name, field_name)

    def updated(self, object_name: str, field_name: str | None = None) -> None:
        """Persist and announce a definition changed in place (``updateMetadata`` editing a
        label, a length or a type on the ``FieldDef`` that ``get`` returned)."""
        obj = self._require(object_name)
        self._save(obj.name)
        self._changed(obj.name, field_name)

    def remove_object(self, object_name: str) -> None:
        obj = self._require(object_name)
        if not obj.custom:
            raise SchemaError(f"Cannot delete standard object {obj.name}")
        del self.objects[obj.name]
        self.store.put_schema(obj.name, None)
        self._index()
        self._changed(obj.name, None)

    def remove_field(self, object_name: str, field_name: str) -> None:
        obj = self._require(object_name)
        fdef = obj.fields.get(field_name)
        if fdef is None:
            raise SchemaError(f"No field {field_name} on {obj.name}")
        if not fdef.custom:
            raise SchemaError(f"Cannot delete standard field {obj.name}.{field_name}")
        del obj.fields[field_name]
        self._save(obj.name)
        self._changed(obj.name, field_name)

    # -- internals -----------------------------------------------------------------------------

    def _require(self, object_name: str) -> ObjectDef:
        obj = self.get(object_name)
        if obj is None:
            raise SchemaError(f"No object named {object_name}")
        return obj

    def _check_field(self, obj: ObjectDef, fdef: FieldDef) -> None:
        if not fdef.name.endswith("__c"):
            raise SchemaError(f"Custom field names end with __c: {fdef.name}")
        if fdef.type not in TYPES or fdef.type == "id":
            raise SchemaError(f"Unknown field type {fdef.type!r} for {obj.name}.{fdef.name}")
        fdef.custom = True
        if fdef.type == "reference":
            if not fdef.reference_to or any(self.get(t) is None for t in fdef.reference_to):
                raise SchemaError(f"{obj.name}.{fdef.name} must reference existing objects")
            fdef.reference_to = [self._require(t).name for t in fdef.reference_to]
            rel = fdef.relationship_name or fdef.name[:-3]
            fdef.relationship_name = rel if rel.endswith("__r") else rel + "__r"
        if fdef.type == "boolean" and fdef.default is None:
            fdef.default = False

    def _save(self, name: str) -> None:
        obj = self.objects[name]
        if name in self._standard:
            doc = {"custom_fields": [f.to_doc() for f in obj.fields.values() if f.custom],
                   "picklists": {f.name: {"values": f.picklist_values,
                                          "restricted": f.restricted}
                                 for f in obj.fields.values()
                                 if f.type in ("picklist", "multipicklist") and not f.custom}}
        else:
            doc = {"object": obj.to_doc()}
        self.store.put_schema(name, doc)
        self._index()

    def _changed(self, object_name: str, field_name: str | None) -> None:
        for listener in self.listeners:
            listener(object_name, field_name)

