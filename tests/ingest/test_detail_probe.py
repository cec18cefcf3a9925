"""client/{id} only when it carries something: the probe, its verdict, and the requests saved.

Unit tests of the sampling and the judgement, then real HTTP: the default sandbox's details
add fields (status, notes, custom_<id>, ...) so every one is fetched; the docs-only profile's
hold the list's fields only, so the 25 probed ones are fetched and the rest skipped; the
override forces either way. Counts are the server's own request log.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import duckdb
import pytest

from common.errors import ConfigError
from ingest.detail_probe import DEFAULT_SAMPLE, Policy, Verdict, compare, policy, spread
from ingest.pipeline import ExtractOptions, extraction_gaps
from sandbox.bizstim.store import counts
from tests.ingest.conftest import KEY_A, Sandbox, bizmig, start_sandbox
from tests.ingest.test_extract import referenced_avail_ids

CLIENTS = 40


# -- unit ----------------------------------------------------------------------------------------
def test_the_sample_is_spread_over_the_whole_listing():
    ids = [str(i) for i in range(1, 1001)]
    picked = spread(ids, 4)
    assert picked == ["126", "376", "626", "876"]  # (i + ½) · n / k, not the first page
    assert spread(ids[:3], 25) == ids[:3]


def test_an_extra_field_counts_even_empty_and_names_are_compared_as_dlt_lands_them():
    listed = {"id": "7", "first_name": "Ann", "_dlt_id": "x", "city": None}
    assert compare(listed, {"id": "7", "first_name": "Ann"}) == (set(), set())
    assert compare(listed, {"id": "7", "first_name": "Ann", "notes": ""}) == ({"notes"}, set())
    assert compare({"minTime": "08:00"}, {"min_time": "08:00"}) == (set(), set())
    assert compare(listed, {"id": "7", "first_name": "Anne"}) == (set(), {"first_name"})
    assert compare({"id": "7"}, {"id": 7}) == (set(), set())  # values compared as text


@pytest.mark.parametrize(
    ("mode", "answered", "extra", "decision"),
    [
        ("auto", 25, [], "skip"),
        ("auto", 25, ["notes"], "fetch"),
        ("auto", 0, [], "fetch"),  # every probe 404'd: no evidence, fetch all
        ("all", 25, [], "fetch"),
        ("skip", 25, ["notes"], "skip"),
    ],
)
def test_the_verdict_follows_the_probes_unless_forced(mode, answered, extra, decision):
    verdict = Verdict(mode, 25, answered, 1000, extra_fields=extra)
    assert verdict.decision == decision
    assert verdict.requests() == (1000 if decision == "fetch" else 25)
    assert (mode != "auto") == ("forced" in verdict.reason())


def test_a_bad_setting_is_one_clear_error(monkeypatch):
    monkeypatch.setenv("BIZMIG_CLIENT_DETAILS", "sometimes")
    with pytest.raises(ConfigError, match="auto, all, skip"):
        policy()
    monkeypatch.setenv("BIZMIG_CLIENT_DETAILS", "ALL")
    monkeypatch.setenv("BIZMIG_DETAIL_SAMPLE", "0")
    with pytest.raises(ConfigError, match="BIZMIG_DETAIL_SAMPLE"):
        policy()
    monkeypatch.setenv("BIZMIG_DETAIL_SAMPLE", "7")
    assert policy() == Policy("all", 7)


# -- real HTTP -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def account(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("probe-account")


def served(account: Path, profile: str) -> Sandbox:
    return start_sandbox(account, CLIENTS, 23, (KEY_A,), 100_000, 3600, profile=profile)


def verdict_row(db: Path) -> dict:
    with duckdb.connect(str(db), read_only=True) as con:
        cursor = con.execute(
            "select * from raw_bizstim._bizmig_detail_probes where probed_by = 'extract'"
        )
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    assert len(rows) == 1
    return rows[0]


def client_gets(box: Sandbox) -> Counter[str]:
    return Counter(
        r["path"] for r in box.server.requests()
        if r["method"] == "GET" and r["path"].startswith("/api/client/")
    )  # fmt: skip


def detail_rows(db: Path) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return int(con.execute("select count(*) from raw_bizstim.client_details").fetchone()[0])


def test_details_that_add_fields_are_fetched_for_every_client(account, tmp_path):
    box = served(account, "default")
    try:
        db = tmp_path / "default.duckdb"
        # small commits: the fetch-ahead threads run ahead of several dlt runs
        run = bizmig(["extract", "--json", "--checkpoint-every", "7"], box, db)
        assert run.returncode == 0, run.stderr
        gets = client_gets(box)
        everything = [r for r in box.server.requests() if r["method"] == "GET"]
    finally:
        box.server.stop()
    clients = counts(box.db)["clients"]
    row = verdict_row(db)
    assert (row["decision"], row["informative"], row["sampled"]) == ("fetch", True, DEFAULT_SAMPLE)
    assert "status" in row["extra_fields"] and row["requests"] == clients
    assert len(gets) == clients and max(gets.values()) == 1  # the probes were not asked twice
    assert max(Counter(r["path"] for r in everything).values()) == 1
    assert detail_rows(db) == clients
    result = run.json()
    assert result["dlt_runs"] > 10 and sum(result["spool_hits"].values()) == 0
    avail = len(referenced_avail_ids(box.db))
    assert result["network_requests"]["client"] == clients
    assert result["network_requests"]["availability"] == avail
    # every page and id but the time zone was fetched ahead and read by dlt from the spool
    assert result["fetched_ahead"] == sum(result["network_requests"].values()) - 1
    assert any("fetch all" in note for note in result["notes"])


def docs_only_extract(account: Path, db: Path, scope_first: bool = False) -> tuple:
    """(scope's run or None, extract's run, client/{id} GETs of the extract) on docs-only."""
    box = served(account, "docs-only")
    scope = None
    try:
        if scope_first:
            scope = bizmig(["scope", "--duckdb", str(db)], box, db)
            assert scope.returncode == 0, scope.stderr
            box.server.reset_log()
        run = bizmig(["extract", "--json"], box, db)
        assert run.returncode == 0, run.stderr
        return scope, run, client_gets(box), counts(box.db)["clients"]
    finally:
        box.server.stop()


def test_details_that_add_nothing_are_probed_and_the_rest_skipped(account, tmp_path):
    db = tmp_path / "docs-only.duckdb"
    scope, run, gets, clients = docs_only_extract(account, db, scope_first=True)
    text = " ".join(scope.stdout.split())
    assert f"{clients:,} requests if every detail is fetched, {DEFAULT_SAMPLE}" in text
    assert "the probed sample only applies" in text
    row = verdict_row(db)
    assert (row["decision"], row["informative"], row["requests"]) == ("skip", False, 25)
    assert sum(gets.values()) == 0  # scope's probes, same ids, were read from the spool
    assert detail_rows(db) == DEFAULT_SAMPLE
    assert any("skip the rest" in note for note in run.json()["notes"])
    assert extraction_gaps(ExtractOptions(db)) == []  # the skipped ones are not "pending"


def test_the_override_fetches_every_detail_even_when_they_add_nothing(
    account, tmp_path, monkeypatch
):
    monkeypatch.setenv("BIZMIG_CLIENT_DETAILS", "all")
    db = tmp_path / "forced.duckdb"
    _, _, gets, clients = docs_only_extract(account, db)
    row = verdict_row(db)
    assert (row["mode"], row["decision"], row["informative"]) == ("all", "fetch", False)
    assert len(gets) == clients == detail_rows(db)
