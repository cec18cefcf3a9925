"""The target schema the marts need, as the dbt project describes it (seeds in DuckDB).

* ``seeds.twenty_objects``: every Twenty object a mart feeds (custom ones are created);
* ``migration.migration__field_catalog``: every field a mart writes (the static catalog seed
  plus the confirmed custom fields), its Twenty type, uniqueness and, for relations, the
  target object and the inverse field's label;
* ``migration.migration__select_options``: the options of every SELECT / MULTI_SELECT field;
* ``migration.migration__custom_fields``: a load refuses to start while a custom field the
  account has is pending (unconfirmed in seeds/custom_field_map.csv); seed rows for fields
  the account does not have apply to nothing (the shipped seed holds the sandbox account's).

The loader adds one field per migrated object on top: ``bizstimId`` (TEXT, unique), the mart's
``external_id``, which is the upsert key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import duckdb

EXTERNAL_ID_FIELD = "bizstimId"


@dataclass(frozen=True)
class FieldSpec:
    object: str
    name: str
    type: str
    label: str
    is_custom: bool
    is_unique: bool = False
    relation_target: str | None = None
    inverse_label: str | None = None
    options: tuple[tuple[str, str], ...] = ()  # (value, label)


@dataclass(frozen=True)
class ObjectSpecRow:
    singular: str
    plural: str
    label_singular: str
    label_plural: str
    is_custom: bool
    mart: str
    icon: str | None


@dataclass
class Catalog:
    objects: list[ObjectSpecRow]
    fields: list[FieldSpec]
    unconfirmed: list[str] = field(default_factory=list)  # pending custom fields of the account

    def fields_of(self, singular: str) -> list[FieldSpec]:
        return [f for f in self.fields if f.object == singular]

    def object(self, singular: str) -> ObjectSpecRow:
        return next(o for o in self.objects if o.singular == singular)


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _bool(value: Any) -> bool:
    return str(value).strip().lower() in ("true", "1", "yes", "t")


def read_catalog(con: duckdb.DuckDBPyConnection) -> Catalog:
    objects = [
        ObjectSpecRow(
            r["name_singular"],
            r["name_plural"],
            r["label_singular"],
            r["label_plural"],
            _bool(r["is_custom"]),
            r["mart_model"],
            r.get("icon"),
        )
        for r in _rows(con, "select * from seeds.twenty_objects")
    ]
    options: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for r in _rows(con, 'select * from migration.migration__select_options order by "position"'):
        options.setdefault((r["object_name"], r["field_name"]), []).append((r["value"], r["label"]))
    fields = [
        FieldSpec(
            object=r["object_name"],
            name=r["field_name"],
            type=r["twenty_type"],
            label=r["label"],
            is_custom=_bool(r["is_custom"]),
            is_unique=_bool(r["is_unique"]),
            relation_target=r.get("relation_target") or None,
            inverse_label=r.get("inverse_label") or None,
            options=tuple(options.get((r["object_name"], r["field_name"]), ())),
        )
        for r in _rows(con, "select * from migration.migration__field_catalog")
    ]
    unconfirmed = [
        str(r["bizstim_field_name"])
        for r in _rows(
            con,
            "select bizstim_field_name from migration.migration__custom_fields "
            "where blocks_load order by bizstim_field_name",
        )
    ]
    for obj in objects:
        if obj.singular != "noteTarget":
            fields.append(
                FieldSpec(obj.singular, EXTERNAL_ID_FIELD, "TEXT", "Bizstim id", True, True)
            )
    unique: dict[tuple[str, str], FieldSpec] = {}
    for spec in fields:
        unique.setdefault((spec.object, spec.name), spec)
    return Catalog(objects, list(unique.values()), unconfirmed)
