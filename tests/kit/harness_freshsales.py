"""The acceptance kit's Freshsales harness: its stand-in, what it holds, how it misbehaves.

What the account holds is read from the stand-in's ``/_sandbox/snapshot`` hook (no key, never
counted against the account's hour): live records only, since a DELETE sends a record to the
recycle bin, which the API neither lists nor restores. A record is keyed by its
``cf_bizstim_id`` custom field or, for appointments and notes, by the ``[bizstim:<id>]`` marker
ending its description; ids of other migrated records are compared as those records' external
ids, so two accounts given the same data compare equal whatever ids they drew. Values the
account sets itself are left out.

Freshsales lets no API create custom fields on its standard modules, so every stand-in the kit
starts gets the mapping's fields from an admin first (the stand-in's UI hook: the fields of
``seeds/freshsales_fields.csv`` with the dropdown labels the test's marts hold), as a real
account would before its first load. Freshsales
writes one record per call, so the fewest record writes is one per mart row. Its throttle is the
account's hour: the kit's loads run on a large hour (the kit tests behaviour, not pacing), and
the "throttle" fault is a stand-in hour far too small for the load: the loader believes the
hour the account reports (``X-RateLimit-Total/Remaining``) and stops at its share, or at a 429
whose wait is longer than the kit's ``FRESHSALES_MAX_WAIT_S``, cleanly (exit 14); the stand-in's
clock moves an hour on and the rerun resumes.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import duckdb

from common.exits import ExitCode
from load.freshsales.specs import KEY_FIELD, LOAD_ORDER, MODULES
from load.pipedrive.markers import marker_of
from sandbox.servers import start_server
from tests.kit.fault import Fault, faults_in, spoil_one
from tests.kit.stand_in import HookedStandIn
from tests.load_freshsales.tiny_account import create_fields

ACCOUNT = "kit"
KEY = "kit-freshsales-api-key"
BUNDLE = "/crm/sales"
LARGE_HOUR = "1000000"  # requests an hour: the kit's loads are never paced by it
SEEDS = Path(__file__).resolve().parents[2] / "seeds" / "freshsales_fields.csv"
# what the account sets itself: two accounts given the same data differ in these
SERVER_SET = {"id", "created_at", "updated_at", "deleted", "is_deleted", "links", "creater_id"}
REFERENCES = {
    "sales_account_id": "sales_account",
    "targetable_id": "contact",
    "contact_ids": "contact",
    "contacts_added_list": "contact",
}
PLURALS = {m.singular: m.listed_as or f"{m.singular}s" for m in MODULES.values()}


class FreshsalesStandIn(HookedStandIn):
    def docs(self) -> dict[str, Any]:
        return self.hook(f"snapshot?account={ACCOUNT}")[ACCOUNT]

    def create_fields(self, staging: Path | None) -> None:
        """The admin creates the mapping's custom fields in the UI: the seed's, with every
        dropdown label the account's marts hold (service groups are the account's data)."""
        if staging is not None and staging.exists():
            create_fields(self.url, ACCOUNT, staging)
            return
        with SEEDS.open(newline="") as handle:
            for row in csv.DictReader(handle):
                body = {
                    "module": row["module"],
                    "name": row["name"],
                    "label": row["label"],
                    "type": row["type"],
                    "choices": [c for c in (row.get("choices") or "").split("|") if c],
                    "unique": str(row.get("unique", "")).lower() == "true",
                }
                self.hook(f"accounts/{ACCOUNT}/fields", "POST", body)


def _records(docs: dict[str, Any], singular: str) -> list[dict[str, Any]]:
    held = docs.get(PLURALS[singular]) or docs.get(singular) or []
    rows = list(held.values()) if isinstance(held, dict) else list(held)
    return [r for r in rows if not r.get("deleted") and not r.get("is_deleted")]


def _key(singular: str, record: dict[str, Any]) -> str | None:
    if MODULES[singular].marker:
        return marker_of(record.get("description"))
    return (record.get("custom_field") or {}).get(KEY_FIELD)


def _keys(docs: dict[str, Any]) -> dict[tuple[str, int], str]:
    out: dict[tuple[str, int], str] = {}
    for spec in LOAD_ORDER:
        for record in _records(docs, spec.singular):
            key = _key(spec.singular, record)
            if key:
                out[(spec.singular, int(record["id"]))] = str(key)
    return out


def _ref(keys: dict[tuple[str, int], str], target: str, value: Any) -> Any:
    if isinstance(value, int):
        return f"→{keys.get((target, value), value)}"
    return value


def _content(record: dict[str, Any], keys: dict[tuple[str, int], str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in record.items():
        if name in SERVER_SET or value in (None, [], {}, ""):
            continue
        if name in REFERENCES:
            target = REFERENCES[name]
            value = (
                sorted(str(_ref(keys, target, v)) for v in value)
                if isinstance(value, list)
                else _ref(keys, target, value)
            )
        elif name == "sales_accounts" and isinstance(value, list):
            value = [
                {**a, "id": _ref(keys, "sales_account", a.get("id"))}
                for a in value
                if isinstance(a, dict)
            ]
        elif name == "product_pricings" and isinstance(value, list):
            value = sorted(
                ({k: v for k, v in p.items() if k not in ("id", "product_id")} for p in value),
                key=lambda p: json.dumps(p, sort_keys=True),
            )
        elif name == "custom_field" and isinstance(value, dict):
            value = {k: v for k, v in value.items() if v not in (None, "", [])}
        out[name] = value
    return out


class FreshsalesHarness:
    name = "freshsales"
    faults = {
        # an hour the ~1 000-request load cannot fit in: the load stops at its share of the
        # reported hour (or a 429's wait past FRESHSALES_MAX_WAIT_S), exit 14, an hour passes
        "throttle": Fault(
            ("--hourly-requests", "300"),
            "stopped",
            stops_with=ExitCode.DESTINATION_BUDGET_EXHAUSTED,
        ),
        "5xx": Fault(("--p500", "0.1", "--fault-seed", "5"), "5xx"),
        "dropped": Fault(("--p-drop-after-commit", "0.2", "--fault-seed", "7"), "dropped"),
    }
    slow = ("--p-slow", "1", "--slow-seconds", "0.02")  # the killer polls every 3 ms

    def start(self, tmp: Path, *options: str) -> FreshsalesStandIn:
        data = tmp / f"freshsales-{len(list(tmp.glob('freshsales-*')))}"
        args = ["--account", f"{ACCOUNT}:{KEY}", "--data-dir", str(data)]
        if "--hourly-requests" not in options:
            args += ["--hourly-requests", LARGE_HOUR]
        stand_in = FreshsalesStandIn(start_server("freshsales", [*args, *options]))
        stand_in.create_fields(tmp / "staging.duckdb")  # the kit's staging, when it has one
        return stand_in

    def env(self, stand_in: Any) -> dict[str, str]:
        return {
            "FRESHSALES_API_URL": stand_in.url + BUNDLE,
            "FRESHSALES_API_KEY": KEY,
            "FRESHSALES_HOURLY_REQUESTS": LARGE_HOUR,  # the loader's own pacing never waits
            "FRESHSALES_MAX_WAIT_S": "30",  # a 429 asking for the rest of an hour stops the load
        }

    def expected(self, staging: Path) -> dict[str, int]:
        with duckdb.connect(str(staging), read_only=True) as con:
            return {
                s.singular: con.execute(f"select count(*) from {s.relation}").fetchone()[0]
                for s in LOAD_ORDER
            }

    def holdings(self, stand_in: Any) -> dict[str, list[tuple[str, dict[str, Any]]]]:
        docs = stand_in.docs()
        keys = _keys(docs)
        held: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        for spec in LOAD_ORDER:
            held[spec.singular] = [
                (keys[(spec.singular, int(r["id"]))], _content(r, keys))
                for r in _records(docs, spec.singular)
                if (spec.singular, int(r["id"])) in keys
            ]
        return held

    def snapshot(self, stand_in: Any) -> Any:
        """Live records (without what the account sets itself) and the custom fields."""
        docs = stand_in.docs()
        records = {
            spec.singular: sorted(
                (_content(r, {}) for r in _records(docs, spec.singular)),
                key=lambda r: json.dumps(r, sort_keys=True),
            )
            for spec in LOAD_ORDER
        }
        return {"records": records, "fields": docs.get("fields")}

    def populate(self, stand_in: Any, staging: Path) -> None:
        """What an account already holds that the migration touches: a contact carrying a
        mart row's id (the load updates it, rollback writes it back)."""
        from load.freshsales.budget import allowance_for
        from load.freshsales.client import FreshsalesClient

        with duckdb.connect(str(staging), read_only=True) as con:
            (external_id,) = con.execute(
                "select external_id from marts.freshsales__contacts "
                "order by external_id limit 1 offset 2"
            ).fetchone()
        allowance = allowance_for("enterprise", int(LARGE_HOUR))
        with FreshsalesClient(stand_in.url + BUNDLE, KEY, allowance) as client:
            contact = {
                "first_name": "Before",
                "last_name": "Migration",
                "custom_field": {KEY_FIELD: external_id},
            }
            client.request("POST", "/api/contacts", json={"contact": contact})

    def is_record_write(self, request: dict[str, Any]) -> bool:
        path = request["path"]
        return request["method"] != "GET" and "/_sandbox" not in path and "/settings/" not in path

    def is_write(self, request: dict[str, Any]) -> bool:
        return request["method"] != "GET" and "/_sandbox" not in request["path"]

    def minimum_record_writes(self, staging: Path) -> int:
        """One call a record (the per-record upsert; bulk upsert is behind a flag)."""
        return sum(self.expected(staging).values())

    def refuse_one(self, staging: Path) -> tuple[str, str]:
        """A product without a name, which Freshsales refuses (``name`` is required)."""
        return "product", spoil_one(staging, "freshsales__products", "name = ''")

    def recover(self, stand_in: Any) -> None:
        """An hour passes on the stand-in's clock: the account's rolling hour is empty."""
        stand_in.hook("clock/advance?hours=1", method="POST")

    def fault_seen(self, log: list[dict[str, Any]]) -> set[str]:
        # each run's key check reads the owners
        return faults_in(log, lambda path: path.endswith("/api/selector/owners"))
