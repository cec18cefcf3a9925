"""Open Twenty as a destination (client, workspace, catalog, ledger) and match its owners.

``open_session`` checks the address, reads the field catalog from the build and introspects
the workspace, so that a wrong URL or key fails in one line before any Bizstim or ledger work.
Owners are matched by e-mail against workspace members, which cannot be created through the
API: an unmatched Bizstim user needs an invitation in Twenty first.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from common.addresses import check_reachable, twenty_wrong_address
from common.settings import TwentySettings
from load.core.destination import OwnerMatch
from load.core.ledger import SCHEMA, Ledger
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


def users_not_served(session: Session) -> str | None:
    """Why owner matching is skipped: the account refused ``GET /api/users`` (an endpoint
    bizstim-api.md does not document, so a real account may not serve it; issue 11)."""
    try:
        rows = session.ledger.query(
            "select unavailable_reason from migration.migration__source_endpoints "
            "where endpoint = 'users' and not is_available"
        )
    except duckdb.CatalogException:  # a build before the endpoint check existed
        return None
    if not rows:
        return None
    return (
        "owner matching skipped: this account does not serve Bizstim users "
        f"(GET /api/users: {rows[0]['unavailable_reason']}); migrated records keep no owner"
    )


def match_owners(session: Session, run_id: str | None = None) -> OwnerMatch:
    """Bizstim users (``migration.migration__owner_lookup``) ↔ Twenty workspace members, by
    e-mail (case-insensitive). Members cannot be created through the API, so an unmatched user
    needs an invitation in Twenty first; the result is kept in ``migration.owner_matches``.
    Without Bizstim users there is nothing to match and no request is made."""
    skipped = users_not_served(session)
    if skipped:
        return OwnerMatch([], [], skipped)
    members = session.client.list_all("workspaceMembers")
    by_email = {str(m.get("userEmail") or "").strip().lower(): m for m in members}
    owners = session.ledger.query("select * from migration.migration__owner_lookup")
    matched, unmatched = [], []
    for owner in owners:
        member = by_email.get(str(owner.get("email") or "").strip().lower())
        row = {
            "external_id": owner["external_id"],
            "email": owner.get("email"),
            "name": f"{owner.get('first_name') or ''} {owner.get('last_name') or ''}".strip(),
            "role": owner.get("role"),
            "workspace_member_id": member["id"] if member else None,
        }
        (matched if member else unmatched).append(row)
    if run_id is not None:
        with session.ledger.connect() as con:
            con.execute(
                f"create table if not exists {SCHEMA}.owner_matches (run_id varchar, "
                "external_id varchar, email varchar, name varchar, role varchar, "
                "workspace_member_id varchar)"
            )
            con.execute(
                f"comment on table {SCHEMA}.owner_matches is 'Bizstim users matched to Twenty "
                "workspace members by e-mail, per load run; workspace_member_id null = not "
                "matched (invite them in Twenty).'"
            )
            for row in matched + unmatched:
                con.execute(
                    f"insert into {SCHEMA}.owner_matches values (?, ?, ?, ?, ?, ?)",
                    [
                        run_id,
                        row["external_id"],
                        row["email"],
                        row["name"],
                        row["role"],
                        row["workspace_member_id"],
                    ],
                )
    return OwnerMatch(matched, unmatched)
