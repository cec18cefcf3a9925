"""The Freshsales adapter against the stand-in: what issue 16 asks of the loader itself.

One stand-in serves one account per test (``--account``), so no test sees another's records or
fields: a missing custom field stops the load with its checklist and the next run proceeds once
an admin created it, an owner the account lacks is listed and never sent, a run that dies
after a POST and before its ledger write leaves one record (a rerun then writes nothing), and
the flagged bulk upsert sends one job for the contacts and settles each row by its id. The
tiny marts of tests/load_freshsales/tiny_account.py keep each test to seconds.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from load.core.ledger import Ledger
from load.core.run import SchemaRefused
from load.freshsales.adapter import FreshsalesDestination
from sandbox.servers import RunningServer, start_server
from tests.load_freshsales.tiny_account import (
    OWNER,
    STRANGER,
    Recording,
    create_fields,
    load,
    mart_rows,
    write_staging,
)

ACCOUNTS = ("fields", "owners", "crash", "bulk")


def key(account: str) -> str:
    return f"{account}-api-key"


@pytest.fixture(scope="module")
def stand_in(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    args = ["--data-dir", str(tmp_path_factory.mktemp("freshsales")), "--plan", "enterprise"]
    args += ["--bulk-upsert"]  # served, used only by a loader with FRESHSALES_BULK_UPSERT=1
    for account in ACCOUNTS:
        args += ["--account", f"{account}:{key(account)}"]
    args += ["--user", f"{OWNER}:Olga Owner"]
    server = start_server("freshsales", args)
    yield server
    server.stop()


def snapshot(server: RunningServer, account: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{server.url}/_sandbox/snapshot?account={account}") as answer:
        return json.loads(answer.read())[account]


def created(outcome: Any) -> dict[str, int]:
    return {r.object: r.actions.get("created", 0) for r in outcome.results}


def test_a_missing_custom_field_stops_the_load_with_the_checklist_and_the_next_run_proceeds(
    stand_in: RunningServer, tmp_path: Path
):
    staging = write_staging(tmp_path / "staging.duckdb")
    refused = Recording()
    with pytest.raises(SchemaRefused) as stopped:
        load(stand_in.url, key("fields"), staging, refused)
    checklist = str(stopped.value)
    assert 'contacts: cf_client_status "Client status" (dropdown, choices Active | Paused)' in (
        checklist
    )
    assert "contacts: cf_bizstim_id" in checklist and "unique" in checklist
    assert refused.writes() == []  # nothing was written, not even a field

    create_fields(stand_in.url, "fields", staging)  # the admin, in the UI
    proceeded = Recording()
    outcome = load(stand_in.url, key("fields"), staging, proceeded)
    assert created(outcome) == mart_rows()
    assert len(proceeded.writes()) == sum(mart_rows().values())  # one call per record

    again = Recording()
    rerun = load(stand_in.url, key("fields"), staging, again)
    assert again.writes() == []
    assert {r.object: r.actions.get("unchanged", 0) for r in rerun.results} == mart_rows()


def test_an_owner_not_in_selector_owners_is_listed_and_not_sent(
    stand_in: RunningServer, tmp_path: Path
):
    staging = write_staging(tmp_path / "staging.duckdb")
    create_fields(stand_in.url, "owners", staging)
    recording = Recording()
    outcome = load(stand_in.url, key("owners"), staging, recording)
    assert outcome.owners is not None
    assert [u["email"] for u in outcome.owners.unmatched] == [STRANGER]
    assert [u["email"] for u in outcome.owners.matched] == [OWNER]
    upserts = {
        body["unique_identifier"]["cf_bizstim_id"]: body["contact"]
        for method, path, body in recording.sent
        if (method, path) == ("POST", "/api/contacts/upsert")
    }
    assert "owner_id" in upserts["client:1"]
    assert "owner_id" not in upserts["client:2"]  # Sam's user does not exist: never sent
    assert created(outcome)["contact"] == 2


class Killed(BaseException):
    """The process dies (kill -9) right after Freshsales committed a create."""


def test_a_kill_after_the_post_before_the_ledger_write_leaves_one_record(
    stand_in: RunningServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    staging = write_staging(tmp_path / "staging.duckdb")
    create_fields(stand_in.url, "crash", staging)
    write, settle = FreshsalesDestination.write, Ledger.settle
    sent: list[str] = []

    def remember(self: FreshsalesDestination, spec: Any, batch: Any) -> Any:
        answer = write(self, spec, batch)
        sent.append(spec.singular)
        return answer

    def die_before_commit(self: Ledger, seqs: Any, record_ids: Any, state: str) -> None:
        if state == "committed" and sent[-1:] == ["appointment"]:
            raise Killed  # no upsert here: the one a resend would duplicate
        settle(self, seqs, record_ids, state)

    monkeypatch.setattr(FreshsalesDestination, "write", remember)
    monkeypatch.setattr(Ledger, "settle", die_before_commit)
    first = Recording()
    with pytest.raises(Killed):
        load(stand_in.url, key("crash"), staging, first)
    monkeypatch.setattr(Ledger, "settle", settle)
    assert ("POST", "/api/appointments") in first.writes()

    second = Recording()
    resumed = load(stand_in.url, key("crash"), staging, second)
    assert ("POST", "/api/appointments") not in second.writes()  # settled by reading the contact
    assert created(resumed) == {**dict.fromkeys(mart_rows(), 0), "note": 1}
    held = snapshot(stand_in, "crash")
    assert len(held["appointments"]) == 1
    ledger = Ledger(staging, destination="freshsales")
    assert ledger.pending() == []
    assert ledger.current("appointment")["session:1"]["action"] in ("created", "unchanged")

    third = Recording()
    load(stand_in.url, key("crash"), staging, third)
    assert third.writes() == []


def test_the_flagged_bulk_upsert_sends_one_job_per_hundred_and_settles_each_row(
    stand_in: RunningServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("FRESHSALES_BULK_UPSERT", "1")
    staging = write_staging(tmp_path / "staging.duckdb")
    create_fields(stand_in.url, "bulk", staging)
    recording = Recording()
    outcome = load(stand_in.url, key("bulk"), staging, recording)
    assert created(outcome) == mart_rows()
    jobs = [b for m, p, b in recording.sent if (m, p) == ("POST", "/api/contacts/bulk_upsert")]
    assert [len(job["contacts"]) for job in jobs] == [2]  # both contacts, one request
    assert ("POST", "/api/contacts/upsert") not in recording.writes()
    ledger = Ledger(staging, destination="freshsales")
    held = {
        c["custom_field"]["cf_bizstim_id"]: str(c["id"])
        for c in snapshot(stand_in, "bulk")["contacts"]
    }
    assert {e: r["record_id"] for e, r in ledger.current("contact").items()} == held
