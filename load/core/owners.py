"""Whether there are Bizstim users to match to a destination's users at all.

Every destination maps a record's Bizstim owner to one of its own users by e-mail (Twenty's
workspace members, Salesforce Users, Pipedrive users ...), and every one of them must first
know whether the Bizstim account served its users: ``GET /api/users`` is not documented
(bizstim-api.md; issue 11), so a real account may refuse it, and then there is nothing to match
and no request to the destination is made.
"""

from __future__ import annotations

import duckdb

from load.core.ledger import Ledger


def users_not_served(ledger: Ledger) -> str | None:
    """Why owner matching is skipped: the account refused ``GET /api/users``."""
    try:
        rows = ledger.query(
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
