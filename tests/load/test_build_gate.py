"""`load`, `reconcile` and `report` on marts whose dbt build failed, never ran, is partial or
stale (issue 19 item 1, issue 11 part 7): one line naming what to run, exit 12, nothing sent to
Twenty; `load --force` goes on and says so in the ledger and the report."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from bizmig.demo import copy_project
from bizmig.phases import dbt_build
from common.exits import ExitCode
from report.command import build_report
from tests.load.conftest import Cli, Twenty, bizmig, load, start_twenty

BROKEN_KEY = "unique_twenty__people_external_id"


def one_line(cli: Cli) -> str:
    """The command's only non-empty stderr line (and no traceback anywhere)."""
    lines = [line for line in cli.stderr.splitlines() if line.strip()]
    assert "Traceback" not in cli.stderr + cli.stdout
    assert len(lines) == 1, cli.stderr
    return lines[0]


@pytest.fixture(scope="module")
def idle_twenty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Twenty]:
    """A Twenty stand-in the refused commands must never reach."""
    server = start_twenty(tmp_path_factory.mktemp("idle-twenty"), "--rate-limit", "0")
    yield server
    server.server.stop()


@pytest.fixture(scope="module")
def failed_build(built_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The issue's reproduction: three people duplicated in the mart, `dbt build` exits 1 on
    the mart's unique key (and skips what depends on it)."""
    tmp = tmp_path_factory.mktemp("failed-build")
    project = copy_project(tmp / "project")
    model = project / "models" / "marts" / "twenty" / "twenty__people.sql"
    text = model.read_text()
    assert text.rstrip().endswith("from shaped")
    model.write_text(
        text.rstrip()[: -len("from shaped")]
        + "from (select * from shaped union all (select * from shaped order by external_id "
        "limit 3))\n"
    )
    staging = tmp / "failed.duckdb"
    shutil.copy(built_template, staging)
    seen: list[tuple[int, int]] = []
    code, tail = dbt_build(staging, project, on_progress=lambda d, t: seen.append((d, t)))
    assert code == 1 and BROKEN_KEY in tail, tail
    # the progress bar read dbt's events: every node reported once, the skipped ones too
    total = seen[-1][1]
    assert sorted(d for d, _ in seen) == list(range(1, total + 1)), seen
    return staging


@pytest.fixture
def failed_copy(failed_build: Path, tmp_path: Path) -> Path:
    target = tmp_path / "failed.duckdb"
    shutil.copy(failed_build, target)
    return target


def never_built(built_template: Path, target: Path) -> Path:
    """The file as `bizmig extract` left it: raw data, no dbt relation, no build record."""
    shutil.copy(built_template, target)
    with duckdb.connect(str(target)) as con:
        for schema in ("staging", "intermediate", "marts", "migration", "seeds"):
            con.execute(f"drop schema if exists {schema} cascade")
    return target


def ledger_runs(staging: Path) -> list[tuple]:
    with duckdb.connect(str(staging), read_only=True) as con:
        if not con.execute(
            "select count(*) from information_schema.tables where table_name = 'load_runs'"
        ).fetchone()[0]:
            return []
        return con.execute("select command, status, options from migration.load_runs").fetchall()


def test_load_refuses_a_failed_build_in_one_line_before_any_request(failed_copy, idle_twenty):
    before = len(idle_twenty.server.requests())
    result = load(failed_copy, idle_twenty)
    assert result.returncode == ExitCode.NOT_BUILT
    line = one_line(result)
    assert "the last dbt build failed" in line and BROKEN_KEY in line
    assert "run `dbt build`" in line and "--force loads it anyway" in line
    assert len(idle_twenty.server.requests()) == before  # Twenty never asked
    assert ledger_runs(failed_copy) == []


def test_forced_load_goes_on_and_the_ledger_and_report_say_so(failed_copy, tmp_path):
    twenty = start_twenty(tmp_path, "--rate-limit", "0")
    try:
        result = load(failed_copy, twenty, "--force")
    finally:
        twenty.server.stop()
    assert result.returncode == 0, result.stderr[-2000:]
    assert "forced past: the last dbt build failed" in result.stderr
    [(command, status, options)] = ledger_runs(failed_copy)
    options = json.loads(options)
    assert (command, status) == ("load", "done")
    assert options["forced_past_build"] is True
    assert options["build"]["status"] == "failed" and BROKEN_KEY in options["build"]["line"]
    report = json.loads(
        (build_report(failed_copy, tmp_path / "rep", secrets=[]).parent / "report.json").read_text()
    )
    assert report["build"]["status"] == "failed"
    assert any("went past its build with --force" in p for p in report["overall"]["problems"])
    assert report["overall"]["ok"] is False


def test_reconcile_and_report_refuse_a_failed_build(failed_copy, idle_twenty, tmp_path):
    before = len(idle_twenty.server.requests())
    reconciled = bizmig(["reconcile", "--out", str(tmp_path / "recon")], failed_copy, idle_twenty)
    assert reconciled.returncode == ExitCode.NOT_BUILT
    assert BROKEN_KEY in one_line(reconciled)
    assert len(idle_twenty.server.requests()) == before
    reported = bizmig(["report", "--out", str(tmp_path / "rep")], failed_copy, idle_twenty)
    assert reported.returncode == ExitCode.NOT_BUILT
    assert BROKEN_KEY in one_line(reported)
    html = (tmp_path / "rep" / "index.html").read_text()
    assert "dbt build failed" in html and BROKEN_KEY in html


def test_on_a_file_never_built_each_command_names_dbt_build(built_template, idle_twenty, tmp_path):
    raw = never_built(built_template, tmp_path / "raw.duckdb")
    before = len(idle_twenty.server.requests())
    for args in (
        ["load", "--yes", "--force"],  # --force cannot load tables that do not exist
        ["reconcile", "--out", str(tmp_path / "recon")],
        ["report", "--out", str(tmp_path / "rep")],
    ):
        result = bizmig(args, raw, idle_twenty)
        assert result.returncode == ExitCode.NOT_BUILT, (args, result.stderr)
        line = one_line(result)
        assert "the marts are not built" in line and "run `dbt build`" in line, args
        assert "CatalogException" not in result.stderr
    assert len(idle_twenty.server.requests()) == before
    report = json.loads((tmp_path / "rep" / "report.json").read_text())
    assert report["objects"]["available"] is False and report["build"]["status"] == "not_built"
    html = (tmp_path / "rep" / "index.html").read_text()
    assert html.count("<b>not built</b>") == 5  # every count tile says it, none says 0
    assert "Not built: no dbt reconciliation" in html


def _edited(built_template: Path, target: Path, *statements: str) -> Path:
    shutil.copy(built_template, target)
    with duckdb.connect(str(target)) as con:
        for statement in statements:
            con.execute(statement)
    return target


@pytest.mark.parametrize(
    ("case", "statements", "expected"),
    [
        (
            "interrupted",
            [
                "insert into migration.dbt_builds (invocation_id, command, started_at, status) "
                "values ('killed-build', 'build', now(), 'running')"
            ],
            "the last dbt build is partial: the last dbt build (started",
        ),
        (
            "run without tests",
            [
                "insert into migration.dbt_builds (invocation_id, command, started_at, "
                "finished_at, status) values ('run-only', 'run', now(), now(), 'success')",
                "insert into migration.dbt_build_results (invocation_id, unique_id, "
                "resource_type, name, status) values ('run-only', 'model.bizmig.twenty__people', "
                "'model', 'twenty__people', 'success')",
            ],
            "last ran before twenty__people was rebuilt",
        ),
        (
            "extracted after the build",
            [
                "insert into raw_bizstim._bizmig_extract_cycles values "
                "(99, {now} - 1, {now})"  # a cycle completed now, after the template's build
            ],
            "the marts are stale: extraction cycle 99 completed",
        ),
        (
            "unrecorded",
            ["drop table migration.dbt_builds"],
            "no dbt build is recorded in this file",
        ),
    ],
)
def test_partial_stale_and_unrecorded_builds_are_refused(
    built_template, idle_twenty, tmp_path, case, statements, expected
):
    now = time.time()
    statements = [statement.replace("{now}", str(now)) for statement in statements]
    staging = _edited(built_template, tmp_path / "edited.duckdb", *statements)
    result = load(staging, idle_twenty)
    assert result.returncode == ExitCode.NOT_BUILT, (case, result.stderr)
    assert expected in one_line(result), case
