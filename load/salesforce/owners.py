"""Bizstim users ↔ Salesforce Users, matched by e-mail, for the records' ``OwnerId``.

The migration never creates Users: a User takes a licence, has a Username unique across every
Salesforce org and cannot be deleted, only deactivated (destinations.md §1.2), so a rollback
could not undo one. ``OwnerId`` must name an *active* User (``INACTIVE_OWNER_OR_USER``
otherwise, pitfall 6), so a Bizstim user is matched by e-mail (case-insensitive) to an active
User with one SOQL query; an inactive match counts as unmatched and says so. Unmatched users
are listed and the load refuses to start until they are given Users or
``--allow-unmatched-owners`` is passed; their records then keep Salesforce's default owner
(the integration user). The matches of every run are kept in ``migration.owner_matches``,
the table the Twenty loader writes (``workspace_member_id`` holds the User's id).
"""

from __future__ import annotations

from load.core.destination import OwnerMatch
from load.core.ledger import SCHEMA, Ledger
from load.core.owners import users_not_served
from load.salesforce.client import SalesforceClient

USERS_SOQL = "SELECT Id, Email, IsActive FROM User"


def match_owners(client: SalesforceClient, ledger: Ledger, run_id: str | None = None) -> OwnerMatch:
    skipped = users_not_served(ledger)
    if skipped:
        return OwnerMatch([], [], skipped)
    active: dict[str, str] = {}
    inactive: set[str] = set()
    for user in client.query(USERS_SOQL):
        email = str(user.get("Email") or "").strip().lower()
        if not email:
            continue
        if user.get("IsActive"):
            active.setdefault(email, str(user["Id"]))
        else:
            inactive.add(email)
    owners = ledger.query("select * from migration.migration__owner_lookup")
    matched, unmatched = [], []
    for owner in owners:
        email = str(owner.get("email") or "").strip().lower()
        user_id = active.get(email)
        row = {
            "external_id": owner["external_id"],
            "email": owner.get("email"),
            "name": f"{owner.get('first_name') or ''} {owner.get('last_name') or ''}".strip(),
            "role": owner.get("role"),
            "workspace_member_id": user_id,
        }
        if user_id is None and email in inactive:
            row["name"] = f"{row['name']} (their Salesforce User is inactive)".strip()
        (matched if user_id else unmatched).append(row)
    if run_id is not None:
        _keep(ledger, run_id, matched + unmatched)
    return OwnerMatch(matched, unmatched)


def _keep(ledger: Ledger, run_id: str, rows: list[dict]) -> None:
    with ledger.connect() as con:
        con.execute(
            f"create table if not exists {SCHEMA}.owner_matches (run_id varchar, "
            "external_id varchar, email varchar, name varchar, role varchar, "
            "workspace_member_id varchar)"
        )
        for row in rows:
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
