"""Twenty's traps: refused records, soft-deleted e-mails, existing people, owners, confirmation."""

from __future__ import annotations

import json
import shutil

import duckdb

from tests.load.conftest import bizmig, load, mart_counts


def _person_with_email(staging, offset: int = 0) -> tuple[str, str]:
    with duckdb.connect(str(staging), read_only=True) as con:
        return con.execute(
            "select external_id, emails.primaryEmail from marts.twenty__people "
            "where emails.primaryEmail is not null order by external_id limit 1 offset ?",
            [offset],
        ).fetchone()


def test_a_record_twenty_refuses_is_quarantined_and_the_rest_lands(staging, twenty):
    bad_id, _ = _person_with_email(staging, 3)
    with duckdb.connect(str(staging)) as con:  # an address Twenty's validator refuses
        con.execute(
            "update marts.twenty__people set emails = {'primaryEmail': 'not-an-email', "
            "'additionalEmails': []::varchar[]}, row_hash = 'changed' where external_id = ?",
            [bad_id],
        )
    result = load(staging, twenty)
    assert result.returncode == 0, result.stderr
    people = result.json()["objects"]["person"]
    expected = mart_counts(staging)
    assert people["quarantined"] == 1
    assert people["created"] == expected["person"] - 1
    with duckdb.connect(str(staging), read_only=True) as con:
        row = con.execute(
            "select action, message from migration.ledger_current where external_id = ?",
            [bad_id],
        ).fetchone()
    assert row[0] == "quarantined" and row[1]  # Twenty's own message is kept
    # records that point at the refused person are held back with a reason, not lost
    held = con_rows = None
    with duckdb.connect(str(staging), read_only=True) as con:
        held = con.execute(
            "select count(*) from migration.ledger_current where action = 'quarantined' "
            "and message like '%not in Twenty%'"
        ).fetchone()[0]
        con_rows = con.execute(
            "select count(*) from migration.ledger_current where action = 'quarantined'"
        ).fetchone()[0]
    assert con_rows == 1 + held
    assert len(twenty.all_records("people")) == expected["person"] - 1


def test_soft_deleted_and_live_people_with_our_emails_are_restored_and_updated(staging, twenty):
    _, restored_email = _person_with_email(staging, 0)
    _, updated_email = _person_with_email(staging, 1)
    with twenty.http() as http:
        ghost = http.post(
            "/rest/people",
            json={
                "name": {"firstName": "Old", "lastName": "Ghost"},
                "emails": {"primaryEmail": restored_email},
            },
        ).json()["data"]["createPerson"]
        assert http.delete(f"/rest/people/{ghost['id']}", params={"soft_delete": "true"}).is_success
        live = http.post(
            "/rest/people",
            json={
                "name": {"firstName": "Already", "lastName": "Here"},
                "jobTitle": "Parent",
                "emails": {"primaryEmail": updated_email},
            },
        ).json()["data"]["createPerson"]
        # without upsert, Twenty refuses the soft-deleted person's e-mail: the trap is real
        clash = http.post("/rest/people", json={"emails": {"primaryEmail": restored_email}})
        assert clash.status_code == 400
    result = load(staging, twenty)
    assert result.returncode == 0, result.stderr
    people = result.json()["objects"]["person"]
    assert people["restored"] == 1 and people["updated"] == 1
    with duckdb.connect(str(staging), read_only=True) as con:
        rows = dict(
            con.execute(
                "select action, before_image from migration.ledger_current "
                "where object = 'person' and action in ('restored', 'updated')"
            ).fetchall()
        )
    assert json.loads(rows["restored"])["id"] == ghost["id"]
    assert json.loads(rows["restored"])["deletedAt"] is not None
    assert json.loads(rows["updated"])["jobTitle"] == "Parent"
    ids = {p["id"] for p in twenty.all_records("people")}
    assert {ghost["id"], live["id"]} <= ids
    assert len(ids) == mart_counts(staging)["person"]


def test_unconfirmed_custom_fields_and_unmatched_owners_stop_before_any_write(
    built_template, staging, twenty
):
    unconfirmed = staging.parent / "unconfirmed-copy.duckdb"
    shutil.copy(built_template.parent / "unconfirmed.duckdb", unconfirmed)
    refused = bizmig(["load", "--yes", "--allow-unmatched-owners"], unconfirmed, twenty)
    assert refused.returncode == 6
    assert "School" in refused.stderr
    assert "Allergies" not in refused.stderr  # a decision for a field this account lacks
    owners = bizmig(
        ["load", "--yes", "--rate-limit", "100000", "--rate-window", "1"], staging, twenty
    )
    assert owners.returncode == 5
    assert "without a workspace member" in owners.stderr
    assert twenty.writes() == []
