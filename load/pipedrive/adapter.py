"""Pipedrive as a destination: the adapter contract over v2 (v1 for notes and users).

What the core asks and how Pipedrive answers it:

* **Keys** without upsert (destinations-2.md §2.3): persons, organizations, products and deals
  carry the varchar custom field "Bizstim ID" (its code read at run time); activities and notes
  cannot carry custom fields and end their text with ``[bizstim:<id>]``
  (:mod:`load.pipedrive.markers`). ``read`` is one listing per entity (``limit=500``, 10
  tokens a page), never a search per record (20 tokens each): the plan POSTs what the listing
  lacks, PATCHes what changed and sends nothing for what is unchanged.
* **Writes**: one record per call, the only way Pipedrive has (:mod:`load.pipedrive.writes`).
* **Owners**: Bizstim users matched by e-mail to the account's active users (``GET
  /v1/users``, 20 tokens, once per run); users are never created (a seat costs money and a
  user cannot be deleted); an unmatched user's records keep Pipedrive's default owner.
* **Rollback**: ``DELETE`` marks a record deleted and Pipedrive purges it after 30 days;
  **there is no undelete in the API** (destinations-2.md §2.7), so a rolled-back record can
  only be brought back by loading it again, and ``--archive-missing`` deletes the same way.
  Updated records get their before-image back by PATCH.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from common.settings import PipedriveSettings
from load.core.destination import OwnerMatch, SetupReport, WriteAnswer
from load.core.ledger import Ledger
from load.core.marts import OWNER_COLUMN, RELATION_SUFFIX, MartRow
from load.core.owners import match_by_email, users_not_served
from load.core.pacing import RequestStats
from load.core.plan import Planned, Snapshot
from load.core.specs import LoadSpec
from load.pipedrive import schema
from load.pipedrive.client import PipedriveClient, PipedriveError
from load.pipedrive.markers import marker_of
from load.pipedrive.payload import REFERENCES, body_values, differences, shape
from load.pipedrive.revert import before_body
from load.pipedrive.specs import (
    CUSTOM_PREFIX,
    ENTITIES,
    KEY,
    LOAD_ORDER,
    RELATIONS,
    Entity,
    entity,
)
from load.pipedrive.writes import Writer

NEWEST_PAGE = 100  # records read back after a lost create before the whole listing
NO_UNDELETE = (
    "Pipedrive has no undelete: a deleted record stays in its deleted items for 30 days, "
    "restorable only by hand in Pipedrive's UI; load it again instead"
)


class PipedriveDestination:
    name = "pipedrive"
    display_name = "Pipedrive"
    user_noun = "active Pipedrive user"
    bin_name = "deleted items (30 days, no undelete by API)"
    specs: tuple[LoadSpec, ...] = LOAD_ORDER

    def __init__(
        self, client: PipedriveClient, ledger: Ledger, settings: PipedriveSettings
    ) -> None:
        self.client = client
        self.ledger = ledger
        self.settings = settings
        self.fields = schema.FieldMap(client)
        self._wanted: list[schema.Field] | None = None
        self._users: dict[str, str] | None = None  # lower-cased e-mail → active user id
        self.owner_users: dict[str, str] = {}
        self._written: dict[str, set[str]] = {}  # object → body keys its mart fills
        self.writer = Writer(client, self.flatten, self._find)

    # -- identity ---------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return self.settings.api_url

    @property
    def generation(self) -> str:
        return "API v2 (v1 for notes and users)"

    @property
    def stats(self) -> RequestStats:
        return self.client.stats

    def close(self) -> None:
        self.client.close()

    def facts(self) -> dict[str, Any]:
        return {
            "generation": self.generation,
            "records_per_call": 1,
            "daily_tokens": self.client.pacer.day_size,
            "daily_tokens_source": self.client.pacer.allowance.source,
            "tokens_used_today": self.client.pacer.used_today,
            "creates_settled_by_reading": self.writer.settled_by_reading,
        }

    def describe(self) -> str:
        pacer = self.client.pacer
        return (
            f"Pipedrive {self.url}: API v2 (notes and users v1), one record per call, "
            f"{pacer.allowance.burst} requests per 2 s, stops at {pacer.stop_at:,} of "
            f"{pacer.day_size:,} tokens a day ({pacer.allowance.source})"
        )

    def unconfirmed_mappings(self) -> list[str]:
        return []  # the Pipedrive mapping is the seed pipedrive_fields.csv, read as it stands

    # -- schema and owners ------------------------------------------------------------------
    def wanted(self) -> list[schema.Field]:
        if self._wanted is None:
            with self.ledger.connect() as con:
                wanted = schema.wanted_fields(con)
                schema.labels_in_marts(con, wanted)
            self._wanted = wanted
        return self._wanted

    def field_map(self) -> schema.FieldMap:
        """The account's codes for the fields the load uses (read once per run)."""
        if not self.fields.fields:
            self.fields.resolve(self.wanted())
        return self.fields

    def setup_schema(self, run_id: str) -> SetupReport:
        return schema.setup(self.client, self.ledger, self.fields, self.wanted(), run_id)

    def remove_schema(self) -> list[str]:
        removed = schema.remove(self.client, self.ledger)
        self.fields = schema.FieldMap(self.client)
        return removed

    def match_owners(self, run_id: str | None = None) -> OwnerMatch:
        skipped = users_not_served(self.ledger)
        if skipped:
            return OwnerMatch([], [], skipped)
        if self._users is None:
            users = self.client.data("GET", "/v1/users") or []
            self._users = {
                str(u["email"]).strip().lower(): str(u["id"])
                for u in users
                if u.get("email") and u.get("active_flag", True)
            }
        return match_by_email(self.ledger, run_id, self._users)

    def use_owners(self, members: Mapping[str, str]) -> None:
        self.owner_users = {k: v for k, v in members.items() if v}

    # -- plan -------------------------------------------------------------------------------
    def has_object(self, spec: LoadSpec) -> bool:
        return spec.singular in ENTITIES

    def unique_keys(self, spec: LoadSpec) -> list[str]:
        return [KEY]

    def flatten(self, ent: Entity, raw: dict[str, Any]) -> dict[str, Any]:
        """A Pipedrive record with ``id`` as text (the ledger's) and its Bizstim key."""
        record = dict(raw)
        record["id"] = str(raw["id"])
        if ent.custom_fields:
            code = self.field_map().code(ent.singular, KEY)
            record[KEY] = (raw.get("custom_fields") or {}).get(code) if code else None
        else:
            record[KEY] = marker_of(raw.get(ent.marker_field or ""))
        return record

    def records(self, ent: Entity) -> list[dict[str, Any]]:
        return [self.flatten(ent, raw) for raw in self.client.list_all(ent.path)]

    def _find(self, ent: Entity, external_id: str) -> dict[str, Any] | None:
        """The record carrying ``external_id`` after a create whose answer was lost: the
        newest page first (a record created a moment ago has one of the highest ids; one
        page, 10 tokens, v1 notes 20), the whole listing only when that page is full and
        lacks it (others created 100 records since)."""
        params = {"sort": "id DESC"} if ent.v1 else {"sort_by": "id", "sort_direction": "desc"}
        newest = self.client.data("GET", ent.path, params={**params, "limit": NEWEST_PAGE}) or []
        for raw in newest:
            record = self.flatten(ent, raw)
            if record.get(KEY) == external_id:
                return record
        if len(newest) < NEWEST_PAGE:
            return None
        return next((r for r in self.records(ent) if r.get(KEY) == external_id), None)

    def read(self, spec: LoadSpec) -> Snapshot:
        return Snapshot.build(self.records(entity(spec)), [], [KEY], self.key_value)

    def relation_target(self, spec: LoadSpec, name: str) -> tuple[str, str]:
        if name not in RELATIONS:
            raise RuntimeError(f"{spec.mart}: column {name}__external_id is not a known relation")
        return RELATIONS[name]

    def shape(self, spec: LoadSpec, row: MartRow, related: Mapping[str, str | None]) -> dict:
        return shape(entity(spec), row, related, self.field_map(), self.owner_users)

    def unchanged_outside_hash(self, payload: dict[str, Any], record: dict[str, Any]) -> bool:
        """Owner and parents are ids resolved at load time (not in ``row_hash``): a user added
        after the first load, or a parent loaded again, is set on the next run."""
        return all(
            str(payload[k]) == str(record.get(k)) for k in REFERENCES if payload.get(k) is not None
        )

    def landed_id(self, spec: LoadSpec, external_id: str, snapshot: Snapshot) -> str | None:
        ids = snapshot.by_key.get((KEY, external_id), set())
        return min(ids, key=int) if ids else None

    # -- write ------------------------------------------------------------------------------
    def batch_cap(self, spec: LoadSpec) -> int:
        return 1  # Pipedrive has no bulk create or update

    def answer_key(self, spec: LoadSpec) -> str:
        return KEY

    def key_value(self, key: str, value: Any) -> Any:
        return None if value is None else str(value)

    def write(self, spec: LoadSpec, batch: Sequence[Planned]) -> WriteAnswer:
        return WriteAnswer(records=[self.writer.write(entity(spec), item) for item in batch])

    def read_back(self, spec: LoadSpec, key: str, wanted: Sequence[Any]) -> dict[Any, dict]:
        wanted_keys = set(wanted)
        return {r[KEY]: r for r in self.records(entity(spec)) if r.get(KEY) in wanted_keys}

    def archive(self, spec: LoadSpec, record_ids: Sequence[str]) -> None:
        """Pipedrive has no archive: DELETE (30 days in deleted items, no undelete by API)."""
        self.destroy(spec, record_ids)

    # -- reconcile --------------------------------------------------------------------------
    def list_records(self, spec: LoadSpec, fields: set[str]) -> dict[str, dict[str, Any]]:
        return {r["id"]: r for r in self.records(entity(spec))}

    def deleted_records(self, spec: LoadSpec, record_ids: Sequence[str]) -> set[str]:
        """Pipedrive's API neither lists deleted records nor restores them: none is counted
        as restorable."""
        return set()

    def fetch(self, spec: LoadSpec, record_id: str) -> dict[str, Any]:
        ent = entity(spec)
        return self.flatten(ent, self.client.data("GET", f"{ent.path}/{record_id}"))

    def differences(self, spec: LoadSpec, payload: dict, record: dict) -> list[str]:
        """``payload``: the mart row's columns, shaped here as the load shaped them (the
        record's own Bizstim key stands for the row's, which identity checks compare)."""
        ent = entity(spec)
        wanted = body_values(ent, payload, self.field_map(), record.get(KEY))
        return differences(wanted, record)

    def identity_problem(self, spec: LoadSpec, row: MartRow, record: dict) -> str | None:
        if record.get(KEY) != row.external_id:
            return f"{row.external_id}: {spec.singular} {record.get('id')} is keyed otherwise"
        return None

    # -- rollback ---------------------------------------------------------------------------
    def destroy(self, spec: LoadSpec, record_ids: Sequence[str]) -> None:
        """DELETE each record: Pipedrive marks it deleted and purges it after 30 days; there is
        no undelete in the API. A record already gone is left as it is."""
        ent = entity(spec)
        for record_id in record_ids:
            try:
                self.client.request("DELETE", f"{ent.path}/{record_id}")
            except PipedriveError as exc:
                if exc.status not in (404, 410):
                    raise

    def revert(self, spec: LoadSpec, record_id: str, before: dict, was_deleted: bool) -> None:
        ent = entity(spec)
        body = before_body(ent, before, self.field_map(), self.written(spec))
        method = "PUT" if ent.v1 else "PATCH"
        self.client.request(method, f"{ent.path}/{record_id}", json=body)

    def written(self, spec: LoadSpec) -> set[str]:
        """The body keys the mart fills: its payload columns, relations and owner."""
        if spec.singular not in self._written:
            rows = self.ledger.query(
                "select column_name from information_schema.columns "
                "where table_schema = 'marts' and table_name = ?",
                [spec.mart],
            )
            keys: set[str] = set()
            for name in (str(r["column_name"]) for r in rows):
                if name.endswith(RELATION_SUFFIX):
                    relation = RELATIONS.get(name[: -len(RELATION_SUFFIX)])
                    keys |= {relation[0]} if relation else set()
                elif name == OWNER_COLUMN:
                    keys.add("owner_id")
                elif spec.payload_names.match(name) and not name.startswith(CUSTOM_PREFIX):
                    keys.add(name)
            self._written[spec.singular] = keys
        return self._written[spec.singular]

    def unarchive(self, spec: LoadSpec, record_id: str) -> None:
        raise RuntimeError(f"{spec.singular} {record_id}: {NO_UNDELETE}")
