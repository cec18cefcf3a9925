"""Metadata API components ⇄ the org's schema: CustomObject, CustomField, StandardValueSet.

Each reader turns one ``<metadata xsi:type="…">`` element into the schema's ``ObjectDef`` /
``FieldDef`` and refuses what a real org refuses, with the statusCode a SaveResult carries;
each writer builds the element ``readMetadata`` answers. Choices where the references are
silent (destinations.md §1.5, destinations-2.md §1.5 name the calls, not their validation):

* Required per type, as the Metadata API documents them: Text ``length`` 1-255; LongTextArea
  ``length`` 256-131072 and ``visibleLines``; Number/Currency/Percent ``precision`` 1-18 and
  ``scale`` 0..precision; Checkbox ``defaultValue``; Picklist a non-empty ``valueSet``;
  MultiselectPicklist also ``visibleLines``; Lookup ``referenceTo`` (an existing object) and
  ``relationshipName``. A missing one is ``REQUIRED_FIELD_MISSING``, a bad one
  ``FIELD_INTEGRITY_EXCEPTION`` naming the attribute in ``fields``.
* ``externalId`` and ``unique`` only on Text, Number and Email (Salesforce's rule for
  External IDs); API names are letters, digits and single underscores, ≤40 characters before
  ``__c``.
* CustomObject needs ``label``, ``pluralLabel``, ``nameField`` (Text or AutoNumber, with
  ``label``; AutoNumber also ``displayFormat``) and ``sharingModel``; ``deploymentStatus``
  defaults to Deployed. An AutoNumber name is stored as a read-only Name the stand-in leaves
  empty (numbering records is not a rule any test needs).
* ``deleteConstraint`` Cascade is kept (deleting the parent deletes the children); SetNull
  (the default) and Restrict are both stored as SetNull.
* Attributes the schema does not hold (description, visibleLines, sharingModel, nameField,
  deleteConstraint, …) are kept beside it (``EXTRA`` documents) so ``readMetadata`` returns what
  was sent.
* Standard picklist values (``Product2.Family`` for Service Groups) change through
  ``StandardValueSet`` named ``Product2Family``, as in a real org (Metadata API
  StandardValueSet page; the set names appear in every retrieve manifest): update or upsert
  replaces the whole value list, so a loader must read, add its values, and send all of them.
  A CustomField update of a standard picklist is refused with a message naming the set.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

from sandbox.salesforce.schema import FieldDef, ObjectDef

NS = "http://soap.sforce.com/2006/04/metadata"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
EXTRA = "metadata"  # store.put_doc kind of the attributes kept beside the schema
_NAME = re.compile(r"^[A-Za-z](?:[A-Za-z0-9]|_(?!_))*__c$")
_RELATIONSHIP = re.compile(r"^[A-Za-z](?:[A-Za-z0-9]|_(?!_))*$")
FIELD_TYPES = {
    "Text": "string", "TextArea": "textarea", "LongTextArea": "textarea", "Email": "email",
    "Phone": "phone", "Url": "url", "Picklist": "picklist",
    "MultiselectPicklist": "multipicklist", "Checkbox": "boolean", "Number": "double",
    "Currency": "currency", "Percent": "percent", "Date": "date", "DateTime": "datetime",
    "Lookup": "reference",
}
FIXED_LENGTH = {"TextArea": 255, "Email": 80, "Phone": 40, "Url": 255, "Picklist": 255,
                "MultiselectPicklist": 4099}
KEY_TYPES = ("Text", "Number", "Email")
# a type change keeps every stored value only between these (see metadata_ops.update_field)
WIDENINGS = {("Text", "TextArea"), ("Text", "LongTextArea"), ("TextArea", "LongTextArea"),
             ("Email", "Text"), ("Phone", "Text"), ("Url", "Text"), ("Number", "Currency"),
             ("Currency", "Number"), ("Picklist", "MultiselectPicklist")}
STANDARD_VALUE_SETS = {"Product2Family": ("Product2", "Family"),
                       "LeadSource": ("Lead", "LeadSource"), "LeadStatus": ("Lead", "Status"),
                       "Industry": ("Account", "Industry"),
                       "OpportunityStage": ("Opportunity", "StageName")}
ACTIVITY, ACTIVITY_OBJECTS = "Activity", ("Event", "Task")
OBJECT_EXTRAS = ("description", "deploymentStatus", "sharingModel", "enableActivities")
FIELD_EXTRAS = ("description", "inlineHelpText", "visibleLines", "deleteConstraint")


class ComponentError(Exception):
    """One component refused: becomes the ``errors`` element of its result."""

    def __init__(self, code: str, message: str, fields: list[str] | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.fields = code, message, fields or []


def missing(name: str, kind: str) -> ComponentError:
    return ComponentError("REQUIRED_FIELD_MISSING", f"Must specify '{name}' for a {kind}", [name])


def bad(name: str, message: str) -> ComponentError:
    return ComponentError("FIELD_INTEGRITY_EXCEPTION", message, [name])


def not_found(kind: str, full_name: str) -> ComponentError:
    return ComponentError("INVALID_CROSS_REFERENCE_KEY",
                          f"In field: fullName - no {kind} named {full_name} found", ["fullName"])


# -- reading XML ------------------------------------------------------------------------------

def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def child(el: ET.Element, name: str) -> ET.Element | None:
    return next((c for c in el if local(c.tag) == name), None)


def children(el: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in el if local(c.tag) == name]


def text(el: ET.Element, name: str) -> str | None:
    found = child(el, name)
    if found is None or found.get(f"{{{XSI}}}nil") == "true":
        return None
    return (found.text or "").strip()


def flag(el: ET.Element, name: str) -> bool:
    return (text(el, name) or "false").lower() == "true"


def number(el: ET.Element, name: str, kind: str, low: int, high: int) -> int:
    raw = text(el, name)
    if raw is None or raw == "":
        raise missing(name, kind)
    try:
        value = int(float(raw))
    except ValueError:
        raise bad(name, f"{name}: '{raw}' is not a number") from None
    if not low <= value <= high:
        raise bad(name, f"{name}: {value} is outside the range {low}-{high}")
    return value


def check_name(full_name: str, what: str) -> None:
    if not _NAME.match(full_name) or len(full_name) > 43:
        raise bad("fullName", f"Invalid {what} API name '{full_name}': letters, digits and "
                  "single underscores, starting with a letter, at most 40 characters, then __c")


def extras_of(el: ET.Element, names: tuple[str, ...]) -> dict[str, str]:
    return {n: v for n in names if (v := text(el, n)) is not None}


# -- CustomField ------------------------------------------------------------------------------

def picklist_values(el: ET.Element, kind: str) -> tuple[list[str], bool, list[str]]:
    """(API names, restricted, labels) of a ``valueSet``."""
    value_set = child(el, "valueSet")
    definition = child(value_set, "valueSetDefinition") if value_set is not None else None
    entries = children(definition, "value") if definition is not None else []
    if not entries:
        raise missing("valueSet", kind)
    names = [text(v, "fullName") or "" for v in entries]
    if any(not n for n in names):
        raise missing("valueSet", kind)
    folded = [n.lower() for n in names]
    if len(set(folded)) != len(folded):
        duplicate = next(n for n in names if folded.count(n.lower()) > 1)
        raise bad("valueSet", f"Duplicate picklist value: {duplicate}")
    labels = [text(v, "label") or n for v, n in zip(entries, names, strict=True)]
    assert value_set is not None
    return names, flag(value_set, "restricted"), labels


def field_from_xml(el: ET.Element, field_name: str,
                   resolve: Callable[[str], ObjectDef | None]) -> tuple[FieldDef, dict]:
    """A new custom field's definition and its kept extras; ``resolve(name)`` finds objects."""
    kind = "CustomField"
    check_name(field_name, "field")
    label = text(el, "label")
    if not label:
        raise missing("label", kind)
    mtype = text(el, "type")
    if not mtype:
        raise missing("type", kind)
    if mtype not in FIELD_TYPES:
        raise bad("type", f"Unsupported CustomField type: {mtype}")
    fdef = FieldDef(field_name, label, FIELD_TYPES[mtype], FIXED_LENGTH.get(mtype, 0),
                    required=flag(el, "required"))
    extras = extras_of(el, FIELD_EXTRAS)
    extras["type"] = mtype
    if mtype == "Text":
        fdef.length = number(el, "length", kind, 1, 255)
    elif mtype == "LongTextArea":
        fdef.length = number(el, "length", kind, 256, 131072)
        number(el, "visibleLines", kind, 2, 50)
    elif mtype in ("Number", "Currency", "Percent"):
        fdef.precision = number(el, "precision", kind, 1, 18)
        fdef.scale = number(el, "scale", kind, 0, fdef.precision)
    elif mtype == "Checkbox":
        default = text(el, "defaultValue")
        if default not in ("true", "false"):
            raise missing("defaultValue", "CustomField of type Checkbox")
        fdef.default = default == "true"
    elif mtype in ("Picklist", "MultiselectPicklist"):
        fdef.picklist_values, fdef.restricted, labels = picklist_values(el, kind)
        extras["labels"] = labels
        if mtype == "MultiselectPicklist":
            number(el, "visibleLines", kind, 3, 10)
    elif mtype == "Lookup":
        target = text(el, "referenceTo")
        if not target:
            raise missing("referenceTo", kind)
        parent = resolve(target)
        if parent is None:
            raise bad("referenceTo", f"referenceTo: no object named {target}")
        relationship = text(el, "relationshipName")
        if not relationship:
            raise missing("relationshipName", kind)
        if not _RELATIONSHIP.match(relationship) or relationship.endswith("_"):
            raise bad("relationshipName", f"Invalid relationshipName '{relationship}'")
        constraint = text(el, "deleteConstraint") or "SetNull"
        if constraint not in ("SetNull", "Restrict", "Cascade"):
            raise bad("deleteConstraint", f"Invalid deleteConstraint: {constraint}")
        fdef.length, fdef.reference_to = 18, [parent.name]
        fdef.relationship_name = relationship + "__r"
        fdef.cascade_delete = constraint == "Cascade"
    fdef.external_id, fdef.unique = flag(el, "externalId"), flag(el, "unique")
    fdef.case_sensitive = flag(el, "caseSensitive")
    for attribute, wanted in (("externalId", fdef.external_id), ("unique", fdef.unique)):
        if wanted and mtype not in KEY_TYPES:
            raise bad(attribute, f"{attribute} is allowed only on Text, Number and Email "
                      f"fields, not on {mtype}")
    return fdef, extras


def metadata_type(fdef: FieldDef, extras: dict) -> str:
    if extras.get("type"):
        return str(extras["type"])
    if fdef.type == "textarea":
        return "LongTextArea" if fdef.length > 255 else "TextArea"
    reverse = {v: k for k, v in FIELD_TYPES.items() if k not in ("TextArea", "LongTextArea")}
    return reverse.get(fdef.type, "Text")


def _add(parent: ET.Element, name: str, value: Any) -> None:
    if value is None or value == "":
        return
    node = ET.SubElement(parent, name)
    node.text = str(value).lower() if isinstance(value, bool) else str(value)


def field_to_xml(parent: ET.Element, tag: str, full_name: str, fdef: FieldDef,
                 extras: dict) -> ET.Element:
    el = ET.SubElement(parent, tag, {f"{{{XSI}}}type": "CustomField"})
    mtype = metadata_type(fdef, extras)
    _add(el, "fullName", full_name)
    _add(el, "caseSensitive", fdef.case_sensitive if fdef.unique else None)
    if mtype == "Checkbox":
        _add(el, "defaultValue", bool(fdef.default))
    for name in ("deleteConstraint", "description", "inlineHelpText"):
        _add(el, name, extras.get(name))
    _add(el, "externalId", fdef.external_id)
    _add(el, "label", fdef.label)
    if mtype in ("Text", "LongTextArea"):
        _add(el, "length", fdef.length)
    if mtype in ("Number", "Currency", "Percent"):
        _add(el, "precision", fdef.precision)
    if fdef.reference_to:
        _add(el, "referenceTo", fdef.reference_to[0])
        _add(el, "relationshipName", (fdef.relationship_name or "").removesuffix("__r"))
    _add(el, "required", fdef.required)
    if mtype in ("Number", "Currency", "Percent"):
        _add(el, "scale", fdef.scale)
    _add(el, "type", mtype)
    _add(el, "unique", fdef.unique)
    if fdef.type in ("picklist", "multipicklist"):
        value_set = ET.SubElement(el, "valueSet")
        _add(value_set, "restricted", fdef.restricted)
        definition = ET.SubElement(value_set, "valueSetDefinition")
        labels = extras.get("labels") or []
        for i, value in enumerate(fdef.picklist_values):
            entry = ET.SubElement(definition, "value")
            _add(entry, "fullName", value)
            _add(entry, "default", False)
            _add(entry, "label", labels[i] if i < len(labels) else value)
    _add(el, "visibleLines", extras.get("visibleLines"))
    return el


# -- CustomObject -----------------------------------------------------------------------------

def object_from_xml(el: ET.Element, full_name: str) -> tuple[ObjectDef, dict]:
    kind = "CustomObject"
    check_name(full_name, "object")
    label, plural = text(el, "label"), text(el, "pluralLabel")
    if not label:
        raise missing("label", kind)
    if not plural:
        raise missing("pluralLabel", kind)
    name_el = child(el, "nameField")
    if name_el is None:
        raise missing("nameField", kind)
    name_type, name_label = text(name_el, "type"), text(name_el, "label")
    if name_type not in ("Text", "AutoNumber"):
        raise bad("nameField", f"nameField type must be Text or AutoNumber, not {name_type}")
    if not name_label:
        raise missing("nameField.label", kind)
    sharing = text(el, "sharingModel")
    if not sharing:
        raise missing("sharingModel", kind)
    if sharing not in ("ReadWrite", "Read", "Private", "ControlledByParent"):
        raise bad("sharingModel", f"Invalid sharingModel: {sharing}")
    status = text(el, "deploymentStatus") or "Deployed"
    if status not in ("Deployed", "InDevelopment"):
        raise bad("deploymentStatus", f"Invalid deploymentStatus: {status}")
    name_field = FieldDef("Name", name_label, "string", 80, required=name_type == "Text")
    extras: dict[str, Any] = {**extras_of(el, OBJECT_EXTRAS), "deploymentStatus": status,
                              "nameField": {"type": name_type, "label": name_label}}
    if name_type == "AutoNumber":
        display = text(name_el, "displayFormat")
        if not display:
            raise missing("nameField.displayFormat", kind)
        extras["nameField"]["displayFormat"] = display
        name_field.required, name_field.createable, name_field.updateable = False, False, False
        name_field.length = 30
    obj = ObjectDef(full_name, label, plural, fields={"Name": name_field})
    return obj, extras


def object_to_xml(parent: ET.Element, tag: str, obj: ObjectDef, extras: dict) -> ET.Element:
    el = ET.SubElement(parent, tag, {f"{{{XSI}}}type": "CustomObject"})
    _add(el, "fullName", obj.name)
    _add(el, "deploymentStatus", extras.get("deploymentStatus", "Deployed"))
    _add(el, "description", extras.get("description"))
    _add(el, "label", obj.label)
    name_info = extras.get("nameField") or {"type": "Text", "label": obj.fields["Name"].label}
    name_el = ET.SubElement(el, "nameField")
    _add(name_el, "displayFormat", name_info.get("displayFormat"))
    _add(name_el, "label", name_info["label"])
    _add(name_el, "type", name_info["type"])
    _add(el, "pluralLabel", obj.label_plural)
    _add(el, "sharingModel", extras.get("sharingModel", "ReadWrite"))
    return el


# -- StandardValueSet -------------------------------------------------------------------------

def value_set_from_xml(el: ET.Element) -> tuple[list[str], list[str]]:
    entries = children(el, "standardValue")
    names = [text(v, "fullName") or "" for v in entries]
    if not names or any(not n for n in names):
        raise missing("standardValue", "StandardValueSet")
    labels = [text(v, "label") or n for v, n in zip(entries, names, strict=True)]
    return names, labels


def value_set_to_xml(parent: ET.Element, tag: str, full_name: str, fdef: FieldDef,
                     labels: list[str]) -> ET.Element:
    el = ET.SubElement(parent, tag, {f"{{{XSI}}}type": "StandardValueSet"})
    _add(el, "fullName", full_name)
    _add(el, "sorted", False)
    for i, value in enumerate(fdef.picklist_values):
        entry = ET.SubElement(el, "standardValue")
        _add(entry, "fullName", value)
        _add(entry, "default", False)
        _add(entry, "label", labels[i] if i < len(labels) else value)
    return el
