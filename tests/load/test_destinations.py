"""``--to``: every command names its destination; one not built yet says so in one line.

Salesforce arrived with issue 14, Pipedrive with issue 15, Freshsales with 16 and monday with 17:
all five are built. A destination named but not built (``Known.issue`` set) must still be
learnt before anything is read or written: one line, exit 13 (2 for a name that is no
destination at all), no traceback, no request to any server.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from common.exits import ExitCode
from load.core.destination import NotBuilt
from load.destinations import KNOWN, NAMES, Known, marts_of, require_built

COMMANDS = ("migrate", "demo", "load", "reconcile", "rollback", "report")
NOT_BUILT = [name for name, known in KNOWN.items() if known.issue is not None]


def _bizmig(*args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "BIZMIG_DUCKDB": "/nonexistent/never-read.duckdb"}
    return subprocess.run(
        [sys.executable, "-m", "bizmig.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


@pytest.mark.parametrize("command", [c for c in COMMANDS if c != "demo"])
def test_every_command_takes_monday_and_without_its_settings_says_so_in_one_line(command):
    result = _bizmig(command, "--to", "monday")
    assert result.returncode not in (0, ExitCode.DESTINATION_NOT_BUILT), result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_a_destination_not_built_yet_is_one_line_naming_its_issue(monkeypatch):
    monkeypatch.setitem(KNOWN, "monday", Known("monday", "monday CRM", 17, "MONDAY"))
    with pytest.raises(NotBuilt) as refused:
        require_built("monday")
    assert "monday CRM" in str(refused.value) and "issue 17" in str(refused.value)
    assert "\n" not in str(refused.value)


def test_a_name_that_is_no_destination_is_a_usage_error():
    result = _bizmig("load", "--to", "hubspot")
    assert result.returncode == ExitCode.CONFIG
    assert "choose one of" in result.stderr and "twenty" in result.stderr


def test_every_destination_of_the_service_is_named_and_all_five_are_built():
    assert set(NAMES) == {"twenty", "salesforce", "pipedrive", "freshsales", "monday"}
    assert NOT_BUILT == []
    for name in NAMES:
        assert require_built(name).issue is None


def test_twentys_build_gate_checks_twentys_marts():
    assert "marts.twenty__people" in marts_of("twenty")
    assert all(m.startswith("marts.twenty__") for m in marts_of("twenty"))


def test_salesforces_build_gate_checks_salesforces_marts():
    assert "marts.salesforce__contacts" in marts_of("salesforce")
    assert all(m.startswith("marts.salesforce__") for m in marts_of("salesforce"))


def test_pipedrives_build_gate_checks_pipedrives_marts():
    assert "marts.pipedrive__persons" in marts_of("pipedrive")
    assert all(m.startswith("marts.pipedrive__") for m in marts_of("pipedrive"))


def test_mondays_build_gate_checks_mondays_marts():
    assert "marts.monday__sessions" in marts_of("monday")
    assert all(m.startswith("marts.monday__") for m in marts_of("monday"))
