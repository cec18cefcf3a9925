"""``migration.owner_matches`` holds every destination's owner matching (one function,
load.core.owners.match_by_email, for all of them): a Salesforce run's matches are recorded as
Salesforce's, the report lists the chosen destination's latest run only, and a file written
when the table was Twenty's alone (``workspace_member_id``, no ``destination``) is migrated in
place with each old row taking its run's destination from ``load_runs``."""

from __future__ import annotations

import duckdb

from load.core.ledger import Ledger
from load.core.owners import match_by_email
from report.data import unmatched_users
from report.db import open_report_db

OWNERS = (
    "create schema if not exists migration; "
    "create table migration.migration__owner_lookup as select * from (values "
    "('user:1', 'Ada@Example.com', 'Ada', 'Lovelace', 'admin'), "
    "('user:2', 'grace@example.com', 'Grace', 'Hopper', 'staff'), "
    "('user:3', null, 'No', 'Mail', 'staff')) t(external_id, email, first_name, last_name, role)"
)


def test_matches_are_kept_per_destination_and_old_files_migrate(tmp_path):
    path = tmp_path / "staging.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(OWNERS)
    twenty = Ledger(path, destination="twenty")
    old_run = twenty.start_run("load", "http://twenty", "v2", {})
    with duckdb.connect(str(path)) as con:  # the table as a Twenty-only version wrote it
        con.execute(
            "create table migration.owner_matches (run_id varchar, external_id varchar, "
            "email varchar, name varchar, role varchar, workspace_member_id varchar)"
        )
        con.execute(
            "insert into migration.owner_matches values (?, 'user:1', 'ada@example.com', "
            "'Ada Lovelace', 'admin', 'member-1')",
            [old_run],
        )
    twenty.close()

    salesforce = Ledger(path, destination="salesforce")
    run = salesforce.start_run("load", "http://sf", "v66.0", {})
    found = match_by_email(
        salesforce,
        run,
        {"grace@example.com": "005A"},
        lambda email: "inactive there" if email == "ada@example.com" else None,
    )
    salesforce.close()
    assert [m["external_id"] for m in found.matched] == ["user:2"]
    assert {m["external_id"]: m["name"] for m in found.unmatched} == {
        "user:1": "Ada Lovelace (inactive there)",
        "user:3": "No Mail",  # no e-mail never matches a user without one
    }
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(
            "select destination, external_id, destination_user_id from migration.owner_matches "
            "order by destination, external_id"
        ).fetchall()
    assert rows == [
        ("salesforce", "user:1", None),
        ("salesforce", "user:2", "005A"),
        ("salesforce", "user:3", None),
        ("twenty", "user:1", "member-1"),
    ]
    with open_report_db(path) as db:
        theirs = unmatched_users(db, "twenty")
        ours = unmatched_users(db, "salesforce")
    assert (theirs["run_id"], theirs["matched"], theirs["unmatched"]) == (old_run, 1, [])
    assert ours["run_id"] == run and ours["matched"] == 1
    assert sorted(u["external_id"] for u in ours["unmatched"]) == ["user:1", "user:3"]
