"""Delta cutover: a second migration sends only what changed and lists what disappeared."""

from __future__ import annotations

import dataclasses

from bizmig.migrate import execute


def batch_records(log: list[dict]) -> int:
    return sum(
        r["records"]
        for r in log
        if r["method"] == "POST" and r["path"].startswith("/rest/batch/") and r["status"] < 300
    )


def test_delta_sends_only_changed_records_and_archives_what_disappeared(stage):
    assert execute(stage.config) == 0
    before = stage.marts()
    with_email = next(k for k in before if k[0] == "person" and k[1].startswith("client:"))
    changed_id = with_email[1].split(":")[1]
    deleted_id = next(
        k[1].split(":")[1]
        for k in sorted(before)
        if k[0] == "person" and k[1].startswith("client:") and k[1] != with_email[1]
    )
    stage.mutate("clients", "update", changed_id, {"last_name": "Renamed-After-Pilot"})
    stage.mutate("clients", "delete", deleted_id, {})
    stage.mutate(
        "clients",
        "insert",
        None,
        {
            "first_name": "Nadia",
            "last_name": "Newcomer",
            "email": "nadia.newcomer@example.org",
            "country": "Canada",
            "city": "Toronto",
            "status": "active",
        },
    )
    stage.twenty.server.reset_log()
    assert execute(stage.config) == 0  # the finished run is not resumed: a new cutover run
    after = stage.marts()
    changed = {k for k, h in after.items() if before.get(k) != h}
    gone = {k for k in before if k not in after}
    assert ("person", f"client:{changed_id}") in changed
    assert ("person", f"client:{deleted_id}") in gone
    assert any(k[0] == "person" and k not in before for k in after)  # the new client
    log = stage.twenty.server.requests()
    assert batch_records(log) == len(changed)  # only the changed rows travelled
    load = stage.phase_detail("load")
    sent = sum(o["created"] + o["updated"] + o["restored"] for o in load["objects"].values())
    assert sent == len(changed)
    missing = {(obj, ext) for obj, o in load["objects"].items() for ext in o["missing_from_source"]}
    assert missing == gone

    stage.twenty.server.reset_log()
    archive = dataclasses.replace(stage.config, archive_missing=True)
    assert execute(archive) == 0
    load = stage.phase_detail("load")
    assert sum(o["archived"] for o in load["objects"].values()) == len(gone)
    assert batch_records(stage.twenty.server.requests()) == 0  # nothing else was re-sent
    people = {p["bizstimId"] for p in stage.twenty.all_records("people")}
    assert f"client:{deleted_id}" not in people
    trashed = {p["bizstimId"] for p in stage.twenty.all_records("people", deleted=True)}
    assert f"client:{deleted_id}" in trashed
