"""Field-level security for the fields the migration needs: one permission set, assigned.

A custom field created through the Metadata API is invisible to a user without field-level
security on it, and invisible reads exactly like missing: ``INVALID_FIELD: No such column
'X__c' on sobject of type Account`` (destinations-2.md §1.5, §1.12 rule 15). Profiles cannot
be edited through the REST API, so the grant goes where hotglue's loader puts it: a
permission set (``Bizstim_Migration``) holding one ``FieldPermissions`` row per field (Read and
Edit), assigned to the integration user the OAuth token runs as. Everything created here is
recorded in ``migration.schema_ledger`` (kinds ``permission_set``, ``permission_assignment``,
``field_permission``) so ``rollback --schema`` removes exactly that.
"""

from __future__ import annotations

from collections.abc import Sequence

from load.core.destination import SchemaConflict
from load.core.ledger import Ledger
from load.salesforce.client import SalesforceClient
from load.salesforce.collections import Collections

PERMISSION_SET = "Bizstim_Migration"
PERMISSION_LABEL = "Bizstim migration"


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class Permissions:
    def __init__(self, client: SalesforceClient, ledger: Ledger) -> None:
        self.client = client
        self.ledger = ledger
        self.collections = Collections(client)

    def permission_set(self, run_id: str) -> str:
        """The id of the migration's permission set (created the first time)."""
        found = self.client.query(
            f"SELECT Id FROM PermissionSet WHERE Name = {_quote(PERMISSION_SET)}"
        )
        if found:
            return str(found[0]["Id"])
        created = self.collections.create(
            "PermissionSet",
            [
                {
                    "Name": PERMISSION_SET,
                    "Label": PERMISSION_LABEL,
                    "Description": "Field access for the Bizstim migration's integration user "
                    "(bizmig rollback --schema removes it)",
                }
            ],
        ).rows[0]
        if not created.ok or not created.record_id:
            raise SchemaConflict(
                f"could not create permission set {PERMISSION_SET}: {created.error}"
            )
        self.ledger.record_schema(
            run_id, "permission_set", "PermissionSet", PERMISSION_SET, created.record_id
        )
        return created.record_id

    def assign(self, run_id: str, permission_set_id: str) -> None:
        user = self.client.user_id
        if not user:
            raise SchemaConflict(
                "the token endpoint did not say which user the integration runs as (no 'id' "
                "in its answer), so the permission set cannot be assigned"
            )
        found = self.client.query(
            "SELECT Id FROM PermissionSetAssignment WHERE PermissionSetId = "
            f"{_quote(permission_set_id)} AND AssigneeId = {_quote(user)}"
        )
        if found:
            return
        row = self.collections.create(
            "PermissionSetAssignment",
            [{"PermissionSetId": permission_set_id, "AssigneeId": user}],
        ).rows[0]
        if not row.ok or not row.record_id:
            raise SchemaConflict(f"could not assign {PERMISSION_SET} to user {user}: {row.error}")
        self.ledger.record_schema(
            run_id, "permission_assignment", "PermissionSetAssignment", user, row.record_id
        )

    def grant(self, run_id: str, full_names: Sequence[str]) -> list[str]:
        """Read and Edit on every field (``Object.Field__c``); the ones newly granted."""
        set_id = self.permission_set(run_id)
        self.assign(run_id, set_id)
        held = {
            str(r["Field"]).lower(): r
            for r in self.client.query(
                "SELECT Id, Field, PermissionsRead, PermissionsEdit FROM FieldPermissions "
                f"WHERE ParentId = {_quote(set_id)}"
            )
        }
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
        outcome = self.collections.create("FieldPermissions", records)
        refused = [
            f"{name}: {row.error}"
            for name, row in zip(new, outcome.rows, strict=True)
            if not row.ok
        ]
        if refused:
            raise SchemaConflict(
                f"Salesforce refused field permissions in {PERMISSION_SET}: {'; '.join(refused)}"
            )
        for name, row in zip(new, outcome.rows, strict=True):
            self.ledger.record_schema(
                run_id, "field_permission", name.split(".", 1)[0], name, str(row.record_id)
            )
        if upgrade:
            self.collections.update("FieldPermissions", upgrade)
        return new

    def remove(self, record_ids: Sequence[str]) -> None:
        """Delete permission rows, assignments or sets (already gone counts as removed)."""
        if record_ids:
            self.collections.delete(list(record_ids))
