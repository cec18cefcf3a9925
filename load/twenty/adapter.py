"""Twenty as a destination: the worked example of the adapter contract (load/README.md).

Twenty's write path is the simplest of the five: one synchronous request per batch,
``POST /rest/batch/<plural>?upsert=true``, all-or-nothing (a 400 refuses the whole batch, so
the core bisects it), capped at 60 records on servers before late 2025 and 200 after (read
from the workspace, confirmed by the server's own refusal). Records are recognised by the
unique custom field ``bizstimId``; note targets, system rows without custom fields, by a UUIDv5
of the external id. Soft-deleted rows still count for unique indexes, so reads include them
and a matching one is *restored* by the upsert. Values are compared the way Twenty stores them
(:mod:`load.twenty.normalise`). Rollback destroys what the load created (100 ids per DELETE,
Twenty's ``MUTATION_MAXIMUM_AFFECTED_RECORDS``) and PATCHes before-images back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from common.settings import TwentySettings
from load.core.destination import (
    BatchRefused,
    CapChanged,
    ListedRecords,
    OwnerMatch,
    SetupReport,
    WriteAnswer,
)
from load.core.ledger import Ledger
from load.core.marts import MartRow
from load.core.pacing import RequestStats
from load.core.plan import Planned, Snapshot, deterministic_id
from load.core.specs import LoadSpec
from load.twenty.catalog import EXTERNAL_ID_FIELD, Catalog
from load.twenty.client import TwentyClient, TwentyError
from load.twenty.composites import complete
from load.twenty.normalise import compare, stored_key
from load.twenty.owners import match_owners
from load.twenty.schema import setup_schema
from load.twenty.specs import LOAD_ORDER
from load.twenty.workspace import Workspace

BULK = 100  # MUTATION_MAXIMUM_AFFECTED_RECORDS: ids per DELETE
ANY_STATE = "or(deletedAt[is]:NULL,deletedAt[is]:NOT_NULL)"  # lists soft-deleted rows too
READ_BACK_CHUNK = 50


def _quoted(value: Any) -> str:
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


class TwentyDestination:
    name = "twenty"
    display_name = "Twenty"
    user_noun = "workspace member"
    bin_name = "deleted records"  # soft-deleted: restorable until Twenty purges them
    specs: tuple[LoadSpec, ...] = LOAD_ORDER

    def __init__(
        self,
        client: TwentyClient,
        workspace: Workspace,
        catalog: Catalog,
        ledger: Ledger,
        settings: TwentySettings,
    ) -> None:
        self.client = client
        self.workspace = workspace
        self.catalog = catalog
        self.ledger = ledger
        self.settings = settings
        self._types: dict[str, dict[str, str]] = {}
        # Bizstim user external id → workspace member id; a user with no member is absent,
        # so the record is sent without owner, never refused.
        self.owner_members: dict[str, str] = {}

    # -- identity ---------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return self.settings.api_url

    @property
    def generation(self) -> str:
        return self.workspace.generation

    @property
    def stats(self) -> RequestStats:
        return self.client.stats

    def close(self) -> None:
        self.client.close()

    def facts(self) -> dict[str, Any]:
        return {"generation": self.workspace.generation, "batch_cap": self.workspace.batch_cap}

    def describe(self) -> str:
        ws = self.workspace
        return (
            f"Twenty {self.url}: generation {ws.generation}, batch cap {ws.batch_cap}, "
            f"note targets via {ws.note_target_person_field}"
        )

    def unconfirmed_mappings(self) -> list[str]:
        return list(self.catalog.unconfirmed)

    # -- schema and owners ------------------------------------------------------------------
    def setup_schema(self, run_id: str) -> SetupReport:
        return setup_schema(self.client, self.workspace, self.catalog, self.ledger, run_id)

    def remove_schema(self) -> list[str]:
        removed: list[str] = []
        created = self.ledger.schema_created()
        for kind in ("field", "object"):
            for item in reversed([c for c in created if c["kind"] == kind]):
                path = f"/rest/metadata/{kind}s/{item['metadata_id']}"
                self.client.request("PATCH", path, json={"isActive": False})
                self.client.request("DELETE", path)
                self.ledger.forget_schema([item["metadata_id"]])
                name = f"{item['object']}.{item['name']}" if kind == "field" else item["name"]
                removed.append(name)
        return removed

    def match_owners(self, run_id: str | None = None) -> OwnerMatch:
        return match_owners(self.client, self.ledger, run_id)

    def use_owners(self, members: Mapping[str, str]) -> None:
        self.owner_members = dict(members)

    # -- plan -------------------------------------------------------------------------------
    def has_object(self, spec: LoadSpec) -> bool:
        return spec.singular in self.workspace.objects

    def unique_keys(self, spec: LoadSpec) -> list[str]:
        """Keys an upsert matches on besides ``id``: ``bizstimId`` and every unique field."""
        if not spec.upserts:
            return []
        keys = [EXTERNAL_ID_FIELD]
        for f in self.catalog.fields_of(spec.singular):
            if not f.is_unique or f.name == EXTERNAL_ID_FIELD:
                continue
            if f.type == "EMAILS":
                keys.append(f"{f.name}.primaryEmail")
            elif f.type == "LINKS":
                keys.append(f"{f.name}.primaryLinkUrl")
            else:
                keys.append(f.name)
        return keys

    def read(self, spec: LoadSpec) -> Snapshot:
        if not self.has_object(spec):  # dry run before schema setup
            return Snapshot(key_value=stored_key)
        plural = self.workspace.plural(spec.singular)
        live = self.client.list_all(plural)
        deleted = self.client.list_all(plural, filter_="deletedAt[is]:NOT_NULL")
        return Snapshot.build(live, deleted, self.unique_keys(spec), stored_key)

    def relation_target(self, spec: LoadSpec, name: str) -> tuple[str, str]:
        if spec.singular == "noteTarget":
            if name == "note":
                return "noteId", "note"
            return self.workspace.note_target_person_field, "person"
        for f in self.catalog.fields_of(spec.singular):
            if f.name == name and f.relation_target:
                return f"{name}Id", f.relation_target
        raise RuntimeError(f"{spec.mart}: column {name}__external_id is not a known relation")

    def field_types(self, spec: LoadSpec) -> dict[str, str]:
        types = self._types.get(spec.singular)
        if types is None:
            types = {f.name: f.type for f in self.catalog.fields_of(spec.singular)}
            self._types[spec.singular] = types
        return types

    def shape(self, spec: LoadSpec, row: MartRow, related: Mapping[str, str | None]) -> dict:
        payload = complete(row.payload, self.field_types(spec))  # composites whole (rule 11)
        if spec.upserts:
            payload[EXTERNAL_ID_FIELD] = row.external_id
        else:
            payload["id"] = deterministic_id(spec.singular, row.external_id)
        for name, record_id in related.items():
            payload[self.relation_target(spec, name)[0]] = record_id
        if row.has_owner:
            owner = row.owner_user
            payload["ownerId"] = self.owner_members.get(owner) if owner is not None else None
        return payload

    def unchanged_outside_hash(self, payload: dict[str, Any], record: dict[str, Any]) -> bool:
        """An owner is resolved at load time, not in the mart's ``row_hash``: a practitioner
        whose workspace member was invited after the first load gets it on the next one, and a
        record whose owner was changed in Twenty is set back."""
        return "ownerId" not in payload or record.get("ownerId") == payload["ownerId"]

    def landed_id(self, spec: LoadSpec, external_id: str, snapshot: Snapshot) -> str | None:
        if not spec.upserts:
            return deterministic_id(spec.singular, external_id)
        for record in [*snapshot.live.values(), *snapshot.deleted.values()]:
            if record.get(EXTERNAL_ID_FIELD) == external_id:
                return str(record["id"])
        return None

    # -- write ------------------------------------------------------------------------------
    def batch_cap(self, spec: LoadSpec) -> int:
        return self.workspace.batch_cap

    def answer_key(self, spec: LoadSpec) -> str:
        return EXTERNAL_ID_FIELD if spec.upserts else "id"

    def key_value(self, key: str, value: Any) -> Any:
        return stored_key(key, value)

    def write(self, spec: LoadSpec, batch: Sequence[Planned]) -> WriteAnswer:
        try:
            body = self.client.request(
                "POST",
                f"/rest/batch/{self.workspace.plural(spec.singular)}",
                params={"upsert": "true"},
                json=[p.payload for p in batch],
            )
        except TwentyError as exc:
            if exc.status != 400:
                raise
            message = "; ".join(exc.messages)
            if self.workspace.adopt_cap_from(message):
                raise CapChanged(message) from exc
            raise BatchRefused(message) from exc
        return WriteAnswer(records=next(iter(body["data"].values())))

    def read_back(self, spec: LoadSpec, key: str, wanted: Sequence[Any]) -> dict[Any, dict]:
        """The live records whose ``key`` is one of ``wanted`` (one filtered list per 50)."""
        plural = self.workspace.plural(spec.singular)
        found: dict[Any, dict[str, Any]] = {}
        values = [v for v in wanted if v is not None]
        for start in range(0, len(values), READ_BACK_CHUNK):
            listed = ",".join(_quoted(v) for v in values[start : start + READ_BACK_CHUNK])
            for record in self.client.list_all(plural, filter_=f"{key}[in]:[{listed}]"):
                found[stored_key(key, record.get(key))] = record
        return found

    def archive(self, spec: LoadSpec, record_ids: Sequence[str]) -> None:
        """Soft-delete (recoverable in Twenty's trash)."""
        plural = self.workspace.plural(spec.singular)
        for i in range(0, len(record_ids), BULK):
            ids = ",".join(record_ids[i : i + BULK])
            self.client.request(
                "DELETE",
                f"/rest/{plural}",
                params={"filter": f"id[in]:[{ids}]", "soft_delete": "true"},
            )

    # -- reconcile --------------------------------------------------------------------------
    def list_records(self, spec: LoadSpec, fields: set[str]) -> ListedRecords:
        listed = ListedRecords(sorted({"id", EXTERNAL_ID_FIELD, *fields}))
        for batch in self.client.pages(self.workspace.plural(spec.singular)):
            for record in batch:
                listed.add(record["id"], record)
        return listed

    def deleted_records(self, spec: LoadSpec, record_ids: Sequence[str]) -> set[str]:
        """Which of these records are soft-deleted (``deletedAt`` set), not gone."""
        plural = self.workspace.plural(spec.singular)
        found: set[str] = set()
        for i in range(0, len(record_ids), BULK):
            ids = ",".join(record_ids[i : i + BULK])
            filter_ = f"and(id[in]:[{ids}],deletedAt[is]:NOT_NULL)"
            found |= {r["id"] for r in self.client.list_all(plural, filter_=filter_)}
        return found

    def fetch(self, spec: LoadSpec, record_id: str) -> dict[str, Any]:
        plural = self.workspace.plural(spec.singular)
        return next(iter(self.client.get(f"/rest/{plural}/{record_id}")["data"].values()))

    def differences(self, spec: LoadSpec, payload: dict, record: dict) -> list[str]:
        return compare(payload, record, self.field_types(spec))

    def identity_problem(self, spec: LoadSpec, row: MartRow, record: dict) -> str | None:
        if spec.upserts and record.get(EXTERNAL_ID_FIELD) != row.external_id:
            return f"{row.external_id}: bizstimId differs"
        if not spec.upserts and record["id"] != deterministic_id(spec.singular, row.external_id):
            return f"{row.external_id}: id differs"
        return None

    # -- rollback ---------------------------------------------------------------------------
    def destroy(self, spec: LoadSpec, record_ids: Sequence[str]) -> None:
        plural = self.workspace.plural(spec.singular)
        for i in range(0, len(record_ids), BULK):
            ids = ",".join(record_ids[i : i + BULK])
            self.client.request(
                "DELETE", f"/rest/{plural}", params={"filter": f"and(id[in]:[{ids}],{ANY_STATE})"}
            )

    def _writable(self, spec: LoadSpec) -> set[str]:
        names = {EXTERNAL_ID_FIELD}
        for f in self.catalog.fields_of(spec.singular):
            names.add(f"{f.name}Id" if f.type == "RELATION" else f.name)
        return names

    def revert(self, spec: LoadSpec, record_id: str, before: dict, was_deleted: bool) -> None:
        plural = self.workspace.plural(spec.singular)
        writable = self._writable(spec)
        body = {k: v for k, v in before.items() if k in writable}
        self.client.request("PATCH", f"/rest/{plural}/{record_id}", json=body)
        if was_deleted:
            self.client.request(
                "DELETE", f"/rest/{plural}/{record_id}", params={"soft_delete": "true"}
            )

    def unarchive(self, spec: LoadSpec, record_id: str) -> None:
        plural = self.workspace.plural(spec.singular)
        self.client.request("PATCH", f"/rest/{plural}/{record_id}/restore")
