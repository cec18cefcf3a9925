"""The destinations ``--to`` names, and the one place that knows how each is opened.

Five CRMs, one pipeline: ``twenty``, ``salesforce`` (issue 14), ``pipedrive`` (issue 15),
``freshsales`` (issue 16) and ``monday`` (issue 17), each with one adapter under
``load/<name>/``, one mart folder under ``models/marts/<name>/`` and one stand-in under
``sandbox/<name>/``. A destination named here but not built (``Known.issue`` set) is a one-line
error with its own exit code (13), before anything is read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from load.core.cost import CostPlan
from load.core.destination import Destination, NotBuilt
from load.core.loader import ObjectResult
from load.core.specs import LoadSpec


@dataclass(frozen=True)
class Known:
    name: str
    display_name: str
    issue: int | None  # the issue that builds it; None: built
    env_prefix: str  # TWENTY_API_URL / TWENTY_API_KEY, SALESFORCE_..., ...


KNOWN: dict[str, Known] = {
    k.name: k
    for k in (
        Known("twenty", "Twenty", None, "TWENTY"),
        Known("salesforce", "Salesforce", None, "SALESFORCE"),
        Known("pipedrive", "Pipedrive", None, "PIPEDRIVE"),
        Known("freshsales", "Freshsales", None, "FRESHSALES"),
        Known("monday", "monday CRM", None, "MONDAY"),
    )
}
NAMES = tuple(KNOWN)


def require_built(name: str) -> Known:
    """The destination, or :class:`NotBuilt` with the line the CLI prints."""
    known = KNOWN.get(name)
    if known is None:
        raise NotBuilt(f"--to {name}: unknown destination; choose one of {', '.join(NAMES)}")
    if known.issue is not None:
        raise NotBuilt(
            f"--to {name}: the {known.display_name} adapter is not built in this version yet "
            f"(issue {known.issue}); built: "
            + ", ".join(k.name for k in KNOWN.values() if k.issue is None)
        )
    return known


def load_order(name: str) -> tuple[LoadSpec, ...]:
    """The destination's loader specs, in the order it writes them (parents first)."""
    require_built(name)
    if name == "salesforce":
        from load.salesforce.specs import LOAD_ORDER as SALESFORCE_ORDER

        return SALESFORCE_ORDER
    if name == "pipedrive":
        from load.pipedrive.specs import LOAD_ORDER as PIPEDRIVE_ORDER

        return PIPEDRIVE_ORDER
    if name == "freshsales":
        from load.freshsales.specs import LOAD_ORDER as FRESHSALES_ORDER

        return FRESHSALES_ORDER
    if name == "monday":
        from load.monday.specs import LOAD_ORDER as MONDAY_ORDER

        return MONDAY_ORDER
    from load.twenty.specs import LOAD_ORDER

    return LOAD_ORDER


def marts_of(name: str) -> tuple[str, ...]:
    """The relations the destination's loader reads (the build gate checks them)."""
    return tuple(spec.relation for spec in load_order(name))


def settings_for(name: str, url: str | None) -> Any:
    """The destination's settings from the environment (or ``url``); ConfigError if missing."""
    require_built(name)
    if name == "salesforce":
        from common.settings import salesforce_settings

        return salesforce_settings(url)
    if name == "pipedrive":
        from common.settings import pipedrive_settings

        return pipedrive_settings(url)
    if name == "freshsales":
        from common.settings import freshsales_settings

        return freshsales_settings(url)
    if name == "monday":
        from common.settings import monday_settings

        return monday_settings(url)
    from common.settings import twenty_settings

    return twenty_settings(url)


def open_destination(
    name: str, settings: Any, duckdb_path: Path, rate_limit: int, rate_window: float
) -> Destination:
    """The destination, introspected (a wrong address or key fails here, in one line)."""
    require_built(name)
    if name == "salesforce":
        from load.salesforce.session import open_salesforce

        return open_salesforce(settings, duckdb_path, rate_limit, rate_window)
    if name == "pipedrive":
        # paced by the account's plan (load.pipedrive.budget), not by --rate-limit/--rate-window
        from load.pipedrive.session import open_pipedrive

        return open_pipedrive(settings, duckdb_path)
    if name == "freshsales":
        # paced by the account's hour (load.freshsales.budget), not by --rate-limit/--rate-window
        from load.freshsales.session import open_freshsales

        return open_freshsales(settings, duckdb_path)
    if name == "monday":
        # paced by the account's day and complexity minute (load.monday.budget)
        from load.monday.session import open_monday

        return open_monday(settings, duckdb_path)
    from load.twenty.session import open_session

    return open_session(settings, duckdb_path, rate_limit, rate_window)


def preflight(name: str, settings: Any, rate_limit: int, rate_window: float) -> None:
    """The destination answers and takes the credentials, before any Bizstim budget is spent
    (Twenty: one GET of its metadata; Salesforce: the OAuth login, no API request counted;
    Pipedrive: ``GET /v1/users/me``, 2 tokens; Freshsales: ``GET /api/selector/owners``;
    monday: one ``me`` query and the account's day)."""
    require_built(name)
    from common.addresses import check_reachable

    if name == "salesforce":
        from load.salesforce.session import login

        check_reachable("SALESFORCE_INSTANCE_URL", settings.instance_url)
        login(settings, rate_limit, rate_window).close()
        return
    if name == "pipedrive":
        from load.pipedrive.session import connect

        connect(settings).close()
        return
    if name == "freshsales":
        from load.freshsales.session import connect as connect_freshsales

        connect_freshsales(settings)[0].close()
        return
    if name == "monday":
        from load.monday.session import connect as connect_monday

        connect_monday(settings).close()
        return
    from load.twenty.client import TwentyClient
    from load.twenty.session import introspect_twenty

    check_reachable("TWENTY_API_URL", settings.api_url)
    with TwentyClient(settings.api_url, settings.api_key, rate_limit, rate_window) as client:
        introspect_twenty(client, settings.api_url)


def destination_url(name: str, settings: Any) -> str:
    """The address a destination's settings name (what phase inputs and reports record)."""
    return str(settings.instance_url if name == "salesforce" else settings.api_url)


def scope_cost(
    name: str, inventory: dict[str, int], duckdb_path: Path | None, daily_requests: int | None
) -> CostPlan | None:
    """What loading the account into ``name`` costs in its budget (None: the destination has
    no cost model yet). Exact from the built marts, else estimated from ``bizmig scope``'s
    inventory (records per Bizstim endpoint); the destination's own allowance when its
    settings are configured and it answers, else ``daily_requests`` or an assumed one."""
    require_built(name)
    if name == "pipedrive":
        from load.pipedrive.cost import scope_plan as pipedrive_scope_plan

        return pipedrive_scope_plan(inventory, duckdb_path, daily_requests)
    if name == "freshsales":
        # the hour comes from FRESHSALES_PLAN / FRESHSALES_HOURLY_REQUESTS, not a daily figure
        from load.freshsales.cost import scope_plan as freshsales_scope_plan

        return freshsales_scope_plan(inventory, duckdb_path)
    if name == "monday":
        # calls a day by MONDAY_PLAN, the ingest hour and the complexity minute (load.monday.budget)
        from load.monday.cost import scope_plan as monday_scope_plan

        return monday_scope_plan(inventory, duckdb_path)
    if name != "salesforce":
        return None
    from common.settings import ConfigError, salesforce_settings
    from load.salesforce.cost import scope_plan

    try:
        settings = salesforce_settings()
    except ConfigError:
        settings = None
    return scope_plan(inventory, duckdb_path, settings, daily_requests)


def dry_run_cost(destination: Destination, results: Sequence[ObjectResult]) -> CostPlan | None:
    """What the load a dry run planned will cost, against the destination's allowance now."""
    if destination.name == "pipedrive":
        from load.pipedrive.cost import dry_run_plan as pipedrive_dry_run_plan

        return pipedrive_dry_run_plan(destination, results)
    if destination.name == "freshsales":
        from load.freshsales.cost import dry_run_plan as freshsales_dry_run_plan

        return freshsales_dry_run_plan(destination, results)
    if destination.name == "monday":
        from load.monday.cost import dry_run_plan as monday_dry_run_plan

        return monday_dry_run_plan(destination, results)
    if destination.name != "salesforce":
        return None
    from load.salesforce.cost import dry_run_plan

    return dry_run_plan(destination, results)
