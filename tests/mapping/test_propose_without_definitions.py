"""`bizmig map propose` when the account does not serve custom field definitions (issue 11).

``customfields`` is not in the Bizstim reference: the extraction records it unavailable in
``raw_bizstim._bizmig_endpoints``. The custom_<id> values client detail carries are still
proposed, by id, typed from their values, and the output says why.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from bizmig.mapping import map_app

PROJECT_SEEDS = Path(__file__).resolve().parents[2] / "seeds"
CURRENT, OLD = "2000.5", "1000.5"
REASON = "404 Unknown method (not in the Bizstim reference; this account does not serve it)"


@pytest.fixture
def raw_file(tmp_path: Path) -> Path:
    """client_details with custom_<id> columns, no custom_fields table, customfields refused."""
    path = tmp_path / "bizmig.duckdb"
    clients = [  # id, custom_21 (numbers), custom_22 (a choice), custom_23 (old snapshot only)
        ("1", "12", "Gold", None, CURRENT),
        ("2", "7.5", "Silver", None, CURRENT),
        ("3", "3", "Gold", None, CURRENT),
        ("4", "", "Gold", None, CURRENT),
        ("5", "40", "Silver", None, CURRENT),
        ("6", "1", "Gold", None, CURRENT),
        ("7", "9", "Silver", None, CURRENT),
        ("8", "999", "Bronze", "left over", OLD),
    ]
    with duckdb.connect(str(path)) as con:
        con.execute("create schema raw_bizstim")
        con.execute(
            "create table raw_bizstim.client_details (id varchar, first_name varchar, "
            "custom_21 varchar, custom_22 varchar, custom_23 varchar, _dlt_load_id varchar)"
        )
        for cid, c21, c22, c23, load in clients:
            con.execute(
                "insert into raw_bizstim.client_details values (?, 'Ann', ?, ?, ?, ?)",
                [cid, c21, c22, c23, load],
            )
        con.execute(
            "create table raw_bizstim._bizmig_extract_cycles as select * from (values "
            "(1, 1000.0, 1001.0), (2, 2000.0, 2001.0)) as t(cycle, started_at, completed_at)"
        )
        con.execute(
            "create table raw_bizstim._bizmig_endpoints (cycle integer, endpoint varchar, "
            "table_name varchar, documented boolean, available boolean, http_status integer, "
            "reason varchar, impact varchar, probed_by varchar, checked_at timestamptz)"
        )
        con.execute(
            "insert into raw_bizstim._bizmig_endpoints values "
            "(1, 'customfields', 'custom_fields', false, true, 200, null, null, 'extract', now()),"
            "(2, 'customfields', 'custom_fields', false, false, 404, ?, 'impact', 'scope', now())",
            [REASON],
        )
    return path


@pytest.fixture
def seed_file(tmp_path: Path) -> Path:
    """The project's committed seed (sandbox decisions, by Bizstim field name) and catalog."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for name in ("custom_field_map.csv", "twenty_field_catalog.csv"):
        (seeds / name).write_bytes((PROJECT_SEEDS / name).read_bytes())
    return seeds / "custom_field_map.csv"


def propose(raw_file: Path, seed_file: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        map_app, ["propose", "--duckdb", str(raw_file), "--seed-file", str(seed_file), *extra]
    )
    return result.exit_code, result.output


def test_custom_values_are_proposed_by_id_when_definitions_are_unavailable(raw_file, seed_file):
    code, output = propose(raw_file, seed_file, "--json")
    assert code == 0, output
    report = json.loads(output)
    assert report["definitions_available"] is False
    assert "GET /api/customfields answered 404 Unknown method" in report["definitions_note"]
    fields = {f["bizstim_field_name"]: f for f in report["fields"]}
    # custom_23 only has values in an older snapshot: not a field of the account any more
    assert set(fields) == {"custom_21", "custom_22"}
    assert fields["custom_21"]["target_field_type"] == "NUMBER"
    assert fields["custom_21"]["non_empty_values"] == 6
    assert fields["custom_22"]["target_field_type"] == "SELECT"
    assert fields["custom_22"]["select_options"] == ["Gold", "Silver"]
    assert fields["custom_21"]["target_field_name"] == "customField21"
    for field in fields.values():
        assert field["status"] == "added" and field["bizstim_type"] == ""
        assert field["evidence"].startswith("no definition (only the client detail column")
    assert report["added"] == 2
    # the seed's rows name fields by their Bizstim names, which this account does not give
    committed = [line.split(",")[0] for line in seed_file.read_text().splitlines()[1:]]
    committed = [name for name in committed if not name.startswith("custom_")]
    assert report["seed_rows_without_definition"] == committed
    rows = seed_file.read_text(encoding="utf-8")
    assert "custom_21,customField21,NUMBER" in rows


def test_text_output_names_the_missing_definitions(raw_file, seed_file):
    code, output = propose(raw_file, seed_file)
    assert code == 0, output
    flat = " ".join(output.split())
    assert "custom field definitions unavailable (GET /api/customfields answered 404" in flat
    assert "proposing the 2 custom_<id> field(s) found in client detail" in flat
    assert "Seed rows without a field in this account" in flat


def test_rerun_keeps_the_proposals_and_adds_nothing(raw_file, seed_file):
    assert propose(raw_file, seed_file)[0] == 0
    before = seed_file.read_text(encoding="utf-8")
    code, output = propose(raw_file, seed_file, "--json")
    assert code == 0, output
    assert json.loads(output)["added"] == 0
    assert seed_file.read_text(encoding="utf-8") == before
