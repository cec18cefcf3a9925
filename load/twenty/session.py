"""Open Twenty as a destination (client, workspace, catalog, ledger) and match its owners.

``open_session`` checks the address, reads the field catalog from the build and introspects
the workspace, so that a wrong URL or key fails in one line before any Bizstim or ledger work.
Owners are matched by e-mail against workspace members, which cannot be created through the
API: an unmatched Bizstim user needs an invitation in Twenty first.
"""

from __future__ import annotations

from pathlib import Path

from common.addresses import check_reachable, twenty_wrong_address
from common.settings import TwentySettings
from load.core.ledger import Ledger
from load.twenty.adapter import TwentyDestination
from load.twenty.catalog import read_catalog
from load.twenty.client import TwentyClient, TwentyError
from load.twenty.workspace import Workspace, introspect

Session = TwentyDestination  # what the Twenty-specific callers (migrate, benchmarks) hold


def open_session(
    settings: TwentySettings, duckdb_path: Path, rate_limit: int = 100, rate_window: float = 60
) -> Session:
    if not duckdb_path.exists():
        raise FileNotFoundError(
            f"{duckdb_path} does not exist: run `bizmig extract` and `dbt build`"
        )
    check_reachable("TWENTY_API_URL", settings.api_url)
    ledger = Ledger(duckdb_path)
    with ledger.connect() as con:
        catalog = read_catalog(con)
    client = TwentyClient(settings.api_url, settings.api_key, rate_limit, rate_window)
    try:
        workspace = introspect_twenty(client, settings.api_url)
    except BaseException:
        client.close()
        raise
    return TwentyDestination(client, workspace, catalog, ledger, settings)


def introspect_twenty(client: TwentyClient, url: str) -> Workspace:
    """The workspace, or a one-line :class:`~common.addresses.WrongAddress` when what answers
    the first request is not Twenty (an HTML page, another API's error, non-JSON)."""
    try:
        return introspect(client)
    except TwentyError as exc:
        if exc.shaped:
            raise
        raise twenty_wrong_address(url, f"{exc.request_line} answered {exc.answer}") from exc
    except ValueError as exc:  # a 200 that is not JSON, or JSON without Twenty's envelope
        raise twenty_wrong_address(
            url, f"GET /rest/metadata/objects did not answer Twenty's metadata ({exc})"
        ) from exc
