"""``--to``: every command names its destination; one not built yet says so in one line.

Salesforce arrived with issue 14, Pipedrive with issue 15; Freshsales and monday arrive with
issues 16-17.
Until then a user who asks for one must learn it before anything is read or written: one line,
exit 13 (2 for a name that is no destination at all), no traceback, no request to any server.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from common.exits import ExitCode
from load.core.destination import NotBuilt
from load.destinations import KNOWN, NAMES, marts_of, require_built

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


@pytest.mark.parametrize("command", COMMANDS)
def test_a_destination_not_built_yet_is_one_line_and_exit_13(command):
    result = _bizmig(command, "--to", "monday")
    assert result.returncode == ExitCode.DESTINATION_NOT_BUILT, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "monday CRM" in lines[0] and "issue 17" in lines[0]
    assert "Traceback" not in result.stderr + result.stdout


def test_a_name_that_is_no_destination_is_a_usage_error():
    result = _bizmig("load", "--to", "hubspot")
    assert result.returncode == ExitCode.CONFIG
    assert "choose one of" in result.stderr and "twenty" in result.stderr


def test_every_destination_of_the_service_is_named_and_four_are_built():
    assert set(NAMES) == {"twenty", "salesforce", "pipedrive", "freshsales", "monday"}
    assert NOT_BUILT == ["monday"]
    for name in NOT_BUILT:
        with pytest.raises(NotBuilt, match=f"issue {KNOWN[name].issue}"):
            require_built(name)


def test_twentys_build_gate_checks_twentys_marts():
    assert "marts.twenty__people" in marts_of("twenty")
    assert all(m.startswith("marts.twenty__") for m in marts_of("twenty"))


def test_salesforces_build_gate_checks_salesforces_marts():
    assert "marts.salesforce__contacts" in marts_of("salesforce")
    assert all(m.startswith("marts.salesforce__") for m in marts_of("salesforce"))


def test_pipedrives_build_gate_checks_pipedrives_marts():
    assert "marts.pipedrive__persons" in marts_of("pipedrive")
    assert all(m.startswith("marts.pipedrive__") for m in marts_of("pipedrive"))
