"""Salesforce Sales Cloud as a destination: the adapter contract over REST, Bulk 2.0 and SOAP.

What the core asks and how Salesforce answers it (load/README.md has the table):

* **Keys**: every migrated object carries ``Bizstim_Id__c`` (External ID, Unique): plans match
  on it and every write is an upsert on it, so a rerun, a retried request and a resumed
  ``kill -9`` never make a second record. ContentNote / ContentDocumentLink cannot carry it:
  :mod:`load.salesforce.content` says how they stay idempotent (a Title marker, the link's id
  pair); the core still pairs their answers by a ``Bizstim_Id__c`` key, which is never sent.
* **Writes** (:mod:`load.salesforce.writes`): a batch is a Bulk API 2.0 job of up to 10 000
  rows from the threshold up, sObject Collections below it; answers paired by external id.
* **Owners**: Bizstim users matched to active Users by e-mail; an unmatched one's records keep
  Salesforce's default owner (``OwnerId`` left out, never sent empty).
* **Rollback**: created records are deleted through Collections (200 ids a request) into the
  **Recycle Bin**, where they stay restorable for 15 days; a hard delete needs the "Bulk API
  Hard Delete" permission, which is off by default, so rollback does not use it. Updated
  records get their before-image back by PATCH. Salesforce has no archive: ``--archive-
  missing`` deletes into the Recycle Bin too, and ``unarchive`` is the SOAP API's
  ``undelete`` (which also brings back what the delete cascaded) — possible for the 15 days
  the bin keeps a record.
* **Budget**: the org's daily allocations, API requests and Bulk batches, with one stop
  for both (:mod:`load.salesforce.client`).

A ContentNote's body cannot be read by SOQL (``Content`` is a blob), so a note's before-image
keeps its Title only: rolling back an *update* of a note restores its title, not its text
(only notes the migration itself wrote are ever updated: they carry its marker).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from typing import Any

from common.settings import SalesforceSettings
from load.core.destination import OwnerMatch, SetupReport, WriteAnswer
from load.core.ledger import Ledger
from load.core.marts import MartRow
from load.core.pacing import RequestStats
from load.core.plan import Planned, Snapshot
from load.core.specs import LoadSpec
from load.core.values import same_value
from load.salesforce.bulk import JOB_ROWS, BulkIngest
from load.salesforce.client import API_VERSION, SalesforceClient, SalesforceError
from load.salesforce.collections import Collections
from load.salesforce.content import marked_title, marker_of
from load.salesforce.owners import match_owners
from load.salesforce.reads import Reader, key_value
from load.salesforce.relations import Relations
from load.salesforce.rollback import Undo
from load.salesforce.schema import SchemaSetup, remove_schema
from load.salesforce.specs import EXTERNAL_ID, LOAD_ORDER, has_external_id
from load.salesforce.values import stored
from load.salesforce.wanted import (
    disabled_objects,
    seed_fields,
    settings,
    wanted_fields,
    wanted_objects,
)
from load.salesforce.writes import Writer

RESOLVED = ("OwnerId", "Pricebook2Id")  # set at load time, outside the mart's row_hash


def same_id(a: Any, b: Any) -> bool:
    """Salesforce ids compare on their 15 case-sensitive characters (18 adds a checksum)."""
    if not a or not b:
        return not a and not b
    return str(a)[:15] == str(b)[:15]


class SalesforceDestination:
    name = "salesforce"
    display_name = "Salesforce"
    user_noun = "active User"  # owners are matched to existing Users, never created
    bin_name = "Recycle Bin"
    specs: tuple[LoadSpec, ...] = LOAD_ORDER

    def __init__(self, client: SalesforceClient, ledger: Ledger, settings_: SalesforceSettings):
        self.client = client
        self.ledger = ledger
        self.settings = settings_
        self.described: dict[str, dict[str, Any] | None] = {}
        with ledger.connect() as con:
            fields, off = seed_fields(con)
            self.choices = settings(con)
        self.off = {(f.object, f.name) for f in off}  # switched off by a seed setting
        seeded = {(f.object, f.name): f.reference_to for f in [*fields, *off] if f.reference_to}
        self.relations = Relations(self.describe_object, seeded)
        self.reader = Reader(client, ledger, self.relations, self.sees, self.off)
        self.collections = Collections(client)
        self.writer = Writer(
            self.collections,
            BulkIngest(client),
            self.relations,
            settings_.bulk_threshold,
            self.not_updateable,
            self.reader.by_key,
        )
        self.undo = Undo(client, self.collections, self.reader, self.not_updateable)
        self.owner_users: dict[str, str] = {}
        self._pricebook: str | None = None
        self._resolved: dict[str, set[str]] = {}  # object → payload keys set at load time

    # -- identity ---------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return self.settings.instance_url

    @property
    def generation(self) -> str:
        return f"API v{API_VERSION}"

    @property
    def stats(self) -> RequestStats:
        return self.client.stats

    def close(self) -> None:
        self.client.close()

    def facts(self) -> dict[str, Any]:
        return {
            "generation": self.generation,
            "bulk_threshold": self.settings.bulk_threshold,
            "bulk_jobs": self.writer.bulk_jobs,
            "rows_retried_after_bulk": self.writer.retried,
            "limit_share": self.settings.limit_share,
            "daily_api_requests": {"used": self.stats.daily_used, "max": self.stats.daily_max},
            "daily_bulk_batches": {
                "used": self.client.batches_used if self.client.batches_max else None,
                "max": self.client.batches_max,
            },
        }

    def describe(self) -> str:
        usage = ""
        if self.stats.daily_max:
            usage = f", {self.stats.daily_used} of {self.stats.daily_max} daily API requests used"
        return (
            f"Salesforce {self.client.base_url}: API v{API_VERSION}, Bulk API 2.0 from "
            f"{self.settings.bulk_threshold} records, stops at {self.settings.limit_share:.0%} "
            f"of the daily allocation{usage}"
        )

    def unconfirmed_mappings(self) -> list[str]:
        rows = self.ledger.query(
            "select bizstim_field_name from migration.migration__custom_fields "
            "where blocks_load order by bizstim_field_name"
        )
        return [str(r["bizstim_field_name"]) for r in rows]

    # -- describe ---------------------------------------------------------------------------
    def describe_object(self, obj: str) -> dict[str, Any] | None:
        if obj not in self.described:
            try:
                self.described[obj] = self.client.data("GET", f"/sobjects/{obj}/describe")
            except SalesforceError as exc:
                if exc.status != 404 and not {"NOT_FOUND", "INVALID_TYPE"} & set(exc.codes):
                    raise
                self.described[obj] = None
        return self.described[obj]

    def sees(self, obj: str, field: str) -> bool:
        body = self.describe_object(obj) or {}
        return any(str(f["name"]).lower() == field.lower() for f in body.get("fields", []))

    def not_updateable(self, obj: str) -> set[str]:
        body = self.describe_object(obj) or {}
        return {
            str(f["name"])
            for f in body.get("fields", [])
            if f.get("createable") and not f.get("updateable")
        }

    # -- schema and owners ------------------------------------------------------------------
    def setup_schema(self, run_id: str) -> SetupReport:
        with self.ledger.connect() as con:
            objects, fields, off = wanted_objects(con), wanted_fields(con), disabled_objects(con)
        family: list[str] = []
        if self.choices.get("service_group_target", "Family") == "Family":
            rows = self.ledger.query(
                'select distinct "Family" as f from marts.salesforce__products '
                'where "Family" is not null order by 1'
            )
            family = [str(r["f"]) for r in rows]
        setup = SchemaSetup(self.client, self.ledger, self.described)
        return setup.run(run_id, objects, fields, family, sorted(off))

    def remove_schema(self) -> list[str]:
        removed = remove_schema(self.client, self.ledger)
        self.described.clear()
        return removed

    def match_owners(self, run_id: str | None = None) -> OwnerMatch:
        return match_owners(self.client, self.ledger, run_id)

    def use_owners(self, members: Mapping[str, str]) -> None:
        self.owner_users = {k: v for k, v in members.items() if v}

    # -- plan -------------------------------------------------------------------------------
    def has_object(self, spec: LoadSpec) -> bool:
        return self.describe_object(spec.singular) is not None

    def unique_keys(self, spec: LoadSpec) -> list[str]:
        return [EXTERNAL_ID]

    def read(self, spec: LoadSpec) -> Snapshot:
        return self.reader.snapshot(spec)

    def relation_target(self, spec: LoadSpec, name: str) -> tuple[str, str]:
        relation = self.relations.of(spec.singular, name)
        return relation.field, relation.target

    def standard_pricebook(self) -> str:
        if self._pricebook is None:
            found = self.client.query("SELECT Id FROM Pricebook2 WHERE IsStandard = true")
            if not found:
                raise SalesforceError(
                    404,
                    [
                        {
                            "errorCode": "NOT_FOUND",
                            "message": "the org has no standard "
                            "price book (Pricebook2 with IsStandard = true)",
                        }
                    ],
                )
            self._pricebook = str(found[0]["Id"])
        return self._pricebook

    def shape(self, spec: LoadSpec, row: MartRow, related: Mapping[str, str | None]) -> dict:
        obj = spec.singular
        payload = {k: v for k, v in row.payload.items() if (obj, k) not in self.off}
        resolved = self._resolved.setdefault(obj, set())
        if obj == "ContentNote":
            payload["Title"] = marked_title(payload.get("Title"), row.external_id)
        payload[EXTERNAL_ID] = row.external_id
        for name, record_id in related.items():
            field = self.relations.of(obj, name).field
            if (obj, field) not in self.off:
                payload[field] = record_id
                resolved.add(field)
        owner = self.owner_users.get(row.owner_user or "") if row.has_owner else None
        if owner:
            payload["OwnerId"] = owner
        if obj == "PricebookEntry":
            payload["Pricebook2Id"] = self.standard_pricebook()
        return payload

    def unchanged_outside_hash(self, payload: dict[str, Any], record: dict[str, Any]) -> bool:
        """Owner, price book and parents are ids resolved at load time (not in ``row_hash``):
        a User created after the first load, or a parent loaded again, is set on the next."""
        keys = {*RESOLVED, *(k for keys in self._resolved.values() for k in keys)}
        return all(same_id(payload[k], record.get(k)) for k in keys if k in payload)

    def landed_id(self, spec: LoadSpec, external_id: str, snapshot: Snapshot) -> str | None:
        ids = snapshot.by_key.get((EXTERNAL_ID, external_id), set())
        return next(iter(sorted(ids)), None)

    # -- write ------------------------------------------------------------------------------
    def batch_cap(self, spec: LoadSpec) -> int:
        return JOB_ROWS

    def answer_key(self, spec: LoadSpec) -> str:
        return EXTERNAL_ID

    def key_value(self, key: str, value: Any) -> Any:
        return key_value(key, value)

    def write(self, spec: LoadSpec, batch: Sequence[Planned]) -> WriteAnswer:
        return self.writer.write(spec, batch)

    def read_back(self, spec: LoadSpec, key: str, wanted: Sequence[Any]) -> dict[Any, dict]:
        return dict(self.reader.by_key(spec, wanted))

    def archive(self, spec: LoadSpec, record_ids: Sequence[str]) -> None:
        self.undo.delete(record_ids)

    # -- reconcile --------------------------------------------------------------------------
    def list_records(self, spec: LoadSpec, fields: set[str]) -> dict[str, dict[str, Any]]:
        return {r["id"]: r for r in self.reader.records(spec)}

    def deleted_records(self, spec: LoadSpec, record_ids: Sequence[str]) -> set[str]:
        return self.reader.recycled(spec, record_ids)

    def fetch(self, spec: LoadSpec, record_id: str) -> dict[str, Any]:
        body = self.client.data("GET", f"/sobjects/{spec.singular}/{record_id}")
        record = {k: stored(v) for k, v in body.items() if k != "attributes"}
        if spec.singular == "ContentNote":
            record["Content"] = self._note_text(record.get("Content"))
        return record

    def _note_text(self, content: Any) -> str | None:
        """A note's body: Salesforce answers a link to the blob (or, inline, its base64)."""
        if not isinstance(content, str) or not content:
            return None
        if content.startswith("/services/"):
            raw = self.client.request("GET", content)
            return raw if isinstance(raw, str) else None
        try:
            return base64.b64decode(content, validate=True).decode("utf-8")
        except ValueError:
            return content

    def differences(self, spec: LoadSpec, payload: dict, record: dict) -> list[str]:
        out = []
        for key, wanted in payload.items():
            if key == EXTERNAL_ID and not has_external_id(spec.singular):
                continue
            held = record.get(key)
            marker = marker_of(held) if spec.singular == "ContentNote" and key == "Title" else None
            if marker is not None:  # the Title as the load wrote it: the mart's, then the marker
                wanted = marked_title(wanted, marker)
            if key.endswith("Id") and isinstance(wanted, str) and len(wanted) in (15, 18):
                equal = same_id(wanted, held)
            else:
                equal = same_value(wanted, held)
            if not equal:
                out.append(f"{key}: mart {wanted!r}, Salesforce {held!r}")
        return out

    def identity_problem(self, spec: LoadSpec, row: MartRow, record: dict) -> str | None:
        if str(record.get(EXTERNAL_ID)) != row.external_id:
            return f"{row.external_id}: {spec.singular} {record.get('id')} is keyed otherwise"
        return None

    # -- rollback ---------------------------------------------------------------------------
    def destroy(self, spec: LoadSpec, record_ids: Sequence[str]) -> None:
        self.undo.delete(record_ids)

    def revert(self, spec: LoadSpec, record_id: str, before: dict, was_deleted: bool) -> None:
        self.undo.revert(spec, record_id, before, was_deleted)

    def unarchive(self, spec: LoadSpec, record_id: str) -> None:
        self.undo.undelete([record_id])
