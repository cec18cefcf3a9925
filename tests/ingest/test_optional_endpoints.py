"""`scope` and `extract` against accounts that serve only what the Bizstim docs promise.

Each restricted sandbox profile (docs-only: undocumented endpoints 404; undocumented-403; and
undocumented-500-then-404) over one generated account, real HTTP: both commands exit 0 without a
traceback, name the missing endpoints with their status (output and
``raw_bizstim._bizmig_endpoints``), land exactly the documented endpoints' rows and spend exactly
the budget scope printed. A documented endpoint refusing is one line and exit 11.
"""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
import pytest

from ingest.detail_probe import DEFAULT_SAMPLE
from ingest.endpoints import AVAILABILITY, CLIENT_DETAIL, LIST_ENDPOINTS, pages_needed
from ingest.pipeline import ExtractOptions, extraction_gaps
from sandbox.bizstim.profiles import ProfileName, served_record
from sandbox.bizstim.store import counts, iter_records
from sandbox.servers import RunningServer
from tests.ingest.conftest import KEY_A, KEY_B, Sandbox, bizmig, start_sandbox
from tests.ingest.test_extract import as_landed, landed, referenced_avail_ids

OPTIONAL = {"users": "users", "customfields": "custom_fields", "timezone": "account_timezone"}
DOCUMENTED = [e for e in LIST_ENDPOINTS if e.documented]
REFUSAL = {"docs-only": 404, "undocumented-403": 403, "undocumented-500-then-404": 404}
PROFILES = list(REFUSAL)


def documented_minimum(box: Sandbox) -> int:
    """Requests for the documented endpoints: their pages, the client details the probe asks
    (these profiles' details hold only the list's fields, so the rest are skipped), every
    schedule."""
    expected = counts(box.db)
    lists = sum(pages_needed(expected[e.method], e.max_limit) for e in DOCUMENTED)
    probed = min(DEFAULT_SAMPLE, expected["clients"])
    return lists + probed + len(referenced_avail_ids(box.db))


def endpoint_rows(db: Path) -> dict[str, tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "select endpoint, cycle, documented, available, http_status, reason, impact, "
            "probed_by from raw_bizstim._bizmig_endpoints"
        ).fetchall()
    return {r[0]: r[1:] for r in rows}


def raw_tables(db: Path) -> set[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw_bizstim'"
        ).fetchall()
    return {r[0] for r in rows}


@dataclass
class Flow:
    profile: str
    box: Sandbox
    db: Path
    scope: dict
    scope_text: str
    extract: dict
    scope_log: list[dict]
    extract_log: list[dict]


@pytest.fixture(scope="module")
def account_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("optional-account")


def restricted(account_dir: Path, profile: str) -> Sandbox:
    """A fresh server (500s re-armed) of ``profile`` over one account file, generated once."""
    return start_sandbox(account_dir, 80, 17, (KEY_A, KEY_B), 100_000, 3600, profile=profile)


@pytest.fixture(scope="module", params=PROFILES)
def flow(request, account_dir, tmp_path_factory) -> Iterator[Flow]:
    """`scope --json --exact`, `scope`, then `extract --json` against a fresh server."""
    box = restricted(account_dir, request.param)
    db = tmp_path_factory.mktemp(f"flow-{request.param}") / "staging.duckdb"
    try:
        scope = bizmig(["scope", "--json", "--exact"], box, db)
        assert scope.returncode == 0, scope.stderr
        text = bizmig(["scope"], box, db)
        assert text.returncode == 0, text.stderr
        scope_log = box.server.requests()
        box.server.reset_log()
        extract = bizmig(["extract", "--json"], box, db)
        assert extract.returncode == 0, extract.stderr
        for run in (scope, text, extract):
            assert "Traceback" not in run.stderr + run.stdout
        yield Flow(request.param, box, db, scope.json(), text.stdout, extract.json(),
                   scope_log, box.server.requests())
    finally:
        box.server.stop()


def test_scope_names_the_unavailable_endpoints_with_their_status(flow):
    status = REFUSAL[flow.profile]
    gone = {u["endpoint"]: u for u in flow.scope["unavailable"]}
    assert set(gone) == set(OPTIONAL)
    for item in gone.values():
        assert item["http_status"] == status and item["documented"] is False
        assert str(status) in item["reason"] and item["impact"]
    lines = {line["endpoint"]: line for line in flow.scope["endpoints"]}
    for endpoint in OPTIONAL:
        assert lines[endpoint]["available"] is False and lines[endpoint]["requests"] == 0
    for endpoint in DOCUMENTED:
        assert lines[endpoint.method]["available"] is True
    for endpoint in OPTIONAL:
        assert f"{endpoint}: {status}" in flow.scope_text.replace("\n", " ")
    assert f"unavailable ({status})" in flow.scope_text


def test_scope_budget_excludes_unavailable_endpoints_and_is_the_minimum(flow):
    assert flow.scope["exact"] is True
    assert flow.scope["total_requests"] == documented_minimum(flow.box)
    # the first scope's 500s were retried once each and then answered 404
    statuses = Counter(r["status"] for r in flow.scope_log)
    if flow.profile == "undocumented-500-then-404":
        assert statuses[500] == 3 and statuses[404] == 3 + 3  # second scope: 404 at once
    else:
        assert statuses[REFUSAL[flow.profile]] == 3 * 2


def test_availability_is_recorded_for_the_cycle_extract_ran(flow):
    rows = endpoint_rows(flow.db)
    assert set(rows) == {e.method for e in LIST_ENDPOINTS} | {"timezone"}
    for endpoint in OPTIONAL:
        cycle, documented, available, status, reason, impact, probed_by = rows[endpoint]
        assert (cycle, documented, available, status) == (1, False, False, REFUSAL[flow.profile])
        assert reason and impact and probed_by == "scope"
    for endpoint in DOCUMENTED:
        cycle, documented, available, status, reason, _, probed_by = rows[endpoint.method]
        assert (cycle, documented, available, status, reason) == (1, True, True, 200, None)
        assert probed_by == "extract"
    assert flow.extract["cycle"] == 1


def test_extract_skips_unavailable_endpoints_and_spends_exactly_the_scope_budget(flow):
    gets = [r for r in flow.extract_log if r["method"] == "GET"]
    assert Counter(r["status"] for r in gets) == {200: len(gets)}  # nothing asked twice in vain
    paths = Counter(r["path"] for r in gets)
    assert max(paths.values()) == 1
    assert not [p for p in paths if p.split("/")[2] in OPTIONAL]
    network = sum(flow.extract["network_requests"].values())
    assert network == len(gets)
    # what scope already read (spooled) plus what extract asked is the budget scope printed
    assert network + sum(flow.extract["spool_hits"].values()) == flow.scope["total_requests"]
    assert {u["endpoint"] for u in flow.extract["unavailable"]} == set(OPTIONAL)
    assert not set(OPTIONAL.values()) & set(flow.extract["rows"])
    assert not set(OPTIONAL.values()) & raw_tables(flow.db)
    assert extraction_gaps(ExtractOptions(flow.db)) == []


def test_every_documented_endpoint_lands_exactly_what_the_profile_serves(flow):
    profile = ProfileName(flow.profile)
    expected = counts(flow.box.db)
    for endpoint in DOCUMENTED:
        rows = {r["id"]: r for r in landed(flow.db, endpoint.table)}
        assert len(rows) == expected[endpoint.method], endpoint.method
        for record in iter_records(flow.box.db, endpoint.method):
            assert rows[record["id"]] == as_landed(served_record(profile, endpoint.method, record))
    details = {r["id"]: r for r in landed(flow.db, CLIENT_DETAIL.table)}
    assert len(details) == min(DEFAULT_SAMPLE, expected["clients"])  # the probe's sample
    for record in iter_records(flow.box.db, "client_details"):
        if record["id"] in details:
            assert details[record["id"]] == as_landed(served_record(profile, "client", record))
    avail = {r["id"] for r in landed(flow.db, AVAILABILITY.table)}
    assert avail == referenced_avail_ids(flow.box.db)
    with duckdb.connect(str(flow.db), read_only=True) as con:
        columns = {r[0] for r in con.execute(
            "select column_name from information_schema.columns where table_schema = "
            "'raw_bizstim' and table_name = 'sessions'").fetchall()}
    assert "session_date" not in columns and "session_status" in columns


@pytest.mark.parametrize("profile", PROFILES)
def test_extract_without_scope_probes_with_requests_it_needs_anyway(
        profile, account_dir, tmp_path):
    box = restricted(account_dir, profile)
    try:
        db = tmp_path / "no-scope.duckdb"
        run = bizmig(["extract", "--json"], box, db)
        assert run.returncode == 0, run.stderr
        assert "Traceback" not in run.stderr
        result = run.json()
        gets = [r for r in box.server.requests() if r["method"] == "GET"]
    finally:
        box.server.stop()
    statuses = Counter(r["status"] for r in gets)
    minimum = documented_minimum(box)
    # one probe per optional endpoint (its first page / the time zone), refused
    refused = {404: 3} if profile != "undocumented-403" else {403: 3}
    if profile == "undocumented-500-then-404":
        refused[500] = 3  # retried by the transport, then 404
    assert statuses == {200: minimum, **refused}
    assert sum(result["network_requests"].values()) == minimum
    assert {u["endpoint"]: u["http_status"] for u in result["unavailable"]} == {
        e: REFUSAL[profile] for e in OPTIONAL
    }
    rows = endpoint_rows(db)
    assert {e: rows[e][2:4] + rows[e][6:] for e in OPTIONAL} == {
        e: (False, REFUSAL[profile], "extract") for e in OPTIONAL
    }
    assert extraction_gaps(ExtractOptions(db)) == []


def test_map_propose_on_a_docs_only_extraction_names_the_missing_definitions(flow, tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    catalog = Path(__file__).resolve().parents[2] / "seeds" / "twenty_field_catalog.csv"
    (seeds / "twenty_field_catalog.csv").write_bytes(catalog.read_bytes())
    seed = seeds / "custom_field_map.csv"
    args = ["map", "propose", "--duckdb", str(flow.db), "--seed-file", str(seed)]
    run = bizmig([*args, "--json"], flow.box, flow.db)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["definitions_available"] is False
    status = str(REFUSAL[flow.profile])
    assert "customfields" in report["definitions_note"] and status in report["definitions_note"]
    assert report["fields"] == [] and report["added"] == 0  # docs-only detail has no custom_<id>
    text = bizmig(args, flow.box, flow.db)
    assert text.returncode == 0 and "Traceback" not in text.stderr
    assert "custom field definitions unavailable" in text.stdout


# -- a documented endpoint refusing ------------------------------------------------------------
class _Refusing(BaseHTTPRequestHandler):
    """Bizstim as it plausibly answers an account whose plan has no API access."""

    def do_GET(self) -> None:
        body = json.dumps({"status": "failure", "response": "API access requires an "
                           "Enterprise account"}).encode()
        self.send_response(403)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def refusing() -> Iterator[Sandbox]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Refusing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    yield Sandbox(RunningServer(url, None), Path("unused"), (KEY_A,), 1000, 3600)  # type: ignore[arg-type]
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("command", ["scope", "extract"])
def test_a_documented_endpoint_refusing_is_one_line_and_exit_11(refusing, command, tmp_path):
    run = bizmig([command], refusing, tmp_path / "refused.duckdb")
    assert run.returncode == 11, run.stderr
    assert "Traceback" not in run.stderr
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    error = [line for line in lines if line.startswith("error:")]
    assert len(error) == 1, run.stderr
    documented = "|".join(e.method for e in DOCUMENTED)
    assert re.search(rf"GET /api/({documented})/0/\d+ answered 403", error[0]), error[0]
    assert "Enterprise account" in error[0] and "plan" in error[0]  # server's reason + hint


def test_a_base_url_that_misses_the_api_is_a_configuration_error(fast_sandbox, tmp_path):
    """Bizstim's own "Unknown method" 404 for a documented list means the base URL is wrong
    (exit 2), not that the plan refuses the API (exit 11)."""
    wrong = Sandbox(RunningServer(f"{fast_sandbox.server.url}/nope/api", None), fast_sandbox.db,  # type: ignore[arg-type]
                    fast_sandbox.keys, fast_sandbox.rate_limit, fast_sandbox.rate_window)
    run = bizmig(["scope"], wrong, tmp_path / "wrong.duckdb")
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "BIZSTIM_BASE_URL" in run.stderr and "404" in run.stderr
