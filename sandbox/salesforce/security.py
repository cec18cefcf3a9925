"""Object and field access for the integration user (destinations-2.md §1.5, §1.12 rule 15).

Why: the user a client-credentials token runs as is an API-only integration user (profile
"Minimum Access - API Only Integrations"): it holds no access to a custom object or field the
Metadata API just deployed until a permission set assigned to it grants it. Invisible reads
exactly as if it did not exist, so a loader that deploys schema but forgets a grant passes
against a permissive stand-in and fails on the customer's org.

Objects (``ObjectPermissions``, key prefix ``110``): a custom object is reachable only when a
live row with ``SobjectType = '<Object>'`` and ``PermissionsRead`` belongs to a PermissionSet a
``PermissionSetAssignment`` gives to the integration user; Create, Edit and Delete each need
their own flag. Choices where the reference is silent (checked against Salesforce's object
reference and loader reports): without Read the object is unknown on every path — SOQL,
describe and REST writes answer ``INVALID_TYPE`` "sObject type 'X__c' is not supported.",
REST ``/sobjects/X__c`` is 404 ``NOT_FOUND``, a Collections row is refused with
``INVALID_TYPE``, a Bulk job is ``InvalidJob : Unable to find object`` (the answers an unknown
name gets); readable but without the operation's flag, the row is refused with
``INSUFFICIENT_ACCESS_OR_READONLY`` and describe answers ``createable``/``updateable``/
``deletable`` false. ViewAllRecords/ModifyAllRecords are stored and checked for their
dependencies (``rules._object_permissions``) but not enforced: the stand-in has no record
sharing (every record is visible to the integration user once the object is). **Standard
objects stay reachable**: the stand-in's integration user profile grants them (a real org's
admin gives the integration user a profile or set covering Account, Contact … before any
loader runs; the migration only creates custom objects).

Fields (``FieldPermissions``): a custom field is readable when a live row with ``Field =
'<Object>.<Field>'`` and ``PermissionsRead = true`` belongs to an assigned PermissionSet;
editable likewise with ``PermissionsEdit``. Standard fields and *required* custom fields are
always readable and editable (a real org does not let FLS hide a required field).
FieldPermissions on the ContentNote/ContentDocument pair are looked up under the object the
record is read through. The grant set is recomputed only when one of the permission tables
changed (``Engine.perm_version``).

These checks run inside the record engine, so they see it through :class:`PermissionRows` (what
they read of it) rather than importing ``records.Engine``: importing it, even for type hints,
closed a circle records → security → records (tests/test_layers.py counts every import).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from sandbox.salesforce.errors import RowError
from sandbox.salesforce.schema import FieldDef, ObjectDef

PERMISSION_TABLES = {"FieldPermissions", "ObjectPermissions", "PermissionSetAssignment",
                     "PermissionSet"}
OBJECT_FLAGS = {"read": "PermissionsRead", "create": "PermissionsCreate",
                "edit": "PermissionsEdit", "delete": "PermissionsDelete"}
INSUFFICIENT = ("You do not have the level of access necessary to perform the operation you "
                "requested. Please contact the owner of the record or your administrator if "
                "access is necessary.")


@dataclass(frozen=True)
class Grants:
    """What the integration user's permission sets give it."""

    read: frozenset[str]  # "Object.Field" readable
    edit: frozenset[str]  # "Object.Field" editable
    objects: dict[str, frozenset[str]]  # object → {"read", "create", "edit", "delete"}


class RunAsUser(Protocol):
    """The org as the grant checks see it: whose permission sets count."""

    @property
    def integration_user_id(self) -> str: ...


class PermissionRows(Protocol):
    """The record engine as the grant checks see it (``records.Engine`` is one): the stored
    rows, the counter that moves when a permission row changes, and the cache it keys."""

    tables: dict[str, dict[str, dict[str, Any]]]
    perm_version: int
    grant_cache: tuple[int, Grants] | None

    @property
    def org(self) -> RunAsUser: ...


def grants(engine: PermissionRows) -> Grants:
    cached = engine.grant_cache
    if cached is not None and cached[0] == engine.perm_version:
        return cached[1]
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
    objects: dict[str, set[str]] = {}
    for row in engine.tables.get("ObjectPermissions", {}).values():
        if row.get("IsDeleted") or row.get("ParentId") not in assigned:
            continue
        held = objects.setdefault(str(row.get("SobjectType")), set())
        held.update(access for access, flag in OBJECT_FLAGS.items() if row.get(flag))
    result = Grants(frozenset(read), frozenset(edit),
                    {name: frozenset(held) for name, held in objects.items()})
    engine.grant_cache = (engine.perm_version, result)
    return result


def object_allowed(engine: PermissionRows, obj: ObjectDef, access: str) -> bool:
    """Whether the integration user may ``access`` ("read", "create", "edit", "delete")
    records of ``obj``: standard objects always, custom ones by ObjectPermissions."""
    if not obj.custom:
        return True
    return access in grants(engine).objects.get(obj.name, frozenset())


def require(engine: PermissionRows, obj: ObjectDef, access: str) -> None:
    """Refuse a row whose operation the user's object permissions do not include."""
    if not object_allowed(engine, obj, access):
        raise RowError("INSUFFICIENT_ACCESS_OR_READONLY", INSUFFICIENT)


def _governed(fdef: FieldDef) -> bool:
    return fdef.custom and not fdef.required


def readable(engine: PermissionRows, obj: ObjectDef, fdef: FieldDef) -> bool:
    if not _governed(fdef):
        return True
    return f"{obj.name}.{fdef.name}" in grants(engine).read


def editable(engine: PermissionRows, obj: ObjectDef, fdef: FieldDef) -> bool:
    if not _governed(fdef):
        return True
    return f"{obj.name}.{fdef.name}" in grants(engine).edit


def permissionable(obj: ObjectDef, fdef: FieldDef) -> bool:
    """Whether a FieldPermissions row may name this field (the restricted picklist's values):
    fields a profile can hide — not Id, system, audit, required or read-only derived ones."""
    if fdef.name in ("Id", "IsDeleted", "SystemModstamp", "OwnerId") or fdef.audit:
        return False
    return not fdef.required and (fdef.createable or fdef.updateable)
