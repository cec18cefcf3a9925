"""Whether there are Bizstim users to match to a destination's users at all, and how to
name those users.

Every destination maps a record's Bizstim owner to one of its own users by e-mail (Twenty's
workspace members, Salesforce Users, Pipedrive users ...), and every one of them must first
know whether the Bizstim account served its users: ``GET /api/users`` is not documented
(bizstim-api.md; issue 11), so a real account may refuse it, and then there is nothing to match
and no request to the destination is made.

Each destination names its own users in messages (``Destination.user_noun``): an unmatched
Bizstim user lacks a Twenty *workspace member* but a Salesforce *active User* (an inactive
User with the e-mail does not count there), and an operator told the wrong word looks in the
wrong place.
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


def without_user(count: int, noun: str) -> str:
    """The unmatched count in the destination's word for its users ("3 Bizstim user(s)
    without an active User")."""
    article = "an" if noun[:1].lower() in "aeiou" else "a"
    return f"{count} Bizstim user(s) without {article} {noun}"
