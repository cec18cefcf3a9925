"""Open Pipedrive as a destination: the staging file, the address, the token, the adapter.

A wrong address or a refused token must fail in one line before any Bizstim budget or ledger
work is spent, as for the other destinations: the host is reached by TCP first (no request, so
no token is spent), then ``GET /v1/users/me`` (2 tokens, the cheapest authenticated call)
proves the token and that the URL is a Pipedrive API; a 401 names the setting to fix.
"""

from __future__ import annotations

from pathlib import Path

from common.addresses import WrongAddress, check_reachable
from common.settings import PipedriveSettings
from load.core.ledger import Ledger
from load.pipedrive.adapter import PipedriveDestination
from load.pipedrive.budget import token_allowance
from load.pipedrive.client import PipedriveClient, PipedriveError


def connect(settings: PipedriveSettings) -> PipedriveClient:
    """A client whose token the account accepted, or a one-line :class:`WrongAddress`."""
    check_reachable("PIPEDRIVE_API_URL", settings.api_url)
    client = PipedriveClient(settings.api_url, settings.api_token, token_allowance())
    try:
        client.data("GET", "/v1/users/me")
    except PipedriveError as exc:
        client.close()
        if exc.status in (401, 403):
            raise WrongAddress(
                f"Pipedrive refused PIPEDRIVE_API_TOKEN at {settings.api_url} "
                f"({'; '.join(exc.messages)}): copy the token from Settings → Personal "
                "preferences → API of an admin user"
            ) from exc
        raise WrongAddress(
            f"PIPEDRIVE_API_URL={settings.api_url} does not answer as Pipedrive: GET "
            f"/v1/users/me -> {exc.status} ({'; '.join(exc.messages)})"
        ) from exc
    except BaseException:
        client.close()
        raise
    return client


def open_pipedrive(settings: PipedriveSettings, duckdb_path: Path) -> PipedriveDestination:
    if not duckdb_path.exists():
        raise FileNotFoundError(
            f"{duckdb_path} does not exist: run `bizmig extract` and `dbt build`"
        )
    client = connect(settings)
    try:
        return PipedriveDestination(client, Ledger(duckdb_path, destination="pipedrive"), settings)
    except BaseException:
        client.close()
        raise
