"""Describe answers: ``sobjects/`` (global) and ``sobjects/{Obj}/describe``.

Why describe is worth faithful modelling: a loader (and the reconciliation) reads it to learn
which fields exist *for the integration user*, their lengths and whether they are External
IDs or restricted picklists before it writes. A field hidden by FLS is absent from describe
(rule 15), and a custom object without ObjectPermissions is absent from the global list and
its describe is 404, readable-only ones say ``createable: false`` (``security.py``), so a
loader that checks describe after deploying schema sees the missing grant before its first
write fails.
"""

from __future__ import annotations

from typing import Any

from sandbox.salesforce import security
from sandbox.salesforce.records import Engine
from sandbox.salesforce.rules import targets
from sandbox.salesforce.schema import TEXT_TYPES, FieldDef, ObjectDef

Row = dict[str, Any]
NUMBER_TYPES = {"double", "currency", "percent"}


def object_urls(obj: ObjectDef, version: str) -> Row:
    base = f"/services/data/v{version}/sobjects/{obj.name}"
    return {"sobject": base, "describe": f"{base}/describe", "rowTemplate": f"{base}/{{ID}}"}


def object_summary(engine: Engine, obj: ObjectDef, version: str) -> Row:
    """What the integration user may do with the object (its ObjectPermissions included)."""
    def may(access: str) -> bool:
        return security.object_allowed(engine, obj, access)

    return {"name": obj.name, "label": obj.label, "labelPlural": obj.label_plural,
            "keyPrefix": obj.key_prefix, "custom": obj.custom,
            "createable": obj.createable and may("create"),
            "updateable": obj.updateable and may("edit"),
            "deletable": obj.deletable and may("delete"),
            "undeletable": obj.recyclable and obj.deletable, "queryable": True,
            "retrieveable": True, "searchable": obj.name not in ("FieldPermissions",),
            "urls": object_urls(obj, version)}


def global_describe(engine: Engine, version: str) -> Row:
    return {"encoding": "UTF-8", "maxBatchSize": 200,
            "sobjects": [object_summary(engine, o, version)
                         for o in sorted(engine.schema.objects.values(), key=lambda o: o.name)
                         if security.object_allowed(engine, o, "read")]}


def field_describe(engine: Engine, obj: ObjectDef, fdef: FieldDef) -> Row:
    settings = engine.org.settings
    editable = engine.editable(obj, fdef)
    createable = (settings.set_audit_fields if fdef.audit else fdef.createable) and editable
    references = targets(engine, fdef) if fdef.type == "reference" else []
    return {
        "name": fdef.name, "label": fdef.label, "type": fdef.type,
        "length": fdef.length if fdef.type in TEXT_TYPES | {"id", "reference"} else 0,
        "precision": fdef.precision if fdef.type in NUMBER_TYPES else 0,
        "scale": fdef.scale if fdef.type in NUMBER_TYPES else 0,
        "digits": fdef.precision if fdef.type == "int" else 0,
        "nillable": fdef.nillable, "createable": createable,
        "updateable": fdef.updateable and editable and not fdef.audit,
        "defaultedOnCreate": fdef.default is not None or fdef.name in (
            "Id", "OwnerId", "IsDeleted", "CreatedDate", "CreatedById", "LastModifiedDate",
            "LastModifiedById", "SystemModstamp"),
        "unique": fdef.unique, "externalId": fdef.external_id,
        "idLookup": fdef.name == "Id" or fdef.external_id or (
            fdef.unique and fdef.type in TEXT_TYPES),
        "caseSensitive": fdef.case_sensitive, "custom": fdef.custom, "calculated": False,
        "autoNumber": False, "filterable": fdef.type != "base64",
        "sortable": fdef.type != "base64",
        "picklistValues": [{"active": True, "defaultValue": v == fdef.default, "label": v,
                            "value": v, "validFor": None} for v in fdef.picklist_values],
        "restrictedPicklist": fdef.restricted,
        "referenceTo": references, "relationshipName": fdef.relationship_name,
        "polymorphicForeignKey": len(references) > 1, "cascadeDelete": fdef.cascade_delete,
    }


def object_describe(engine: Engine, obj: ObjectDef, version: str) -> Row:
    fields = engine.visible_fields(obj.name)
    children = []
    for other in engine.schema.objects.values():
        for fdef in other.fields.values():
            if (fdef.type == "reference" and obj.name in fdef.reference_to
                    and fdef.name not in ("OwnerId", "CreatedById", "LastModifiedById")):
                children.append({"childSObject": other.name, "field": fdef.name,
                                 "cascadeDelete": fdef.cascade_delete,
                                 "relationshipName": None})
    return {**object_summary(engine, obj, version),
            "fields": [field_describe(engine, obj, f) for f in fields.values()],
            "childRelationships": children}
