"""Fixtures: the Pipedrive stand-in in process (module scope: one per test module) for the
rules about bodies and state, and as a real subprocess (`python -m bizmig.cli sandbox
pipedrive`) only in the module about HTTP (auth, prefixes, accounts)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.sandbox_pipedrive.pd_helpers import InProcess  # noqa: E402


@pytest.fixture(scope="module")
def pd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcess]:
    app = InProcess(tmp_path_factory.mktemp("pipedrive"))
    yield app
    app.close()
