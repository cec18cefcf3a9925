"""A rerun of `migrate` whose options change what a finished phase produced redoes that phase
and every phase after it (issue 19 item 2: `--sample 10%` got past transform, then
`--sample 50%` skipped transform and migrated the 10 % sample)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import duckdb
import pytest

from bizmig.migrate import execute
from bizmig.phases import PHASES, InputsChanged, PhaseLog, PhaseOutcome, run_phases
from common.exits import ExitCode
from load.core.run import LoadRefused


def inputs(sample_pct: float, bizstim: str = "http://bizstim/api") -> dict[str, dict]:
    return {
        "scope": {"bizstim_base_url": bizstim},
        "extract": {"bizstim_base_url": bizstim},
        "transform": {"dbt_vars": {"sample_pct": sample_pct}},
        "load": {"twenty_api_url": "http://twenty"},
        "reconcile": {"twenty_api_url": "http://twenty"},
    }


class Steps:
    """Phases that only count their calls; ``refuse`` makes one raise like a refused load."""

    def __init__(self, refuse: str | None = None) -> None:
        self.calls: list[str] = []
        self.refuse = refuse

    def step(self, phase: str) -> PhaseOutcome:
        self.calls.append(phase)
        if phase == self.refuse:
            raise LoadRefused("not now")
        return PhaseOutcome({"phase": phase})

    def all(self) -> dict:
        return {phase: (lambda p=phase: self.step(p)) for phase in PHASES}


def statuses(path: Path) -> list[tuple[str, str, float | None]]:
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(
            "select phase, status, detail from migration.phase_log order by started_at"
        ).fetchall()
    return [
        (
            phase,
            status,
            ((json.loads(d or "{}").get("inputs") or {}).get("dbt_vars") or {}).get("sample_pct"),
        )
        for phase, status, d in rows
    ]


def test_changed_inputs_redo_the_phase_and_every_phase_after_it(tmp_path):
    log = PhaseLog(tmp_path / "staging.duckdb")
    first = Steps(refuse="load")
    with pytest.raises(LoadRefused):
        run_phases(log, "run-1", first.all(), False, lambda _: None, inputs(10))
    assert first.calls == ["scope", "extract", "transform", "load"]

    said: list[str] = []
    second = Steps()
    run_phases(log, "run-1", second.all(), False, said.append, inputs(50))
    assert second.calls == ["transform", "load", "reconcile"]  # scope and extract kept
    assert any(
        "transform ran with dbt_vars {'sample_pct': 10} → {'sample_pct': 50}: redoing transform"
        in line
        for line in said
    ), said
    transforms = [s for s in statuses(tmp_path / "staging.duckdb") if s[0] == "transform"]
    assert transforms == [("transform", "superseded", 10), ("transform", "done", 50)]

    third = Steps()  # the same options again: nothing to redo, the run is finished
    run_phases(log, "run-1", third.all(), False, said.append, inputs(50))
    assert third.calls == []


def test_another_bizstim_account_in_an_unfinished_run_is_refused(tmp_path):
    log = PhaseLog(tmp_path / "staging.duckdb")
    first = Steps(refuse="transform")
    with pytest.raises(LoadRefused):
        run_phases(log, "run-1", first.all(), False, lambda _: None, inputs(10))
    second = Steps()
    with pytest.raises(InputsChanged, match="its scope ran with bizstim_base_url"):
        run_phases(log, "run-1", second.all(), False, lambda _: None, inputs(10, "http://b2/api"))
    assert second.calls == []


def _clients_in_people_mart(staging: Path) -> int:
    with duckdb.connect(str(staging), read_only=True) as con:
        return con.execute(
            "select count(*) from marts.twenty__people where external_id like 'client:%'"
        ).fetchone()[0]


def test_migrate_with_a_larger_sample_migrates_the_larger_sample(stage):
    pilot = dataclasses.replace(
        stage.config, dbt_vars={"sample_pct": 10.0}, allow_unmatched_owners=False
    )
    # the stand-in workspace has no members: the load refuses after transform is done
    assert execute(pilot) == ExitCode.UNMATCHED_OWNERS
    ten = _clients_in_people_mart(pilot.duckdb)

    larger = dataclasses.replace(
        stage.config, dbt_vars={"sample_pct": 50.0}, allow_unmatched_owners=True
    )
    assert execute(larger) == ExitCode.OK
    fifty = _clients_in_people_mart(larger.duckdb)
    assert 0 < ten < fifty
    transforms = [s for s in statuses(larger.duckdb) if s[0] == "transform"]
    assert transforms == [("transform", "superseded", 10.0), ("transform", "done", 50.0)]
    people = stage.twenty.all_records("people")
    assert sum(1 for p in people if str(p.get("bizstimId", "")).startswith("client:")) == fifty
