"""The column macro `bizstim_source` for real: a tiny raw DuckDB, a project copy whose
seeds/bizstim_field_aliases.csv names account columns, and `dbt build` of the staging models.

Cases: a column the account serves (present), one it does not (absent: a VARCHAR NULL, no
Binder error), one it serves under another name (aliased: the alias wins even when the
canonical name is served too), an alias the account does not serve (the canonical column is
read), an extra column nothing declares, and a table that never landed.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from bizmig.demo import copy_project
from sandbox.staging import run_dbt

ALIASES = """source_table,canonical_column,account_column,note
sessions,session_date,appointment_date,this account names the date appointmentDate
sessions,session_status,state,an alias this account does not serve
"""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("column-macro")
    project = copy_project(tmp / "project", confirm_all=False)
    (project / "seeds" / "bizstim_field_aliases.csv").write_text(ALIASES, encoding="utf-8")
    db = tmp / "bizmig.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create schema raw_bizstim")
        con.execute(
            "create table raw_bizstim.sessions (id varchar, session_status varchar, "
            "start_time varchar, session_date varchar, appointment_date varchar, "
            "color varchar, _dlt_load_id varchar, _dlt_id varchar)"
        )
        con.execute(
            "insert into raw_bizstim.sessions values "
            "('1', '1', '09:00', '1999-01-01', '2024-05-14', 'red', '1700000000.1', 'a'), "
            "('2', '0', '10:30', '', '2024-05-15', 'blue', '1700000000.1', 'b')"
        )
    build = run_dbt(
        ["build", "--select", "+stg_bizstim__sessions", "+stg_bizstim__users",
         "+stg_bizstim__source_columns"],
        db, project,
    )  # fmt: skip
    assert build.returncode == 0, build.stdout[-5000:]
    return db


def _query(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_present_absent_and_aliased_columns_read_into_staging(tiny: Path):
    rows = _query(
        tiny,
        "select session_id, cast(session_date as varchar), start_time, end_time, "
        "session_status, duration_minutes from staging.stg_bizstim__sessions order by 1",
    )
    assert rows == [
        (1, "2024-05-14", "09:00", None, "COMPLETED", None),  # alias wins over session_date
        (2, "2024-05-15", "10:30", None, "OPEN", None),
    ]


def test_source_columns_record_how_each_column_was_read(tiny: Path):
    columns = {
        r[0]: r[1:]
        for r in _query(
            tiny,
            "select column_name, column_status, read_from, alias_column, canonical_also_served, "
            "is_served from staging.stg_bizstim__source_columns where raw_table = 'sessions'",
        )
    }
    assert columns["session_date"] == (
        "aliased",
        "appointment_date",
        "appointment_date",
        True,
        True,
    )
    assert columns["start_time"] == ("present", "start_time", None, True, True)
    assert columns["end_time"] == ("absent", None, None, False, False)
    assert columns["session_status"] == ("present", "session_status", "state", True, True)
    assert columns["color"] == ("extra", "color", None, True, True)
    assert "appointment_date" not in columns  # read as session_date, not an extra column


def test_a_table_that_never_landed_reads_as_an_empty_relation(tiny: Path):
    assert _query(tiny, "select count(*) from staging.stg_bizstim__users") == [(0,)]
    users = _query(
        tiny,
        "select distinct column_status, is_table_landed from staging.stg_bizstim__source_columns "
        "where raw_table = 'users'",
    )
    assert users == [("absent", False)]
