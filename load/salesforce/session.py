"""Open Salesforce as a destination: the staging file, the address, the login, the adapter.

A wrong address or a refused client id / secret must fail in one line before any Bizstim
budget or ledger work is spent, as Twenty's does: the file is checked, the host is reached
by TCP (no request, so no API request is counted against the org), then the OAuth
client-credentials login proves the credentials and names the integration user.
"""

from __future__ import annotations

from pathlib import Path

from common.addresses import WrongAddress, check_reachable
from common.settings import SalesforceSettings
from load.core.ledger import Ledger
from load.salesforce.adapter import SalesforceDestination
from load.salesforce.client import LoginRefused, SalesforceClient


def login(
    settings: SalesforceSettings, rate_limit: int = 100, rate_window: float = 60.0
) -> SalesforceClient:
    """A logged-in client, or a one-line :class:`WrongAddress` when the org refuses the
    client credentials."""
    client = SalesforceClient(
        settings.instance_url,
        settings.client_id,
        settings.client_secret,
        rate_limit,
        rate_window,
        settings.limit_share,
    )
    try:
        client.login()
    except LoginRefused as exc:
        client.close()
        raise WrongAddress(
            f"Salesforce refused the client credentials at {settings.instance_url} "
            f"({'; '.join(exc.messages)}): check SALESFORCE_CLIENT_ID / SALESFORCE_CLIENT_SECRET "
            "and that the External Client App allows the client-credentials flow with a run-as "
            "user"
        ) from exc
    except BaseException:
        client.close()
        raise
    return client


def open_salesforce(
    settings: SalesforceSettings,
    duckdb_path: Path,
    rate_limit: int = 100,
    rate_window: float = 60.0,
) -> SalesforceDestination:
    if not duckdb_path.exists():
        raise FileNotFoundError(
            f"{duckdb_path} does not exist: run `bizmig extract` and `dbt build`"
        )
    check_reachable("SALESFORCE_INSTANCE_URL", settings.instance_url)
    client = login(settings, rate_limit, rate_window)
    try:
        ledger = Ledger(duckdb_path, destination="salesforce")
        return SalesforceDestination(client, ledger, settings)
    except BaseException:
        client.close()
        raise
