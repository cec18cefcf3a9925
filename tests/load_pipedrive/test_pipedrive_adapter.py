"""The Pipedrive adapter against the stand-in: what the issue asks of the loader itself.

One stand-in serves one company per test (``--account``), so no test sees another's records or
fields: per-account field codes that differ and both load (never hard-coded), an activity never
sent ``custom_fields`` (Pipedrive refuses the key there), a run that dies after a POST and before
its ledger write leaving no duplicate, and a same-name field of another type stopping the load
by name. The tiny marts of tests/load_pipedrive/tiny_account.py keep each test to seconds.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from load.core.ledger import Ledger
from load.core.run import LoadOptions, SchemaRefused, perform_load
from load.pipedrive.specs import BIZSTIM_ID_FIELD
from sandbox.servers import RunningServer, start_server
from tests.load_pipedrive.tiny_account import (
    Recording,
    destination,
    load,
    mart_rows,
    write_staging,
)

ACCOUNTS = ("acme", "beta", "activities", "crash", "conflict")


def token(account: str) -> str:
    return f"{account}-admin-token"


@pytest.fixture(scope="module")
def stand_in(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    args = ["--data-dir", str(tmp_path_factory.mktemp("pipedrive")), "--strict"]
    args += ["--plan", "ultimate"]  # the burst the tests' clients pace to (tiny_account.py)
    for account in ACCOUNTS:
        args += ["--account", f"{account}:{token(account)}"]
    args += ["--user", "owner@example.com:Olga Owner"]
    server = start_server("pipedrive", args)
    yield server
    server.stop()


def hook(server: RunningServer, path: str) -> Any:
    with urllib.request.urlopen(f"{server.url}/_sandbox/{path}") as response:
        return json.loads(response.read())


def codes(server: RunningServer, account: str) -> dict[tuple[str, str], str]:
    listed = next(a for a in hook(server, "accounts")["accounts"] if a["name"] == account)
    return {(f["entity"], f["field_name"]): f["field_code"] for f in listed["fields"]}


def created(outcome: Any) -> dict[str, int]:
    return {r.object: r.actions.get("created", 0) for r in outcome.results}


def test_field_codes_differ_between_two_accounts_and_both_load(
    stand_in: RunningServer, tmp_path: Path
):
    expected = mart_rows()
    for account in ("acme", "beta"):
        staging = write_staging(tmp_path / f"{account}.duckdb")
        outcome = load(stand_in.url, token(account), staging, Recording())
        assert created(outcome) == expected, account
    acme, beta = codes(stand_in, "acme"), codes(stand_in, "beta")
    key = ("person", BIZSTIM_ID_FIELD)
    assert acme[key] != beta[key]
    assert set(acme.values()).isdisjoint(beta.values())
    # a rerun reads the codes again and writes nothing
    again = Recording()
    rerun = load(stand_in.url, token("beta"), tmp_path / "beta.duckdb", again)
    assert [(m, p) for m, p, _ in again.sent if m != "GET"] == []
    assert {r.object: r.actions.get("unchanged", 0) for r in rerun.results} == expected


def test_an_activity_is_never_sent_custom_fields(stand_in: RunningServer, tmp_path: Path):
    staging = write_staging(tmp_path / "staging.duckdb")
    with Ledger(staging).connect() as con:  # a column an activity cannot carry in Pipedrive
        con.execute("alter table marts.pipedrive__activities add column cf_status varchar")
        con.execute("update marts.pipedrive__activities set cf_status = 'Active'")
    recording = Recording()
    outcome = load(stand_in.url, token("activities"), staging, recording)
    assert created(outcome)["activity"] == 1
    bodies = [b for m, p, b in recording.sent if (m, p) == ("POST", "/api/v2/activities")]
    assert len(bodies) == 1
    assert all("custom_fields" not in body for body in bodies)
    persons = [b for m, p, b in recording.sent if (m, p) == ("POST", "/api/v2/persons")]
    assert all("custom_fields" in body for body in persons)  # entities that have them do


class Killed(BaseException):
    """The process dies (kill -9) right after Pipedrive committed a create."""


def test_a_crash_after_a_post_before_the_ledger_write_leaves_no_duplicate(
    stand_in: RunningServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    staging = write_staging(tmp_path / "staging.duckdb")
    settle = Ledger.settle

    def die_before_commit(self: Ledger, seqs: Any, record_ids: Any, state: str) -> None:
        if state == "committed":
            raise Killed
        settle(self, seqs, record_ids, state)

    monkeypatch.setattr(Ledger, "settle", die_before_commit)
    first = Recording()
    with pytest.raises(Killed):
        load(stand_in.url, token("crash"), staging, first)
    monkeypatch.setattr(Ledger, "settle", settle)
    posted = [p for m, p, _ in first.sent if m == "POST" and not p.endswith("Fields")]
    assert posted == ["/api/v2/organizations"]  # it landed; the ledger still says pending

    second = Recording()
    resumed = load(stand_in.url, token("crash"), staging, second)
    assert created(resumed)["organization"] == 0
    assert ("POST", "/api/v2/organizations") not in {(m, p) for m, p, _ in second.sent}
    snapshot = hook(stand_in, "snapshot?account=crash")["crash"]
    live = [d for d in snapshot["organization"].values() if not d.get("is_deleted")]
    assert len(live) == 1
    ledger = Ledger(staging, destination="pipedrive")
    assert ledger.pending() == []
    assert ledger.current("organization")["household:1"]["action"] in ("created", "unchanged")


def test_a_same_name_field_of_another_type_stops_the_load_naming_it(
    stand_in: RunningServer, tmp_path: Path
):
    staging = write_staging(tmp_path / "staging.duckdb")
    recording = Recording()
    dest = destination(stand_in.url, token("conflict"), staging, recording)
    try:
        body = {"field_name": BIZSTIM_ID_FIELD, "field_type": "double"}
        dest.client.data("POST", "/api/v2/personFields", json=body)
        with pytest.raises(SchemaRefused, match=r"person\.Bizstim ID.*'double'.*'varchar'"):
            perform_load(dest, LoadOptions(allow_unmatched_owners=True))
    finally:
        dest.ledger.close()
        dest.close()
    record_writes = [p for m, p, _ in recording.sent if m != "GET" and "Fields" not in p]
    assert record_writes == []
