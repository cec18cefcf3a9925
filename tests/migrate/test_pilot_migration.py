"""Pilot: a deterministic sample of clients and everything they touch, nothing else."""

from __future__ import annotations

import dataclasses
import hashlib

from bizmig.migrate import execute
from sandbox.bizstim.store import iter_records


def test_pilot_loads_exactly_the_sample_with_its_relations_intact(stage, tmp_path):
    pilot = dataclasses.replace(stage.config, dbt_vars={"sample_clients": 8})
    assert execute(pilot) == 0
    listed = [c["id"] for c in iter_records(tmp_path / "bizstim.sqlite", "clients")]
    sampled = sorted(listed, key=lambda i: (hashlib.md5(i.encode()).hexdigest(), int(i)))[:8]
    people = stage.twenty.all_records("people")
    clients = {p["bizstimId"] for p in people if p["bizstimId"].startswith("client:")}
    assert clients == {f"client:{i}" for i in sampled}
    by_id = {p["id"]: p["bizstimId"] for p in people}
    for payment in stage.twenty.all_records("payments"):
        assert by_id[payment["clientId"]] in clients  # nothing outside the sample
    sessions = stage.twenty.all_records("tutoringSessions")
    assert sessions and all(by_id[s["clientId"]] in clients for s in sessions)
    assert all(s["practitionerId"] in by_id for s in sessions if s.get("practitionerId"))
    reconcile = stage.phase_detail("reconcile")
    assert reconcile["ok"] is True  # every relation points at the right record
    # a pilot build refuses to archive "missing" records: they are only outside the sample
    archive = dataclasses.replace(pilot, archive_missing=True, restart=True)
    assert execute(archive) == 2
