"""The acceptance kit's Pipedrive harness: its stand-in, what it holds, how it misbehaves.

What the account holds is read from the stand-in's ``/_sandbox/snapshot`` hook (no token,
never charged to the token day): live records only, since Pipedrive's DELETE only marks a
record deleted for 30 days (there is no undelete to bring it back, and rollback leaves it
marked, as Pipedrive does). A record is keyed by its "Bizstim ID" custom field (whatever code
the account drew for it) or, for activities and notes, by the ``[bizstim:<id>]`` marker of
their text; custom fields are compared by field name and option label, and ids of other
migrated records as those records' external ids, so two accounts given the same data compare
equal whatever codes and ids they drew. Values the account sets itself are left out.

Pipedrive writes one record per call, so the fewest record writes is one per mart row. Its
throttle is the account's token day: the kit's "throttle" fault is a day too small for the
load, which stops cleanly (exit 14) before spending the last fifth of it; the stand-in's clock
then moves a day on and the rerun resumes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb

from common.exits import ExitCode
from load.pipedrive.markers import marker_of
from load.pipedrive.specs import BIZSTIM_ID_FIELD, ENTITIES, LOAD_ORDER
from sandbox.servers import start_server
from tests.kit.fault import Fault, faults_in, spoil_one
from tests.kit.stand_in import HookedStandIn

ACCOUNT = "kit"
TOKEN = "kit-pipedrive-admin-token"
# what the account sets itself: two accounts given the same data differ in these
SERVER_SET = {
    "id",
    "add_time",
    "update_time",
    "is_deleted",
    "stage_change_time",
    "creator_user_id",
    "marked_as_done_time",
    "user_id",
    "last_update_user_id",
    "first_name",
    "last_name",
}
REFERENCES = {"person_id": "person", "org_id": "organization", "deal_id": "deal"}


class PipedriveStandIn(HookedStandIn):
    def docs(self) -> dict[str, dict[str, dict[str, Any]]]:
        return self.hook(f"snapshot?account={ACCOUNT}")[ACCOUNT]


def _fields(docs: dict[str, Any], entity: str) -> dict[str, dict[str, Any]]:
    return {f["field_code"]: f for f in docs.get(f"field:{entity}", {}).values()}


def _live(docs: dict[str, Any], entity: str) -> list[dict[str, Any]]:
    return [
        d
        for d in docs.get(entity, {}).values()
        if not d.get("is_deleted") and d.get("active_flag", True)
    ]


def _key(docs: dict[str, Any], entity: str, record: dict[str, Any]) -> str | None:
    e = ENTITIES[entity]
    if not e.custom_fields:
        return marker_of(record.get(e.marker_field or ""))
    for code, f in _fields(docs, entity).items():
        if f["field_name"] == BIZSTIM_ID_FIELD:
            return (record.get("custom_fields") or {}).get(code)
    return None


def _keys(docs: dict[str, Any]) -> dict[tuple[str, int], str]:
    out: dict[tuple[str, int], str] = {}
    for spec in LOAD_ORDER:
        for record in _live(docs, spec.singular):
            key = _key(docs, spec.singular, record)
            if key:
                out[(spec.singular, int(record["id"]))] = str(key)
    return out


def _content(
    docs: dict[str, Any], entity: str, record: dict[str, Any], keys: dict[tuple[str, int], str]
) -> dict[str, Any]:
    fields = _fields(docs, entity)
    out: dict[str, Any] = {}
    for name, value in record.items():
        # add_time is the mart's where it has one (notes), else the moment Pipedrive stored the
        # record: left out, as reconcile's spot check compares the mart's against the account
        if name in SERVER_SET or value in (None, [], {}):
            continue
        if name in REFERENCES and isinstance(value, int):
            value = f"→{keys.get((REFERENCES[name], value), value)}"
        elif name == "prices":
            value = [{k: v for k, v in p.items() if k != "product_id"} for p in value]
        elif name == "custom_fields":
            value = _custom(fields, value)
        out[name] = value
    return out


def _custom(fields: dict[str, dict[str, Any]], values: dict[str, Any]) -> dict[str, Any]:
    """Custom values by field name, option ids as labels."""
    out = {}
    for code, value in values.items():
        if value in (None, [], ""):
            continue
        f = fields.get(code, {"field_name": code})
        labels = {o["id"]: o["label"] for o in f.get("options") or []}
        if isinstance(value, list):
            value = sorted(labels.get(v, v) for v in value)
        elif labels:
            value = labels.get(value, value)
        out[str(f["field_name"])] = value
    return out


class PipedriveHarness:
    name = "pipedrive"
    faults = {
        # a token day the ~5 000-token load cannot fit in: it stops at 80 % of it (2 000), the
        # day passes, rerun: three days
        "throttle": Fault(
            ("--daily-tokens", "2500"),
            "stopped",
            stops_with=ExitCode.DESTINATION_BUDGET_EXHAUSTED,
        ),
        "5xx": Fault(("--p500", "0.1", "--fault-seed", "5"), "5xx"),
        "dropped": Fault(("--p-drop-after-commit", "0.2", "--fault-seed", "7"), "dropped"),
    }
    slow = ("--p-slow", "1", "--slow-seconds", "0.05")

    def start(self, tmp: Path, *options: str) -> PipedriveStandIn:
        data = tmp / f"pipedrive-{len(list(tmp.glob('pipedrive-*')))}"
        args = ["--account", f"{ACCOUNT}:{TOKEN}", "--data-dir", str(data), "--strict"]
        args += ["--plan", "ultimate"]  # as the loader is told (env): 120 requests per 2 s
        return PipedriveStandIn(start_server("pipedrive", [*args, *options]))

    def env(self, stand_in: Any) -> dict[str, str]:
        return {
            "PIPEDRIVE_API_URL": stand_in.url,
            "PIPEDRIVE_API_TOKEN": TOKEN,
            "PIPEDRIVE_PLAN": "ultimate",  # 120 requests per 2 s: the kit's loads are not paced
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
                (keys[(spec.singular, int(r["id"]))], _content(docs, spec.singular, r, keys))
                for r in _live(docs, spec.singular)
                if (spec.singular, int(r["id"])) in keys
            ]
        return held

    def snapshot(self, stand_in: Any) -> Any:
        """Live records (without what the account sets itself) and every custom field."""
        docs = stand_in.docs()
        records = {
            spec.singular: sorted(
                (_content(docs, spec.singular, r, {}) for r in _live(docs, spec.singular)),
                key=lambda r: json.dumps(r, sort_keys=True),
            )
            for spec in LOAD_ORDER
        }
        fields = {
            kind: sorted(
                ({k: v for k, v in f.items() if k != "add_time"} for f in found.values()),
                key=lambda f: str(f["field_code"]),
            )
            for kind, found in docs.items()
            if kind.startswith("field:") and found
        }
        return {"records": records, "fields": fields}

    def populate(self, stand_in: Any, staging: Path) -> None:
        """What an account already holds that the migration touches: the "Bizstim ID" person
        field and a person carrying a mart row's id (the load updates it, rollback writes
        it back)."""
        from load.pipedrive.budget import allowance_for
        from load.pipedrive.client import PipedriveClient

        with duckdb.connect(str(staging), read_only=True) as con:
            columns = {
                r[0]
                for r in con.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = 'marts' and table_name = 'pipedrive__persons'"
                ).fetchall()
            }
            # one without a household: Pipedrive cannot clear an org_id again (not nullable)
            alone = "where org__external_id is null" if "org__external_id" in columns else ""
            (external_id,) = con.execute(
                f"select external_id from marts.pipedrive__persons {alone} "
                "order by external_id limit 1 offset 2"
            ).fetchone()
        allowance = allowance_for("ultimate", 1, 10_000_000)
        with PipedriveClient(stand_in.url, TOKEN, allowance) as client:
            body = {"field_name": BIZSTIM_ID_FIELD, "field_type": "varchar"}
            field = client.data("POST", "/api/v2/personFields", json=body)
            person = {
                "name": "Before Migration",
                "custom_fields": {field["field_code"]: external_id},
            }
            client.data("POST", "/api/v2/persons", json=person)

    def is_record_write(self, request: dict[str, Any]) -> bool:
        return request["method"] != "GET" and "Fields" not in request["path"]

    def is_write(self, request: dict[str, Any]) -> bool:
        return request["method"] != "GET"

    def minimum_record_writes(self, staging: Path) -> int:
        """One call a record: Pipedrive has no bulk write (field setup is not counted)."""
        return sum(self.expected(staging).values())

    def refuse_one(self, staging: Path) -> tuple[str, str]:
        """A product without a name, which Pipedrive refuses (``name`` is required)."""
        return "product", spoil_one(staging, "pipedrive__products", "name = ''")

    def recover(self, stand_in: Any) -> None:
        """The account's token day passes (the stand-in's clock, 00:00 UTC)."""
        stand_in.hook("clock/advance?days=1", method="POST")

    def fault_seen(self, log: list[dict[str, Any]]) -> set[str]:
        return faults_in(log, lambda path: path == "/v1/users/me")
