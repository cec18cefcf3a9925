"""A tiny staging file with the six Freshsales marts, and an adapter over a stand-in account.

The adapter's own tests need a handful of records, not the 40-client build (tests/kit covers
that): a household with two contacts (one owned by a user the account has, one by a user it
lacks), a product, a deal, an appointment and a note, with a dropdown and a number custom field,
in a DuckDB file written in milliseconds. The stand-in is reached over HTTP through a transport
that keeps every request body, so a test asserts what the loader sent, not only what the
account answered; ``create_fields`` is the admin creating the checklist's fields in the UI.
"""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import httpx

from common.settings import FreshsalesSettings
from load.core.ledger import Ledger
from load.core.run import LoadOptions, LoadOutcome, perform_load
from load.freshsales.adapter import FreshsalesDestination
from load.freshsales.budget import allowance_for
from load.freshsales.client import FreshsalesClient
from load.freshsales.schema import labels_in_marts, wanted_fields
from load.freshsales.specs import LOAD_ORDER

BUNDLE = "/crm/sales"
OWNER = "owner@example.com"  # a user of the account
STRANGER = "stranger@example.com"  # a Bizstim user the account lacks
MARTS = {
    "freshsales__sales_accounts": (
        "external_id varchar, row_hash varchar, name varchar, city varchar",
        [("household:1", "h1", "The Smiths", "Bristol")],
    ),
    "freshsales__contacts": (
        "external_id varchar, row_hash varchar, first_name varchar, last_name varchar, "
        "emails varchar, cf_client_status varchar, cf_session_limit double, "
        "sales_account__external_id varchar, owner__user_external_id varchar",
        [
            (
                "client:1",
                "c1",
                "Ann",
                "Smith",
                json.dumps([{"value": "ann@example.com", "is_primary": True, "label": "home"}]),
                "Active",
                4.0,
                "household:1",
                "user:1",
            ),
            ("client:2", "c2", "Bob", "Smith", None, "Paused", None, "household:1", "user:2"),
        ],
    ),
    "freshsales__products": (
        "external_id varchar, row_hash varchar, name varchar, is_active boolean, "
        "product_pricings varchar",
        [
            (
                "service:1",
                "s1",
                "Maths",
                True,
                json.dumps([{"currency_code": "EUR", "unit_price": 40}]),
            )
        ],
    ),
    "freshsales__deals": (
        "external_id varchar, row_hash varchar, name varchar, amount double, "
        "sales_account__external_id varchar, contact__external_id varchar",
        [("payment:1", "d1", "Payment 1", 40.0, "household:1", "client:1")],
    ),
    "freshsales__appointments": (
        "external_id varchar, row_hash varchar, title varchar, description varchar, "
        "from_date timestamptz, end_date timestamptz, contact__external_id varchar",
        [
            (
                "session:1",
                "a1",
                "Maths with Ann",
                "Status: done [bizstim:session:1]",
                "2026-03-02 09:00:00+00",
                "2026-03-02 10:00:00+00",
                "client:1",
            )
        ],
    ),
    "freshsales__notes": (
        "external_id varchar, row_hash varchar, description varchar, targetable_type varchar, "
        "contact__external_id varchar",
        [("note:1", "n1", "Likes puzzles [bizstim:note:1]", "Contact", "client:2")],
    ),
}
FIELDS = [  # module, name, label, type, choices, unique
    ("contacts", "cf_bizstim_id", "Bizstim ID", "text", "", "true"),
    ("contacts", "cf_client_status", "Client status", "dropdown", "Active|Paused", "false"),
    ("contacts", "cf_session_limit", "Session limit", "number", "", "false"),
    ("sales_accounts", "cf_bizstim_id", "Bizstim ID", "text", "", "true"),
    ("deals", "cf_bizstim_id", "Bizstim ID", "text", "", "true"),
    ("products", "cf_bizstim_id", "Bizstim ID", "text", "", "true"),
]


def write_staging(path: Path) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts; create schema seeds; create schema migration")
        con.execute(
            "create table seeds.freshsales_fields (module varchar, name varchar, label varchar, "
            'type varchar, choices varchar, "unique" varchar)'
        )
        con.executemany("insert into seeds.freshsales_fields values (?, ?, ?, ?, ?, ?)", FIELDS)
        for mart, (columns, rows) in MARTS.items():
            con.execute(f"create table marts.{mart} ({columns})")
            marks = ", ".join("?" * len(rows[0]))
            con.executemany(f"insert into marts.{mart} values ({marks})", rows)
        con.execute(
            "create table migration.migration__owner_lookup as select * from (values "
            f"('user:1', '{OWNER}', 'Olga', 'Owner', 'staff'), "
            f"('user:2', '{STRANGER}', 'Sam', 'Stranger', 'practitioner')) "
            "t(external_id, email, first_name, last_name, role)"
        )
    return path


def mart_rows() -> dict[str, int]:
    """Loader object (``contact``) → rows of its mart."""
    return {spec.singular: len(MARTS[spec.mart][1]) for spec in LOAD_ORDER}


def create_fields(server_url: str, account: str, staging: Path) -> list[str]:
    """The admin creates every field the mapping needs (the stand-in's UI hook)."""
    with duckdb.connect(str(staging), read_only=True) as con:
        wanted = wanted_fields(con)
        labels_in_marts(con, wanted)
    for f in wanted:
        body = {
            "module": f.module,
            "name": f.name,
            "label": f.label,
            "type": f.type,
            "choices": f.choices,
            "unique": f.unique,
        }
        request = urllib.request.Request(
            f"{server_url}/_sandbox/accounts/{account}/fields",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request) as response:
            response.read()
    return [f"{f.module}.{f.name}" for f in wanted]


@dataclass
class Recording(httpx.BaseTransport):
    """Every request the client sent: (method, path, JSON body)."""

    inner: httpx.BaseTransport = field(default_factory=httpx.HTTPTransport)
    sent: list[tuple[str, str, Any]] = field(default_factory=list)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        self.sent.append((request.method, request.url.path.removeprefix(BUNDLE), body))
        return self.inner.handle_request(request)

    def writes(self) -> list[tuple[str, str]]:
        return [(m, p) for m, p, _ in self.sent if m != "GET"]


def destination(
    server_url: str, key: str, staging: Path, recording: Recording
) -> FreshsalesDestination:
    url = server_url + BUNDLE
    client = FreshsalesClient(url, key, allowance_for("enterprise"), transport=recording)
    ledger = Ledger(staging, destination="freshsales")
    return FreshsalesDestination(client, ledger, FreshsalesSettings(url, key))


def load(server_url: str, key: str, staging: Path, recording: Recording) -> LoadOutcome:
    dest = destination(server_url, key, staging, recording)
    try:
        return perform_load(dest, LoadOptions(allow_unmatched_owners=True))
    finally:
        dest.ledger.close()
        dest.close()
