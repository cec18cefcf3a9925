"""Reading what the org holds, the way the plan, read-back and reconcile need it: SOQL.

One query per object reads every record the migration keyed (``Bizstim_Id__c != null``,
2 000 rows a page through ``nextRecordsUrl``) with exactly the fields the mart writes, so the
record a plan keeps as a before-image holds what rollback must write back. Only live records
count: an upsert on an External ID never matches a record in the Recycle Bin (it creates a new
one), so a deleted record is not something the plan could update or restore.

Before the first read of an object after a killed run, Bulk jobs still running for it are
waited for: the records of a job the killed run had closed land while it runs, and the plan
must see them (else it sends them again, harmlessly but twice).

Reconcile asks once more about loaded records the live read no longer shows
(:meth:`Reader.recycled`): ``queryAll`` with ``IsDeleted = true`` finds the ones someone
deleted in the org after the load, which wait in the Recycle Bin for 15 days.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from load.core.ledger import LIVE_ACTIONS, Ledger
from load.core.marts import OWNER_COLUMN, RELATION_SUFFIX, is_payload, read_mart
from load.core.plan import Snapshot
from load.core.specs import LoadSpec
from load.salesforce.client import SalesforceClient, SalesforceError, field_not_visible
from load.salesforce.content import LINK_KEY, links_by_pair, marker_of, pair
from load.salesforce.relations import Relations
from load.salesforce.specs import API_NAME, EXTERNAL_ID, has_external_id
from load.salesforce.values import stored

IN_CHUNK = 100  # values per IN (...) list: a query stays far below the URL length limit
RUNNING = ("UploadComplete", "InProgress")


def quote(value: Any) -> str:
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def key_value(_key: str, value: Any) -> Any:
    return None if value is None else str(value)


class Reader:
    def __init__(
        self,
        client: SalesforceClient,
        ledger: Ledger,
        relations: Relations,
        visible: Callable[[str, str], bool],
        switched_off: set[tuple[str, str]] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self.ledger = ledger
        self.relations = relations
        self.visible = visible  # (object, field) → the integration user can see it
        self.switched_off = switched_off or set()  # (object, field) a seed setting leaves out
        self.sleep = sleep
        self._columns: dict[str, list[str]] = {}

    # -- what to select ---------------------------------------------------------------------
    def mart_columns(self, spec: LoadSpec) -> list[str]:
        if spec.mart not in self._columns:
            rows = self.ledger.query(
                "select column_name from information_schema.columns where table_schema = "
                "'marts' and table_name = ? order by ordinal_position",
                [spec.mart],
            )
            self._columns[spec.mart] = [r["column_name"] for r in rows]
        return self._columns[spec.mart]

    def fields(self, spec: LoadSpec) -> list[str]:
        """Id, the key, every payload column, every lookup the mart fills, the owner."""
        columns = self.mart_columns(spec)
        out = ["Id"]
        if has_external_id(spec.singular):
            out.append(EXTERNAL_ID)
        out += [c for c in columns if is_payload(c, API_NAME) and c != "Content"]
        for column in columns:
            if column.endswith(RELATION_SUFFIX):
                name = column[: -len(RELATION_SUFFIX)]
                out.append(self.relations.of(spec.singular, name).field)
        if OWNER_COLUMN in columns:
            out.append("OwnerId")
        if spec.singular == "PricebookEntry":
            out.append("Pricebook2Id")
        kept = [f for f in out if (spec.singular, f) not in self.switched_off]
        return list(dict.fromkeys(kept))

    # -- reading ------------------------------------------------------------------------------
    def records(self, spec: LoadSpec) -> list[dict[str, Any]]:
        """Every live record of the object the migration wrote (keyed by ``Bizstim_Id__c``)."""
        obj = spec.singular
        if has_external_id(obj):
            if not self.visible(obj, EXTERNAL_ID):
                return []  # no schema yet (a dry run before setup): nothing of ours
            soql = f"SELECT {', '.join(self.fields(spec))} FROM {obj} WHERE {EXTERNAL_ID} != null"
            return [self._record(r) for r in self.query(soql)]
        if obj == "ContentNote":
            soql = "SELECT Id, Title FROM ContentNote WHERE Title LIKE '%[bizstim:%'"
            notes = [self._record(r) for r in self.query(soql)]
            for note in notes:
                note[LINK_KEY] = marker_of(note.get("Title"))
            return [n for n in notes if n[LINK_KEY]]
        return self._links(spec)

    def _links(self, spec: LoadSpec) -> list[dict[str, Any]]:
        """The links between the migration's notes and records, keyed by their mart row."""
        notes = [
            r["record_id"]
            for r in self.ledger.current("ContentNote").values()
            if r["action"] in LIVE_ACTIONS and r["record_id"]
        ]
        if not notes:
            return []
        relations = read_mart(self.ledger, spec.relation, spec.payload_names)
        entity = self.relations.of(spec.singular, "LinkedEntity")
        ids = {
            (obj, ext): row["record_id"]
            for obj in (*entity.targets, "ContentNote")
            for ext, row in self.ledger.current(obj).items()
            if row["action"] in LIVE_ACTIONS and row["record_id"]
        }
        pairs = links_by_pair(
            (
                (r.external_id, r.relations.get("ContentDocument"), r.relations.get("LinkedEntity"))
                for r in relations
            ),
            ids,
            entity.targets,
        )
        out = []
        fields = ", ".join(self.fields(spec))
        for start in range(0, len(notes), IN_CHUNK):
            listed = ", ".join(quote(n) for n in notes[start : start + IN_CHUNK])
            soql = f"SELECT {fields} FROM ContentDocumentLink WHERE ContentDocumentId IN ({listed})"
            for link in self.query(soql):
                key = pairs.get(
                    pair(link.get("ContentDocumentId"), link.get("LinkedEntityId")) or ""
                )
                if key:
                    out.append({**self._record(link), LINK_KEY: key})
        return out

    def query(self, soql: str) -> list[dict[str, Any]]:
        """A SOQL read; a field the integration user cannot see is a clear refusal."""
        try:
            return self.client.query(soql)
        except SalesforceError as exc:
            refusal = field_not_visible(exc)
            if refusal is not None:
                raise refusal from exc
            raise

    @staticmethod
    def _record(row: dict[str, Any]) -> dict[str, Any]:
        record = {k: stored(v) for k, v in row.items()}
        record["id"] = row["Id"]
        return record

    def snapshot(self, spec: LoadSpec) -> Snapshot:
        self.wait_for_jobs(spec)
        return Snapshot.build(self.records(spec), [], [EXTERNAL_ID], key_value)

    def by_key(self, spec: LoadSpec, wanted: Sequence[Any]) -> dict[str, dict[str, Any]]:
        """The live records whose ``Bizstim_Id__c`` (or note marker / link key) is wanted."""
        values = [str(v) for v in wanted if v is not None]
        if not values:
            return {}
        if not has_external_id(spec.singular):
            want = set(values)
            return {r[LINK_KEY]: r for r in self.records(spec) if r[LINK_KEY] in want}
        found: dict[str, dict[str, Any]] = {}
        fields = ", ".join(self.fields(spec))
        for start in range(0, len(values), IN_CHUNK):
            listed = ", ".join(quote(v) for v in values[start : start + IN_CHUNK])
            soql = f"SELECT {fields} FROM {spec.singular} WHERE {EXTERNAL_ID} IN ({listed})"
            for row in self.query(soql):
                record = self._record(row)
                found[str(record[EXTERNAL_ID])] = record
        return found

    def recycled(self, spec: LoadSpec, record_ids: Sequence[str]) -> set[str]:
        """Which of these records sit in the org's Recycle Bin (``queryAll``). Note links
        are deleted for good (no bin), so none of them is ever there."""
        if spec.singular == "ContentDocumentLink" or not record_ids:
            return set()
        wanted = {str(r)[:15]: str(r) for r in record_ids}
        found: set[str] = set()
        ids = list(wanted.values())
        for start in range(0, len(ids), IN_CHUNK):
            listed = ", ".join(quote(i) for i in ids[start : start + IN_CHUNK])
            soql = f"SELECT Id FROM {spec.singular} WHERE IsDeleted = true AND Id IN ({listed})"
            for row in self.client.query(soql, all_rows=True):
                original = wanted.get(str(row["Id"])[:15])
                if original is not None:
                    found.add(original)
        return found

    # -- jobs a killed run left running --------------------------------------------------------
    def wait_for_jobs(self, spec: LoadSpec, most: float = 300.0) -> None:
        pending = self.ledger.query(
            "select count(*) as n from migration.ledger where state = 'pending' and "
            "destination = ? and object = ?",
            [self.ledger.destination, spec.singular],
        )
        if not pending or not pending[0]["n"] or not has_external_id(spec.singular):
            return
        try:
            listed = self.client.data("GET", "/jobs/ingest").get("records", [])
        except SalesforceError:
            return  # the org does not list jobs: the plan sends unsettled rows again
        mine = [
            j["id"]
            for j in listed
            if j.get("object") == spec.singular
            and j.get("state") in RUNNING
            and (not self.client.user_id or j.get("createdById") in (None, self.client.user_id))
        ]
        waited, pause = 0.0, 0.5
        for job_id in mine:
            while waited < most:
                if self.client.data("GET", f"/jobs/ingest/{job_id}")["state"] not in RUNNING:
                    break
                self.sleep(pause)
                waited += pause
                pause = min(5.0, pause * 2)
