"""Object and field access for what the migration needs: one permission set, assigned.

The user a client-credentials token runs as is an API-only integration user (profile "Minimum
Access - API Only Integrations"): a custom object or field created through the Metadata API
is invisible to it until a permission set grants it, and invisible reads exactly like
missing: ``INVALID_TYPE: sObject type 'X__c' is not supported.`` for an object, ``INVALID_FIELD:
No such column 'X__c' on sobject of type Account`` for a field (destinations-2.md §1.5, §1.12
rule 15). Profiles cannot be edited through the REST API, so the grant goes where hotglue's
loader puts it: a permission set (``Bizstim_Migration``) assigned to the integration user,
holding one ``ObjectPermissions`` row per custom object the migration creates (Read, Create,
Edit, Delete, and View All / Modify All: the load gives records to other Users as owners,
and rollback must still delete them, which on a real org needs Modify All) and one
``FieldPermissions`` row per field (Read and Edit). Everything created here is recorded in
``migration.schema_ledger`` (kinds ``permission_set``, ``permission_assignment``,
``object_permission``, ``field_permission``) so ``rollback --schema`` removes exactly that.

Each of these is unique in the org (a set's Name, one assignment per user and set, one row per
set and object or field), so a create whose connection dropped is simply sent again: the copy
that had landed refuses the second with ``DUPLICATE_VALUE``, and its id is read back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from load.core.destination import SchemaConflict
from load.core.ledger import Ledger
from load.salesforce.client import SalesforceClient
from load.salesforce.collections import Collections

PERMISSION_SET = "Bizstim_Migration"
PERMISSION_LABEL = "Bizstim migration"
DUPLICATE = "DUPLICATE_VALUE"
FIELD_FLAGS = ("PermissionsRead", "PermissionsEdit")
# Modify All depends on all the others (Salesforce refuses the row otherwise)
OBJECT_FLAGS = (
    "PermissionsRead",
    "PermissionsCreate",
    "PermissionsEdit",
    "PermissionsDelete",
    "PermissionsViewAllRecords",
    "PermissionsModifyAllRecords",
)


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class Permissions:
    def __init__(self, client: SalesforceClient, ledger: Ledger) -> None:
        self.client = client
        self.ledger = ledger
        self.collections = Collections(client)

    def _create_one(self, obj: str, record: dict[str, Any], find: str) -> str | None:
        """Create a uniquely keyed record, sent again after a dropped connection; its id."""
        row = self.collections.create(obj, [record], resend=True).rows[0]
        if row.ok and row.record_id:
            return row.record_id
        if DUPLICATE in row.codes:  # the create whose connection dropped had landed
            found = self.client.query(find)
            return str(found[0]["Id"]) if found else None
        raise SchemaConflict(f"Salesforce refused to create a {obj}: {row.error}")

    def permission_set(self, run_id: str) -> str:
        """The id of the migration's permission set (created the first time)."""
        find = f"SELECT Id FROM PermissionSet WHERE Name = {_quote(PERMISSION_SET)}"
        found = self.client.query(find)
        if found:
            return str(found[0]["Id"])
        record = {
            "Name": PERMISSION_SET,
            "Label": PERMISSION_LABEL,
            "Description": "Field access for the Bizstim migration's integration user "
            "(bizmig rollback --schema removes it)",
        }
        record_id = self._create_one("PermissionSet", record, find)
        if not record_id:
            raise SchemaConflict(f"could not create permission set {PERMISSION_SET}")
        self.ledger.record_schema(
            run_id, "permission_set", "PermissionSet", PERMISSION_SET, record_id
        )
        return record_id

    def assign(self, run_id: str, permission_set_id: str) -> None:
        user = self.client.user_id
        if not user:
            raise SchemaConflict(
                "the token endpoint did not say which user the integration runs as (no 'id' "
                "in its answer), so the permission set cannot be assigned"
            )
        find = (
            "SELECT Id FROM PermissionSetAssignment WHERE PermissionSetId = "
            f"{_quote(permission_set_id)} AND AssigneeId = {_quote(user)}"
        )
        if self.client.query(find):
            return
        record = {"PermissionSetId": permission_set_id, "AssigneeId": user}
        record_id = self._create_one("PermissionSetAssignment", record, find)
        if not record_id:
            raise SchemaConflict(f"could not assign {PERMISSION_SET} to user {user}")
        self.ledger.record_schema(
            run_id, "permission_assignment", "PermissionSetAssignment", user, record_id
        )

    def grant(self, run_id: str, full_names: Sequence[str]) -> list[str]:
        """Read and Edit on every field (``Object.Field__c``); the ones newly granted."""
        return self._grant(run_id, "FieldPermissions", "Field", FIELD_FLAGS, full_names)

    def grant_objects(self, run_id: str, objects: Sequence[str]) -> list[str]:
        """Every object permission on each custom object; the ones newly granted."""
        return self._grant(run_id, "ObjectPermissions", "SobjectType", OBJECT_FLAGS, objects)

    def _grant(
        self, run_id: str, table: str, key: str, flags: Sequence[str], names: Sequence[str]
    ) -> list[str]:
        """One ``table`` row per name (``key`` holds it) with every flag on, in the migration's
        permission set: missing rows created, rows lacking a flag updated."""
        set_id = self.permission_set(run_id)
        self.assign(run_id, set_id)
        soql = (
            f"SELECT Id, {key}, {', '.join(flags)} FROM {table} WHERE ParentId = {_quote(set_id)}"
        )
        held = {str(r[key]).lower(): r for r in self.client.query(soql)}
        new, upgrade = [], []
        for name in names:
            row = held.get(name.lower())
            if row is None:
                new.append(name)
            elif not all(row.get(flag) for flag in flags):
                upgrade.append({"id": row["Id"], **dict.fromkeys(flags, True)})
        records = [
            {
                "ParentId": set_id,
                "SobjectType": name.split(".", 1)[0],
                key: name,
                **dict.fromkeys(flags, True),
            }
            for name in new
        ]
        outcome = self.collections.create(table, records, resend=True)
        rows = dict(zip(new, outcome.rows, strict=True))
        ids = {name: row.record_id for name, row in rows.items() if row.ok}
        if any(DUPLICATE in row.codes for row in rows.values()):  # a dropped create landed
            landed = {str(r[key]).lower(): r["Id"] for r in self.client.query(soql)}
            ids.update(
                {n: landed.get(n.lower()) for n, row in rows.items() if DUPLICATE in row.codes}
            )
        refused = [f"{name}: {rows[name].error}" for name in new if not ids.get(name)]
        if refused:
            raise SchemaConflict(
                f"Salesforce refused {table} in {PERMISSION_SET}: {'; '.join(refused)}"
            )
        kind = "field_permission" if table == "FieldPermissions" else "object_permission"
        for name in new:
            self.ledger.record_schema(run_id, kind, name.split(".", 1)[0], name, str(ids[name]))
        if upgrade:
            self.collections.update(table, upgrade)
        return new

    def remove(self, record_ids: Sequence[str]) -> None:
        """Delete permission rows, assignments or sets (already gone counts as removed)."""
        if record_ids:
            self.collections.delete(list(record_ids))
