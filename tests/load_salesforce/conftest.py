"""Fixtures of the Salesforce adapter's own tests: a stand-in org and a logged-in client.

Each module starts one org (``bizmig sandbox salesforce``) and keeps its tests apart by the
records and fields each one uses; a test that needs the org's allocation or clock to itself
lives in a module of its own.
"""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from common.settings import SalesforceSettings
from load.core.destination import SetupReport
from load.core.ledger import Ledger
from load.core.marts import MartRow
from load.core.plan import Planned
from load.salesforce.bulk import BulkIngest
from load.salesforce.client import SalesforceClient
from load.salesforce.collections import Collections
from load.salesforce.relations import Relations
from load.salesforce.schema import SchemaSetup
from load.salesforce.specs import EXTERNAL_ID, LOAD_ORDER
from load.salesforce.wanted import WantedField
from load.salesforce.writes import Writer
from sandbox.servers import RunningServer, start_server

CLIENT = ("load-test-salesforce-client", "load-test-salesforce-secret")
# custom objects of the load order that these tests leave out of schema setup
CUSTOM_OBJECTS = ("Bizstim_Service_Group__c", "Bizstim_Payment__c", "Bizstim_Availability__c")


@dataclass
class Org:
    server: RunningServer

    @property
    def url(self) -> str:
        return self.server.url

    def client(self, limit_share: float = 0.8) -> SalesforceClient:
        client = SalesforceClient(self.url, *CLIENT, 100_000, 1.0, limit_share)
        client.login()
        return client

    def settings(self, **kwargs: Any) -> SalesforceSettings:
        return SalesforceSettings(self.url, *CLIENT, **kwargs)

    def hook(self, path: str, method: str = "GET") -> dict[str, Any]:
        request = urllib.request.Request(f"{self.url}/_sandbox/{path}", method=method)
        with urllib.request.urlopen(request) as response:
            return json.loads(response.read())


def assert_landed_once(staging: Path, org: Org) -> None:
    """After a stopped load and its rerun: nothing pending, every mart row live in the ledger
    and held by the org exactly once (ContentNote and links, keyed by a Title marker / id pair,
    through the ledger only)."""
    with duckdb.connect(str(staging), read_only=True) as con:
        pending = con.execute(
            "select count(*) from migration.ledger where state = 'pending'"
        ).fetchone()[0]
        live = dict(
            con.execute(
                "select object, count(*) from migration.ledger_current where destination = "
                "'salesforce' and action in ('created', 'updated', 'unchanged') group by object"
            ).fetchall()
        )
        marts = {
            s.singular: con.execute(f"select count(*) from {s.relation}").fetchone()[0]
            for s in LOAD_ORDER
        }
    assert pending == 0
    snapshot = org.hook("snapshot")["records"]
    for obj, rows in marts.items():
        assert live.get(obj, 0) == rows, obj
        if obj in ("ContentNote", "ContentDocumentLink"):
            continue
        keys = [r.get(EXTERNAL_ID) for r in snapshot.get(obj, []) if not r.get("IsDeleted")]
        assert len(keys) == rows == len(set(keys)), obj


def start_org(tmp: Path, *options: str) -> Org:
    args = ["--client-id", CLIENT[0], "--client-secret", CLIENT[1]]
    args += ["--db", str(tmp / "salesforce.sqlite"), *options]
    return Org(start_server("salesforce", args))


def key_field(obj: str) -> WantedField:
    return WantedField(
        obj, "Bizstim_Id__c", "Text", "Bizstim Id", 80, external_id=True, unique=True
    )


def set_up(
    client: SalesforceClient, tmp: Path, fields: list[WantedField], name: str = "ledger"
) -> tuple[SetupReport, Ledger]:
    """Schema setup for ``fields`` alone (the load order's custom objects left out)."""
    ledger = Ledger(tmp / f"{name}.duckdb", destination="salesforce")
    report = SchemaSetup(client, ledger).run("test-run", [], fields, [], CUSTOM_OBJECTS)
    return report, ledger


def writer(client: SalesforceClient, threshold: int = 10) -> Writer:
    def describe(obj: str) -> dict:
        return client.data("GET", f"/sobjects/{obj}/describe")

    return Writer(
        Collections(client, sleep=lambda _s: None),
        BulkIngest(client, sleep=lambda _s: None, poll_first=0.01),
        Relations(describe),
        threshold,
        lambda _obj: set(),
        lambda _spec, _keys: {},
    )


def planned(obj: str, rows: list[dict]) -> list[Planned]:
    return [Planned(MartRow(r[EXTERNAL_ID], "hash", dict(r), {}), dict(r), "created") for r in rows]
