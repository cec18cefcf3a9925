"""`bizmig load` against the Twenty stand-in: exact counts, minimal requests, idempotent reruns."""

from __future__ import annotations

import math
from collections import Counter

import duckdb

from load.twenty.specs import LOAD_ORDER
from tests.load.conftest import FAST, bizmig, load, mart_counts, start_twenty

PLURALS = {
    "person": "people",
    "serviceGroup": "serviceGroups",
    "tutoringService": "tutoringServices",
    "serviceLocation": "serviceLocations",
    "payment": "payments",
    "tutoringSession": "tutoringSessions",
    "availabilityWindow": "availabilityWindows",
    "note": "notes",
    "noteTarget": "noteTargets",
}


def batch_posts(log: list[dict]) -> Counter:
    return Counter(
        r["path"].rsplit("/", 1)[1]
        for r in log
        if r["method"] == "POST" and r["path"].startswith("/rest/batch/")
    )


def test_full_load_exact_counts_minimal_requests_and_a_rerun_that_writes_nothing(staging, twenty):
    expected = mart_counts(staging)
    first = load(staging, twenty)
    assert first.returncode == 0, first.stderr
    report = first.json()
    log = twenty.server.requests()
    assert report["generation"] == "v2" and report["batch_cap"] == 200
    for obj, rows in expected.items():
        assert report["objects"][obj]["created"] == rows, obj
        assert report["objects"][obj]["quarantined"] == 0, obj
        assert len(twenty.all_records(PLURALS[obj])) == rows, obj
    batches = batch_posts(log)
    for obj, rows in expected.items():
        assert batches[PLURALS[obj]] == math.ceil(rows / 200), obj
    metadata_writes = [r for r in log if r["method"] == "POST" and "/metadata/" in r["path"]]
    other_writes = [
        r
        for r in log
        if r["method"] != "GET"
        and r not in metadata_writes
        and not r["path"].startswith("/rest/batch/")
    ]
    assert other_writes == []
    # writes = Σ ceil(rows / cap) batches + one call per custom object / field created
    assert report["requests"]["writes"] == sum(batches.values()) + len(metadata_writes)
    assert report["requests"]["total"] == len(log)

    twenty.server.reset_log()
    again = load(staging, twenty)
    assert again.returncode == 0, again.stderr
    assert twenty.writes() == []
    for obj, rows in expected.items():
        assert again.json()["objects"][obj]["unchanged"] == rows


def test_ledger_records_every_write_with_hash_and_twenty_id(staging, twenty):
    assert load(staging, twenty).returncode == 0
    with duckdb.connect(str(staging), read_only=True) as con:
        pending = con.execute(
            "select count(*) from migration.ledger where state = 'pending'"
        ).fetchone()[0]
        rows = con.execute(
            "select object, count(*), count(record_id), count(row_hash) from "
            "migration.ledger_current group by object"
        ).fetchall()
    assert pending == 0
    expected = mart_counts(staging)
    for obj, n, with_id, with_hash in rows:
        assert n == with_id == with_hash == expected[obj]


def test_generation_v1_is_detected_and_loaded_with_its_cap_and_field_names(staging, tmp_path):
    twenty = start_twenty(tmp_path, "--generation", "v1", "--rate-limit", "0")
    try:
        result = load(staging, twenty)
        assert result.returncode == 0, result.stderr
        report = result.json()
        assert report["generation"] == "v1" and report["batch_cap"] == 60
        expected = mart_counts(staging)
        batches = batch_posts(twenty.server.requests())
        for obj, rows in expected.items():
            assert batches[PLURALS[obj]] == math.ceil(rows / 60), obj
        targets = twenty.all_records("noteTargets")
        assert len(targets) == expected["noteTarget"]
        assert all(t.get("personId") for t in targets)
    finally:
        twenty.server.stop()


def test_dry_run_counts_without_writing(staging, twenty):
    result = load(staging, twenty, "--dry-run")
    assert result.returncode == 0, result.stderr
    assert twenty.writes() == []
    expected = mart_counts(staging)
    for spec in LOAD_ORDER:
        assert result.json()["objects"][spec.singular]["created"] == expected[spec.singular]


def test_reconcile_proves_the_load_and_fails_on_a_mismatch(staging, twenty, tmp_path):
    assert load(staging, twenty).returncode == 0
    args = [
        "reconcile",
        "--json",
        "--rate-limit",
        "100000",
        "--rate-window",
        "1",
        "--out",
        str(tmp_path / "report"),
    ]
    ok = bizmig(args, staging, twenty)
    assert ok.returncode == 0, ok.stdout[-2000:]
    assert ok.json()["ok"] is True and len(ok.json()["spot_checks"]) == 50
    assert (tmp_path / "report" / "reconciliation.md").exists()
    # someone destroys one payment in Twenty and deletes another (soft): reconcile must notice,
    # and tell the one still restorable from Twenty's deleted records apart from the gone one
    destroyed, deleted = twenty.all_records("payments")[:2]
    with twenty.http() as http:
        assert http.delete(f"/rest/payments/{destroyed['id']}").status_code == 200
        soft = http.delete(f"/rest/payments/{deleted['id']}", params={"soft_delete": "true"})
        assert soft.status_code == 200
    bad = bizmig(args, staging, twenty)
    assert bad.returncode == 1
    payments = next(o for o in bad.json()["objects"] if o["object"] == "payment")
    assert payments["in_twenty"] == payments["ledger_live"] - 2
    assert payments["missing_in_twenty"] == [destroyed["bizstimId"]]
    assert (payments["in_bin"], payments["deleted_in_destination"]) == (1, [deleted["bizstimId"]])


def test_a_mart_read_in_small_chunks_still_fills_every_batch(staging, twenty, monkeypatch):
    """The loader reads, plans and sends a mart a chunk at a time (the next chunk planned while
    this one is sent); rows to send are carried across chunks, so 7-row chunks make exactly
    the batches of a whole-mart plan, and reconcile (streamed the same way) agrees."""
    monkeypatch.setenv("BIZMIG_CHUNK_ROWS", "7")
    expected = mart_counts(staging)
    first = load(staging, twenty)
    assert first.returncode == 0, first.stderr
    report = first.json()
    batches = batch_posts(twenty.server.requests())
    for obj, rows in expected.items():
        assert report["objects"][obj]["created"] == rows, obj
        assert batches[PLURALS[obj]] == math.ceil(rows / 200), obj
    checked = bizmig(["reconcile", "--out", str(staging.parent / "rec"), *FAST], staging, twenty)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    rerun = load(staging, twenty)
    assert rerun.returncode == 0, rerun.stderr
    assert all(o["unchanged"] == expected[k] for k, o in rerun.json()["objects"].items())
