"""Open monday as a destination: the staging file, the endpoint, the token, the day, the adapter.

A wrong endpoint or a refused token must fail in one line before any Bizstim budget or ledger
work is spent: the host is reached by TCP first, then one ``me`` query (10 points, one of the
day's calls) proves the token (401 without a valid one) and that the URL speaks monday's
GraphQL. The same session reads the account's day where monday serves it (``platform_api {
daily_limit daily_analytics }``): what other integrations used today counts against this load's
share, and an account with a daily-limit add-on has a larger day than its plan's; where the
field is refused the plan's figures stand (:mod:`load.monday.budget`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from common.addresses import WrongAddress, check_reachable
from common.settings import MondaySettings
from load.core.ledger import Ledger
from load.monday import documents
from load.monday.adapter import MondayDestination
from load.monday.budget import Allowance
from load.monday.client import MondayClient, MondayError


def _day(client: MondayClient) -> tuple[int | None, int]:
    """The account's daily limit and today's usage (None, 0 where monday does not say)."""
    try:
        data: dict[str, Any] = client.query(documents.DAILY_USAGE)
    except MondayError:
        return None, 0
    platform = data.get("platform_api") or {}
    total = (platform.get("daily_limit") or {}).get("total")
    today = dt.datetime.now(dt.UTC).date().isoformat()
    days = (platform.get("daily_analytics") or {}).get("by_day") or []
    used = next((int(d["usage"]) for d in days if str(d.get("day", ""))[:10] == today), 0)
    return (int(total) if total else None), used


def connect(settings: MondaySettings) -> MondayClient:
    """A client whose token monday accepted, its day as the account reports it; or one line."""
    check_reachable("MONDAY_API_URL", settings.api_url)
    client = MondayClient(settings.api_url, settings.api_token, settings.api_version)
    try:
        me = client.query(documents.ME).get("me")
        if not isinstance(me, dict) or not me.get("id"):
            raise WrongAddress(f"MONDAY_API_URL={settings.api_url} does not answer me {{ id }}")
        total, used = _day(client)
    except MondayError as exc:
        client.close()
        if exc.status in (401, 403):
            raise WrongAddress(
                f"monday refused MONDAY_API_TOKEN at {settings.api_url} ({exc}): copy a "
                "personal API token from Developers → My access tokens"
            ) from exc
        raise WrongAddress(f"MONDAY_API_URL={settings.api_url}: {exc}") from exc
    except BaseException:
        client.close()
        raise
    limits = client.allowance
    if total is not None and total != limits.daily and limits.source != "configured":
        limits = Allowance(
            total,
            limits.share,
            limits.per_minute,
            limits.items_per_hour,
            limits.max_wait,
            "the account (platform_api)",
        )
    client.allowance = limits
    client.daily.allowance = limits
    client.daily.used_before = max(0, used - client.daily.calls)
    return client


def open_monday(settings: MondaySettings, duckdb_path: Path) -> MondayDestination:
    if not duckdb_path.exists():
        raise FileNotFoundError(
            f"{duckdb_path} does not exist: run `bizmig extract` and `dbt build`"
        )
    client = connect(settings)
    try:
        return MondayDestination(client, Ledger(duckdb_path, destination="monday"), settings)
    except BaseException:
        client.close()
        raise
