"""Pilot builds: `dbt build --vars '{sample_clients: N}'` / `'{sample_pct: p}'` on copies of the
session's real extraction. The expected sample is recomputed here from the documented rule
(md5 of the client id), independently of the SQL."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from sandbox.staging import run_dbt
from tests.dbt.conftest import Warehouse

SAMPLE_CLIENTS = 10
SAMPLE_PCT = 5


@dataclass
class PilotBuild:
    duckdb_path: Path
    build: subprocess.CompletedProcess[str]

    def query(self, sql: str) -> list[tuple]:
        with duckdb.connect(str(self.duckdb_path), read_only=True) as con:
            return con.execute(sql).fetchall()

    def column(self, sql: str) -> set:
        return {row[0] for row in self.query(sql)}


def pilot_build(
    warehouse: Warehouse, where: Path, dbt_vars: str, *, shuffle: bool = False
) -> PilotBuild:
    """Copy the extracted DuckDB file and build it with the pilot vars."""
    where.mkdir(parents=True, exist_ok=True)
    target = where / "bizmig.duckdb"
    shutil.copyfile(warehouse.duckdb_path, target)
    wal = warehouse.duckdb_path.with_name(warehouse.duckdb_path.name + ".wal")
    if wal.exists():
        shutil.copyfile(wal, target.with_name(target.name + ".wal"))
    if shuffle:
        # another physical row order for the raw clients: the sample must not depend on it
        with duckdb.connect(str(target)) as con:
            con.execute(
                "create or replace table raw_bizstim.clients as "
                "select * from raw_bizstim.clients order by reverse(id), id desc"
            )
    return PilotBuild(target, run_dbt(["build", "--vars", dbt_vars], target))


def md5_hex(client_id: int) -> str:
    return hashlib.md5(str(client_id).encode()).hexdigest()


def candidates(build: PilotBuild) -> list[int]:
    """Current-snapshot clients in the documented sample order (md5 of the id, then id)."""
    ids = build.column(
        "select client_id from staging.stg_bizstim__clients "
        "where is_in_current_snapshot and client_id is not null"
    )
    return sorted(ids, key=lambda i: (md5_hex(i), i))


def dispositions(build: PilotBuild, source_table: str) -> dict[str, tuple[str, str | None]]:
    rows = build.query(
        "select source_id, disposition, rule from intermediate.int_migration__dispositions "
        f"where source_table = '{source_table}'"
    )
    return {source_id: (disposition, rule) for source_id, disposition, rule in rows}


def client_people(build: PilotBuild) -> set[int]:
    return build.column(
        'select "bizstimClientId" from marts.twenty__people '
        "where list_contains(\"bizstimRoles\", 'CLIENT')"
    )


def assert_exactly_the_sample_migrates(build: PilotBuild, sample: set[int]) -> None:
    clients = dispositions(build, "clients")
    quarantined = {int(i) for i, (d, _) in clients.items() if d == "quarantined"}
    assert client_people(build) == sample - quarantined
    assert quarantined <= sample
    for source_id, (disposition, rule) in clients.items():
        if int(source_id) not in sample:
            assert disposition == "excluded", source_id
            assert rule in ("outside_pilot_sample", "not_in_current_snapshot"), source_id
    assert (
        build.column("select source_id from intermediate.int_pilot__scope where entity = 'client'")
        == sample
    )


# Relation columns that may point into two marts: Salesforce's WhoId and LinkedEntityId take a
# client's Contact or Lead (each client is in exactly one of them).
POLYMORPHIC = {
    ("salesforce__events", "Who__external_id"),
    ("salesforce__note_links", "LinkedEntity__external_id"),
}


def mart_ids(build: PilotBuild, destination: str) -> dict[str, str]:
    """external_id → mart table, over every mart of one destination (Twenty's and Salesforce's
    marts name the same people)."""
    marts = build.column(
        "select table_name from information_schema.tables where table_schema = 'marts' "
        f"and starts_with(table_name, '{destination}__')"
    )
    owner: dict[str, str] = {}
    for mart in marts:
        for (external_id,) in build.query(f"select external_id from marts.{mart}"):
            owner[external_id] = mart
    return owner


def relation_columns(build: PilotBuild, destination: str) -> list[tuple[str, str]]:
    return build.query(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'marts' and column_name like '%\\_\\_external\\_id' escape '\\' "
        f"and starts_with(table_name, '{destination}__') order by 1, 2"
    )


def assert_relations_intact(build: PilotBuild) -> None:
    for destination in ("twenty", "salesforce"):
        owner = mart_ids(build, destination)
        columns = relation_columns(build, destination)
        assert len(columns) >= 8, columns
        pointers = 0
        for mart, column in columns:
            values = build.column(
                f'select "{column}" from marts.{mart} where "{column}" is not null'
            )
            dangling = {v for v in values if v not in owner}
            assert not dangling, (mart, column, sorted(dangling)[:5])
            targets = {owner[v] for v in values}
            assert len(targets) <= (2 if (mart, column) in POLYMORPHIC else 1), (mart, column)
            pointers += len(values)
        assert pointers > 0, destination


@pytest.fixture(scope="module")
def pilot(warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> PilotBuild:
    where = tmp_path_factory.mktemp("pilot_clients")
    return pilot_build(warehouse, where, f"{{sample_clients: {SAMPLE_CLIENTS}}}")


@pytest.fixture(scope="module")
def pilot_pct(warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> PilotBuild:
    return pilot_build(
        warehouse, tmp_path_factory.mktemp("pilot_pct"), f"{{sample_pct: {SAMPLE_PCT}}}"
    )


def test_pilot_build_is_green(pilot: PilotBuild):
    assert pilot.build.returncode == 0, pilot.build.stdout[-5000:]
    assert "ERROR=0" in pilot.build.stdout


def test_exactly_the_first_n_clients_by_md5_are_migrated(pilot: PilotBuild):
    order = candidates(pilot)
    assert len(order) > SAMPLE_CLIENTS
    assert_exactly_the_sample_migrates(pilot, set(order[:SAMPLE_CLIENTS]))


def test_every_relation_points_to_a_record_of_the_pilot(pilot: PilotBuild):
    assert_relations_intact(pilot)


def sampled_refs(sample: Iterable[int]) -> str:
    return ", ".join(f"'client:{i}'" for i in sample)


def test_nothing_outside_the_sample_and_nothing_of_it_missing(
    pilot: PilotBuild, warehouse: Warehouse
):
    """Sessions and payments are exactly the full build's rows of the sampled clients, mapped
    the same way (row_hash includes the practitioner/service/location links)."""
    refs = sampled_refs(candidates(pilot)[:SAMPLE_CLIENTS])
    for mart in ("twenty__sessions", "twenty__payments"):
        in_pilot = set(
            pilot.query(f'select external_id, row_hash, "client__external_id" from marts.{mart}')
        )
        in_full = set(
            warehouse.query(
                f'select external_id, row_hash, "client__external_id" from marts.{mart} '
                f'where "client__external_id" in ({refs})'
            )
        )
        assert in_pilot, mart
        assert in_pilot == in_full, mart
    targets = pilot.column('select "targetPerson__external_id" from marts.twenty__note_targets')
    assert targets <= {r.strip("'") for r in refs.split(", ")}


def test_team_members_are_there_only_for_a_sampled_clients_session(pilot: PilotBuild):
    """A practitioner comes in through a sampled client's session (with login-mate staff); their
    other clients do not, and staff with no such practitioner stay out."""
    team = pilot.column(
        "select external_id from marts.twenty__people "
        "where list_has_any(\"bizstimRoles\", ['PRACTITIONER', 'STAFF'])"
    )
    booked = pilot.column(
        "select practitioner_external_id from intermediate.int_sessions__scheduled "
        "where exclusion_rule is null and practitioner_external_id is not null"
    )
    assert team and team <= booked
    other_clients = pilot.query(
        "select count(*) from intermediate.int_sessions__scheduled "
        "where exclusion_rule = 'outside_pilot_sample' and practitioner_external_id in "
        "(select external_id from marts.twenty__people)"
    )[0][0]
    assert other_clients > 0, "the sample's practitioners have other clients, left out"
    windows = pilot.column('select "person__external_id" from marts.twenty__availability_windows')
    assert windows & team, "a practitioner brought in keeps their own availability"


def test_reconciliation_adds_up_with_the_pilot_rule(pilot: PilotBuild):
    rows = pilot.query(
        "select object_name, source_table, source_rows, mapped, quarantined, excluded, "
        "object_mapped_records, object_mart_rows, rows_per_rule, migration_scope "
        "from migration.migration__reconciliation"
    )
    outside = {}
    for obj, table, source, mapped, quarantined, excluded, records, mart_rows, rules, scope in rows:
        assert source == mapped + quarantined + excluded, (obj, table)
        if mart_rows is not None:
            assert records == mart_rows, (obj, table)
        assert scope == f"pilot sample_clients={SAMPLE_CLIENTS}"
        outside[table] = rules.get("outside_pilot_sample", 0)
    for table in ("clients", "sessions", "payments", "client_details"):
        assert outside[table] > 0, table
    # the quarantine lists only rows of the pilot, not problems of records left out
    for entity, table in (("session", "sessions"), ("payment", "payments"), ("client", "clients")):
        in_scope = pilot.column(
            "select cast(source_id as varchar) from intermediate.int_pilot__scope "
            f"where entity = '{entity}'"
        )
        quarantined = pilot.column(
            f"select source_id from migration.migration__quarantine where source_table = '{table}'"
        )
        assert quarantined <= in_scope, table


def test_same_vars_same_sample_whatever_the_row_order(
    pilot: PilotBuild, warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory
):
    again = pilot_build(
        warehouse,
        tmp_path_factory.mktemp("pilot_again"),
        f"{{sample_clients: {SAMPLE_CLIENTS}}}",
        shuffle=True,
    )
    assert again.build.returncode == 0, again.build.stdout[-5000:]
    for mart in (
        "twenty__people",
        "twenty__sessions",
        "twenty__payments",
        "twenty__availability_windows",
    ):
        sql = f"select external_id, row_hash from marts.{mart}"
        assert set(again.query(sql)) == set(pilot.query(sql)), mart


def test_sample_pct_takes_the_clients_below_the_hash_bucket(pilot_pct: PilotBuild):
    assert pilot_pct.build.returncode == 0, pilot_pct.build.stdout[-5000:]
    order = candidates(pilot_pct)
    sample = {i for i in order if int(md5_hex(i)[:8], 16) < SAMPLE_PCT / 100 * 2**32}
    assert 0 < len(sample) < len(order)
    assert_exactly_the_sample_migrates(pilot_pct, sample)
    assert_relations_intact(pilot_pct)
    # one order for both vars: a percentage pilot is a prefix of the sample_clients order
    assert sample == set(order[: len(sample)])


def test_both_vars_set_is_an_error(tmp_path: Path):
    build = run_dbt(
        ["build", "--vars", "{sample_clients: 5, sample_pct: 5}"], tmp_path / "x.duckdb"
    )
    assert build.returncode != 0
    assert "set either var sample_clients" in build.stdout
    assert not (tmp_path / "x.duckdb").exists()
