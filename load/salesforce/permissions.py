"""Field-level security for the fields the migration needs: one permission set, assigned.

A custom field created through the Metadata API is invisible to a user without field-level
security on it, and invisible reads exactly like missing: ``INVALID_FIELD: No such column
'X__c' on sobject of type Account`` (destinations-2.md §1.5, §1.12 rule 15). Profiles cannot
be edited through the REST API, so the grant goes where hotglue's loader puts it: a
permission set (``Bizstim_Migration``) holding one ``FieldPermissions`` row per field (Read and
Edit), assigned to the integration user the OAuth token runs as. Everything created here is
recorded in ``migration.schema_ledger`` (kinds ``permission_set``, ``permission_assignment``,
``field_permission``) so ``rollback --schema`` removes exactly that.

Each of the three is unique in the org (a set's Name, one assignment per user and set, one
row per set and field), so a create whose connection dropped is simply sent again: the copy
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
        set_id = self.permission_set(run_id)
        self.assign(run_id, set_id)
        soql = (
            "SELECT Id, Field, PermissionsRead, PermissionsEdit FROM FieldPermissions "
            f"WHERE ParentId = {_quote(set_id)}"
        )
        held = {str(r["Field"]).lower(): r for r in self.client.query(soql)}
        new, upgrade = [], []
        for name in full_names:
            row = held.get(name.lower())
            if row is None:
                new.append(name)
            elif not (row.get("PermissionsRead") and row.get("PermissionsEdit")):
                upgrade.append({"id": row["Id"], "PermissionsRead": True, "PermissionsEdit": True})
        records = [
            {
                "ParentId": set_id,
                "SobjectType": name.split(".", 1)[0],
                "Field": name,
                "PermissionsRead": True,
                "PermissionsEdit": True,
            }
            for name in new
        ]
        outcome = self.collections.create("FieldPermissions", records, resend=True)
        rows = dict(zip(new, outcome.rows, strict=True))
        ids = {name: row.record_id for name, row in rows.items() if row.ok}
        if any(DUPLICATE in row.codes for row in rows.values()):  # a dropped create landed
            landed = {str(r["Field"]).lower(): r["Id"] for r in self.client.query(soql)}
            ids.update(
                {n: landed.get(n.lower()) for n, row in rows.items() if DUPLICATE in row.codes}
            )
        refused = [f"{name}: {rows[name].error}" for name in new if not ids.get(name)]
        if refused:
            raise SchemaConflict(
                f"Salesforce refused field permissions in {PERMISSION_SET}: {'; '.join(refused)}"
            )
        for name in new:
            self.ledger.record_schema(
                run_id, "field_permission", name.split(".", 1)[0], name, str(ids[name])
            )
        if upgrade:
            self.collections.update("FieldPermissions", upgrade)
        return new

    def remove(self, record_ids: Sequence[str]) -> None:
        """Delete permission rows, assignments or sets (already gone counts as removed)."""
        if record_ids:
            self.collections.delete(list(record_ids))
