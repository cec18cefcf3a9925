"""Fixtures: the Salesforce stand-in as a real subprocess (`python -m bizmig.cli sandbox
salesforce`), one for the session, logged in, with the External ID fields most tests use."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sandbox.servers import RunningServer, start_server  # noqa: E402
from tests.sandbox_salesforce.sf_helpers import (  # noqa: E402
    grant,
    login,
    permission_set,
    server_args,
    text_field,
)

# Text(80) External ID + Unique, granted read/edit: the key the loader upserts on.
KEYED = ("Account", "Contact", "Lead", "Product2")


@pytest.fixture(scope="session")
def salesforce(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The shared org: audit-field permission on, no hard delete, default allocations."""
    db = tmp_path_factory.mktemp("salesforce") / "org.sqlite"
    server = start_server("salesforce", server_args(str(db), "--set-audit-fields"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def api(salesforce: RunningServer) -> Iterator[httpx.Client]:
    """Logged-in client; Bizstim_Id__c exists (and is granted) on every KEYED object, and
    Account.Legacy_Key__c is an External ID that is *not* unique."""
    with login(salesforce) as client:
        ps = permission_set(client)
        for sobject in KEYED:
            text_field(client, sobject, "Bizstim_Id__c", external_id=True, unique_values=True)
            grant(client, ps, sobject, "Bizstim_Id__c")
        text_field(client, "Account", "Legacy_Key__c", external_id=True)
        grant(client, ps, "Account", "Legacy_Key__c")
        client.permission_set = ps  # type: ignore[attr-defined]
        yield client
