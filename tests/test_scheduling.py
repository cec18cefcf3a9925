"""Every test that requests an expensive per-worker fixture is scheduled in that fixture's group.

tests/scheduling.py names the groups by file (xdist's controller sees node ids only); a new
test file using the warehouse or a package's migration outside those files would silently be
dealt to both workers again and build the fixture twice. tests/conftest.py compares, for every
collected test, the group its fixtures call for with the group its node id is scheduled in.
"""

from __future__ import annotations

import pytest

from tests.scheduling import UNGROUPED, group_of


def test_every_test_sharing_an_expensive_fixture_is_in_its_group(request: pytest.FixtureRequest):
    assert request.config.stash[UNGROUPED] == []


def test_groups_are_read_from_node_ids():
    pipeline = "tests/migrate/test_profiles_end_to_end.py::test_scope"
    assert group_of(f"{pipeline}[undocumented-403]") == "e2e-undocumented-403"
    assert group_of(f"{pipeline}[docs-only-steps]") == "e2e-docs-only"
    assert group_of("tests/hostile/test_corpus.py::test_class_outcome[zero_date]") == (
        "hostile-migrated"
    )
    assert group_of("tests/dbt/test_column_macro.py::test_x") is None
