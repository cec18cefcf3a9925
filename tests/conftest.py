"""Suite-wide switch: the crash, fault, bad-input and scale suites run at a CI size by default.

``scripts/test --full-size`` (or ``BIZMIG_FULL_SIZE=1``) runs them at the size the issue that
asked for them names (e.g. 20 kill points over a larger account, 2 000 000 source records);
CI runs the default so the whole suite stays inside its 90-minute budget.
"""

from __future__ import annotations

import os

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--full-size",
        action="store_true",
        default=False,
        help="Run the crash/fault/bad-input/scale suites at full size (slow).",
    )


@pytest.fixture(scope="session")
def full_size(request: pytest.FixtureRequest) -> bool:
    """True when the suites should run at full size instead of the CI default."""
    return bool(request.config.getoption("--full-size")) or os.environ.get(
        "BIZMIG_FULL_SIZE", ""
    ) in ("1", "true", "yes")
