"""Which tests xdist must run on one worker: those sharing an expensive per-worker fixture.

A session, package or module fixture is built once per *worker* that runs a test needing it.
With xdist's ``--dist load`` the tests of each were dealt to both workers, so each was built
twice (measured on this machine: the hostile corpus's 60-client migration 136 s + 135 s, the
security suite's 77 s + 80 s; the 300-client dbt warehouse, the builds derived from it, the
report's and the crash/fault suites' reference migrations and the three restricted-profile
pipelines the same way). ``scripts/test`` runs ``--dist loadgroup`` and tests/conftest.py
hands xdist :class:`SharedFixtureScheduling`, which sends each group below to one worker (the
groups with the most tests first) and every other test on its own, as ``--dist load`` would.

Why not ``@pytest.mark.xdist_group``: xdist 3.8 applies that mark by rewriting
``item._nodeid``, which pytest 9 no longer reads (a node's id lives in ``item._id``), so the
mark groups nothing. The controller sees node ids only, so the groups are named by file (every
test of these files uses the fixture; tests/test_scheduling.py checks that against the
fixtures the tests request).
"""

from __future__ import annotations

from typing import Any

import pytest

# tests whose node id does not put them in the group of the fixture they request, as
# tests/conftest.py found them at collection (tests/test_scheduling.py asserts there are none)
UNGROUPED = pytest.StashKey[list[str]]()

# file or directory → group; the fixture each group shares is named beside it
SHARED_FILES = {
    # tests/dbt/conftest.py warehouse (300 clients) and the reshaped builds made from it
    "tests/dbt/test_dbt_build.py": "dbt-warehouse",
    "tests/dbt/test_pilot.py": "dbt-warehouse",
    "tests/dbt/test_salesforce_switches.py": "dbt-warehouse",
    "tests/dbt/test_source_shapes.py": "dbt-warehouse",
    "tests/dbt/test_sqlfluff.py": "dbt-warehouse",
    "tests/dbt/test_twenty_rules.py": "dbt-warehouse",
    "tests/mapping/test_end_to_end.py": "dbt-warehouse",
    "tests/mapping/test_per_account.py": "dbt-warehouse",
    "tests/hostile/": "hostile-migrated",  # tests/hostile/conftest.py migrated
    "tests/security/": "security-migrated",  # tests/security/conftest.py migrated
    "tests/report/": "report-migrated",  # tests/report/conftest.py migrated, report
    "tests/resilience/": "resilience-reference",  # tests/resilience/conftest.py reference
}
# tests/migrate/test_profiles_end_to_end.py: its module fixture ``pipeline``, one per profile
PIPELINE_FILE = "tests/migrate/test_profiles_end_to_end.py"
PIPELINE_PROFILES = ("undocumented-500-then-404", "undocumented-403", "docs-only")


def group_of(nodeid: str) -> str | None:
    """The group of the test ``nodeid`` (as xdist's controller sees it), or None."""
    path = nodeid.split("::", 1)[0]
    if path == PIPELINE_FILE:
        params = nodeid.partition("[")[2]
        return next((f"e2e-{p}" for p in PIPELINE_PROFILES if params.startswith(p)), None)
    for prefix, group in SHARED_FILES.items():
        if path == prefix or (prefix.endswith("/") and path.startswith(prefix)):
            return group
    return None


def make_scheduler(config: Any, log: Any) -> Any:
    """xdist's LoadGroupScheduling with :func:`group_of` as the grouping."""
    from xdist.scheduler import LoadGroupScheduling

    class SharedFixtureScheduling(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return group_of(nodeid) or nodeid

    return SharedFixtureScheduling(config, log)
