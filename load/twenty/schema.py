"""Schema setup: create the custom objects and fields the marts need, idempotently.

An object or field that already exists with the right shape is reused; one that exists with
another type (or a relation to another object, or a SELECT missing options) is a conflict and
stops the setup with a message naming it — the loader never alters or drops what it did not
create. Everything it creates is recorded in ``migration.schema_ledger`` so ``bizmig rollback
--schema`` can remove exactly that.
"""

from __future__ import annotations

from typing import Any

from load.core.destination import SchemaConflict, SetupReport
from load.core.ledger import Ledger
from load.twenty.catalog import Catalog, FieldSpec
from load.twenty.client import TwentyClient, TwentyUnavailable
from load.twenty.workspace import Workspace, read_objects

COLORS = ("blue", "green", "orange", "purple", "turquoise", "sky", "yellow", "red", "pink", "gray")


def _type_for(spec: FieldSpec, workspace: Workspace) -> str:
    if spec.type in ("RICH_TEXT_V2", "RICH_TEXT"):
        return workspace.rich_text_type
    return spec.type


def _check_existing(spec: FieldSpec, existing: dict[str, Any], workspace: Workspace) -> None:
    wanted = _type_for(spec, workspace)
    actual = existing.get("type")
    if spec.type == "RELATION":
        target = ((existing.get("relation") or {}).get("targetObjectMetadata") or {}).get(
            "nameSingular"
        )
        if actual not in ("RELATION", "MORPH_RELATION") or (
            actual == "RELATION" and target != spec.relation_target
        ):
            raise SchemaConflict(
                f"field {spec.object}.{spec.name} exists as {actual} → {target}; the migration "
                f"needs a RELATION to {spec.relation_target}. Rename or remove it, or change "
                "the field catalog seed."
            )
        return
    if actual != wanted:
        raise SchemaConflict(
            f"field {spec.object}.{spec.name} exists as {actual}; the migration needs {wanted}. "
            "Rename or remove it, or change the field catalog seed."
        )
    if spec.options:
        have = {o.get("value") for o in existing.get("options") or []}
        missing = [value for value, _ in spec.options if value not in have]
        if missing:
            raise SchemaConflict(
                f"field {spec.object}.{spec.name} lacks the options {', '.join(missing)}"
            )
    if spec.is_unique and not existing.get("isUnique"):
        raise SchemaConflict(f"field {spec.object}.{spec.name} exists but is not unique")


def setup_schema(
    client: TwentyClient, workspace: Workspace, catalog: Catalog, ledger: Ledger, run_id: str
) -> SetupReport:
    report = SetupReport()
    before = client.stats.total
    changed = False
    for obj in catalog.objects:
        if obj.singular in workspace.objects:
            report.reused += 1
            continue
        if not obj.is_custom:
            raise SchemaConflict(f"standard object {obj.singular} is missing from the workspace")
        body = {
            "nameSingular": obj.singular,
            "namePlural": obj.plural,
            "labelSingular": obj.label_singular,
            "labelPlural": obj.label_plural,
            "icon": obj.icon or "IconBox",
        }
        doc = _create(client, "objects", body, obj.singular, None)
        meta_id = str(doc["id"])
        ledger.record_schema(run_id, "object", obj.singular, obj.singular, meta_id)
        report.created_objects.append(obj.singular)
        changed = True
    if changed:
        workspace.objects, _ = read_objects(client)
    # plain fields first, then relations (their targets must exist)
    ordered = sorted(catalog.fields, key=lambda f: f.type == "RELATION")
    for spec in ordered:
        meta = workspace.objects[spec.object]
        name = spec.name
        if spec.object == "noteTarget" and name in ("person", "targetPerson"):
            name = workspace.note_target_person_field.removesuffix("Id")  # per generation
        existing = meta.fields.get(name)
        if existing is not None:
            _check_existing(spec, existing, workspace)
            report.reused += 1
            continue
        if not spec.is_custom:
            raise SchemaConflict(f"standard field {spec.object}.{spec.name} is missing")
        body = _field_body(spec, workspace)
        field_doc = _create(client, "fields", body, spec.object, name)
        ledger.record_schema(run_id, "field", spec.object, spec.name, field_doc["id"])
        meta.fields[spec.name] = field_doc
        report.created_fields.append(f"{spec.object}.{spec.name}")
        if spec.type == "RELATION":
            changed = True
    if changed:
        workspace.objects, _ = read_objects(client)
    report.requests = client.stats.total - before
    return report


def _create(
    client: TwentyClient, kind: str, body: dict[str, Any], obj: str, field_name: str | None
) -> dict[str, Any]:
    """POST a metadata item. Metadata creation is not idempotent, so a request whose outcome
    is unknown (5xx, dropped connection) is never blindly repeated: the workspace is read
    again and an item that did get created is taken as ours."""
    for _ in range(5):
        try:
            created = client.request(
                "POST", f"/rest/metadata/{kind}", json=body, retry_writes=False
            )
        except TwentyUnavailable:
            found = _find(client, obj, field_name)
            if found is not None:
                return found
            continue
        return next(iter(created["data"].values()))
    raise TwentyUnavailable(
        f"could not create {kind[:-1]} {body.get('name') or body.get('nameSingular')}"
    )


def _find(client: TwentyClient, obj: str, field_name: str | None) -> dict[str, Any] | None:
    objects, _ = read_objects(client)
    meta = objects.get(obj)
    if meta is None:
        return None
    if field_name is None:
        return {"id": meta.id}
    return meta.fields.get(field_name)


def _field_body(spec: FieldSpec, workspace: Workspace) -> dict[str, Any]:
    body: dict[str, Any] = {
        "objectMetadataId": workspace.objects[spec.object].id,
        "type": _type_for(spec, workspace),
        "name": spec.name,
        "label": spec.label,
        "isNullable": True,
    }
    if spec.is_unique:
        body["isUnique"] = True
    if spec.options:
        body["options"] = [
            {"value": value, "label": label, "color": COLORS[i % len(COLORS)], "position": i}
            for i, (value, label) in enumerate(spec.options)
        ]
    if spec.type == "RELATION":
        if spec.relation_target not in workspace.objects:
            raise SchemaConflict(f"relation {spec.object}.{spec.name}: no {spec.relation_target}")
        body["relationCreationPayload"] = {
            "type": "MANY_TO_ONE",
            "targetObjectMetadataId": workspace.objects[spec.relation_target].id,
            "targetFieldLabel": spec.inverse_label or spec.object,
            "targetFieldIcon": "IconLink",
        }
    return body
