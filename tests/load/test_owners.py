"""Owners (issue 12, part 5): a session's owner is its practitioner's Bizstim user's workspace
member, matched by e-mail; a practitioner whose user has no member leaves the session without
owner (never refused) and is listed as unmatched. The rule lives in twenty__sessions."""

from __future__ import annotations

import duckdb

from tests.load.conftest import load, start_twenty


def _owners_by_session(staging) -> tuple[dict[str, str | None], dict[str, str]]:
    with duckdb.connect(str(staging), read_only=True) as con:
        sessions = dict(
            con.execute(
                "select external_id, owner__user_external_id from marts.twenty__sessions"
            ).fetchall()
        )
        users = dict(
            con.execute(
                "select external_id, email from migration.migration__owner_lookup"
            ).fetchall()
        )
    return sessions, users


def test_sessions_get_the_matched_member_as_owner_and_unmatched_stay_empty(staging, tmp_path):
    sessions, users = _owners_by_session(staging)
    owning = sorted({u for u in sessions.values() if u is not None})
    assert len(owning) >= 2, "the sandbox account needs two practitioners with logins"
    invited, not_invited = owning[::2], owning[1::2]
    # invite with the e-mail upper-cased: Twenty members match case-insensitively
    members = tuple(f"{users[u].upper()}:Member {i}" for i, u in enumerate(invited))
    twenty = start_twenty(tmp_path, "--rate-limit", "0", members=members)
    try:
        result = load(staging, twenty)
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
        unmatched = {u["external_id"] for u in result.json()["unmatched_owners"]}
        assert set(not_invited) <= unmatched
        assert not set(invited) & unmatched
        member_ids = {
            m["userEmail"].lower(): m["id"] for m in twenty.all_records("workspaceMembers")
        }
        records = {r["bizstimId"]: r for r in twenty.all_records("tutoringSessions")}
    finally:
        twenty.server.stop()
    assert len(records) == len(sessions)
    owned = unowned = 0
    for external_id, user in sessions.items():
        expected = member_ids[users[user].lower()] if user in invited else None
        assert records[external_id]["ownerId"] == expected, external_id
        owned += expected is not None
        unowned += expected is None and user is not None
    assert owned > 0 and unowned > 0


def test_a_member_invited_after_the_first_load_gets_the_sessions_on_the_next(staging, tmp_path):
    sessions, users = _owners_by_session(staging)
    user = sorted({u for u in sessions.values() if u is not None})[0]
    theirs = {s for s, u in sessions.items() if u == user}
    first = start_twenty(tmp_path, "--rate-limit", "0")
    try:
        assert load(staging, first).returncode == 0
        before = {r["bizstimId"]: r for r in first.all_records("tutoringSessions")}
    finally:
        first.server.stop()
    assert all(before[s]["ownerId"] is None for s in theirs)
    # the same workspace (its database), now with the practitioner invited
    again = start_twenty(tmp_path, "--rate-limit", "0", members=(f"{users[user]}:Invited",))
    try:
        result = load(staging, again)
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
        member = next(
            m["id"] for m in again.all_records("workspaceMembers") if m["userEmail"] == users[user]
        )
        after = {r["bizstimId"]: r for r in again.all_records("tutoringSessions")}
    finally:
        again.server.stop()
    assert {s for s in after if after[s]["ownerId"] == member} == theirs
    assert result.json()["objects"]["tutoringSession"]["updated"] == len(theirs)
    assert all(after[s]["ownerId"] == before[s]["ownerId"] for s in after if s not in theirs)
