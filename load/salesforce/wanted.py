"""The schema the marts need in Salesforce, from the seeds humans edit, and how to compare it.

``seeds/salesforce_objects.csv`` and ``seeds/salesforce_fields.csv`` (tables ``seeds.*`` in the
staging DuckDB after ``dbt build``) name every custom object and custom field a mart writes,
with the Metadata API's type, length / precision / scale, External ID and Unique flags, lookup
target and picklist values. The loader adds ``Bizstim_Id__c`` (Text(80), External ID, Unique,
case-sensitive) to every migrated object that can carry custom fields, whether the seed lists it
or not: it is the upsert key, and an External ID that is not unique needs "View All Data" for a
REST upsert (destinations-2.md §1.3).

A field that already exists is compared in describe's vocabulary (``string``, ``double``,
``reference``…) whichever way it was read (REST describe for fields the integration user sees,
``readMetadata`` for those it does not): what the migration needs and what the org has must
agree on type, be at least as long / precise, carry the External ID and Unique flags the seed
asks for, and look up the same object. Anything else is a :class:`SchemaConflict` naming
``Object.Field__c`` and what differs; the loader never changes a field it did not create.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb

from load.core.destination import SchemaConflict
from load.salesforce.specs import EXTERNAL_ID, LOAD_ORDER, has_external_id

DESCRIBED = {
    "Text": "string",
    "TextArea": "textarea",
    "LongTextArea": "textarea",
    "Html": "textarea",
    "Email": "email",
    "Phone": "phone",
    "Url": "url",
    "Picklist": "picklist",
    "MultiselectPicklist": "multipicklist",
    "Checkbox": "boolean",
    "Number": "double",
    "Currency": "currency",
    "Percent": "percent",
    "Date": "date",
    "DateTime": "datetime",
    "Lookup": "reference",
    "MasterDetail": "reference",
}
NUMBERS = ("double", "int", "currency", "percent")
EXTERNAL_ID_LENGTH = 80


HOME = {"Event": "Activity"}  # activity custom fields are defined on Activity (§1.5)
OBJECT_OF_HOME = {home: obj for obj, home in HOME.items()}


@dataclass(frozen=True)
class WantedObject:
    name: str
    label: str
    plural_label: str
    name_field_label: str = ""
    name_field_type: str = "Text"


@dataclass(frozen=True)
class WantedField:
    object: str  # the object the migration writes and describes (Event)
    name: str
    type: str  # the Metadata API's: Text, Number, Lookup, Picklist ...
    label: str
    length: int | None = None
    precision: int | None = None
    scale: int | None = None
    external_id: bool = False
    unique: bool = False
    reference_to: str | None = None
    relationship_name: str | None = None
    picklist_values: tuple[str, ...] = ()

    @property
    def home(self) -> str:
        """Where the Metadata API keeps the field (Event's fields live on Activity)."""
        return HOME.get(self.object, self.object)

    @property
    def full_name(self) -> str:
        """The Metadata API's name (``Activity.Bizstim_Id__c``)."""
        return f"{self.home}.{self.name}"

    @property
    def granted_name(self) -> str:
        """The name field permissions and describe use (``Event.Bizstim_Id__c``)."""
        return f"{self.object}.{self.name}"

    @property
    def described(self) -> str:
        return DESCRIBED.get(self.type, self.type.lower())


def _rows(con: duckdb.DuckDBPyConnection, table: str) -> list[dict[str, Any]]:
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'seeds' "
        "and table_name = ?",
        [table],
    ).fetchone()
    if not exists or not exists[0]:
        return []
    cursor = con.execute(f"select * from seeds.{table}")
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _flag(value: Any) -> bool:
    return str(value).strip().lower() in ("true", "1", "yes", "t")


def _number(value: Any) -> int | None:
    if value is None or str(value).strip() in ("", "nan", "None"):
        return None
    return int(float(str(value)))


def _label(api_name: str) -> str:
    return api_name.removesuffix("__c").replace("_", " ")


def settings(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """``seeds/salesforce_settings.csv``: setting → value."""
    return {
        str(r["setting"]): str(r.get("setting_value") or "")
        for r in _rows(con, "salesforce_settings")
    }


def enabled(row: dict[str, Any], chosen: dict[str, str]) -> bool:
    """A seed row's ``enabled_when`` (``payments_object=Opportunity``; blank: always)."""
    rule = str(row.get("enabled_when") or "").strip()
    if not rule or rule in ("None", "nan"):
        return True
    setting, _, value = rule.partition("=")
    return chosen.get(setting.strip()) == value.strip()


def wanted_objects(con: duckdb.DuckDBPyConnection) -> list[WantedObject]:
    """The custom objects the marts write under the seed's settings."""
    chosen = settings(con)
    out: dict[str, WantedObject] = {}
    for row in _rows(con, "salesforce_objects"):
        name = str(row.get("object_name") or "")
        if not name.endswith("__c") or not enabled(row, chosen):
            continue
        label = str(row.get("label") or _label(name))
        plural = str(row.get("plural_label") or f"{label}s")
        out[name] = WantedObject(
            name,
            label,
            plural,
            str(row.get("name_field_label") or f"{label} Name"),
            str(row.get("name_field_type") or "Text"),
        )
    return list(out.values())


def disabled_objects(con: duckdb.DuckDBPyConnection) -> set[str]:
    chosen = settings(con)
    return {
        str(r["object_name"]) for r in _rows(con, "salesforce_objects") if not enabled(r, chosen)
    }


def seed_fields(
    con: duckdb.DuckDBPyConnection,
) -> tuple[list[WantedField], list[WantedField]]:
    """(the custom fields the marts write under the seed's settings, the seed rows the
    settings switch off: their columns stay empty and the adapter never sends them)."""
    chosen = settings(con)
    fields: list[WantedField] = []
    off: list[WantedField] = []
    for row in _rows(con, "salesforce_fields"):
        home, name = str(row["object_name"]), str(row["field_name"])
        obj = OBJECT_OF_HOME.get(home, home)
        values = str(row.get("picklist_values") or "").strip()
        (fields if enabled(row, chosen) else off).append(
            WantedField(
                obj,
                name,
                str(row["field_type"]),
                str(row.get("label") or _label(name)),
                _number(row.get("length")),
                _number(row.get("precision")),
                _number(row.get("scale")),
                _flag(row.get("is_external_id")),
                _flag(row.get("is_unique")),
                str(row.get("reference_to") or "") or None,
                str(row.get("relationship_name") or "") or None,
                tuple(v for v in values.split("|") if v) if values else (),
            )
        )
    return fields, off


def wanted_fields(con: duckdb.DuckDBPyConnection) -> list[WantedField]:
    """Every custom field the marts write, ``Bizstim_Id__c`` on every keyed object included
    (Text(80), External ID, Unique, whatever the seed says: it is the upsert key)."""
    off = disabled_objects(con)
    out: dict[tuple[str, str], WantedField] = {}
    for spec in LOAD_ORDER:
        if has_external_id(spec.singular) and spec.singular not in off:
            out[(spec.singular, EXTERNAL_ID)] = WantedField(
                spec.singular,
                EXTERNAL_ID,
                "Text",
                "Bizstim Id",
                length=EXTERNAL_ID_LENGTH,
                external_id=True,
                unique=True,
            )
    for field in seed_fields(con)[0]:
        if field.name != EXTERNAL_ID and field.object not in off:
            out[(field.object, field.name)] = field
    return list(out.values())


# -- comparing --------------------------------------------------------------------------------
def _differences(want: WantedField, have: dict[str, Any]) -> list[str]:
    """What differs between the field the migration needs and the field the org has
    (``have`` in describe's vocabulary: type, length, precision, scale, externalId, unique,
    referenceTo)."""
    out: list[str] = []
    kind = str(have.get("type") or "")
    if kind != want.described and not (want.described == "double" and kind in NUMBERS):
        return [f"it is a {kind} field, the migration needs {want.type} ({want.described})"]
    length = _number(have.get("length"))
    if want.length and kind in ("string", "textarea") and (length or 0) < want.length:
        out.append(f"its length is {length}, the migration needs {want.length}")
    if want.described in NUMBERS and want.scale is not None:
        scale = _number(have.get("scale")) or 0
        if scale < want.scale:
            out.append(f"it keeps {scale} decimals, the migration needs {want.scale}")
    if want.external_id and not _flag(have.get("externalId")):
        out.append("it is not an External ID")
    if want.unique and not _flag(have.get("unique")):
        out.append("it is not Unique")
    targets = have.get("referenceTo") or []
    targets = [targets] if isinstance(targets, str) else list(targets)
    if want.reference_to and targets and want.reference_to not in targets:
        out.append(f"it looks up {', '.join(targets)}, the migration needs {want.reference_to}")
    return out


def check_field(want: WantedField, have: dict[str, Any]) -> None:
    """:class:`SchemaConflict` naming the field and every difference, if any."""
    differences = _differences(want, have)
    if differences:
        raise SchemaConflict(
            f"field {want.full_name} exists in Salesforce but {'; '.join(differences)}. "
            "Rename or remove it, or change seeds/salesforce_fields.csv (the migration never "
            "alters a field it did not create)."
        )


def from_metadata(record: dict[str, Any]) -> dict[str, Any]:
    """A ``readMetadata`` CustomField in describe's vocabulary (for :func:`check_field`)."""
    return {
        "type": DESCRIBED.get(str(record.get("type") or ""), str(record.get("type") or "")),
        "length": record.get("length"),
        "precision": record.get("precision"),
        "scale": record.get("scale"),
        "externalId": record.get("externalId"),
        "unique": record.get("unique"),
        "referenceTo": record.get("referenceTo"),
    }
