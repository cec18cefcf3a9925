"""Fixtures: the Freshsales stand-in in process (module scope: one per test module) for the
rules about bodies and state; only test_fs_http.py starts it as a real subprocess."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.sandbox_freshsales.fs_helpers import InProcess


@pytest.fixture(scope="module")
def fs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcess]:
    app = InProcess(tmp_path_factory.mktemp("freshsales"))
    app.admin_field("contacts", "cf_bizstim_id", unique=True)
    app.admin_field("sales_accounts", "cf_bizstim_id", unique=True)
    app.admin_field("deals", "cf_bizstim_id", unique=True)
    app.admin_field("contacts", "cf_status", "dropdown", choices=["Active", "Paused"])
    app.admin_field("contacts", "cf_limit", "number")
    app.admin_field("contacts", "cf_plain", "text")
    yield app
    app.close()
