"""Mapping decisions apply per account: seeds/custom_field_map.csv may hold decisions for fields
an account does not have (the shipped seed holds the sandbox account's, with `Allergies`
unconfirmed); only a pending field the account has blocks `bizmig load` (exit 6)."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from bizmig.demo import copy_project, record_decisions
from bizmig.mapping import propose
from bizmig.mapping_seed import read_seed
from load.twenty.catalog import read_catalog
from tests.dbt.conftest import Reshaped, Warehouse, reconciliation_rows


def _unconfirmed(built: Reshaped) -> list[str]:
    with duckdb.connect(str(built.duckdb_path), read_only=True) as con:
        return read_catalog(con).unconfirmed


def test_only_pending_fields_the_account_has_block_the_load(planted_warehouse: Reshaped):
    assert planted_warehouse.build.returncode == 0, planted_warehouse.build.stdout[-3000:]
    assert _unconfirmed(planted_warehouse) == ["School"]
    allergies = planted_warehouse.query(
        "select decision_status, blocks_load from migration.migration__custom_fields "
        "where bizstim_field_name = 'Allergies'"
    )
    assert allergies == [("not_in_account", False)]  # pending in the seed, absent here


def test_an_account_without_custom_fields_has_nothing_pending(documented_warehouse: Reshaped):
    assert documented_warehouse.build.returncode == 0
    statuses = documented_warehouse.query(
        "select distinct decision_status from migration.migration__custom_fields"
    )
    assert statuses == [("not_in_account",)]
    assert _unconfirmed(documented_warehouse) == []


def test_fields_known_only_by_their_client_detail_column_follow_the_seed(
    undefined_custom_fields_warehouse: Reshaped,
):
    built = undefined_custom_fields_warehouse
    assert built.build.returncode == 0, built.build.stdout[-3000:]
    statuses = dict(
        built.query(
            "select bizstim_field_name, decision_status from migration.migration__custom_fields"
        )
    )
    by_id = {k: v for k, v in statuses.items() if k.startswith("custom_")}
    migrated, pending = (k for k, v in sorted(by_id.items()) if v in ("migrate", "pending"))
    assert (statuses[migrated], statuses[pending]) == ("migrate", "pending")
    assert set(by_id.values()) == {"migrate", "pending", "not_in_map"}
    assert statuses["School"] == statuses["Allergies"] == "not_in_account"
    assert _unconfirmed(built) == [pending]
    columns = built.query(
        "select source_rows from migration.migration__reconciliation "
        "where source_table = 'client_details (custom_<id> columns)' and destination = 'twenty'"
    )
    assert columns == [(len(by_id),)]
    reconciliation_rows(built.query)  # every object adds up
    sent = built.query(
        "select count(*) from marts.twenty__people "
        f"where json_extract_string(custom_fields, '$.customField{migrated[7:]}') is not null"
    )[0][0]
    raw = built.query(
        f"select count(*) from raw_bizstim.client_details where trim({migrated}) <> ''"
    )[0][0]
    assert sent == raw > 0


def test_propose_reports_pending_rows_of_this_account_only(warehouse: Warehouse, tmp_path: Path):
    project = copy_project(tmp_path / "project", confirm_all=False)
    seed = read_seed(project / "seeds" / "custom_field_map.csv")
    school = seed.find("School")
    assert school is not None and seed.find("Allergies") is not None
    school["confirmed"] = "false"
    report = propose(
        warehouse.duckdb_path, seed, project / "seeds" / "twenty_field_catalog.csv", 50
    )
    assert report.pending_rows == ["School"]
    assert "Allergies" in report.seed_rows_without_definition


def test_the_demo_records_decisions_for_its_own_account(warehouse: Warehouse, tmp_path: Path):
    project = copy_project(tmp_path / "project", confirm_all=False)
    seed_file = project / "seeds" / "custom_field_map.csv"
    with seed_file.open(newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    seed_file.write_text(",".join(header) + "\n", encoding="utf-8")  # no decision at all
    db = tmp_path / "bizmig.duckdb"
    db.write_bytes(warehouse.duckdb_path.read_bytes())
    record_decisions(project, db)
    rows = {r["bizstim_field_name"]: r for r in read_seed(seed_file).rows}
    with duckdb.connect(str(db), read_only=True) as con:
        names = {r[0] for r in con.execute("select name from raw_bizstim.custom_fields").fetchall()}
    assert set(rows) == names
    assert all(r["confirmed"] == "true" and r["decision"] == "migrate" for r in rows.values())
    shipped = read_seed(Path(__file__).resolve().parents[2] / "seeds" / "custom_field_map.csv")
    assert shipped.find("Allergies")["confirmed"] == "false"  # the repository is untouched
