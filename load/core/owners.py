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

from collections.abc import Callable, Mapping
from typing import Any

import duckdb

from load.core.destination import OwnerMatch
from load.core.ledger import SCHEMA, Ledger


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


def match_by_email(
    ledger: Ledger,
    run_id: str | None,
    user_ids: Mapping[str, str],
    why_unmatched: Callable[[str], str | None] = lambda _email: None,
) -> OwnerMatch:
    """Bizstim users (``migration.migration__owner_lookup``) ↔ the destination's users, by
    e-mail, case-insensitive; ``user_ids``: lower-cased e-mail → the destination's user id (only
    users that may own records); ``why_unmatched``: a note for an unmatched e-mail ("their
    Salesforce User is inactive"). Every run's result is kept in ``migration.owner_matches``."""
    matched: list[dict[str, Any]] = []
    unmatched: list[dict[str, Any]] = []
    for owner in ledger.query("select * from migration.migration__owner_lookup"):
        email = str(owner.get("email") or "").strip().lower()
        user_id = user_ids.get(email) if email else None
        name = f"{owner.get('first_name') or ''} {owner.get('last_name') or ''}".strip()
        note = None if user_id else why_unmatched(email)
        row = {
            "external_id": owner["external_id"],
            "email": owner.get("email"),
            "name": f"{name} ({note})".strip() if note else name,
            "role": owner.get("role"),
            "destination_user_id": user_id,
        }
        (matched if user_id else unmatched).append(row)
    if run_id is not None:
        keep_matches(ledger, run_id, matched + unmatched)
    return OwnerMatch(matched, unmatched)


def keep_matches(ledger: Ledger, run_id: str, rows: list[dict]) -> None:
    """Append a run's matches to ``migration.owner_matches`` (one table for every destination;
    a file from before it had a ``destination`` column is migrated in place, each old row
    taking its run's destination from ``load_runs``)."""
    with ledger.connect() as con:
        con.execute(
            f"create table if not exists {SCHEMA}.owner_matches (run_id varchar, "
            "external_id varchar, email varchar, name varchar, role varchar, "
            "destination_user_id varchar, destination varchar)"
        )
        columns = {
            row[0]
            for row in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = ? and table_name = 'owner_matches'",
                [SCHEMA],
            ).fetchall()
        }
        if "workspace_member_id" in columns:
            con.execute(
                f"alter table {SCHEMA}.owner_matches "
                "rename column workspace_member_id to destination_user_id"
            )
        if "destination" not in columns:
            con.execute(f"alter table {SCHEMA}.owner_matches add column destination varchar")
            con.execute(
                f"update {SCHEMA}.owner_matches m set destination = coalesce(("
                f"select r.destination from {SCHEMA}.load_runs r where r.run_id = m.run_id), "
                "'twenty')"
            )
        con.execute(
            f"comment on table {SCHEMA}.owner_matches is 'Bizstim users matched by e-mail to "
            "the destination''s users (Twenty workspace members, Salesforce active Users, ...), "
            "per load run; destination_user_id null = not matched (give them a user there).'"
        )
        con.executemany(
            f"insert into {SCHEMA}.owner_matches (run_id, external_id, email, name, role, "
            "destination_user_id, destination) values (?, ?, ?, ?, ?, ?, ?)",
            [
                [
                    run_id,
                    r["external_id"],
                    r["email"],
                    r["name"],
                    r["role"],
                    r["destination_user_id"],
                    ledger.destination,
                ]
                for r in rows
            ],
        )
