"""Bizstim users ↔ Twenty workspace members, matched by e-mail, for the records' owner.

Workspace members cannot be created through Twenty's API (an invitation is accepted in the
UI), so an unmatched Bizstim user is listed and the load refuses to start until they are
invited or ``--allow-unmatched-owners`` is given; their records then load without owner.
When the account does not serve ``GET /api/users`` (not documented; issue 11) there is
nothing to match and no request is made.
"""

from __future__ import annotations

from load.core.destination import OwnerMatch
from load.core.ledger import Ledger
from load.core.owners import match_by_email, users_not_served
from load.twenty.client import TwentyClient


def match_owners(client: TwentyClient, ledger: Ledger, run_id: str | None = None) -> OwnerMatch:
    """Bizstim users (``migration.migration__owner_lookup``) ↔ Twenty workspace members, by
    e-mail (case-insensitive). Members cannot be created through the API, so an unmatched user
    needs an invitation in Twenty first; the result is kept in ``migration.owner_matches``.
    Without Bizstim users there is nothing to match and no request is made."""
    skipped = users_not_served(ledger)
    if skipped:
        return OwnerMatch([], [], skipped)
    members = client.list_all("workspaceMembers")
    user_ids = {
        str(m.get("userEmail") or "").strip().lower(): str(m["id"]) for m in members
    }
    return match_by_email(ledger, run_id, user_ids)
