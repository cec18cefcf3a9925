"""Suite-wide fixtures: the full-size switch, and one built account shared by every worker.

``scripts/test --full-size`` (or ``BIZMIG_FULL_SIZE=1``) runs the crash, fault, bad-input and
scale suites at the size the issue that asked for them names (e.g. 20 kill points over a larger
account, 2 000 000 source records); CI runs the default so the whole suite stays inside its
90-minute budget.

``built_template`` (a 40-client account: sandbox → extraction → ``dbt build``) is read by the
load, report and acceptance-kit packages. Built per package it cost ~60 s each time, and under
pytest-xdist a session fixture is built once per *worker*; so it is built once per test run,
by whichever worker asks first, under a file lock the others wait on.

The other expensive session, package and module fixtures (a 300-client warehouse and the builds
derived from it, a whole migration per package, one pipeline per restricted profile) are built
once per *worker* that runs a test needing them; with xdist's default ``--dist load`` their
tests were dealt to both workers and each was built twice. ``pytest_xdist_make_scheduler``
gives ``scripts/test``'s ``--dist loadgroup`` the groups of tests/scheduling.py (each group on
one worker); ``SHARED_FIXTURES`` says which fixture each group shares, and
tests/test_scheduling.py checks every test requesting one is in its group.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest
from filelock import FileLock

from common.backoff import RETRY_BACKOFF_ENV
from sandbox.staging import extract_and_build
from tests.scheduling import UNGROUPED, group_of, make_scheduler

# in the environment of the bizmig processes the load, kit and crash/fault suites start: a first
# retry waits 20 ms instead of 0.5 s (common/backoff.py); what is retried, and how often, is not
# changed
FAST_RETRIES = {RETRY_BACKOFF_ENV: "0.02"}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--full-size",
        action="store_true",
        default=False,
        help="Run the crash/fault/bad-input/scale suites at full size (slow).",
    )


# fixture → the group (tests/scheduling.py) of every test that requests it; ``{package}``: the
# test's package, where one name is a different fixture in each package
SHARED_FIXTURES = {
    "warehouse": "dbt-warehouse",  # tests/dbt/conftest.py, also read by tests/mapping
    "documented_warehouse": "dbt-warehouse",
    "planted_warehouse": "dbt-warehouse",
    "undefined_custom_fields_warehouse": "dbt-warehouse",
    "migrated": "{package}-migrated",  # hostile, security, report: one migration each
    "reference": "resilience-reference",  # the undisturbed migration of the crash/fault suites
}


def expected_group(item: pytest.Item) -> str | None:
    """The group of the expensive fixture ``item`` requests, or None."""
    names = getattr(item, "fixturenames", ())
    callspec = getattr(item, "callspec", None)
    if "pipeline" in names and callspec is not None and "pipeline" in callspec.params:
        return f"e2e-{callspec.params['pipeline']}"  # tests/migrate/test_profiles_end_to_end.py
    for name, group in SHARED_FIXTURES.items():
        if name in names:
            return group.format(package=item.path.parent.name)
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    config.stash[UNGROUPED] = [
        f"{item.nodeid}: needs {expected}, scheduled as {group_of(item.nodeid)}"
        for item in items
        if (expected := expected_group(item)) is not None and group_of(item.nodeid) != expected
    ]


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``--dist loadgroup``: the groups of tests/scheduling.py, each on one worker."""
    return make_scheduler(config, log) if config.getvalue("dist") == "loadgroup" else None


def is_full_size(config: pytest.Config) -> bool:
    """True when the suites should run at full size instead of the CI default (also for
    ``pytest_generate_tests``, where the number of parameters depends on it)."""
    return bool(config.getoption("--full-size")) or os.environ.get("BIZMIG_FULL_SIZE", "") in (
        "1",
        "true",
        "yes",
    )


@pytest.fixture(scope="session")
def full_size(request: pytest.FixtureRequest) -> bool:
    return is_full_size(request.config)


def build_once(
    tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]
) -> Path:
    """``build(directory)`` run once per test run, whichever xdist worker gets here first; the
    others wait on the lock and reuse the directory. Whoever uses it copies what it changes."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):  # popen-gwN/ ← the run's directory, shared
        root = root.parent
    target = root / name
    with FileLock(str(root / f"{name}.lock")):
        if not (target / ".built").exists():
            shutil.rmtree(target, ignore_errors=True)  # a worker that died mid-build
            target.mkdir()
            build(target)
            (target / ".built").touch()
    return target


def _build_account(directory: Path) -> None:
    db = extract_and_build(directory)
    unconfirmed = directory / "unconfirmed.duckdb"
    shutil.copy(db, unconfirmed)
    with duckdb.connect(str(unconfirmed)) as con:
        con.execute(
            "update migration.migration__custom_fields set decision_status = 'pending', "
            "blocks_load = true where bizstim_field_name = 'School'"
        )


@pytest.fixture(scope="session")
def built_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 40-client sandbox account, extracted and built with the shipped seeds (their
    unconfirmed `Allergies` row names a field this account does not have, so nothing is
    pending); `unconfirmed.duckdb` beside it is the same build with the account's `School`
    field pending, as a build with that seed row unconfirmed gives. Read-only: copy it."""
    return build_once(tmp_path_factory, "built-account", _build_account) / "template.duckdb"


@pytest.fixture
def staging(built_template: Path, tmp_path: Path) -> Path:
    """A private copy of the built account (each test gets its own ledger)."""
    target = tmp_path / "staging.duckdb"
    shutil.copy(built_template, target)
    return target
