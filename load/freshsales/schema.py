"""Custom fields read every run, and a checklist for the ones only an admin can create.

Freshsales addresses a custom field by its name (``cf_<snake>``), so unlike Pipedrive no code
needs mapping; what can go wrong is that the field is not there. Creating custom fields on the
standard modules by API is unconfirmed (destinations-2.md §3.5: only custom-module forms have a
documented endpoint; §7 item 2), and a value under ``custom_field`` whose key the module lacks
is refused ("unknown key → 400", §3.11 rule 3). So every run reads
``GET /api/settings/<module>/fields`` (one request per module that carries custom fields: 4)
and compares it with ``seeds/freshsales_fields.csv``: what is missing — a field, or a dropdown
choice a mart value needs — is printed as a checklist (field, module, type, choices, unique)
and the load refuses to start (:class:`FieldsMissing`, exit 7 like any schema the account must
change first) until the next run finds them all. ``FRESHSALES_FIELDS_API=1`` first tries the
create by API (``POST /api/settings/<module>/fields``, the flag path; a refusal falls back to
the checklist), off by default because nobody confirmed it exists.

A field with the mapping's name but another type holds the customer's data and is never
changed: :class:`~load.core.destination.SchemaConflict`, naming it. ``cf_bizstim_id`` must be
unique, or the upsert cannot use it as its ``unique_identifier`` (§3.11 rule 4).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import duckdb

from load.core.destination import SchemaConflict, SetupReport
from load.core.ledger import Ledger
from load.freshsales.client import FreshsalesClient, FreshsalesError
from load.freshsales.specs import API, KEY_FIELD, MODULES

CHOICE_TYPES = ("dropdown", "multi_select_dropdown")
FIELDS_API_FLAG = "FRESHSALES_FIELDS_API"
WHERE = "Admin Settings → Module customization → {module} → Fields"


class FieldsMissing(SchemaConflict):
    """Custom fields (or choices) an admin must create in Freshsales' UI before the load."""

    def __init__(self, checklist: list[str]) -> None:
        self.checklist = checklist
        lines = "\n".join(f"  [ ] {item}" for item in checklist)
        super().__init__(
            f"{len(checklist)} custom field item(s) must be created in Freshsales by an admin "
            f"before the load (its API cannot create custom fields on standard modules):\n"
            f"{lines}\nThe load wrote nothing; run it again once they exist (it checks again)."
        )


@dataclass
class Field:
    module: str  # contacts | sales_accounts | deals | products
    name: str  # cf_<snake>
    label: str
    type: str
    choices: list[str] = field(default_factory=list)
    unique: bool = False

    def checklist_line(self) -> str:
        where = WHERE.format(module=self.module)
        extra = f", choices {' | '.join(self.choices)}" if self.choices else ""
        unique = ", unique" if self.unique else ""
        return f'{self.module}: {self.name} "{self.label}" ({self.type}{extra}{unique}) — {where}'


def fields_modules() -> list[str]:
    return [m.fields_module for m in MODULES.values() if m.fields_module]


def wanted_fields(con: duckdb.DuckDBPyConnection) -> list[Field]:
    """The seed's rows, plus ``cf_bizstim_id`` on every custom-field module the seed forgot."""
    wanted: list[Field] = []
    exists = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'seeds' and table_name = 'freshsales_fields'"
    ).fetchone()
    if exists and exists[0]:
        rows = con.execute(
            'select module, name, label, type, choices, "unique" from seeds.freshsales_fields '
            "order by module, name"
        ).fetchall()
        for module, name, label, type_, choices, unique in rows:
            labels = [c.strip() for c in str(choices or "").split("|") if c.strip()]
            is_unique = str(unique).strip().lower() in ("true", "1", "yes")
            wanted.append(Field(str(module), str(name), str(label), str(type_), labels, is_unique))
    have = {(f.module, f.name) for f in wanted}
    for module in fields_modules():
        if (module, KEY_FIELD) not in have:
            wanted.append(Field(module, KEY_FIELD, "Bizstim ID", "text", [], True))
    return wanted


def choice_labels(value: Any) -> list[str]:
    """The labels a mart value names: one, a JSON array, or ';'-joined (multi-select)."""
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    text = str(value)
    if text.startswith("["):
        return [str(v) for v in json.loads(text)]
    return [part.strip() for part in text.split(";") if part.strip()]


def labels_in_marts(con: duckdb.DuckDBPyConnection, fields: Iterable[Field]) -> None:
    """Add to each dropdown the labels its mart column holds (a label that is no choice would
    be refused record by record; it belongs on the checklist instead)."""
    columns = {
        (r[0], r[1])
        for r in con.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = 'marts' and table_name like 'freshsales__%'"
        ).fetchall()
    }
    for f in fields:
        table = f"freshsales__{f.module}"
        if f.type not in CHOICE_TYPES or (table, f.name) not in columns:
            continue
        for (value,) in con.execute(
            f'select distinct "{f.name}" from marts."{table}" where "{f.name}" is not null'
        ).fetchall():
            for label in choice_labels(value):
                if label not in f.choices:
                    f.choices.append(label)


class FieldMap:
    """The account's custom fields per module, read once per run (``refresh`` reads again)."""

    def __init__(self, client: FreshsalesClient) -> None:
        self.client = client
        self.listed: dict[str, dict[str, dict[str, Any]]] = {}  # module → name → field

    def module_fields(self, module: str, refresh: bool = False) -> dict[str, dict[str, Any]]:
        if refresh or module not in self.listed:
            body = self.client.get(f"{API}/settings/{module}/fields") or {}
            self.listed[module] = {str(f["name"]): f for f in body.get("fields") or []}
        return self.listed[module]

    def names(self, module: str) -> set[str]:
        return set(self.module_fields(module))

    def compare(self, wanted: Iterable[Field], refresh: bool = False) -> list[tuple[Field, str]]:
        """What the account lacks: (field, checklist line); a same-name field of another type
        (or a non-unique ``cf_bizstim_id``) raises SchemaConflict."""
        if refresh:
            self.listed.clear()
        missing: list[tuple[Field, str]] = []
        for want in wanted:
            held = self.module_fields(want.module).get(want.name)
            if held is None:
                missing.append((want, want.checklist_line()))
                continue
            if str(held.get("type")) != want.type:
                raise SchemaConflict(
                    f"{want.module}.{want.name}: the Freshsales account has this field as "
                    f"{held.get('type')!r}, the mapping needs {want.type!r} (label "
                    f"{held.get('label')!r}). Rename or remove that field in Freshsales, or change "
                    "seeds/freshsales_fields.csv; the load writes nothing until then"
                )
            if want.unique and not held.get("unique"):
                raise SchemaConflict(
                    f"{want.module}.{want.name} exists but is not unique: the upsert needs a "
                    "unique field as its unique_identifier. Mark it unique in Freshsales (or "
                    "remove it and let the checklist name it); the load writes nothing until then"
                )
            if want.type in CHOICE_TYPES:
                choices = {str(c.get("value")) for c in held.get("choices") or []}
                lacking = [label for label in want.choices if label not in choices]
                if lacking:
                    missing.append(
                        (
                            want,
                            f'{want.module}: {want.name} "{want.label}": add the choice(s) '
                            f"{' | '.join(lacking)} — {WHERE.format(module=want.module)}",
                        )
                    )
        return missing


def fields_api() -> bool:
    return os.environ.get(FIELDS_API_FLAG, "").strip() in ("1", "true", "yes")


def try_create(client: FreshsalesClient, want: Field) -> dict[str, Any] | None:
    """The flag path: create the field by API; None when the account refuses (it cannot)."""
    body = {
        "field": {
            "name": want.name,
            "label": want.label,
            "type": want.type,
            "choices": [{"value": c} for c in want.choices],
            "unique": want.unique,
        }
    }
    try:
        answer = client.request("POST", f"{API}/settings/{want.module}/fields", json=body)
    except FreshsalesError as exc:
        if exc.status in (400, 403, 404, 405):
            return None
        raise
    return (answer or {}).get("field") if isinstance(answer, dict) else None


def setup(
    client: FreshsalesClient, ledger: Ledger, field_map: FieldMap, wanted: list[Field], run_id: str
) -> SetupReport:
    """Check the account's fields; create what the flag allows; refuse with the checklist."""
    report = SetupReport()
    before = client.stats.total
    missing = field_map.compare(wanted, refresh=True)
    report.reused = len(wanted) - len({(w.module, w.name) for w, _ in missing})
    if missing and fields_api():
        created_any = False
        for want, _line in missing:  # a field, or an existing field's missing choices
            created = try_create(client, want)
            if created is None:
                continue
            created_any = True
            if client.last_status == 201:  # a new field (200: choices added to the admin's)
                ledger.record_schema(run_id, "field", want.module, want.name, str(created["id"]))
                report.created_fields.append(f"{want.module}.{want.name}")
            else:
                report.created_fields.append(f"{want.module}.{want.name} choices")
        if created_any:
            missing = field_map.compare(wanted, refresh=True)
    report.requests = client.stats.total - before
    if missing:
        report.checklist = [line for _, line in missing]
        raise FieldsMissing(report.checklist)
    return report


def remove(client: FreshsalesClient, ledger: Ledger) -> list[str]:
    """Fields this tool created by API (the flag path); fields an admin created from the
    checklist are the admin's to remove (``rollback --schema`` says so, removes none)."""
    removed = []
    for item in reversed([c for c in ledger.schema_created() if c["kind"] == "field"]):
        try:
            client.request(
                "DELETE", f"{API}/settings/{item['object']}/fields/{item['metadata_id']}"
            )
        except FreshsalesError as exc:
            if exc.status not in (404, 410):
                raise
        ledger.forget_schema([item["metadata_id"]])
        removed.append(f"{item['object']}.{item['name']}")
    return removed
