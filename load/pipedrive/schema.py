"""Custom fields by name, read at run time: Pipedrive's field codes differ in every account.

A Pipedrive custom field is addressed by a 40-hex ``field_code`` the account drew when the
field was created, never by a name the API keeps stable (destinations-2.md §2.5, pitfall 2:
integrations that hard-coded codes broke on the next account). So every run reads
``GET /api/v2/{entity}Fields`` (10 tokens a page of 500) and builds the map the payloads need:
field name → code, and for option fields option label → option id (v2 takes ``enum`` as a
number and ``set`` as a list of numbers, never labels).

Setup writes only what is missing: a field the mapping names (``seeds/pipedrive_fields.csv``
plus the varchar "Bizstim ID" every custom-field entity carries) is created with its options;
an option field that lacks some of the labels the seed or the marts use gets them in one
atomic ``POST .../options``. A rerun finds everything and writes nothing. A field with the
mapping's name but another type is not overwritten (it holds the customer's data): the load
stops and names it (:class:`~load.core.destination.SchemaConflict`, exit 7). Created fields and
options are recorded in the schema ledger so ``rollback --schema`` removes exactly those.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import duckdb

from load.core.destination import SchemaConflict, SetupReport
from load.core.ledger import Ledger
from load.pipedrive.client import PipedriveClient, PipedriveUnavailable
from load.pipedrive.specs import BIZSTIM_ID_FIELD, CUSTOM_PREFIX, ENTITIES, KEY

OPTION_TYPES = ("enum", "set")
CREATE_ATTEMPTS = 3


@dataclass
class Field:
    entity: str
    key: str  # the seed's field_key (``bizstim_id`` for "Bizstim ID")
    name: str  # the label Pipedrive shows and the map matches on
    type: str
    code: str | None = None  # the account's field_code once it exists
    options: dict[str, int] = field(default_factory=dict)  # label → option id


def wanted_fields(con: duckdb.DuckDBPyConnection) -> list[Field]:
    """Every custom field the load needs: the seed's rows, and "Bizstim ID" per entity."""
    wanted = [
        Field(name, KEY, BIZSTIM_ID_FIELD, "varchar")
        for name, e in ENTITIES.items()
        if e.custom_fields
    ]
    exists = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'seeds' and table_name = 'pipedrive_fields'"
    ).fetchone()
    if not exists or not exists[0]:
        return wanted
    rows = con.execute(
        "select entity, field_key, field_name, field_type, options from seeds.pipedrive_fields "
        "order by entity, field_key"
    ).fetchall()
    for entity, key, name, type_, options in rows:
        if str(key) == KEY:
            continue
        labels = [o.strip() for o in str(options or "").split("|") if o.strip()]
        wanted.append(
            Field(str(entity), str(key), str(name), str(type_), None, dict.fromkeys(labels, 0))
        )
    return wanted


def option_labels(value: Any) -> list[str]:
    """The labels a mart value names: one for ``enum``, a JSON array or '|'-joined for ``set``."""
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    text = str(value)
    if text.startswith("["):
        return [str(v) for v in json.loads(text)]
    return [part.strip() for part in text.split("|") if part.strip()]


def labels_in_marts(con: duckdb.DuckDBPyConnection, fields: Iterable[Field]) -> None:
    """Add to each option field the labels its mart column holds (a value the seed's list
    misses must still map to an option, or the record would be refused)."""
    columns = {
        (r[0], r[1])
        for r in con.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = 'marts' and table_name like 'pipedrive__%'"
        ).fetchall()
    }
    for f in fields:
        if f.type not in OPTION_TYPES:
            continue
        column = f"{CUSTOM_PREFIX}{f.key}"
        for table, name in columns:
            if name != column or not _mart_of(table, f.entity):
                continue
            for (value,) in con.execute(
                f'select distinct "{column}" from marts."{table}" where "{column}" is not null'
            ).fetchall():
                for label in option_labels(value):
                    f.options.setdefault(label, 0)


def _mart_of(table: str, entity: str) -> bool:
    plural = {"person": "persons", "organization": "organizations", "product": "products"}
    return table == f"pipedrive__{plural.get(entity, entity + 's')}"


class FieldMap:
    """The account's custom fields the load uses: entity → field key → :class:`Field`."""

    def __init__(self, client: PipedriveClient) -> None:
        self.client = client
        self.fields: dict[str, dict[str, Field]] = {}
        self.listed: dict[str, list[dict[str, Any]]] = {}  # entity → GET *Fields answer
        self.requests = 0

    def _listing(self, entity: str) -> list[dict[str, Any]]:
        if entity not in self.listed:
            path = ENTITIES[entity].fields_path
            assert path is not None
            self.listed[entity] = self.client.list_all(path)
            self.requests += 1
        return self.listed[entity]

    def resolve(self, wanted: Iterable[Field], refresh: bool = False) -> list[Field]:
        """Give each wanted field the account's code and option ids; the fields the account
        lacks are returned. A field present under another type raises SchemaConflict."""
        if refresh:
            self.listed.clear()
        missing: list[Field] = []
        for want in wanted:
            found = [f for f in self._listing(want.entity) if f.get("field_name") == want.name]
            self.fields.setdefault(want.entity, {})[want.key] = want
            if not found:
                missing.append(want)
                continue
            held = found[0]
            if held.get("field_type") != want.type:
                raise SchemaConflict(
                    f"{want.entity}.{want.name}: the Pipedrive account has this field as "
                    f"{held.get('field_type')!r}, the mapping needs {want.type!r} (field code "
                    f"{held.get('field_code')}). Rename or remove that field in Pipedrive, or "
                    "change seeds/pipedrive_fields.csv; the load writes nothing until then"
                )
            want.code = str(held["field_code"])
            held_options = {str(o["label"]): int(o["id"]) for o in held.get("options") or []}
            for label in list(want.options):
                want.options[label] = held_options.get(label, 0)
            for label, option_id in held_options.items():
                want.options.setdefault(label, option_id)
        return missing

    def reread(self, entity: str, name: str) -> dict[str, Any] | None:
        """The field named ``name`` as the account holds it now (a fresh listing)."""
        self.listed.pop(entity, None)
        return next((f for f in self._listing(entity) if f.get("field_name") == name), None)

    def reread_options(self, want: Field, labels: list[str]) -> list[dict[str, Any]] | None:
        """The options ``labels`` of ``want`` when the account holds them all now."""
        held = self.reread(want.entity, want.name) or {}
        options = [o for o in held.get("options") or [] if str(o.get("label")) in labels]
        return options if {str(o["label"]) for o in options} >= set(labels) else None

    def field(self, entity: str, key: str) -> Field | None:
        return self.fields.get(entity, {}).get(key)

    def code(self, entity: str, key: str) -> str | None:
        f = self.field(entity, key)
        return f.code if f else None


def setup(
    client: PipedriveClient, ledger: Ledger, field_map: FieldMap, wanted: list[Field], run_id: str
) -> SetupReport:
    """Create the missing fields and options; a rerun writes nothing."""
    report = SetupReport()
    before = client.stats.total
    missing = field_map.resolve(wanted, refresh=True)
    report.reused = len(wanted) - len(missing)
    for want in missing:
        path = ENTITIES[want.entity].fields_path
        body: dict[str, Any] = {"field_name": want.name, "field_type": want.type}
        if want.type in OPTION_TYPES:
            body["options"] = [{"label": label} for label in want.options]
        created = _create_once(
            client, str(path), body, lambda w=want: field_map.reread(w.entity, w.name)
        )
        want.code = str(created["field_code"])
        ledger.record_schema(run_id, "field", want.entity, want.name, want.code)
        for option in created.get("options") or []:
            want.options[str(option["label"])] = int(option["id"])
        report.created_fields.append(f"{want.entity}.{want.name}")
    for want in wanted:
        if want.type not in OPTION_TYPES or want in missing:
            continue
        labels = [label for label, option_id in want.options.items() if not option_id]
        if not labels:
            continue
        path = f"{ENTITIES[want.entity].fields_path}/{want.code}/options"
        body = [{"label": label} for label in labels]
        added = _create_once(
            client, path, body, lambda w=want, ls=labels: field_map.reread_options(w, ls)
        )
        for option in added or []:
            label, option_id = str(option["label"]), int(option["id"])
            if label in labels:
                want.options[label] = option_id
                ledger.record_schema(
                    run_id,
                    "option",
                    want.entity,
                    f"{want.name}={label}",
                    f"{want.code}:{option_id}",
                )
        report.created_fields.append(f"{want.entity}.{want.name} options {', '.join(labels)}")
    report.requests = client.stats.total - before
    return report


def _create_once(
    client: PipedriveClient, path: str, body: Any, reread: Callable[[], Any | None]
) -> Any:
    """POST a field or options once: when the answer is lost (a dropped connection after
    Pipedrive committed it), what the account now holds is read before sending it again, so
    a field is never created twice (the option endpoints are atomic: all or none landed)."""
    for attempt in range(1, CREATE_ATTEMPTS + 1):
        try:
            return client.data("POST", path, json=body, retry_writes=False)
        except PipedriveUnavailable:
            landed = reread()
            if landed is not None:
                return landed
            if attempt == CREATE_ATTEMPTS:
                raise
    raise AssertionError("unreachable: the loop returns or raises")


def remove(client: PipedriveClient, ledger: Ledger) -> list[str]:
    """Delete the options, then the fields, this tool created (``rollback --schema``)."""
    removed: list[str] = []
    created = ledger.schema_created()
    for kind in ("option", "field"):
        for item in reversed([c for c in created if c["kind"] == kind]):
            fields_path = ENTITIES[item["object"]].fields_path
            if kind == "option":
                code, option_id = str(item["metadata_id"]).split(":", 1)
                if not any(
                    c["kind"] == "field" and c["metadata_id"] == code for c in created
                ):  # a field this tool created goes whole, with its options
                    client.request(
                        "DELETE", f"{fields_path}/{code}/options", json=[{"id": int(option_id)}]
                    )
            else:
                client.request("DELETE", f"{fields_path}/{item['metadata_id']}")
            ledger.forget_schema([item["metadata_id"]])
            removed.append(f"{item['object']}.{item['name']}")
    return removed
