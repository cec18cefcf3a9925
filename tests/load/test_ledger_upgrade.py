"""A DuckDB file whose ledger was written before destinations had names keeps working.

Until issue 13 the ledger's record id column was ``twenty_id``, ``load_runs`` kept a
``twenty_url`` and no row named its destination. Users hold such files mid-migration (a delta
cutover weeks after the first load), so the new core must read them: opening the ledger
migrates the file in place, a rerun sends nothing, and a journal a killed older run left
behind (rows of ten values) is replayed as Twenty's.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from load.core.ledger import Entry, Ledger
from tests.load.conftest import load

OLD_VIEW = """
create or replace view migration.ledger_current as
    select * from migration.ledger where state = 'committed'
    qualify row_number() over (partition by object, external_id order by seq desc) = 1
"""


def make_it_old(path: Path) -> None:
    """Turn today's ledger tables back into the pre-issue-13 shape, rows kept."""
    with duckdb.connect(str(path)) as con:
        con.execute("drop view migration.ledger_current")
        con.execute("alter table migration.ledger rename column record_id to twenty_id")
        con.execute("alter table migration.ledger drop column destination")
        con.execute("alter table migration.load_runs rename column destination_url to twenty_url")
        con.execute("alter table migration.load_runs drop column destination")
        con.execute("alter table migration.schema_ledger drop column destination")
        con.execute(OLD_VIEW)


def columns(path: Path, table: str) -> set[str]:
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'migration' and table_name = ?",
            [table],
        ).fetchall()
    return {r[0] for r in rows}


def test_a_ledger_from_before_destinations_is_migrated_and_a_rerun_sends_nothing(staging, twenty):
    first = load(staging, twenty)
    assert first.returncode == 0, first.stderr
    with duckdb.connect(str(staging), read_only=True) as con:
        before = con.execute(
            "select object, external_id, record_id, action from migration.ledger order by seq"
        ).fetchall()
    make_it_old(staging)
    assert "twenty_id" in columns(staging, "ledger")
    since = len(twenty.server.requests())
    rerun = load(staging, twenty)
    assert rerun.returncode == 0, rerun.stderr
    assert twenty.writes(since) == []
    assert all(
        o["unchanged"] == o["mart_rows"] - o["quarantined"]
        for o in rerun.json()["objects"].values()
    )
    assert {"record_id", "destination"} <= columns(staging, "ledger")
    assert "twenty_id" not in columns(staging, "ledger")
    assert "destination_url" in columns(staging, "load_runs")
    with duckdb.connect(str(staging), read_only=True) as con:
        after = con.execute(
            "select object, external_id, record_id, action from migration.ledger "
            f"order by seq limit {len(before)}"
        ).fetchall()
        named = con.execute("select distinct destination from migration.ledger").fetchall()
        runs = con.execute(
            "select destination, destination_url from migration.load_runs"
        ).fetchall()
    assert after == before
    assert named == [("twenty",)]
    assert {r[0] for r in runs} == {"twenty"} and all(r[1] == twenty.url for r in runs)


def test_an_old_journal_replays_as_twentys(tmp_path):
    path = tmp_path / "staging.duckdb"
    Ledger(path, flush_interval=3600).close()
    make_it_old(path)
    journal = path.with_name(path.name + ".ledger-journal")
    old_row = [1, "run-old", "person", "c-1", "t-1", "created", "committed", "h", None, None]
    journal.write_text(json.dumps({"op": "record", "rows": [old_row]}) + "\n")
    ledger = Ledger(path, flush_interval=0)
    assert ledger.current("person")["c-1"]["record_id"] == "t-1"
    assert ledger.current("person")["c-1"]["destination"] == "twenty"
    assert not journal.exists() or journal.read_text() == ""
    ledger.close()


def test_two_destinations_share_one_file_without_seeing_each_other(tmp_path):
    path = tmp_path / "staging.duckdb"
    twenty = Ledger(path, flush_interval=0)
    twenty.record("r1", [Entry("person", "c-1", "created", "t-1", "h")])
    twenty.close()
    other = Ledger(path, flush_interval=0, destination="salesforce")
    assert other.current("person") == {}
    other.record("r2", [Entry("person", "c-1", "created", "003xx", "h")])
    assert other.current("person")["c-1"]["record_id"] == "003xx"
    other.close()
    again = Ledger(path, flush_interval=0)
    assert again.current("person")["c-1"]["record_id"] == "t-1"
    again.close()
