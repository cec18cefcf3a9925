"""A tiny staging file with the six Pipedrive marts, and an adapter over a stand-in account.

The adapter's own tests need a handful of records, not the 40-client build (tests/kit covers
that): two persons in a household, a product, a deal, an activity and a note, with an enum and
a number custom field, in a DuckDB file written in milliseconds. The stand-in account is reached
over HTTP (``bizmig sandbox pipedrive``), through a transport that keeps every request body, so
a test can assert what the loader sent and not only what the account answered.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import httpx

from common.settings import PipedriveSettings
from load.core.ledger import Ledger
from load.core.run import LoadOptions, LoadOutcome, perform_load
from load.pipedrive.adapter import PipedriveDestination
from load.pipedrive.budget import allowance_for
from load.pipedrive.client import PipedriveClient
from load.pipedrive.specs import LOAD_ORDER

MARTS = {
    "pipedrive__organizations": (
        "external_id varchar, row_hash varchar, name varchar",
        [("household:1", "o1", "The Smiths")],
    ),
    "pipedrive__persons": (
        "external_id varchar, row_hash varchar, name varchar, emails varchar, "
        "cf_status varchar, cf_session_limit double, org__external_id varchar, "
        "owner__user_external_id varchar",
        [
            (
                "client:1",
                "p1",
                "Ann Smith",
                json.dumps([{"value": "ann@example.com", "primary": True, "label": "home"}]),
                "Active",
                4.0,
                "household:1",
                "user:1",
            ),
            ("client:2", "p2", "Bob Smith", None, "Paused", None, "household:1", None),
        ],
    ),
    "pipedrive__products": (
        "external_id varchar, row_hash varchar, name varchar, code varchar, prices varchar",
        [("service:1", "s1", "Maths", "MATH", json.dumps([{"currency": "EUR", "price": 40}]))],
    ),
    "pipedrive__deals": (
        "external_id varchar, row_hash varchar, title varchar, value double, currency varchar, "
        "person__external_id varchar",
        [("payment:1", "d1", "Payment 1", 40.0, "EUR", "client:1")],
    ),
    "pipedrive__activities": (
        "external_id varchar, row_hash varchar, subject varchar, type varchar, due_date date, "
        "note varchar, person__external_id varchar",
        [
            (
                "session:1",
                "a1",
                "Maths with Ann",
                "meeting",
                "2026-03-02",
                "Status: done [bizstim:session:1]",
                "client:1",
            )
        ],
    ),
    "pipedrive__notes": (
        "external_id varchar, row_hash varchar, content varchar, add_time varchar, "
        "person__external_id varchar",
        [("note:1", "n1", "<p>Likes puzzles</p>", "2026-01-05 10:00:00", "client:2")],
    ),
}
FIELDS = [
    ("person", "status", "Status", "enum", "Active|Inactive"),
    ("person", "session_limit", "Session limit", "double", ""),
]


def write_staging(path: Path) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts; create schema seeds; create schema migration")
        con.execute(
            "create table seeds.pipedrive_fields (entity varchar, field_key varchar, "
            "field_name varchar, field_type varchar, options varchar)"
        )
        con.executemany("insert into seeds.pipedrive_fields values (?, ?, ?, ?, ?)", FIELDS)
        for mart, (columns, rows) in MARTS.items():
            con.execute(f"create table marts.{mart} ({columns})")
            marks = ", ".join("?" * len(rows[0]))
            con.executemany(f"insert into marts.{mart} values ({marks})", rows)
        con.execute(
            "create table migration.migration__owner_lookup as select * from (values "
            "('user:1', 'owner@example.com', 'Olga', 'Owner', 'staff')) "
            "t(external_id, email, first_name, last_name, role)"
        )
    return path


def mart_rows() -> dict[str, int]:
    """Loader object (``person``) → rows of its mart."""
    return {spec.singular: len(MARTS[spec.mart][1]) for spec in LOAD_ORDER}


@dataclass
class Recording(httpx.BaseTransport):
    """Every request the client sent: (method, path, JSON body)."""

    inner: httpx.BaseTransport = field(default_factory=httpx.HTTPTransport)
    sent: list[tuple[str, str, Any]] = field(default_factory=list)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        self.sent.append((request.method, request.url.path, body))
        return self.inner.handle_request(request)


def destination(url: str, token: str, staging: Path, recording: Recording) -> PipedriveDestination:
    allowance = allowance_for("ultimate", 1, 10_000_000)
    client = PipedriveClient(url, token, allowance, transport=recording)
    ledger = Ledger(staging, destination="pipedrive")
    return PipedriveDestination(client, ledger, PipedriveSettings(url, token))


def load(url: str, token: str, staging: Path, recording: Recording) -> LoadOutcome:
    dest = destination(url, token, staging, recording)
    try:
        return perform_load(dest, LoadOptions(allow_unmatched_owners=True))
    finally:
        dest.ledger.close()
        dest.close()
