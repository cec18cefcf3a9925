"""Field-level security for the integration user (destinations-2.md §1.5, §1.12 rule 15).

Why: a custom field deployed through the Metadata API is invisible to the API user until a
``FieldPermissions`` row grants it — on a real org the field then reads exactly as if it did
not exist (``INVALID_FIELD: No such column 'X__c' on sobject of type Account``), in writes,
in SOQL, in describe and in Bulk headers. A loader that deploys fields but forgets FLS passes
against a permissive stand-in and fails on the customer's org.

The rule as built: a custom field is readable when a live ``FieldPermissions`` row with
``Field = '<Object>.<Field>'`` and ``PermissionsRead = true`` belongs to a PermissionSet that a
``PermissionSetAssignment`` gives to the integration user; editable likewise with
``PermissionsEdit``. Standard fields and *required* custom fields are always readable and
editable (a real org does not let FLS hide a required field). FieldPermissions on the
ContentNote/ContentDocument pair are looked up under the object the record is read through.
The grant set is recomputed only when one of the permission tables changed
(``Engine.perm_version``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sandbox.salesforce.schema import FieldDef, ObjectDef

if TYPE_CHECKING:
    from sandbox.salesforce.records import Engine

PERMISSION_TABLES = {"FieldPermissions", "PermissionSetAssignment", "PermissionSet"}


def grants(engine: Engine) -> tuple[frozenset[str], frozenset[str]]:
    """("Object.Field" readable, "Object.Field" editable) for the integration user."""
    cached = engine.fls_cache
    if cached is not None and cached[0] == engine.perm_version:
        return cached[1], cached[2]
    user = engine.org.integration_user_id
    assigned = {r["PermissionSetId"]
                for r in engine.tables.get("PermissionSetAssignment", {}).values()
                if r.get("AssigneeId") == user and not r.get("IsDeleted")}
    read: set[str] = set()
    edit: set[str] = set()
    for row in engine.tables.get("FieldPermissions", {}).values():
        if row.get("IsDeleted") or row.get("ParentId") not in assigned:
            continue
        if row.get("PermissionsRead"):
            read.add(row["Field"])
        if row.get("PermissionsEdit"):
            edit.add(row["Field"])
    result = frozenset(read), frozenset(edit)
    engine.fls_cache = (engine.perm_version, *result)
    return result


def _governed(fdef: FieldDef) -> bool:
    return fdef.custom and not fdef.required


def readable(engine: Engine, obj: ObjectDef, fdef: FieldDef) -> bool:
    if not _governed(fdef):
        return True
    return f"{obj.name}.{fdef.name}" in grants(engine)[0]


def editable(engine: Engine, obj: ObjectDef, fdef: FieldDef) -> bool:
    if not _governed(fdef):
        return True
    return f"{obj.name}.{fdef.name}" in grants(engine)[1]


def permissionable(obj: ObjectDef, fdef: FieldDef) -> bool:
    """Whether a FieldPermissions row may name this field (the restricted picklist's values):
    fields a profile can hide — not Id, system, audit, required or read-only derived ones."""
    if fdef.name in ("Id", "IsDeleted", "SystemModstamp", "OwnerId") or fdef.audit:
        return False
    return not fdef.required and (fdef.createable or fdef.updateable)
