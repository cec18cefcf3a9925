"""Bizstim users ↔ Salesforce Users, matched by e-mail, for the records' ``OwnerId``.

The migration never creates Users: a User takes a licence, has a Username unique across every
Salesforce org and cannot be deleted, only deactivated (destinations.md §1.2), so a rollback
could not undo one. ``OwnerId`` must name an *active* User (``INACTIVE_OWNER_OR_USER``
otherwise, pitfall 6), so a Bizstim user is matched by e-mail (case-insensitive) to an active
User with one SOQL query; an inactive match counts as unmatched and says so. Unmatched users
are listed and the load refuses to start until they are given Users or
``--allow-unmatched-owners`` is passed; their records then keep Salesforce's default owner
(the integration user). The matches of every run are kept in ``migration.owner_matches``,
the table every destination writes (:func:`load.core.owners.match_by_email`).
"""

from __future__ import annotations

from load.core.destination import OwnerMatch
from load.core.ledger import Ledger
from load.core.owners import match_by_email, users_not_served
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
    return match_by_email(
        ledger,
        run_id,
        active,
        lambda email: "their Salesforce User is inactive" if email in inactive else None,
    )
