"""Real sandbox → `bizmig extract` → `bizmig map propose` → `map confirm` → `dbt build`.

dbt reads seeds from the project's seeds/ folder only, so the build runs on a copy of the dbt
project (models, macros, seeds, dbt_tests, project and profile files) in a temporary
directory whose seeds/custom_field_map.csv is the one `map propose` wrote, against a copy of
the session's extracted DuckDB file (the file keeps its name: the views name its catalog).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

from sandbox.staging import PROJECT_DIR
from tests.dbt.conftest import Warehouse

DBT_PROJECT_PARTS = ["models", "macros", "seeds", "dbt_tests"]
DBT_PROJECT_FILES = ["dbt_project.yml", "profiles.yml", "packages.yml"]
HEADER = (
    "bizstim_field_name,target_field_name,target_field_type,label,select_options,decision,"
    "confirmed,review_note,evidence"
)
STARTING_ROWS = [
    "Grade,grade,SELECT,Grade,,skip,true,reviewed: not needed in the CRM,",
    "Allergies,allergies,TEXT,Allergies,,migrate,false,privacy review pending,",
]
PROPOSED = {"Parent name", "Photo consent", "Date of birth", "School", "Referral source"}


@dataclass
class MappedBuild:
    duckdb_path: Path
    seed_file: Path
    proposal: dict[str, Any]
    confirm: subprocess.CompletedProcess[str]
    build: subprocess.CompletedProcess[str]

    def query(self, sql: str) -> list[tuple]:
        with duckdb.connect(str(self.duckdb_path), read_only=True) as con:
            return con.execute(sql).fetchall()


def bizmig(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bizmig.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def mapped(warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> MappedBuild:
    tmp = tmp_path_factory.mktemp("mapping-e2e")
    project = tmp / "project"
    for part in DBT_PROJECT_PARTS:
        shutil.copytree(PROJECT_DIR / part, project / part)
    for name in DBT_PROJECT_FILES:
        shutil.copy(PROJECT_DIR / name, project / name)
    seed_file = project / "seeds" / "custom_field_map.csv"
    seed_file.write_text("\n".join([HEADER, *STARTING_ROWS]) + "\n", encoding="utf-8")
    db = tmp / "db" / "bizmig.duckdb"
    db.parent.mkdir()
    shutil.copy(warehouse.duckdb_path, db)

    proposed = bizmig(["map", "propose", "--duckdb", str(db), "--seed-file", str(seed_file),
                       "--json"])  # fmt: skip
    assert proposed.returncode == 0, proposed.stderr
    confirm = bizmig(["map", "confirm", "--all", "--seed-file", str(seed_file)])
    dbt = str(Path(sys.executable).with_name("dbt"))
    build = subprocess.run(
        [dbt, "build", "--project-dir", str(project), "--profiles-dir", str(project),
         "--target-path", str(tmp / "target"), "--log-path", str(tmp / "logs")],
        env={**os.environ, "BIZMIG_DUCKDB": str(db), "DBT_SEND_ANONYMOUS_USAGE_STATS": "0"},
        cwd=project, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    return MappedBuild(db, seed_file, json.loads(proposed.stdout), confirm, build)


def test_propose_appends_the_account_fields_and_keeps_the_decided_ones(mapped: MappedBuild):
    statuses = {f["bizstim_field_name"]: f["status"] for f in mapped.proposal["fields"]}
    assert statuses == {**dict.fromkeys(PROPOSED, "added"), "Grade": "skip"}
    assert mapped.proposal["added"] == len(PROPOSED)
    assert mapped.proposal["seed_rows_without_definition"] == ["Allergies"]
    lines = mapped.seed_file.read_text(encoding="utf-8").splitlines()
    assert lines[1].startswith("Grade,grade,SELECT,Grade,,skip,true,reviewed")
    dob = next(f for f in mapped.proposal["fields"] if f["bizstim_field_name"] == "Date of birth")
    assert dob["target_field_type"] == "DATE" and "'0000-00-00'" in dob["evidence"]


def test_confirm_all_decides_every_pending_row(mapped: MappedBuild):
    assert mapped.confirm.returncode == 0, mapped.confirm.stderr
    assert "dbt build" in mapped.confirm.stdout
    with duckdb.connect() as con:
        pending = con.execute(
            "select bizstim_field_name from read_csv(?, header = true, all_varchar = true) "
            "where confirmed <> 'true'",
            [str(mapped.seed_file)],
        ).fetchall()
    assert pending == []


def test_build_with_the_proposed_seed_is_green(mapped: MappedBuild):
    assert mapped.build.returncode == 0, mapped.build.stdout[-5000:]
    assert "ERROR=0" in mapped.build.stdout


def _raw_values(mapped: MappedBuild, field_name: str) -> dict[str, str]:
    """external_id → non-empty raw value of one custom field for clients in the mart."""
    field_id = mapped.query(
        f"select id from raw_bizstim.custom_fields where name = '{field_name}'"
    )[0][0]
    rows = mapped.query(
        f"select 'client:' || details.id, trim(details.custom_{field_id}) "
        "from raw_bizstim.client_details as details "
        "inner join marts.twenty__people as people on people.external_id = 'client:' || details.id "
        f"where nullif(trim(details.custom_{field_id}), '') is not null"
    )
    return dict(rows)


def _sent(mapped: MappedBuild, key: str) -> dict[str, Any]:
    rows = mapped.query(
        "select external_id, cast(custom_fields as varchar) from marts.twenty__people"
    )
    sent = {}
    for external_id, document in rows:
        fields = json.loads(document)
        if key in fields:
            sent[external_id] = fields[key]
    return sent


def _is_date(value: str) -> bool:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def test_confirmed_fields_reach_custom_fields_with_their_twenty_shape(mapped: MappedBuild):
    raw_dates = _raw_values(mapped, "Date of birth")
    assert _sent(mapped, "dateOfBirth") == {k: v for k, v in raw_dates.items() if _is_date(v)}
    assert any(not _is_date(v) for v in raw_dates.values())  # zero dates exist and stay out

    raw_consent = _raw_values(mapped, "Photo consent")
    assert _sent(mapped, "photoConsent") == {k: v == "1" for k, v in raw_consent.items()}

    options = {"Google": "GOOGLE", "Friend": "FRIEND", "Flyer": "FLYER", "Other": "OTHER"}
    raw_referral = _raw_values(mapped, "Referral source")
    assert _sent(mapped, "referralSource") == {
        k: options[v] for k, v in raw_referral.items() if v in options
    }
    for field, key in [("School", "school"), ("Parent name", "parentName")]:
        assert set(_sent(mapped, key)) == set(_raw_values(mapped, field)), key


def test_skipped_and_unconfirmed_fields_are_never_sent(mapped: MappedBuild):
    keys = set()
    for (document,) in mapped.query(
        "select cast(custom_fields as varchar) from marts.twenty__people"
    ):
        keys |= set(json.loads(document))
    assert keys == {"parentName", "photoConsent", "dateOfBirth", "school", "referralSource"}
    grade = mapped.query(
        "select disposition, rule from intermediate.int_migration__dispositions "
        "where source_table = 'custom_fields' and source_id = "
        "(select id from raw_bizstim.custom_fields where name = 'Grade')"
    )
    assert grade == [("excluded", "custom_field_not_migrated")]


def test_field_catalog_and_options_follow_the_seed(mapped: MappedBuild):
    catalog = dict(
        mapped.query(
            "select field_name, twenty_type from migration.migration__field_catalog "
            "where object_name = 'person' and mart_column = 'custom_fields'"
        )
    )
    proposed = {f["target_field_name"]: f["target_field_type"] for f in mapped.proposal["fields"]}
    del proposed["grade"]
    assert catalog == proposed
    school_options = mapped.query(
        "select label from migration.migration__select_options "
        "where object_name = 'person' and field_name = 'school' order by position"
    )
    assert catalog["school"] == "SELECT"  # 4 repeated values in the sandbox account
    proposed_school = next(
        f for f in mapped.proposal["fields"] if f["target_field_name"] == "school"
    )
    assert [label for (label,) in school_options] == proposed_school["select_options"]
