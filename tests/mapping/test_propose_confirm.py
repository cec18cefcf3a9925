"""`bizmig map propose` / `map confirm` against a crafted raw_bizstim DuckDB file and seed CSV."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from bizmig.mapping import map_app

PROJECT_SEEDS = Path(__file__).resolve().parents[2] / "seeds"
CURRENT, OLD = "2000.5", "1000.5"  # _dlt_load_id of the latest cycle / of an earlier one
HEADER = (
    "bizstim_field_name,target_field_name,target_field_type,label,select_options,decision,"
    "confirmed,review_note,evidence"
)
EXISTING_ROWS = [
    # a human renamed the field and chose TEXT although Bizstim says select
    "Grade,schoolYear,TEXT,School year,,migrate,true,renamed by Ann,",
    "Allergies,allergies,TEXT,Allergies,,skip,true,health data: never,",
    "Tutor notes,tutorNotes,TEXT,Tutor notes,,migrate,false,,",
    "Old field,oldField,TEXT,Old field,,migrate,true,,",  # no definition any more
]


def _client(client_id: int, load_id: str = CURRENT, **custom: str) -> dict[str, str]:
    return {"id": str(client_id), "_dlt_load_id": load_id, **custom}


@pytest.fixture
def raw_file(tmp_path: Path) -> Path:
    """raw_bizstim as dlt lands it: every column VARCHAR, plus one completed extraction cycle;
    rows with the older load id were deleted in Bizstim."""
    path = tmp_path / "bizmig.duckdb"
    definitions = [
        ("11", "Grade", "select", "K|1|2", CURRENT),
        ("12", "Allergies", "textarea", "", CURRENT),
        ("13", "Date of birth", "date", "", CURRENT),
        ("14", "Hours purchased", "number", "", CURRENT),
        ("15", "Type", "text", "", CURRENT),  # reserved word as a name
        ("16", "City", "text", "", CURRENT),  # collides with the static person field
        ("17", "Removed in Bizstim", "text", "", OLD),
        ("18", "Tutor notes", "textarea", "", CURRENT),
    ]
    clients = [
        _client(1, custom_13="2011-05-22", custom_14="12", custom_15="A", custom_16="Oslo"),
        _client(2, custom_13="0000-00-00", custom_14="n/a", custom_15="B", custom_16=" Rome "),
        _client(3, custom_13="2012-02-30", custom_14="7.5", custom_15="A", custom_16=""),
        _client(4, custom_13="2013-01-01", custom_14="", custom_15="A", custom_16="Oslo"),
        _client(5, custom_13="2014-03-04", custom_14="3", custom_15="B", custom_16="Oslo"),
        _client(6, OLD, custom_13="1900-01-01", custom_14="999", custom_15="Z", custom_16="X"),
    ]
    columns = ["id", "custom_11", "custom_12", "custom_13", "custom_14", "custom_15"]
    columns += ["custom_16", "custom_18", "_dlt_load_id"]
    with duckdb.connect(str(path)) as con:
        con.execute("create schema raw_bizstim")
        con.execute(
            "create table raw_bizstim.custom_fields (id varchar, name varchar, type varchar, "
            "options varchar, required varchar, _dlt_load_id varchar)"
        )
        for cid, name, kind, options, load_id in definitions:
            con.execute(
                "insert into raw_bizstim.custom_fields values (?, ?, ?, ?, '0', ?)",
                [cid, name, kind, options, load_id],
            )
        typed_columns = ", ".join(f"{column} varchar" for column in columns)
        con.execute(f"create table raw_bizstim.client_details ({typed_columns})")
        for client in clients:
            con.execute(
                f"insert into raw_bizstim.client_details values ({', '.join('?' * len(columns))})",
                [client.get(c, "") for c in columns],
            )
        con.execute(
            "create table raw_bizstim._bizmig_extract_cycles as select * from (values "
            "(1, 1000.0, 1001.0), (2, 2000.0, 2001.0), (3, 3000.0, null)) "
            "as t(cycle, started_at, completed_at)"
        )
    return path


@pytest.fixture
def seed_file(tmp_path: Path) -> Path:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(PROJECT_SEEDS / "twenty_field_catalog.csv", seeds)
    path = seeds / "custom_field_map.csv"
    path.write_text("\n".join([HEADER, *EXISTING_ROWS]) + "\n", encoding="utf-8")
    return path


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(map_app, list(args))
    return result.exit_code, result.output


def propose_json(raw_file: Path, seed_file: Path, *extra: str) -> dict:
    code, output = run(
        "propose", "--duckdb", str(raw_file), "--seed-file", str(seed_file), "--json", *extra
    )
    assert code == 0, output
    return json.loads(output)


def test_propose_keeps_every_existing_row_and_appends_the_new_fields(raw_file, seed_file):
    before = rows_of(seed_file)
    report = propose_json(raw_file, seed_file)
    after = rows_of(seed_file)
    assert after[: len(before)] == before  # decisions, renames and notes untouched
    added = {row["bizstim_field_name"]: row for row in after[len(before) :]}
    assert list(added) == ["Date of birth", "Hours purchased", "Type", "City"]
    assert {row["decision"] for row in added.values()} == {"migrate"}
    assert {row["confirmed"] for row in added.values()} == {"false"}
    assert added["Type"]["target_field_name"] == "bizstimType"
    assert added["City"]["target_field_name"] == "city2"  # city is a static person field
    assert added["Date of birth"]["target_field_type"] == "DATE"
    assert "'0000-00-00' (1x)" in added["Date of birth"]["evidence"]
    assert "'2012-02-30' (1x)" in added["Date of birth"]["evidence"]
    assert added["Hours purchased"]["target_field_type"] == "NUMBER"
    assert "3/4 sampled values parse as NUMBER" in added["Hours purchased"]["evidence"]
    assert report["added"] == 4
    assert report["seed_rows_without_definition"] == ["Old field"]
    statuses = {f["bizstim_field_name"]: f["status"] for f in report["fields"]}
    assert statuses == {
        "Grade": "migrate",
        "Allergies": "skip",
        "Date of birth": "added",
        "Hours purchased": "added",
        "Type": "added",
        "City": "added",
        "Tutor notes": "pending",
    }
    kept = next(f for f in report["fields"] if f["bizstim_field_name"] == "Grade")
    assert (kept["target_field_name"], kept["target_field_type"]) == ("schoolYear", "TEXT")


def test_only_the_current_snapshot_is_sampled(raw_file, seed_file):
    report = propose_json(raw_file, seed_file)
    names = [f["bizstim_field_name"] for f in report["fields"]]
    assert "Removed in Bizstim" not in names  # definition deleted at the source
    city = next(f for f in report["fields"] if f["bizstim_field_name"] == "City")
    assert city["non_empty_values"] == 4  # client 6 is deleted, client 3 has ""
    assert city["target_field_type"] == "TEXT"


def test_propose_is_idempotent_and_its_sample_deterministic(raw_file, seed_file):
    first = propose_json(raw_file, seed_file, "--sample", "2")
    content = seed_file.read_bytes()
    second = propose_json(raw_file, seed_file, "--sample", "2")
    assert seed_file.read_bytes() == content
    assert second["added"] == 0
    assert all(f["sampled_values"] <= 2 for f in first["fields"])
    first_evidence = {r["bizstim_field_name"]: r["evidence"] for r in rows_of(seed_file)}
    fresh = seed_file.with_name("fresh.csv")
    fresh.write_text(HEADER + "\n", encoding="utf-8")
    propose_json(raw_file, fresh, "--sample", "2")
    again = {r["bizstim_field_name"]: r["evidence"] for r in rows_of(fresh)}
    assert again["Date of birth"] == first_evidence["Date of birth"]


def test_propose_creates_a_missing_seed_file(raw_file, seed_file):
    new_seed = seed_file.with_name("new_map.csv")
    propose_json(raw_file, new_seed)
    assert [r["bizstim_field_name"] for r in rows_of(new_seed)] == [
        "Grade", "Allergies", "Date of birth", "Hours purchased", "Type", "City", "Tutor notes",
    ]  # fmt: skip
    grade = rows_of(new_seed)[0]
    assert (grade["target_field_type"], grade["target_field_name"]) == ("SELECT", "grade")


def test_propose_without_an_extraction_is_a_usage_error(tmp_path, seed_file):
    code, output = run("propose", "--duckdb", str(tmp_path / "none.duckdb"), "--seed-file",
                       str(seed_file))  # fmt: skip
    assert code == 2 and "run `bizmig extract` first" in output


def test_confirm_and_skip_edit_only_the_named_rows(seed_file):
    code, output = run("confirm", "TUTOR NOTES", "--skip", "oldField", "--seed-file",
                       str(seed_file))  # fmt: skip
    assert code == 0, output
    rows = {r["bizstim_field_name"]: r for r in rows_of(seed_file)}
    assert (rows["Tutor notes"]["decision"], rows["Tutor notes"]["confirmed"]) == (
        "migrate",
        "true",
    )
    assert (rows["Old field"]["decision"], rows["Old field"]["confirmed"]) == ("skip", "true")
    assert rows["Grade"]["review_note"] == "renamed by Ann"
    assert re.search(r"Tutor notes .* pending .* migrate", output)
    assert re.search(r"Old field .* migrate .* skip", output)
    assert "dbt build" in output


def test_confirm_all_confirms_pending_rows_as_they_stand(seed_file):
    seed_file.write_text(
        seed_file.read_text() + "Notes 2,notes2,TEXT,Notes 2,,skip,false,,\n", encoding="utf-8"
    )
    code, output = run("confirm", "--all", "--seed-file", str(seed_file))
    assert code == 0, output
    rows = {r["bizstim_field_name"]: r for r in rows_of(seed_file)}
    assert {r["confirmed"] for r in rows.values()} == {"true"}
    assert rows["Notes 2"]["decision"] == "skip"  # the decision someone wrote is kept
    assert rows["Tutor notes"]["decision"] == "migrate"
    assert rows["Allergies"]["decision"] == "skip"
    code, output = run("confirm", "--all", "--seed-file", str(seed_file))
    assert code == 0 and "Nothing changed" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Nope", "Grade"], "unknown field(s): Nope"),
        (["Grade", "--skip", "schoolYear"], "both migrate and --skip given for: Grade"),
        ([], "name the fields to confirm"),
    ],
)
def test_confirm_refuses_bad_requests_without_touching_the_file(seed_file, args, message):
    content = seed_file.read_bytes()
    code, output = run("confirm", *args, "--seed-file", str(seed_file))
    assert code == 2
    assert message in " ".join(output.split())
    assert seed_file.read_bytes() == content


def test_confirm_refuses_to_migrate_a_row_without_a_target_field_type(seed_file):
    seed_file.write_text(
        seed_file.read_text() + "Half done,halfDone,,Half done,,migrate,false,,\n",
        encoding="utf-8",
    )
    code, output = run("confirm", "Half done", "--seed-file", str(seed_file))
    assert code == 2 and "cannot migrate Half done" in " ".join(output.split())
    code, output = run("confirm", "--skip", "Half done", "--seed-file", str(seed_file))
    assert code == 0, output
