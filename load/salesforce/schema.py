"""Schema setup: the custom objects, fields and picklist values the marts need, made visible.

Idempotent by reading first: one REST describe per object (11 GETs on a rerun, no write),
``readMetadata`` only for objects and fields describe does not show (absent, or present but
invisible to the integration user), ``upsertMetadata`` only for what is missing (10
components a call), then object permissions for every custom object the user cannot read or
write yet (describe's ``createable``/``updateable``/``deletable`` say so without another
request) and field permissions for every field it cannot see (:mod:`load.salesforce.
permissions`), then a second describe proving each is now visible: an object or field that
stays invisible is an error naming it, not a load that quarantines every record with
"sObject type … is not supported" or "No such column". A field that exists with another
shape is a :class:`SchemaConflict` (:mod:`load.salesforce.wanted`).

``Product2.Family`` (service groups) is a standard picklist: its values change through the
StandardValueSet ``Product2Family``, whose update replaces the whole list, so the current
values are read and the mart's missing ones appended. Everything created — objects, fields,
values, permissions — is recorded in ``migration.schema_ledger``, and :func:`remove_schema`
takes back exactly that (values removed from the set, fields and objects deleted through the
Metadata API, which keeps deleted custom fields and objects restorable for 15 days). The one
exception: an org whose Product Family list was empty before the migration keeps its values,
because a standard value set cannot be emptied (the Metadata API refuses a set without a
``standardValue``); rollback says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from load.core.destination import SchemaConflict, SetupReport
from load.core.ledger import Ledger
from load.salesforce.client import SalesforceClient, SalesforceError
from load.salesforce.metadata import Component, Metadata, MetadataRefused
from load.salesforce.permissions import Permissions
from load.salesforce.specs import LOAD_ORDER
from load.salesforce.wanted import WantedField, WantedObject, check_field, from_metadata

FAMILY_SET = "Product2Family"


def _field_values(field: WantedField) -> dict[str, Any]:
    """The CustomField component's values for one seed row."""
    values: dict[str, Any] = {"label": field.label, "type": field.type}
    if field.type == "Text":
        values["length"] = field.length or 255
    elif field.type == "LongTextArea":
        values.update(length=field.length or 32000, visibleLines=5)
    elif field.type in ("Number", "Currency", "Percent"):
        values.update(precision=field.precision or 18, scale=field.scale or 0)
    elif field.type == "Checkbox":
        values["defaultValue"] = False
    elif field.type in ("Picklist", "MultiselectPicklist"):
        entries = [{"fullName": v, "default": False, "label": v} for v in field.picklist_values]
        values["valueSet"] = {"restricted": False, "valueSetDefinition": {"value": entries}}
        if field.type == "MultiselectPicklist":
            values["visibleLines"] = 4
    elif field.type == "Lookup":
        relationship = field.relationship_name or field.name.removesuffix("__c")
        values.update(
            referenceTo=field.reference_to,
            relationshipName=relationship.removesuffix("__r"),
            deleteConstraint="SetNull",
        )
    if field.external_id:
        values["externalId"] = True
    if field.unique:
        values.update(unique=True, caseSensitive=True)
    return values


def _name_field(obj: WantedObject) -> dict[str, Any]:
    """The custom object's Name: Text the marts fill, or an AutoNumber Salesforce fills."""
    if obj.name_field_type == "AutoNumber":
        prefix = "".join(w[0] for w in obj.label.split()).upper() or "B"
        return {
            "displayFormat": f"{prefix}-{{000000}}",
            "label": obj.name_field_label,
            "type": "AutoNumber",
        }
    return {"label": obj.name_field_label, "type": "Text"}


class SchemaSetup:
    def __init__(
        self,
        client: SalesforceClient,
        ledger: Ledger,
        described: dict[str, dict[str, Any] | None] | None = None,
    ) -> None:
        self.client = client
        self.ledger = ledger
        self.metadata = Metadata(client)
        self.permissions = Permissions(client, ledger)
        # shared with the adapter: what setup learnt (and changed) is what the load reads
        self.described = described if described is not None else {}

    def describe(self, obj: str) -> dict[str, Any] | None:
        """REST describe of an object (fresh), None when the org has no such object."""
        try:
            body = self.client.data("GET", f"/sobjects/{obj}/describe")
        except SalesforceError as exc:
            if exc.status == 404 or {"NOT_FOUND", "INVALID_TYPE"} & set(exc.codes):
                self.described[obj] = None
                return None
            raise
        self.described[obj] = body
        return body

    def visible(self, obj: str) -> dict[str, dict[str, Any]]:
        """Field name (lower-case) → describe entry, for the fields the user can see."""
        body = self.described.get(obj)
        return {str(f["name"]).lower(): f for f in (body or {}).get("fields", [])}

    # -- setup ------------------------------------------------------------------------------
    def run(
        self,
        run_id: str,
        objects: Sequence[WantedObject],
        fields: Sequence[WantedField],
        family: Sequence[str],
        switched_off: Sequence[str] = (),
    ) -> SetupReport:
        """``switched_off``: objects a seed setting leaves out (their marts are empty)."""
        report = SetupReport()
        before = self.client.stats.total
        custom = {o.name: o for o in objects}
        for spec in LOAD_ORDER:
            if spec.singular in switched_off:
                continue
            if self.describe(spec.singular) is None and spec.singular not in custom:
                raise SchemaConflict(
                    f"the org has no {spec.singular} object (a standard object the migration "
                    "writes: is the feature enabled for the integration user?)"
                )
        for o in objects:  # a custom object no spec loads (a service-group lookup target)
            if o.name not in self.described:
                self.describe(o.name)
        unseen = [o.name for o in objects if self.described.get(o.name) is None]
        hidden = self.metadata.read("CustomObject", unseen) if unseen else {}
        hidden = {k.lower() for k in hidden}
        missing_objects = [o for o in objects if o.name in unseen and o.name.lower() not in hidden]
        self._create_objects(run_id, missing_objects, report)
        report.reused += len(objects) - len(missing_objects)
        self._object_access(run_id, [o.name for o in objects])
        to_create, to_grant = self._classify(fields, {o.name for o in missing_objects}, report)
        self._create_fields(run_id, to_create, report)
        self._family_values(run_id, family)
        granted = [f.granted_name for f in [*to_create, *to_grant]]
        if granted:
            self.permissions.grant(run_id, granted)
            for obj in sorted({f.object for f in [*to_create, *to_grant]}):
                self.describe(obj)
            still = [f.granted_name for f in [*to_create, *to_grant] if not self._sees(f)]
            if still:
                raise SchemaConflict(
                    f"field(s) {', '.join(still)} exist but stay invisible to the integration "
                    f"user {self.client.user_id} after granting Read/Edit in permission set "
                    "Bizstim_Migration: check that the user's licence allows the permission "
                    "set and that no profile setting hides them, then run the load again"
                )
        report.requests = self.client.stats.total - before
        return report

    def _object_access(self, run_id: str, names: Sequence[str]) -> None:
        """ObjectPermissions for each custom object the user cannot fully use yet; then
        describe proves the object is readable and writable."""
        lacking = [n for n in names if not _usable(self.described.get(n))]
        if not lacking:
            return
        self.permissions.grant_objects(run_id, lacking)
        still = [n for n in lacking if not _usable(self.describe(n))]
        if still:
            raise SchemaConflict(
                f"object(s) {', '.join(still)} exist but stay unusable for the integration "
                f"user {self.client.user_id} after granting every object permission in "
                "permission set Bizstim_Migration: check that the user's licence allows custom "
                "objects, then run the load again"
            )

    def _sees(self, field: WantedField) -> bool:
        return field.name.lower() in self.visible(field.object)

    def _create_objects(
        self, run_id: str, objects: Sequence[WantedObject], report: SetupReport
    ) -> None:
        components = [
            Component(
                "CustomObject",
                o.name,
                {
                    "label": o.label,
                    "pluralLabel": o.plural_label,
                    "nameField": _name_field(o),
                    "deploymentStatus": "Deployed",
                    "sharingModel": "ReadWrite",
                },
            )
            for o in objects
        ]
        for name, _ in self._upsert(components):
            self.ledger.record_schema(run_id, "object", name, name, name)
            report.created_objects.append(name)

    def _classify(
        self, fields: Sequence[WantedField], new_objects: set[str], report: SetupReport
    ) -> tuple[list[WantedField], list[WantedField]]:
        """(to create, existing but invisible); visible ones are checked here."""
        unseen: list[WantedField] = []
        for field in fields:
            have = self.visible(field.object).get(field.name.lower())
            if have is not None:
                check_field(field, have)
                report.reused += 1
            else:
                unseen.append(field)
        maybe = [f for f in unseen if f.object not in new_objects]
        found = self.metadata.read("CustomField", [f.full_name for f in maybe]) if maybe else {}
        found = {k.lower(): v for k, v in found.items()}
        to_create, to_grant = [], []
        for field in unseen:
            record = found.get(field.full_name.lower())
            if record is None:
                to_create.append(field)
            else:
                check_field(field, from_metadata(record))
                to_grant.append(field)
                report.reused += 1
        return to_create, to_grant

    def _create_fields(
        self, run_id: str, fields: Sequence[WantedField], report: SetupReport
    ) -> None:
        ordered = sorted(fields, key=lambda f: f.type == "Lookup")  # their targets first
        components = [Component("CustomField", f.full_name, _field_values(f)) for f in ordered]
        by_name = {f.full_name.lower(): f for f in ordered}
        for name, _ in self._upsert(components):
            field = by_name[name.lower()]
            self.ledger.record_schema(run_id, "field", field.object, field.name, field.full_name)
            report.created_fields.append(field.full_name)

    def _upsert(self, components: Sequence[Component]) -> list[tuple[str, bool]]:
        try:
            return self.metadata.upsert(components)
        except MetadataRefused as exc:
            raise SchemaConflict(f"Salesforce refused the schema change: {exc}") from exc

    def _family_values(self, run_id: str, family: Sequence[str]) -> None:
        """Product2.Family gets every service group name the products mart sends."""
        entry = self.visible("Product2").get("family") or {}
        have = {str(v.get("value")) for v in entry.get("picklistValues") or []}
        missing = [v for v in dict.fromkeys(family) if v and v not in have]
        if not missing:
            return
        current = self.metadata.read("StandardValueSet", [FAMILY_SET]).get(FAMILY_SET) or {}
        values = _standard_values(current)
        values += [{"fullName": v, "default": False, "label": v} for v in missing]
        self._upsert([Component("StandardValueSet", FAMILY_SET, {"standardValue": values})])
        for value in missing:
            self.ledger.record_schema(
                run_id, "picklist_value", "Product2", f"Family:{value}", f"{FAMILY_SET}:{value}"
            )
        self.describe("Product2")


def _usable(described: dict[str, Any] | None) -> bool:
    """Whether describe shows the object readable, creatable, editable and deletable."""
    keys = ("createable", "updateable", "deletable")
    return described is not None and all(described.get(k) for k in keys)


def _standard_values(record: dict[str, Any]) -> list[dict[str, Any]]:
    found = record.get("standardValue") or []
    entries = found if isinstance(found, list) else [found]
    return [
        {
            "fullName": e.get("fullName"),
            "default": False,
            "label": e.get("label") or e.get("fullName"),
        }
        for e in entries
        if isinstance(e, dict) and e.get("fullName")
    ]


def remove_schema(client: SalesforceClient, ledger: Ledger) -> list[str]:
    """Take back what schema setup created, newest first; each item forgotten as it goes."""
    created = ledger.schema_created()
    setup = SchemaSetup(client, ledger)
    removed: list[str] = []
    kinds = ("field_permission", "object_permission", "permission_assignment", "permission_set")
    for kind in kinds:
        rows = [r for r in reversed(created) if r["kind"] == kind]
        setup.permissions.remove([r["metadata_id"] for r in rows])
        ledger.forget_schema([r["metadata_id"] for r in rows])
        removed += [f"{kind} {r['name']}" for r in rows]
    values = [r for r in created if r["kind"] == "picklist_value"]
    if values:
        current = setup.metadata.read("StandardValueSet", [FAMILY_SET]).get(FAMILY_SET) or {}
        ours = {r["metadata_id"].split(":", 1)[1] for r in values}
        kept = [v for v in _standard_values(current) if v["fullName"] not in ours]
        if kept:
            setup._upsert([Component("StandardValueSet", FAMILY_SET, {"standardValue": kept})])
            ledger.forget_schema([r["metadata_id"] for r in values])
            removed += [f"Product2.{r['name']}" for r in values]
        else:  # a standard value set cannot be emptied: the org had none before the migration
            removed.append(
                "(Product2.Family keeps the migration's values: Salesforce does not let a "
                "standard picklist lose its last value; deactivate them in Setup if unwanted)"
            )
    for kind, metadata_type in (("field", "CustomField"), ("object", "CustomObject")):
        rows = [r for r in reversed(created) if r["kind"] == kind]
        if rows:
            setup.metadata.delete(metadata_type, [r["metadata_id"] for r in rows])
            ledger.forget_schema([r["metadata_id"] for r in rows])
            removed += [r["metadata_id"] for r in rows]
    return removed
