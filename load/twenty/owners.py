"""Bizstim users ↔ Twenty workspace members, matched by e-mail, for the records' owner.

Workspace members cannot be created through Twenty's API (an invitation is accepted in the
UI), so an unmatched Bizstim user is listed and the load refuses to start until they are
invited or ``--allow-unmatched-owners`` is given; their records then load without owner.
When the account does not serve ``GET /api/users`` (not documented; issue 11) there is
nothing to match and no request is made.
"""

from __future__ import annotations

from load.core.destination import OwnerMatch
from load.core.ledger import SCHEMA, Ledger
from load.core.owners import users_not_served
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
    by_email = {str(m.get("userEmail") or "").strip().lower(): m for m in members}
    owners = ledger.query("select * from migration.migration__owner_lookup")
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
        with ledger.connect() as con:
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
