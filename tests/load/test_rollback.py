"""Rollback returns the workspace to its exact pre-migration state."""

from __future__ import annotations

import json

import duckdb

from tests.load.conftest import bizmig, load
from tests.load.test_load import PLURALS

# rewritten by any PATCH / stamped by the server, not data the API can set back
VOLATILE = {"updatedAt", "position", "updatedBy"}


def _comparable(record: dict) -> dict:
    out = {k: v for k, v in record.items() if k not in VOLATILE}
    # a record soft-deleted again by the rollback carries the time of that delete: Twenty
    # stamps deletedAt itself, so the state (deleted or not) is what can be compared
    out["deletedAt"] = record.get("deletedAt") is not None
    return out


def snapshot(twenty) -> dict[str, list[dict]]:
    state = {}
    with twenty.http() as http:
        objects = http.get("/rest/metadata/objects").json()["data"]["objects"]
    for obj in objects:
        if obj["nameSingular"] == "workspaceMember":
            continue
        plural = obj["namePlural"]
        rows = twenty.all_records(plural) + twenty.all_records(plural, deleted=True)
        state[plural] = sorted(json.dumps(_comparable(r), sort_keys=True) for r in rows)
    state["_fields"] = sorted(
        f"{o['nameSingular']}.{f['name']}" for o in objects for f in o.get("fields", [])
    )
    return state


def populate(twenty, staging) -> None:
    """A workspace that is not empty before the migration: a soft-deleted person and a live one
    holding two of the account's e-mails (the load restores and updates them: before-images),
    and a company the migration never touches."""
    with duckdb.connect(str(staging), read_only=True) as con:
        emails = [
            r[0]
            for r in con.execute(
                "select emails.primaryEmail from marts.twenty__people "
                "where emails.primaryEmail is not null order by external_id limit 2"
            ).fetchall()
        ]
    with twenty.http() as http:
        ghost = http.post(
            "/rest/people",
            json={
                "emails": {"primaryEmail": emails[0]},
                "name": {"firstName": "Gone", "lastName": "X"},
            },
        )
        http.delete(
            f"/rest/people/{ghost.json()['data']['createPerson']['id']}",
            params={"soft_delete": "true"},
        )
        http.post(
            "/rest/people",
            json={"emails": {"primaryEmail": emails[1]}, "jobTitle": "Parent", "city": "Hamilton"},
        )
        http.post("/rest/companies", json={"name": "Acme"})


def test_rollback_restores_the_pre_migration_workspace_exactly(staging, twenty):
    populate(twenty, staging)
    before = snapshot(twenty)
    assert load(staging, twenty).returncode == 0
    assert snapshot(twenty) != before
    undo = bizmig(
        ["rollback", "--yes", "--schema", "--rate-limit", "100000", "--rate-window", "1"],
        staging,
        twenty,
    )
    assert undo.returncode == 0, undo.stderr
    after = snapshot(twenty)
    for plural in before:
        gone = set(before[plural]) - set(after.get(plural, []))
        new = set(after.get(plural, [])) - set(before[plural])
        if gone or new:
            a, b = json.loads(sorted(gone)[0]), json.loads(sorted(new)[0])
            diff = {k: (a.get(k), b.get(k)) for k in set(a) | set(b) if a.get(k) != b.get(k)}
            raise AssertionError((plural, diff))
    assert after == before
    # and the migration can run again on the restored workspace
    again = load(staging, twenty)
    assert again.returncode == 0, again.stderr
    assert again.json()["objects"]["person"]["restored"] == 1
    assert len(twenty.all_records(PLURALS["payment"])) > 0
