"""The other positions of the Salesforce seed switches build and pass every dbt test.

One `dbt build` sees one value of seeds/salesforce_settings.csv, so the shipped build never
checks the contracts, relationships, field fits and reconciliation of `payments_object =
Opportunity` or `service_group_target = Bizstim_Service_Group__c`: an Opportunity mart that
broke a test would only show when an engineer flips the switch. This rebuilds the Salesforce
nodes of the 300-client warehouse with both switches flipped (about 15 s) and checks the rows
moved to the other mart of each pair.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import duckdb
import pytest

from bizmig.demo import copy_project
from sandbox.staging import run_dbt
from tests.dbt.conftest import Warehouse, reconciliation_rows

FLIPPED = {"payments_object": "Opportunity", "service_group_target": "Bizstim_Service_Group__c"}


def flip_settings(seed: Path) -> None:
    with seed.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["setting_value"] = FLIPPED.get(row["setting"], row["setting_value"])
    with seed.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def flipped(warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("salesforce_switches")
    db = tmp / "bizmig.duckdb"  # the views name the catalog: keep the original's file name
    shutil.copy(warehouse.duckdb_path, db)
    project = copy_project(tmp / "project", confirm_all=False)
    flip_settings(project / "seeds" / "salesforce_settings.csv")
    # unit tests mock the settings: the shipped build runs them already
    select = ["--select", "salesforce_settings+", "--exclude", "test_type:unit"]
    build = run_dbt(["build", *select], db, project)
    assert build.returncode == 0, build.stdout[-3000:]
    return db


def count(db: Path, sql: str) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return int(con.execute(sql).fetchone()[0])


def test_payments_move_to_opportunities_on_their_households(flipped: Path, warehouse: Warehouse):
    shipped = warehouse.query("select count(*) from marts.salesforce__payments")[0][0]
    assert shipped > 0
    assert count(flipped, "select count(*) from marts.salesforce__payments") == 0
    # the sandbox's amounts have at most 2 decimals: every payment fits Opportunity.Amount
    assert count(flipped, "select count(*) from marts.salesforce__opportunities") == shipped
    on_households = count(
        flipped,
        'select count(*) from marts.salesforce__opportunities where "Account__external_id" '
        "= 'household:' || \"Bizstim_Contact__r__external_id\"",
    )
    on_leads = count(
        flipped,
        'select count(*) from marts.salesforce__opportunities where "Account__external_id" is '
        'null and "Bizstim_Lead__r__external_id" is not null',
    )
    assert on_households > 0 and on_leads > 0 and on_households + on_leads == shipped


def test_service_groups_become_records_the_products_look_up(flipped: Path, warehouse: Warehouse):
    groups = warehouse.query("select count(*) from intermediate.int_services__groups")[0][0]
    assert groups > 0
    assert count(flipped, "select count(*) from marts.salesforce__service_groups") == groups
    assert count(flipped, 'select count("Family") from marts.salesforce__products') == 0
    grouped = warehouse.query(
        'select count(*) from marts.salesforce__products where "Bizstim_Group_Id__c" is not null'
    )[0][0]
    looked_up = count(
        flipped,
        "select count(*) from marts.salesforce__products "
        'where "Bizstim_Service_Group__r__external_id" is not null',
    )
    assert looked_up == grouped > 0


def test_the_reconciliation_counts_the_chosen_objects(flipped: Path):
    with duckdb.connect(str(flipped), read_only=True) as con:
        rows = reconciliation_rows(lambda sql: con.execute(sql).fetchall())
    objects = {obj for obj, *_ in rows}
    assert {"Opportunity", "Bizstim_Service_Group__c"} <= objects
    assert "Bizstim_Payment__c" not in objects
