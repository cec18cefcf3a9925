"""The CRUD-based Metadata calls applied to the org's schema, one component at a time.

``metadata.py`` speaks SOAP; this module decides what each component does to the schema
(``schema.Schema``, shared with the record engine, so a field created here is at once a field
REST, Collections and Bulk know — and, as in a real org, invisible to the integration user
until a FieldPermissions row grants it: rule 15 is enforced by the engine, not here).

Choices where the references are silent:

* ``createMetadata`` of something that exists: ``DUPLICATE_DEVELOPER_NAME``; update or delete
  of something missing: ``INVALID_CROSS_REFERENCE_KEY`` "In field: fullName - no … named …
  found" (the wording loaders log). ``readMetadata`` of something missing answers an empty
  ``records`` element (no ``fullName``), which is how clients tell "absent" from an error.
* A type change on update: Salesforce converts only where stored values survive, and a
  loader must never lose data silently, so only the widenings in
  ``metadata_types.WIDENINGS`` (Text→TextArea/LongTextArea, Email/Phone/Url→Text,
  Number↔Currency, Picklist→MultiselectPicklist) are applied; any other is
  ``FIELD_INTEGRITY_EXCEPTION`` "Cannot change the type of Obj.F__c from Text to Number …",
  and a Lookup cannot change the object it references. Delete and re-create is the way out.
* Standard objects and fields are not changed through CustomObject/CustomField (refused with
  ``FIELD_INTEGRITY_EXCEPTION``); their picklist values change through StandardValueSet.
* Activity: as in a real org, Event's custom fields are defined as ``Activity.X__c`` (the
  field then exists on Event, and Task if the org has it); ``Event.X__c`` in a CustomField is
  refused with a message naming the Activity form. FieldPermissions still name ``Event.X__c``.
"""

from __future__ import annotations

import copy
import dataclasses
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from sandbox.salesforce import metadata_types as mt
from sandbox.salesforce.metadata_types import ComponentError
from sandbox.salesforce.schema import FieldDef, ObjectDef, Schema, SchemaError

if TYPE_CHECKING:
    from sandbox.salesforce.org import Org

TYPES = ("CustomObject", "CustomField", "StandardValueSet")
_APPLIED = ("label", "type", "length", "precision", "scale", "required", "external_id",
            "unique", "case_sensitive", "picklist_values", "restricted", "default",
            "cascade_delete", "relationship_name")


def _integrity(exc: SchemaError) -> ComponentError:
    return ComponentError("FIELD_INTEGRITY_EXCEPTION", str(exc))


class Components:
    def __init__(self, org: Org) -> None:
        self.schema: Schema = org.schema
        self.store = org.store

    # -- kept extras -------------------------------------------------------------------------

    def _extras(self, full_name: str) -> dict:
        return self.store.get_doc(mt.EXTRA, full_name) or {}

    def _keep(self, full_name: str, extras: dict) -> None:
        self.store.put_doc(mt.EXTRA, full_name, extras)

    # -- lookups -----------------------------------------------------------------------------

    def _custom_object(self, full_name: str) -> ObjectDef:
        obj = self.schema.get(full_name)
        if obj is None or obj.name != full_name:
            raise mt.not_found("CustomObject", full_name)
        if not obj.custom:
            raise ComponentError("FIELD_INTEGRITY_EXCEPTION",
                                 f"{full_name} is a standard object: it cannot be changed "
                                 "through CustomObject", ["fullName"])
        return obj

    def _split(self, full_name: str) -> tuple[ObjectDef, str]:
        """The object a field name lives on (``Activity`` fields live on Event) and the field."""
        object_name, dot, field_name = full_name.partition(".")
        if not dot or not field_name:
            raise mt.bad("fullName", f"CustomField fullName must be Object.Field__c: {full_name}")
        homes = self._homes(object_name, field_name)
        return homes[0], field_name

    def _homes(self, object_name: str, field_name: str) -> list[ObjectDef]:
        """Every object a field of that name goes on: Activity's go on Event (and Task)."""
        if object_name == mt.ACTIVITY:
            homes = [o for o in map(self.schema.get, mt.ACTIVITY_OBJECTS) if o is not None]
        else:
            obj = self.schema.get(object_name)
            if obj is not None and obj.name in mt.ACTIVITY_OBJECTS:
                raise mt.bad("fullName", f"{obj.name} fields are defined on Activity: "
                             f"{mt.ACTIVITY}.{field_name}")
            homes = [obj] if obj is not None else []
        if not homes:
            raise mt.not_found("CustomObject", object_name)
        return homes

    def _value_set(self, full_name: str) -> tuple[ObjectDef, FieldDef]:
        target = mt.STANDARD_VALUE_SETS.get(full_name)
        obj = self.schema.get(target[0]) if target else None
        fdef = obj.fields.get(target[1]) if obj is not None and target else None
        if obj is None or fdef is None:
            raise mt.not_found("StandardValueSet", full_name)
        return obj, fdef

    # -- the calls ---------------------------------------------------------------------------

    def create(self, mtype: str, el: ET.Element, full_name: str) -> None:
        if mtype == "CustomObject":
            self._create_object(el, full_name)
        elif mtype == "CustomField":
            self._create_field(el, full_name)
        else:
            raise ComponentError("FIELD_INTEGRITY_EXCEPTION",
                                 f"StandardValueSet {full_name} exists in every org: use "
                                 "updateMetadata or upsertMetadata", ["fullName"])

    def update(self, mtype: str, el: ET.Element, full_name: str) -> None:
        if mtype == "CustomObject":
            self._update_object(el, full_name)
        elif mtype == "CustomField":
            self._update_field(el, full_name)
        else:
            self._update_value_set(el, full_name)

    def upsert(self, mtype: str, el: ET.Element, full_name: str) -> bool:
        """True when the component was created."""
        if self.exists(mtype, full_name):
            self.update(mtype, el, full_name)
            return False
        self.create(mtype, el, full_name)
        return True

    def exists(self, mtype: str, full_name: str) -> bool:
        if mtype == "CustomObject":
            obj = self.schema.get(full_name)
            return obj is not None and obj.name == full_name
        if mtype == "CustomField":
            try:
                obj, field_name = self._split(full_name)
            except ComponentError:
                return False
            return field_name in obj.fields
        return full_name in mt.STANDARD_VALUE_SETS

    def delete(self, mtype: str, full_name: str) -> None:
        try:
            if mtype == "CustomObject":
                obj = self._custom_object(full_name)
                self.schema.remove_object(obj.name)
                prefix = obj.name + "."
                extras = [k for k in self.store.all_docs(mt.EXTRA) if k.startswith(prefix)]
                self.store.delete_doc(mt.EXTRA, [obj.name, *extras])
            elif mtype == "CustomField":
                object_name, _, field_name = full_name.partition(".")
                homes = self._homes(object_name, field_name)
                if field_name not in homes[0].fields:
                    raise mt.not_found("CustomField", full_name)
                for home in homes:
                    self.schema.remove_field(home.name, field_name)
                self.store.delete_doc(mt.EXTRA, [full_name])
            else:
                raise ComponentError("FIELD_INTEGRITY_EXCEPTION",
                                     f"StandardValueSet {full_name} cannot be deleted",
                                     ["fullName"])
        except SchemaError as exc:
            raise _integrity(exc) from None

    def read(self, parent: ET.Element, mtype: str, full_name: str) -> None:
        if not self.exists(mtype, full_name):
            ET.SubElement(parent, "records", {f"{{{mt.XSI}}}type": mtype})
            return
        if mtype == "CustomObject":
            obj = self.schema.get(full_name)
            assert obj is not None
            mt.object_to_xml(parent, "records", obj, self._extras(full_name))
        elif mtype == "CustomField":
            obj, field_name = self._split(full_name)
            mt.field_to_xml(parent, "records", full_name, obj.fields[field_name],
                            self._extras(full_name))
        else:
            _, fdef = self._value_set(full_name)
            labels = self._extras(f"StandardValueSet:{full_name}").get("labels", [])
            mt.value_set_to_xml(parent, "records", full_name, fdef, labels)

    def names(self, mtype: str) -> list[str]:
        """What ``listMetadata`` reports for one type."""
        if mtype == "CustomObject":
            return sorted(o.name for o in self.schema.objects.values() if o.custom)
        if mtype == "CustomField":
            return sorted({f"{self._home_name(o)}.{f.name}" for o in self.schema.objects.values()
                           for f in o.fields.values() if f.custom})
        return sorted(mt.STANDARD_VALUE_SETS)

    @staticmethod
    def _home_name(obj: ObjectDef) -> str:
        return mt.ACTIVITY if obj.name in mt.ACTIVITY_OBJECTS else obj.name

    # -- CustomObject ------------------------------------------------------------------------

    def _create_object(self, el: ET.Element, full_name: str) -> None:
        obj, extras = mt.object_from_xml(el, full_name)
        if self.schema.get(full_name) is not None:
            raise ComponentError("DUPLICATE_DEVELOPER_NAME",
                                 f"There is already a Custom Object named {full_name}",
                                 ["fullName"])
        field_extras: dict[str, dict] = {}
        for field_el in mt.children(el, "fields"):
            field_name = mt.text(field_el, "fullName") or ""
            fdef, fx = mt.field_from_xml(field_el, field_name, self.schema.get)
            obj.fields[fdef.name] = fdef
            field_extras[f"{full_name}.{fdef.name}"] = fx
        try:
            self.schema.add_object(obj)
        except SchemaError as exc:
            raise _integrity(exc) from None
        self._keep(full_name, extras)
        for name, fx in field_extras.items():
            self._keep(name, fx)

    def _update_object(self, el: ET.Element, full_name: str) -> None:
        obj = self._custom_object(full_name)
        new, extras = mt.object_from_xml(el, full_name)
        obj.label, obj.label_plural = new.label, new.label_plural
        name_field, wanted = obj.fields["Name"], new.fields["Name"]
        for attribute in ("label", "length", "required", "createable", "updateable"):
            setattr(name_field, attribute, getattr(wanted, attribute))
        self.schema.updated(obj.name)
        self._keep(full_name, extras)

    # -- CustomField -------------------------------------------------------------------------

    def _create_field(self, el: ET.Element, full_name: str) -> None:
        object_name, _, field_name = full_name.partition(".")
        homes = self._homes(object_name, field_name)
        fdef, extras = mt.field_from_xml(el, field_name, self.schema.get)
        if homes[0].field_named(field_name) is not None:
            raise ComponentError("DUPLICATE_DEVELOPER_NAME",
                                 f"There is already a field named {field_name} on "
                                 f"{object_name}", ["fullName"])
        try:
            for home in homes:
                self.schema.add_field(home.name, dataclasses.replace(fdef))
        except SchemaError as exc:
            raise _integrity(exc) from None
        self._keep(full_name, extras)

    def _update_field(self, el: ET.Element, full_name: str) -> None:
        obj, field_name = self._split(full_name)
        old = obj.fields.get(field_name)
        if old is None:
            raise mt.not_found("CustomField", full_name)
        if not old.custom:
            hint = next((f" use StandardValueSet {name}" for name, target
                         in mt.STANDARD_VALUE_SETS.items() if target == (obj.name, old.name)),
                        "")
            raise ComponentError("FIELD_INTEGRITY_EXCEPTION",
                                 f"{full_name} is a standard field and cannot be changed "
                                 f"through CustomField;{hint or ' it is read-only'}",
                                 ["fullName"])
        new, extras = mt.field_from_xml(el, field_name, self.schema.get)
        old_type = mt.metadata_type(old, self._extras(full_name))
        new_type = extras["type"]
        if old_type != new_type and (old_type, new_type) not in mt.WIDENINGS:
            raise ComponentError(
                "FIELD_INTEGRITY_EXCEPTION",
                f"Cannot change the type of {full_name} from {old_type} to {new_type}: only "
                "changes that keep every stored value are allowed; delete the field and "
                "create it again", ["type"])
        if old.reference_to and new.reference_to != old.reference_to:
            raise ComponentError("FIELD_INTEGRITY_EXCEPTION",
                                 f"Cannot change the object {full_name} references "
                                 f"({old.reference_to[0]})", ["referenceTo"])
        for home in self._homes(full_name.partition(".")[0], field_name):
            target = home.fields[field_name]
            for attribute in _APPLIED:
                setattr(target, attribute, copy.copy(getattr(new, attribute)))
            self.schema.updated(home.name, field_name)
        self._keep(full_name, extras)

    # -- StandardValueSet --------------------------------------------------------------------

    def _update_value_set(self, el: ET.Element, full_name: str) -> None:
        obj, fdef = self._value_set(full_name)
        names, labels = mt.value_set_from_xml(el)
        try:
            self.schema.set_picklist(obj.name, fdef.name, names, fdef.restricted)
        except SchemaError as exc:
            raise _integrity(exc) from None
        self._keep(f"StandardValueSet:{full_name}", {"labels": labels})
