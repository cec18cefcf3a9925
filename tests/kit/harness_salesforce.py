"""The acceptance kit's Salesforce harness: its stand-in, what it holds, how it misbehaves.

What the org holds is read from the stand-in's ``/_sandbox/snapshot`` hook (no token, never
counted against the allocation): live records only, since a rollback leaves what it deleted in
the Recycle Bin for 15 days, as Salesforce does (a hard delete needs a permission a real org
keeps off). Records are compared without what the org sets itself (ids, audit fields), and a
reference to another migrated record is compared as that record's external id, so two orgs
that were given the same data compare equal whatever ids they drew.

Bulk API 2.0 is used from :data:`THRESHOLD` records on (``SALESFORCE_BULK_THRESHOLD``): the
40-client account's events, payments and availability then go through Bulk jobs and the
smaller objects through Collections, so the kit proves both write paths. Salesforce never
answers 429: its throttle is the org's daily allocation, so the kit's "throttle" fault is an
org whose allocation runs out mid-load: the load stops cleanly (exit 14) at its share of it,
the org's rolling 24 hours pass (the stand-in's clock), and the rerun resumes.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import duckdb

from common.exits import ExitCode
from common.settings import SalesforceSettings
from load.salesforce.bulk import JOB_ROWS
from load.salesforce.client import TOKEN_PATH
from load.salesforce.collections import CAP, Collections
from load.salesforce.content import marker_of
from load.salesforce.metadata import Component, Metadata
from load.salesforce.session import login
from load.salesforce.specs import EXTERNAL_ID, LOAD_ORDER, has_external_id
from load.salesforce.wanted import wanted_fields, wanted_objects
from sandbox.servers import start_server
from tests.kit.fault import Fault, faults_in, spoil_one
from tests.kit.stand_in import HookedStandIn

CLIENT = ("kit-salesforce-client-id", "kit-salesforce-client-secret")
THRESHOLD = 200
# what the org sets itself: two orgs given the same data differ in these
SERVER_SET = {
    "Id",
    "IsDeleted",
    "CreatedDate",
    "CreatedById",
    "LastModifiedDate",
    "LastModifiedById",
    "SystemModstamp",
}
RECORD_WRITE_PATHS = ("/composite/sobjects", "/jobs/ingest", "/sobjects/")
FIELD_ACCESS_WRITES = 2  # the permission set and its assignment (then Object/FieldPermissions)


class SalesforceStandIn(HookedStandIn):
    def settings(self) -> SalesforceSettings:
        return SalesforceSettings(self.url, *CLIENT, THRESHOLD)


def _live(snapshot: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return {
        table: [r for r in rows if not r.get("IsDeleted")]
        for table, rows in snapshot["records"].items()
    }


def _keys(live: dict[str, list[dict[str, Any]]]) -> dict[str, str]:
    """Salesforce id → the migration's key (Bizstim_Id__c, a note's Title marker)."""
    out: dict[str, str] = {}
    for spec in LOAD_ORDER:
        for record in live.get(spec.singular, []):
            key = (
                record.get(EXTERNAL_ID)
                if has_external_id(spec.singular)
                else marker_of(record.get("Title"))
            )
            if key and spec.singular != "ContentDocumentLink":
                out[str(record["Id"])] = str(key)
    return out


def _content(record: dict[str, Any], keys: dict[str, str]) -> dict[str, Any]:
    return {
        k: f"→{keys[v]}" if isinstance(v, str) and v in keys else v
        for k, v in record.items()
        if k not in SERVER_SET and v is not None
    }


class SalesforceHarness:
    name = "salesforce"
    faults = {
        # the allocation runs out mid-load: 60 requests a day, the load stops at 80 % of it
        "throttle": Fault(
            ("--daily-api-limit", "60"),
            "stopped",
            stops_with=ExitCode.DESTINATION_BUDGET_EXHAUSTED,
        ),
        # 500 UNKNOWN_EXCEPTION, one time in three 503 SERVER_UNAVAILABLE
        "5xx": Fault(("--p500", "0.1", "--fault-seed", "5"), "5xx"),
        "dropped": Fault(("--p-drop-after-commit", "0.2", "--fault-seed", "7"), "dropped"),
    }
    slow = ("--p-slow", "1", "--slow-seconds", "0.05")

    def start(self, tmp: Path, *options: str) -> SalesforceStandIn:
        db = tmp / f"salesforce-{len(list(tmp.glob('salesforce-*.sqlite')))}.sqlite"
        args = ["--client-id", CLIENT[0], "--client-secret", CLIENT[1], "--db", str(db)]
        return SalesforceStandIn(start_server("salesforce", [*args, *options]))

    def env(self, stand_in: Any) -> dict[str, str]:
        return {
            "SALESFORCE_INSTANCE_URL": stand_in.url,
            "SALESFORCE_CLIENT_ID": CLIENT[0],
            "SALESFORCE_CLIENT_SECRET": CLIENT[1],
            "SALESFORCE_BULK_THRESHOLD": str(THRESHOLD),
        }

    def expected(self, staging: Path) -> dict[str, int]:
        with duckdb.connect(str(staging), read_only=True) as con:
            return {
                s.singular: con.execute(f"select count(*) from {s.relation}").fetchone()[0]
                for s in LOAD_ORDER
            }

    def holdings(self, stand_in: Any) -> dict[str, list[tuple[str, dict[str, Any]]]]:
        live = _live(stand_in.hook("snapshot"))
        keys = _keys(live)
        held: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        for spec in LOAD_ORDER:
            rows = []
            for record in live.get(spec.singular, []):
                if spec.singular == "ContentDocumentLink":
                    doc, entity = record.get("ContentDocumentId"), record.get("LinkedEntityId")
                    if doc not in keys or entity not in keys:
                        continue  # the link Salesforce makes to the note's owner
                    key: str | None = f"{keys[doc]}|{keys[entity]}"
                else:
                    key = keys.get(str(record["Id"]))
                if key:
                    rows.append((key, _content(record, keys)))
            held[spec.singular] = rows
        return held

    def snapshot(self, stand_in: Any) -> Any:
        """Live records (without what the org sets itself) and the whole schema."""
        raw = stand_in.hook("snapshot")
        live = _live(raw)
        records = {
            table: sorted(
                (_content(r, {}) for r in rows), key=lambda r: json.dumps(r, sort_keys=True)
            )
            for table, rows in live.items()
            if rows
        }
        return {"schema": raw["schema"], "records": records}

    def populate(self, stand_in: Any, staging: Path) -> None:
        """What an org already holds that the migration touches: a Contact keyed like a mart
        row (the load updates it, rollback writes it back), the External ID field it needs,
        visible through the customer's own permission set, and a Product Family value."""
        client = login(stand_in.settings(), 100_000, 1.0)
        try:
            metadata = Metadata(client)
            field = {"label": "Bizstim Id", "type": "Text", "length": 80, "externalId": True}
            field.update(unique=True, caseSensitive=True)
            metadata.upsert([Component("CustomField", f"Contact.{EXTERNAL_ID}", field)])
            family = {
                "standardValue": [{"fullName": "Legacy", "default": False, "label": "Legacy"}]
            }
            metadata.upsert([Component("StandardValueSet", "Product2Family", family)])
            collections = Collections(client)
            access = (
                collections.create(
                    "PermissionSet", [{"Name": "Customer_Access", "Label": "Customer access"}]
                )
                .rows[0]
                .record_id
            )
            collections.create(
                "PermissionSetAssignment",
                [{"PermissionSetId": access, "AssigneeId": client.user_id}],
            )
            grant = {
                "ParentId": access,
                "SobjectType": "Contact",
                "Field": f"Contact.{EXTERNAL_ID}",
            }
            grant.update(PermissionsRead=True, PermissionsEdit=True)
            collections.create("FieldPermissions", [grant])
            with duckdb.connect(str(staging), read_only=True) as con:
                (external_id,) = con.execute(
                    "select external_id from marts.salesforce__contacts "
                    "order by external_id limit 1 offset 2"
                ).fetchone()
            contact = {EXTERNAL_ID: external_id, "LastName": "Before-Migration"}
            contact.update(FirstName="Existing", Email="existing.contact@example.com")
            rows = collections.create("Contact", [contact]).rows
            assert rows[0].ok, rows[0].error
        finally:
            client.close()

    def is_record_write(self, request: dict[str, Any]) -> bool:
        return request["method"] != "GET" and any(p in request["path"] for p in RECORD_WRITE_PATHS)

    def is_write(self, request: dict[str, Any]) -> bool:
        """A request that can change the org (the OAuth login is a POST that changes nothing)."""
        return request["method"] != "GET" and request["path"] != TOKEN_PATH

    def minimum_record_writes(self, staging: Path) -> int:
        """Per object: one Bulk job (create, upload, close: 3 requests) for each batch of
        :data:`THRESHOLD` records or more, ⌈n / 200⌉ Collections requests below; plus the
        access a new org's integration user needs, granted through records: the permission
        set, its assignment, ⌈custom objects / 200⌉ ObjectPermissions creates and ⌈fields /
        200⌉ FieldPermissions creates."""
        writes = 0
        for obj, rows in self.expected(staging).items():
            for start in range(0, rows, JOB_ROWS):
                batch = min(JOB_ROWS, rows - start)
                bulk = has_external_id(obj) and batch >= THRESHOLD
                writes += 3 if bulk else math.ceil(batch / CAP)
        with duckdb.connect(str(staging), read_only=True) as con:
            fields = len(wanted_fields(con))
            objects = len(wanted_objects(con))
        return writes + FIELD_ACCESS_WRITES + math.ceil(objects / CAP) + math.ceil(fields / CAP)

    def refuse_one(self, staging: Path) -> tuple[str, str]:
        """A Contact whose e-mail Salesforce refuses (``INVALID_EMAIL_ADDRESS``)."""
        spoil = "\"Email\" = 'not-an-email'"
        return "Contact", spoil_one(
            staging, "salesforce__contacts", spoil, '"Email" is not null', offset=3
        )

    def recover(self, stand_in: Any) -> None:
        """The org's rolling 24 hours pass: the spent allocation is free again."""
        stand_in.hook("clock/advance?hours=24", method="POST")

    def fault_seen(self, log: list[dict[str, Any]]) -> set[str]:
        return faults_in(log, lambda path: path == TOKEN_PATH)
