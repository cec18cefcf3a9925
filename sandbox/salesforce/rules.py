"""What one row may say: field names, writability, values, references, per-object rules.

Rules from destinations-2.md §1.12 enforced here: 3 (``REQUIRED_FIELD_MISSING`` with
``fields``), 13 (restricted picklists, through ``values.coerce``), 14
(``STANDARD_PRICE_NOT_DEFINED``), 15 (a field hidden by FLS is ``INVALID_FIELD: No such
column``; visible but not editable is ``INVALID_FIELD_FOR_INSERT_UPDATE``), 16 (audit fields
only on a plain insert and only with "Set Audit Fields upon Record Creation"), the owner rule
(§1.11 pitfall 6: ``INACTIVE_OWNER_OR_USER`` except on Account, Opportunity and custom
objects) and ``Event.WhoId`` pointing at a Contact or Lead only.

Choices where the references are silent (documented again in ``app.py``):
* a parent named by External ID that does not exist: ``INVALID_CROSS_REFERENCE_KEY`` "Foreign
  key external ID: v not found for field F in entity O" (real orgs say this under
  ``INVALID_FIELD``; the stand-in uses the reference class §1.6 lists so a loader files it as
  a reference error); one that matches two records: ``DUPLICATE_EXTERNAL_ID``;
* a polymorphic relationship (``Who``, ``What``, ``LinkedEntity``) named by External ID must
  say which object it means with ``attributes.type``;
* an id of the wrong object in a lookup: ``FIELD_INTEGRITY_EXCEPTION`` "<label>: id value of
  incorrect type"; an id that names nothing: ``INVALID_CROSS_REFERENCE_KEY``; a recycled one:
  ``ENTITY_IS_DELETED``;
* a field that is createable but not updateable (``PricebookEntry.Product2Id``) is refused on
  the update half of an upsert even when its value is unchanged;
* Event: ``StartDateTime`` (or ``ActivityDateTime``) is required, plus ``EndDateTime`` or
  ``DurationInMinutes``; the end may not precede the start and an event lasts ≤ 14 days;
* ``FieldPermissions.PermissionsEdit`` without ``PermissionsRead`` is refused; so is an
  ``ObjectPermissions`` flag without the ones it depends on (the object reference: Create,
  Edit and View All need Read, Delete needs Read and Edit, Modify All needs Read, Edit,
  Delete and View All), as ``FIELD_INTEGRITY_EXCEPTION`` "Permission Edit X depends on
  permission(s): Read X" (the wording data-loading guides quote).
"""

from __future__ import annotations

import base64
import re
from datetime import timedelta
from typing import Any

from sandbox.salesforce import security
from sandbox.salesforce.engine_protocols import RuleEngine
from sandbox.salesforce.errors import RowError, no_such_column, not_writable
from sandbox.salesforce.schema import TEXT_TYPES, FieldDef, ObjectDef
from sandbox.salesforce.standard import STAGE_PROBABILITY
from sandbox.salesforce.values import coerce, format_datetime, parse_datetime

Row = dict[str, Any]
MAX_EVENT_MINUTES = 14 * 24 * 60
API_NAME = re.compile(r"^[A-Za-z](?:[A-Za-z0-9]|_(?!_))*(?<!_)$")
OWNER_CHECK_EXEMPT = {"Account", "Opportunity"}
CONTENT_VERSION_PREFIX = "068"  # the note's (single) ContentVersion


def incoming(engine: RuleEngine, obj: ObjectDef, row: Row, mode: str, strings: bool) -> Row:
    """The sent values of one row as stored values. ``mode``: insert, update, upsert-insert,
    upsert-update (audit fields are allowed on a plain insert only)."""
    values: Row = {}
    relations: list[tuple[FieldDef, Any]] = []
    blocked: list[str] = []
    for key, value in row.items():
        if key == "attributes" or key.lower() == "id":
            continue
        fdef = engine.visible_field(obj, key)
        if fdef is None:
            rel = obj.relationship(key)
            if rel is not None and engine.visible_field(obj, rel.name) is not None and (
                    value is None or isinstance(value, dict)):
                relations.append((rel, value))
                continue
            raise RowError("INVALID_FIELD", no_such_column(key, obj.name), [key])
        if strings and value == "":
            continue
        if not _writable(engine, obj, fdef, mode):
            blocked.append(fdef.name)
            continue
        if isinstance(value, dict | list):
            raise RowError("JSON_PARSER_ERROR",
                           f"Cannot deserialize a JSON {type(value).__name__} into field "
                           f"{fdef.name}", [fdef.name])
        values[fdef.name] = coerce(fdef, value)
    for rel, spec in relations:
        if not _writable(engine, obj, rel, mode):
            blocked.append(rel.name)
        elif rel.name in values:
            raise RowError("INVALID_FIELD",
                           f"{rel.name} and {rel.relationship_name} cannot both be specified",
                           [rel.name])
        else:
            values[rel.name] = resolve_external(engine, obj, rel, spec)
    if blocked:
        raise not_writable(blocked)
    for name, value in values.items():
        fdef = obj.fields[name]
        if fdef.type == "reference" and value:
            check_reference(engine, obj, fdef, value)
    return values


def _writable(engine: RuleEngine, obj: ObjectDef, fdef: FieldDef, mode: str) -> bool:
    if fdef.audit:
        return mode == "insert" and engine.org.settings.set_audit_fields
    allowed = fdef.createable if mode.endswith("insert") else fdef.updateable
    return allowed and engine.editable(obj, fdef)


def targets(engine: RuleEngine, fdef: FieldDef) -> list[str]:
    """Objects a lookup may point at; ContentDocumentLink.LinkedEntityId and Event.WhatId take
    every custom object too."""
    names = list(fdef.reference_to)
    if fdef.name in ("LinkedEntityId", "WhatId"):
        names += [o.name for o in engine.schema.objects.values() if o.custom]
    return names


def check_reference(engine: RuleEngine, obj: ObjectDef, fdef: FieldDef, rid: str) -> None:
    target = engine.schema.object_for_id(rid)
    allowed = targets(engine, fdef)
    if target is None or target.name not in allowed:
        raise RowError("FIELD_INTEGRITY_EXCEPTION",
                       f"{fdef.label}: id value of incorrect type: {rid}", [fdef.name])
    parent = engine.tables.get(target.table, {}).get(rid)
    if parent is None:
        raise RowError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [fdef.name])
    if parent.get("IsDeleted"):
        raise RowError("ENTITY_IS_DELETED", "entity is deleted", [fdef.name])
    if (fdef.name == "OwnerId" and not parent.get("IsActive")
            and obj.name not in OWNER_CHECK_EXEMPT and not obj.custom):
        raise RowError("INACTIVE_OWNER_OR_USER",
                       f"operation performed with inactive user [{rid}] as owner of "
                       f"{obj.label.lower()}", [fdef.name])


def resolve_external(engine: RuleEngine, obj: ObjectDef, rel: FieldDef, spec: Any) -> str | None:
    """``{"Account": {"Bizstim_Id__c": "A-17"}}`` → the Account's id (``None`` = set null)."""
    if spec is None:
        return None
    spec = dict(spec)
    attributes = spec.pop("attributes", None)
    type_name = attributes.get("type") if isinstance(attributes, dict) else None
    name = rel.relationship_name
    if len(spec) != 1:
        raise RowError("INVALID_FIELD", f"{name}: name exactly one External ID field of the "
                       "related record", [rel.name])
    allowed = targets(engine, rel)
    if type_name is not None:
        target = engine.schema.get(str(type_name))
        if target is None or target.name not in allowed:
            raise RowError("INVALID_FIELD", f"{name}: {type_name} is not a valid type for "
                           "this relationship", [rel.name])
    elif len(allowed) == 1:
        target = engine.object(allowed[0])
    else:
        raise RowError("INVALID_FIELD", f"{name} is polymorphic: give the related record's "
                       "attributes.type", [rel.name])
    (key, value), = spec.items()
    kdef = engine.visible_field(target, key)
    if kdef is None:
        raise RowError("INVALID_FIELD", no_such_column(key, target.name), [rel.name])
    if not (kdef.external_id or kdef.name == "Id" or (kdef.unique and kdef.type in TEXT_TYPES)):
        raise RowError("INVALID_FIELD", f"Field {kdef.name} is not an External ID or indexed "
                       f"field for {target.name}", [rel.name])
    if value is None or value == "":
        return None
    try:
        found = engine.match(target, kdef, value)
    except RowError as exc:
        raise RowError(exc.code, exc.message, [rel.name]) from None
    if not found:
        raise RowError("INVALID_CROSS_REFERENCE_KEY", f"Foreign key external ID: {value} not "
                       f"found for field {kdef.name} in entity {target.name}", [rel.name])
    if len(found) > 1:
        raise RowError("DUPLICATE_EXTERNAL_ID", f"Foreign key external ID: {value} matched "
                       f"more than one record for field {kdef.name} in entity {target.name}",
                       [rel.name])
    return found[0]


def complete(engine: RuleEngine, obj: ObjectDef, new: Row, old: Row | None) -> None:
    """Required fields, derived fields and the per-object rules, on the row about to be saved."""
    missing = [f.name for f in obj.fields.values()
               if f.required and new.get(f.name) in (None, "")]
    if missing:
        raise RowError("REQUIRED_FIELD_MISSING",
                       f"Required fields are missing: [{', '.join(missing)}]", missing)
    if "LastName" in obj.fields and "Name" in obj.fields:
        new["Name"] = " ".join(p for p in (new.get("FirstName"), new.get("LastName")) if p)
    special = _OBJECT_RULES.get(obj.name)
    if special is not None:
        special(engine, obj, new, old)


def _opportunity(engine: RuleEngine, obj: ObjectDef, new: Row, old: Row | None) -> None:
    stage = new["StageName"]
    default = float(STAGE_PROBABILITY.get(stage, 0))
    if old is None:
        if new.get("Probability") is None:
            new["Probability"] = default
    elif stage != old.get("StageName") and new.get("Probability") == old.get("Probability"):
        new["Probability"] = default
    new["IsClosed"] = stage in ("Closed Won", "Closed Lost")
    new["IsWon"] = stage == "Closed Won"


def _pricebook_entry(engine: RuleEngine, obj: ObjectDef, new: Row, old: Row | None) -> None:
    product = engine.tables["Product2"][new["Product2Id"]]
    new["Name"], new["ProductCode"] = product.get("Name"), product.get("ProductCode")
    standard = engine.org.standard_pricebook_id
    if old is None and new["Pricebook2Id"] != standard:
        bucket = engine.unique.get(("PricebookEntry", "Pricebook2Id|Product2Id"), {})
        if not bucket.get((standard, new["Product2Id"])):
            raise RowError("STANDARD_PRICE_NOT_DEFINED",
                           "No standard price defined for this product")


def _event(engine: RuleEngine, obj: ObjectDef, new: Row, old: Row | None) -> None:
    start_text = new.get("StartDateTime") or new.get("ActivityDateTime")
    if not start_text:
        raise RowError("REQUIRED_FIELD_MISSING", "Required fields are missing: [StartDateTime]",
                       ["StartDateTime"])
    start = parse_datetime(start_text)
    end_text, minutes = new.get("EndDateTime"), new.get("DurationInMinutes")
    before = old or {}
    if end_text and (old is None or end_text != before.get("EndDateTime")):
        end = parse_datetime(end_text)  # an end that was sent wins over a duration
    elif minutes is not None and (old is None or minutes != before.get("DurationInMinutes")):
        end = start + timedelta(minutes=minutes)
    elif old is not None and before.get("DurationInMinutes") is not None:
        end = start + timedelta(minutes=before["DurationInMinutes"])  # a moved start keeps it
    else:
        raise RowError("REQUIRED_FIELD_MISSING",
                       "Required fields are missing: [DurationInMinutes]", ["DurationInMinutes"])
    if start is None or end is None or end < start:
        raise RowError("FIELD_INTEGRITY_EXCEPTION",
                       "End Date Time: the end can't be before the start", ["EndDateTime"])
    length = int((end - start).total_seconds() // 60)
    if length > MAX_EVENT_MINUTES:
        raise RowError("FIELD_INTEGRITY_EXCEPTION", "Event duration can't exceed 14 days",
                       ["DurationInMinutes"])
    new.update(StartDateTime=format_datetime(start), ActivityDateTime=format_datetime(start),
               EndDateTime=format_datetime(end), DurationInMinutes=length,
               ActivityDate=start.date().isoformat())


def _content_note(engine: RuleEngine, obj: ObjectDef, new: Row, old: Row | None) -> None:
    raw = base64.b64decode(new.get("Content") or "")
    text = raw.decode("utf-8", errors="replace")
    new.update(TextPreview=text[:255] or None, ContentSize=len(raw), FileType="SNOTE",
               FileExtension="snote")
    if old is None:
        new["LatestPublishedVersionId"] = engine.new_id(CONTENT_VERSION_PREFIX)


def _field_permissions(engine: RuleEngine, obj: ObjectDef, new: Row, old: Row | None) -> None:
    sobject = engine.schema.objects.get(new["SobjectType"])
    if sobject is None:
        raise RowError("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "Sobject Type Name: bad value "
                       f"for restricted picklist field: {new['SobjectType']}", ["SobjectType"])
    object_name, _, field_name = str(new["Field"]).partition(".")
    fdef = sobject.fields.get(field_name)
    if object_name != sobject.name or fdef is None or not security.permissionable(sobject, fdef):
        raise RowError("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "Field Name: bad value for "
                       f"restricted picklist field: {new['Field']}", ["Field"])
    if new.get("PermissionsEdit") and not new.get("PermissionsRead"):
        raise RowError("FIELD_INTEGRITY_EXCEPTION",
                       "Permission Edit Access depends on permission(s): Read Access",
                       ["PermissionsEdit"])


OBJECT_PERMISSION_NAMES = {
    "PermissionsRead": "Read", "PermissionsCreate": "Create", "PermissionsEdit": "Edit",
    "PermissionsDelete": "Delete", "PermissionsViewAllRecords": "Read All",
    "PermissionsModifyAllRecords": "Edit All"}
OBJECT_PERMISSION_NEEDS = {
    "PermissionsCreate": ["PermissionsRead"], "PermissionsEdit": ["PermissionsRead"],
    "PermissionsDelete": ["PermissionsRead", "PermissionsEdit"],
    "PermissionsViewAllRecords": ["PermissionsRead"],
    "PermissionsModifyAllRecords": ["PermissionsRead", "PermissionsEdit", "PermissionsDelete",
                                    "PermissionsViewAllRecords"]}


def _object_permissions(engine: RuleEngine, obj: ObjectDef, new: Row, old: Row | None) -> None:
    sobject = engine.schema.objects.get(new["SobjectType"])
    if sobject is None or sobject.name in security.PERMISSION_TABLES:
        raise RowError("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "SObject Type Name: bad value "
                       f"for restricted picklist field: {new['SobjectType']}", ["SobjectType"])
    problems = []
    for flag, needs in OBJECT_PERMISSION_NEEDS.items():
        missing = [n for n in needs if not new.get(n)]
        if new.get(flag) and missing:
            wanted = ", ".join(f"{OBJECT_PERMISSION_NAMES[n]} {sobject.name}" for n in missing)
            problems.append(f"Permission {OBJECT_PERMISSION_NAMES[flag]} {sobject.name} "
                            f"depends on permission(s): {wanted}")
    if problems:
        raise RowError("FIELD_INTEGRITY_EXCEPTION", "; ".join(problems), [])


def _permission_set(engine: RuleEngine, obj: ObjectDef, new: Row, old: Row | None) -> None:
    if not API_NAME.match(new["Name"]):
        raise RowError("FIELD_INTEGRITY_EXCEPTION",
                       "The API Name can only contain underscores and alphanumeric characters, "
                       "must begin with a letter, and can't end with an underscore or contain "
                       "two consecutive underscores.", ["Name"])


def _pricebook(engine: RuleEngine, obj: ObjectDef, new: Row, old: Row | None) -> None:
    new.setdefault("IsStandard", False)


_OBJECT_RULES = {
    "Opportunity": _opportunity, "PricebookEntry": _pricebook_entry, "Event": _event,
    "ContentNote": _content_note, "FieldPermissions": _field_permissions,
    "ObjectPermissions": _object_permissions,
    "PermissionSet": _permission_set, "Pricebook2": _pricebook,
}


def after_insert(engine: RuleEngine, obj: ObjectDef, new: Row) -> None:
    """A new note is shared with its owner through a link, as on a real org."""
    if obj.name == "ContentNote":
        link_obj = engine.object("ContentDocumentLink")
        link = engine.fresh(link_obj, {"ContentDocumentId": new["Id"],
                                       "LinkedEntityId": new["OwnerId"], "ShareType": "I",
                                       "Visibility": "AllUsers"})
        engine.put(link_obj, link)


def duplicate_error(obj: ObjectDef, names: list[str], row: Row, other: str) -> RowError:
    if obj.name == "PricebookEntry":
        return RowError("DUPLICATE_VALUE", "This price definition already exists in this price "
                        "book", [])
    if obj.name == "ContentDocumentLink":
        return RowError("DUPLICATE_VALUE", f"Document with ID: {row['ContentDocumentId']} is "
                        f"already linked with the entity with ID: {row['LinkedEntityId']}", [])
    label = names[0] if len(names) == 1 else "<unknown>"
    return RowError("DUPLICATE_VALUE",
                    f"duplicate value found: {label} duplicates value on record with id: {other}",
                    names if len(names) == 1 else [])
