"""Open Freshsales as a destination: the staging file, the address, the key, the adapter.

A wrong address or a refused key must fail in one line before any Bizstim budget or ledger work
is spent, as for the other destinations: the host is reached by TCP first (no request, so the
account's hour is not touched), then ``GET /api/selector/owners`` proves the key (401 without a
valid one, 403 for a key whose user lacks the permission, destinations-2.md §3.4) and that the
URL is a Freshsales API. Its answer is the owner list the load matches Bizstim users against, so
the check costs the account no request the load would not make anyway.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from common.addresses import WrongAddress, check_reachable
from common.settings import FreshsalesSettings
from load.core.ledger import Ledger
from load.freshsales.adapter import OWNERS_PATH, FreshsalesDestination
from load.freshsales.client import FreshsalesClient, FreshsalesError


def connect(settings: FreshsalesSettings) -> tuple[FreshsalesClient, list[dict[str, Any]]]:
    """A client whose key the account accepted, and the account's owners; or one line."""
    check_reachable("FRESHSALES_API_URL", settings.api_url)
    client = FreshsalesClient(settings.api_url, settings.api_key)
    try:
        answer = client.get(OWNERS_PATH)
        if not isinstance(answer, dict) or not isinstance(answer.get("users"), list):
            raise WrongAddress(
                f"FRESHSALES_API_URL={settings.api_url} does not answer as Freshsales: GET "
                f"{OWNERS_PATH} has no users list"
            )
    except FreshsalesError as exc:
        client.close()
        if exc.status in (401, 403):
            raise WrongAddress(
                f"Freshsales refused FRESHSALES_API_KEY at {settings.api_url} "
                f"({'; '.join(exc.messages)}): copy the key from Profile settings → API "
                "settings of a user allowed to read users and write every module"
            ) from exc
        raise WrongAddress(
            f"FRESHSALES_API_URL={settings.api_url} does not answer as Freshsales: GET "
            f"{OWNERS_PATH} -> {exc.status} ({'; '.join(exc.messages)})"
        ) from exc
    except BaseException:
        client.close()
        raise
    return client, list(answer["users"])


def open_freshsales(settings: FreshsalesSettings, duckdb_path: Path) -> FreshsalesDestination:
    if not duckdb_path.exists():
        raise FileNotFoundError(
            f"{duckdb_path} does not exist: run `bizmig extract` and `dbt build`"
        )
    client, owners = connect(settings)
    try:
        ledger = Ledger(duckdb_path, destination="freshsales")
        return FreshsalesDestination(client, ledger, settings, owners)
    except BaseException:
        client.close()
        raise
