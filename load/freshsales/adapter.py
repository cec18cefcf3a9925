"""Freshsales as a destination: the adapter contract over its REST API (destinations-2.md §3).

What the core asks and how Freshsales answers it:

* **Keys**: contacts, sales accounts, deals and CPQ products carry the unique text custom field
  ``cf_bizstim_id``; appointments and notes cannot carry custom fields and end their
  ``description`` with ``[bizstim:<id>]`` (:mod:`load.freshsales.specs`).
* **Reads** (the plan's id map and before-images): contacts, sales accounts and deals through
  their "All ..." view (``/filters`` once, then pages of 100), products through the CPQ listing;
  Freshsales lists neither appointments nor notes across contacts, so those are read by their
  contact (``GET /api/contacts/{id}?include=notes,appointments``), only for the contacts the
  ledger already holds one for: a first load reads none, a rerun one request per such contact.
* **Writes**: one record per call (:mod:`load.freshsales.writes`): upsert on ``cf_bizstim_id``
  where Freshsales has one, else create (settled by a read when its answer is lost) or PUT;
  jobs of 100 upserts behind ``FRESHSALES_BULK_UPSERT=1`` (:mod:`load.freshsales.bulk`).
* **Owners**: Bizstim users matched by e-mail (:func:`load.core.owners.match_by_email`) to the
  active users of ``GET /api/selector/owners``, the same answer that proved the key; users are
  never created (there is no API for it, §3.1), an unmatched user's records are sent without
  ``owner_id`` (a missing owner fails the write, §3.10 pitfall 1) and listed.
* **Schema**: read every run, the missing fields printed as a checklist and the load refused
  until an admin made them (:mod:`load.freshsales.schema`).
* **Rollback**: ``DELETE`` sends a created record to the recycle bin (retention unconfirmed,
  §3.7; the API neither lists nor restores it, so a rolled-back record comes back by loading it
  again); with ``erase`` (``bizmig rollback --forget``) ``DELETE …/{id}/forget`` erases it for
  good. Updated records get their before-image back by PUT.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from common.settings import FreshsalesSettings
from load.core.destination import OwnerMatch, SetupReport, WriteAnswer
from load.core.ledger import LIVE_ACTIONS, SCHEMA, Ledger
from load.core.marts import MartRow
from load.core.owners import match_by_email, users_not_served
from load.core.pacing import RequestStats
from load.core.plan import Planned, Snapshot
from load.core.specs import LoadSpec
from load.freshsales import schema
from load.freshsales.bulk import BULK_CAP, BulkUpserter, bulk_upsert_on
from load.freshsales.client import FreshsalesClient, FreshsalesError
from load.freshsales.payload import REFERENCES, body_values, differences, flatten, shape
from load.freshsales.revert import before_body
from load.freshsales.specs import (
    API,
    CUSTOM_PREFIX,
    KEY,
    LOAD_ORDER,
    MODULES,
    RELATIONS,
    Module,
    module,
)
from load.freshsales.writes import Writer, unwrap

OWNERS_PATH = f"{API}/selector/owners"
INCLUDE_CHILDREN = "notes,appointments"
CHILD_KEYS = {"appointment": "appointments", "note": "notes"}


class FreshsalesDestination:
    name = "freshsales"
    display_name = "Freshsales"
    user_noun = "active Freshsales user"
    bin_name = "recycle bin"
    specs: tuple[LoadSpec, ...] = LOAD_ORDER

    def __init__(
        self,
        client: FreshsalesClient,
        ledger: Ledger,
        settings: FreshsalesSettings,
        owners: list[dict[str, Any]] | None = None,
    ) -> None:
        self.client = client
        self.ledger = ledger
        self.settings = settings
        self.fields = schema.FieldMap(client)
        self.erase = False  # rollback: DELETE …/forget instead of the recycle bin
        self._owners = owners  # GET /api/selector/owners, as the key check answered it
        self._wanted: list[schema.Field] | None = None
        self.owner_users: dict[str, str] = {}
        self._children: dict[str, dict[str, Any]] = {}  # contact id → its notes/appointments
        self.writer = Writer(client, self._find)
        self.bulk = BulkUpserter(client) if bulk_upsert_on() else None

    # -- identity ---------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return self.settings.api_url

    @property
    def generation(self) -> str:
        return "REST /api (unversioned)"

    @property
    def stats(self) -> RequestStats:
        return self.client.stats

    def close(self) -> None:
        self.client.close()

    def facts(self) -> dict[str, Any]:
        allowance = self.client.pacer.allowance
        return {
            "generation": self.generation,
            "records_per_call": 1,
            "hourly_requests": allowance.hourly,
            "hourly_requests_source": allowance.source,
            "stops_at_per_hour": allowance.stop_at,
            "requests_this_hour": self.client.pacer.used_this_hour,
            "upsert_statuses": {str(k): v for k, v in self.writer.outcomes.items()},
            "creates_settled_by_reading": self.writer.settled_by_reading,
            "bulk_upsert": None
            if self.bulk is None
            else {"jobs": self.bulk.jobs, "polls": self.bulk.polls},
        }

    def describe(self) -> str:
        allowance = self.client.pacer.allowance
        return (
            f"Freshsales {self.url}: one record per call (upsert on {schema.KEY_FIELD} for "
            f"contacts, sales accounts, deals), at most {allowance.stop_at:,} of "
            f"{allowance.hourly:,} requests per rolling hour ({allowance.source})"
        )

    def unconfirmed_mappings(self) -> list[str]:
        return []  # the Freshsales mapping is seeds/freshsales_fields.csv, read as it stands

    # -- schema and owners ------------------------------------------------------------------
    def wanted(self) -> list[schema.Field]:
        if self._wanted is None:
            with self.ledger.connect() as con:
                wanted = schema.wanted_fields(con)
                schema.labels_in_marts(con, wanted)
            self._wanted = wanted
        return self._wanted

    def setup_schema(self, run_id: str) -> SetupReport:
        return schema.setup(self.client, self.ledger, self.fields, self.wanted(), run_id)

    def missing_fields(self) -> list[tuple[schema.Field, str]]:
        """What the account lacks now, without refusing (the demo plays the admin with it)."""
        return self.fields.compare(self.wanted(), refresh=True)

    def remove_schema(self) -> list[str]:
        return schema.remove(self.client, self.ledger)

    def owners(self) -> list[dict[str, Any]]:
        if self._owners is None:
            self._owners = list((self.client.get(OWNERS_PATH) or {}).get("users") or [])
        return self._owners

    def match_owners(self, run_id: str | None = None) -> OwnerMatch:
        skipped = users_not_served(self.ledger)
        if skipped:
            return OwnerMatch([], [], skipped)
        users = {
            str(u["email"]).strip().lower(): str(u["id"])
            for u in self.owners()
            if u.get("email") and u.get("is_active", True)
        }
        inactive = {
            str(u["email"]).strip().lower()
            for u in self.owners()
            if u.get("email") and not u.get("is_active", True)
        }
        return match_by_email(
            self.ledger,
            run_id,
            users,
            lambda email: "their Freshsales user is inactive" if email in inactive else None,
        )

    def use_owners(self, members: Mapping[str, str]) -> None:
        self.owner_users = {k: v for k, v in members.items() if v}

    # -- reads ------------------------------------------------------------------------------
    def has_object(self, spec: LoadSpec) -> bool:
        return spec.singular in MODULES

    def unique_keys(self, spec: LoadSpec) -> list[str]:
        return [KEY]

    def view_id(self, mod: Module) -> str:
        """The module's "All ..." view (every live record), from ``/filters``."""
        filters = (self.client.get(f"{mod.path}/filters") or {}).get("filters") or []
        named = [f for f in filters if str(f.get("name", "")).lower().startswith("all ")]
        if not named:
            raise RuntimeError(f"Freshsales {mod.path}/filters names no 'All ...' view")
        return str(named[0]["id"])

    def records(self, mod: Module) -> list[dict[str, Any]]:
        if mod.singular == "product":
            raws = self.client.list_all(mod.path, "products", {"include": "product_pricings"})
        elif mod.listed_as:
            raws = self.client.list_all(f"{mod.path}/view/{self.view_id(mod)}", mod.listed_as)
        else:
            return self.children(mod, self.parent_contacts(mod))
        return [flatten(mod, raw) for raw in raws]

    def parent_contacts(self, mod: Module, every: bool = False) -> set[str]:
        """Contact ids whose appointments/notes the ledger holds (``every``: all the mart's)."""
        known = (
            ""
            if every
            else (
                f"and exists (select 1 from {SCHEMA}.ledger l where l.destination = 'freshsales' "
                "and l.object = ? and l.external_id = m.external_id)"
            )
        )
        rows = self.ledger.query(
            f"select distinct c.record_id from marts.freshsales__{CHILD_KEYS[mod.singular]} m "
            f"join {SCHEMA}.ledger_current c on c.destination = 'freshsales' "
            "and c.object = 'contact' and c.external_id = m.contact__external_id "
            f"where c.record_id is not null and c.action in {tuple(LIVE_ACTIONS)} {known}",
            [] if every else [mod.singular],
        )
        return {str(r["record_id"]) for r in rows}

    def contact_children(self, contact_id: str, fresh: bool = False) -> dict[str, Any]:
        if fresh or contact_id not in self._children:
            try:
                answer = self.client.get(
                    f"{API}/contacts/{contact_id}", {"include": INCLUDE_CHILDREN}
                )
            except FreshsalesError as exc:
                if exc.status != 404:
                    raise
                answer = {}
            self._children[contact_id] = answer or {}
        return self._children[contact_id]

    def children(self, mod: Module, contact_ids: set[str], fresh: bool = False) -> list[dict]:
        out = []
        for contact_id in sorted(contact_ids):
            answer = self.contact_children(contact_id, fresh)
            held = answer.get(CHILD_KEYS[mod.singular])
            if held is None:
                held = (answer.get("contact") or {}).get(CHILD_KEYS[mod.singular])
            out += [flatten(mod, raw) for raw in held or []]
        return out

    def _find(self, mod: Module, body: dict[str, Any], external_id: str) -> dict | None:
        """The record carrying ``external_id`` after a create whose answer was lost."""
        if mod.marker:
            target = body.get("targetable_id")
            found = self.children(mod, {str(target)}, fresh=True) if target else []
        else:
            found = self.records(mod)
        return next((r for r in found if r.get(KEY) == external_id), None)

    def read(self, spec: LoadSpec) -> Snapshot:
        return Snapshot.build(self.records(module(spec)), [], [KEY], self.key_value)

    def relation_target(self, spec: LoadSpec, name: str) -> tuple[str, str]:
        if name not in RELATIONS:
            raise RuntimeError(f"{spec.mart}: column {name}__external_id is not a known relation")
        if name == "contact":
            return ("targetable_id" if module(spec).marker else "contact_id"), "contact"
        return RELATIONS[name]

    def shape(self, spec: LoadSpec, row: MartRow, related: Mapping[str, str | None]) -> dict:
        return shape(module(spec), row, related, self.owner_users)

    def unchanged_outside_hash(self, payload: dict[str, Any], record: dict[str, Any]) -> bool:
        """Owner and parents are ids resolved at load time (not in ``row_hash``): a user added
        after the first load, or a parent loaded again, is set on the next run."""
        return all(
            str(payload[k]) == str(record.get(k))
            for k in REFERENCES
            if payload.get(k) is not None and k in record
        )

    def landed_id(self, spec: LoadSpec, external_id: str, snapshot: Snapshot) -> str | None:
        ids = snapshot.by_key.get((KEY, external_id), set())
        return min(ids, key=int) if ids else None

    # -- write ------------------------------------------------------------------------------
    def batch_cap(self, spec: LoadSpec) -> int:
        """One record a call; 100 for the upsert modules behind ``FRESHSALES_BULK_UPSERT``."""
        return BULK_CAP if self.bulk is not None and module(spec).upsert else 1

    def answer_key(self, spec: LoadSpec) -> str:
        return KEY

    def key_value(self, key: str, value: Any) -> Any:
        return None if value is None else str(value)

    def write(self, spec: LoadSpec, batch: Sequence[Planned]) -> WriteAnswer:
        mod = module(spec)
        if self.bulk is not None and mod.upsert and len(batch) > 1:
            return self.bulk.write(mod, batch)
        return WriteAnswer(records=[self.writer.write(mod, item) for item in batch])

    def read_back(self, spec: LoadSpec, key: str, wanted: Sequence[Any]) -> dict[Any, dict]:
        wanted_keys = set(wanted)
        mod = module(spec)
        held = (
            self.records(mod)
            if not mod.marker
            else self.children(mod, self.parent_contacts(mod, every=True), fresh=True)
        )
        return {r[KEY]: r for r in held if r.get(KEY) in wanted_keys}

    def archive(self, spec: LoadSpec, record_ids: Sequence[str]) -> None:
        """``--archive-missing``: to the recycle bin (the API restores nothing from it)."""
        self._delete(module(spec), record_ids, forget=False)

    # -- reconcile --------------------------------------------------------------------------
    def list_records(self, spec: LoadSpec, fields: set[str]) -> dict[str, dict[str, Any]]:
        mod = module(spec)
        if mod.marker:
            held = self.children(mod, self.parent_contacts(mod, every=True), fresh=True)
        else:
            held = self.records(mod)
        return {r["id"]: r for r in held}

    def deleted_records(self, spec: LoadSpec, record_ids: Sequence[str]) -> set[str]:
        """The recycle bin is not readable by API (a deleted record answers 404): none is
        counted as restorable."""
        return set()

    def fetch(self, spec: LoadSpec, record_id: str) -> dict[str, Any]:
        mod = module(spec)
        params = {"include": "product_pricings"} if mod.singular == "product" else None
        return flatten(mod, unwrap(mod, self.client.get(f"{mod.path}/{record_id}", params)))

    def differences(self, spec: LoadSpec, payload: dict, record: dict) -> list[str]:
        """``payload``: the mart row's columns, shaped as the load shaped them (the record's
        own Bizstim key stands for the row's, which identity checks compare)."""
        wanted = body_values(module(spec), payload, record.get(KEY))
        return differences(wanted, record)

    def identity_problem(self, spec: LoadSpec, row: MartRow, record: dict) -> str | None:
        if record.get(KEY) != row.external_id:
            return f"{row.external_id}: {spec.singular} {record.get('id')} is keyed otherwise"
        return None

    # -- rollback ---------------------------------------------------------------------------
    def _delete(self, mod: Module, record_ids: Sequence[str], forget: bool) -> None:
        for record_id in record_ids:
            path = f"{mod.path}/{record_id}" + ("/forget" if forget else "")
            try:
                self.client.request("DELETE", path)
            except FreshsalesError as exc:
                if exc.status not in (404, 410):
                    raise

    def destroy(self, spec: LoadSpec, record_ids: Sequence[str]) -> None:
        """DELETE each record this load created: to the recycle bin, or erased for good with
        ``erase`` (``rollback --forget``). A record already gone is left as it is."""
        self._delete(module(spec), record_ids, forget=self.erase)

    def revert(self, spec: LoadSpec, record_id: str, before: dict, was_deleted: bool) -> None:
        mod = module(spec)
        body = before_body(mod, before, self.custom_written(spec))
        self.client.request("PUT", f"{mod.path}/{record_id}", json={mod.resource: body})

    def custom_written(self, spec: LoadSpec) -> set[str]:
        """The ``cf_`` names the mart fills, and ``cf_bizstim_id``."""
        rows = self.ledger.query(
            "select column_name from information_schema.columns "
            "where table_schema = 'marts' and table_name = ?",
            [spec.mart],
        )
        names = {str(r["column_name"]) for r in rows}
        return {n for n in names if n.startswith(CUSTOM_PREFIX)} | {schema.KEY_FIELD}

    def unarchive(self, spec: LoadSpec, record_id: str) -> None:
        raise RuntimeError(
            f"{spec.singular} {record_id}: Freshsales' API cannot restore from the recycle bin; "
            "restore it in Freshsales' UI, or load it again"
        )
