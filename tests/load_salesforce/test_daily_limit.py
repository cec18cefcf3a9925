"""The org's daily allocation: the client stops at its share of it by itself; an org that
refuses (403 ``REQUEST_LIMIT_EXCEEDED``, no ``Retry-After``) is a clean stop, never retried;
and a load the org stopped mid-way resumes exactly once the allocation's 24 hours passed.

One org with a small allocation (``--daily-api-limit``); each test moves the org's clock a day
on first, so the allocation is whole again.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from common.exits import ExitCode
from load.core.pacing import BudgetExhausted
from load.salesforce.client import DATA, LimitReached
from tests.load_salesforce.conftest import CLIENT, Org, assert_landed_once, start_org

LIMIT = 150


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Org]:
    running = start_org(
        tmp_path_factory.mktemp("limit-org"),
        "--daily-api-limit",
        str(LIMIT),
        "--p-slow",
        "1",
        "--slow-seconds",
        "0.01",
    )
    yield running
    running.server.stop()


@pytest.fixture
def fresh(org: Org) -> Org:
    org.hook("clock/advance?hours=25", method="POST")  # yesterday's requests leave the window
    return org


def test_the_client_stops_at_its_share_before_the_org_refuses(fresh: Org):
    client = fresh.client(limit_share=0.5)
    since = len(fresh.server.requests())
    with pytest.raises(LimitReached, match="stops at 50%"):
        for _ in range(LIMIT):
            client.data("GET", "/limits/")
    assert client.stats.daily_used == LIMIT // 2  # the request that reached the share was its last
    assert all(r["status"] != 403 for r in fresh.server.requests(since))
    assert isinstance(LimitReached("x"), BudgetExhausted)  # the core's clean stop (exit 14)


def test_request_limit_exceeded_is_a_clean_stop_and_never_retried(fresh: Org):
    client = fresh.client(limit_share=2.0)  # a share above the whole never stops early
    since = len(fresh.server.requests())
    with pytest.raises(LimitReached, match="REQUEST_LIMIT_EXCEEDED") as stopped:
        for _ in range(LIMIT + 5):
            client.data("GET", "/limits/")
    assert "resumes from its ledger" in str(stopped.value)
    refusals = [r for r in fresh.server.requests(since) if r["status"] == 403]
    assert len(refusals) == 1  # no Retry-After: waiting would not help, so nothing is retried


def _burn_until_refused(org: Org, started: threading.Event) -> None:
    """The org's other integrations: spend the allocation while the load runs."""
    started.wait(60)
    token = httpx.post(
        f"{org.url}/services/oauth2/token",
        data={
            "grant_type": "client_credentials",
            "client_id": CLIENT[0],
            "client_secret": CLIENT[1],
        },
    ).json()["access_token"]
    with httpx.Client(headers={"Authorization": f"Bearer {token}"}) as http:
        while http.get(f"{org.url}{DATA}/limits/").status_code != 403:
            pass


def test_a_load_the_org_stopped_resumes_exactly_after_the_window(
    fresh: Org, staging: Path, tmp_path: Path
):
    env = {
        **os.environ,
        "SALESFORCE_INSTANCE_URL": fresh.url,
        "SALESFORCE_CLIENT_ID": CLIENT[0],
        "SALESFORCE_CLIENT_SECRET": CLIENT[1],
        "SALESFORCE_LIMIT_SHARE": "1",
        "BIZMIG_DUCKDB": str(staging),
        "COLUMNS": "200",
    }
    command = [sys.executable, "-m", "bizmig.cli", "load", "--to", "salesforce", "--yes"]
    command += ["--allow-unmatched-owners", "--rate-limit", "100000", "--rate-window", "1"]
    since = len(fresh.server.requests())
    started = threading.Event()
    burner = threading.Thread(target=_burn_until_refused, args=(fresh, started), daemon=True)
    burner.start()
    process = subprocess.Popen(command, env=env, cwd=tmp_path, stderr=subprocess.PIPE, text=True)
    while not any(
        r["method"] == "POST" and "/composite/" in r["path"] for r in fresh.server.requests(since)
    ):
        time.sleep(0.01)  # the load's first record write: now the others spend the rest
    started.set()
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == ExitCode.DESTINATION_BUDGET_EXHAUSTED, stderr[-2000:]
    assert "resumes from its ledger" in stderr and "Traceback" not in stderr
    assert any(r["status"] == 403 for r in fresh.server.requests(since))

    fresh.hook("clock/advance?hours=25", method="POST")
    again = subprocess.run(
        command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert again.returncode == 0, again.stderr[-2000:]
    assert_landed_once(staging, fresh)
