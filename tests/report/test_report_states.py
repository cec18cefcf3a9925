"""The report on other states of the staging file: a phase log with a forced gate, records
Twenty refused, no load yet, no reconciliation, an empty file; and the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb

from report.html_parts import HTML_ROW_CAP, SECTIONS
from tests.report.conftest import BIZSTIM_KEY, TWENTY_KEY, execute, make_report, read_report

PHASE_LOG = (
    "create table migration.phase_log (run_id varchar, phase varchar, started_at timestamptz, "
    "finished_at timestamptz, status varchar, gate_ok boolean, forced boolean, detail json)"
)


def phase_rows(run_id: str, forced_phase: str | None) -> str:
    values = []
    for i, phase in enumerate(("scope", "extract", "transform", "load", "reconcile")):
        forced = phase == forced_phase
        values.append(
            f"('{run_id}', '{phase}', timestamptz '2026-01-05 10:00:00+00' + interval {i * 40} "
            f"second, timestamptz '2026-01-05 10:00:30+00' + interval {i * 40} second, 'done', "
            f"{'false' if forced else 'true'}, {str(forced).lower()}, "
            f"'{{\"rows\": {i}}}')"
        )
    return "insert into migration.phase_log values " + ", ".join(values)


def test_a_forced_gate_is_flagged_on_the_page_and_in_the_result(staging_copy, tmp_path, migrated):
    execute(staging_copy, PHASE_LOG, phase_rows("run-a", None), phase_rows("run-b", "transform"))
    report = make_report(
        staging_copy, tmp_path / "out", reconciliation_json=migrated.reconciliation
    )
    text = report.page.text("phases")
    assert "FORCED GATE" in text and "transform (run run-b)" in text
    rows = report.page.table_with("phases", "run", "forced")
    assert len(rows) == 10
    flagged = [(r["run"], r["phase"]) for r in rows if r["forced"] == "FORCED"]
    assert flagged == [("run-b", "transform")]
    classes = report.page.row_classes["phases"]
    assert classes.count("bad") == 1
    assert "· FORCED" in report.html  # the timeline bar of the latest run
    assert report.data["overall"]["ok"] is False
    assert any("forced" in p for p in report.data["overall"]["problems"])
    assert "needs attention" in report.page.header
    assert "**FORCED GATE**: transform (run run-b)" in report.markdown


def test_a_clean_phase_log_is_a_timeline_without_flags(staging_copy, tmp_path, migrated):
    execute(staging_copy, PHASE_LOG, phase_rows("run-a", None))
    report = make_report(
        staging_copy, tmp_path / "out", reconciliation_json=migrated.reconciliation
    )
    assert "FORCED" not in report.page.text("phases")
    assert "Latest run run-a" in report.page.text("phases")
    assert report.data["phases"]["latest_run"] == "run-a"
    assert [r["seconds"] for r in report.data["phases"]["rows"]] == [30.0] * 5
    assert report.data["overall"]["ok"] is True


def test_without_phase_log_the_section_says_so(report):
    assert "No phase log" in report.page.text("phases")
    assert report.data["phases"]["available"] is False


def test_records_twenty_refused_are_quarantined_with_its_message_and_the_page_is_capped(
    staging_copy, tmp_path, migrated
):
    refused = HTML_ROW_CAP + 20
    execute(
        staging_copy,
        "insert into migration.ledger (seq, run_id, object, external_id, action, state, message) "
        f"select 1000000 + i, 'run-x', 'payment', 'payment:refused-' || i, 'quarantined', "
        "'committed', "
        f"'amountMicros: must be positive ' || i from range({refused}) t(i)",
        # another destination's refusal in the same file is not Twenty's
        "insert into migration.ledger (seq, run_id, object, external_id, action, state, "
        "message, destination) values (2000000, 'run-y', 'Bizstim_Payment__c', "
        "'payment:sf-refused', 'quarantined', 'committed', 'FIELD_INTEGRITY', 'salesforce')",
    )
    report = make_report(
        staging_copy, tmp_path / "out", reconciliation_json=migrated.reconciliation
    )
    load_rows = [r for r in report.data["quarantine"]["rows"] if r["stage"] == "load"]
    assert len(load_rows) == refused
    assert {r["reason"] for r in load_rows} >= {"amountMicros: must be positive 7"}
    assert "FIELD_INTEGRITY" not in {r["reason"] for r in load_rows}
    payment = next(o for o in report.data["objects"]["objects"] if o["object"] == "payment")
    assert payment["load_quarantined"] == refused
    listed = report.page.table_with("quarantine", "stage", "reason")
    assert len(listed) == HTML_ROW_CAP
    not_migrated = [r for r in report.data["quarantine"]["rows"] if r["impact"] != "value_kept_raw"]
    assert f"first {HTML_ROW_CAP} of {len(not_migrated)} rows" in report.page.text("quarantine")
    by_reason = report.page.table_with("quarantine", "stage", "impact")
    assert {"stage": "load", "object": "payment", "rule": "rejected_by_twenty"}.items() <= (
        next(r for r in by_reason if r["stage"] == "load").items()
    )
    assert report.data["overall"]["ok"] is False


def test_before_any_load_users_are_listed_as_not_yet_matched(built_template, tmp_path):
    report = make_report(built_template, tmp_path / "out")
    with duckdb.connect(str(built_template), read_only=True) as con:
        emails = {
            r[0]
            for r in con.execute("select email from migration.migration__owner_lookup").fetchall()
        }
    assert report.data["owners"]["source"] == "migration__owner_lookup"
    assert "not yet matched" in report.page.text("users")
    assert {r["e-mail"] for r in report.page.table_with("users", "user", "e-mail")} == emails
    assert "Not reconciled yet" in report.page.text("reconciliation")
    assert "nothing loaded into Twenty yet (no ledger)" in report.data["overall"]["problems"]
    assert "needs attention" in report.page.header


def test_an_empty_file_still_gives_every_section(tmp_path):
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    report = make_report(empty, tmp_path / "out")
    assert len(report.page.sections) == len(SECTIONS) == 10
    assert "not built" in report.page.text("source")
    assert report.data["automation"][0]["clients"] is None
    assert "unknown (table absent)" in report.page.text("not-migrated")
    assert report.data["overall"]["ok"] is False


def test_the_lineage_page_is_copied_beside_the_report_and_linked(staging_copy, tmp_path):
    """dbt's index.html fetches its JSON and opens empty from disk (issue 19 item 9): the
    report copies the self-contained static page beside itself and links it relatively."""
    target = tmp_path / "project" / "target"
    target.mkdir(parents=True)
    (target / "index.html").write_text("<html>fetches manifest.json</html>")
    out = tmp_path / "out"
    report = make_report(staging_copy, out, dbt_docs=target)
    assert not (out / "lineage.html").exists()  # only the server-needing page: not linked
    assert "dbt docs generate --static" in report.page.text("lineage")
    (target / "static_index.html").write_text("<html>docs, manifest inlined</html>")
    report = make_report(staging_copy, out, dbt_docs=target)
    hrefs = [attrs.get("href") or "" for tag, attrs in report.page.tags if tag == "a"]
    assert "lineage.html" in hrefs
    assert "lineage.html#!/model/model.bizmig.twenty__people?g_v=1" in hrefs
    assert (out / "lineage.html").read_text() == "<html>docs, manifest inlined</html>"
    assert report.data["lineage"]["dbt_docs"] == "lineage.html"


def test_cli_masks_configured_keys_even_inside_phase_details(staging_copy, tmp_path, migrated):
    leaky = json.dumps({"note": f"retried with {BIZSTIM_KEY}", "twenty": TWENTY_KEY})
    execute(
        staging_copy,
        PHASE_LOG,
        "insert into migration.phase_log values ('run-k', 'extract', now(), now(), 'done', "
        f"true, false, '{leaky}')",
    )
    out = tmp_path / "cli-report"
    env = {
        **os.environ,
        "BIZSTIM_API_KEYS": f"{BIZSTIM_KEY},another-bizstim-key-0002",
        "TWENTY_API_KEY": TWENTY_KEY,
    }
    command = [sys.executable, "-m", "bizmig.cli", "report", "--duckdb", str(staging_copy)]
    command += ["--out", str(out), "--reconciliation", str(migrated.reconciliation)]
    proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert str(out / "index.html") in proc.stdout
    for name in ("index.html", "report.md", "report.json"):
        content = (out / name).read_text()
        assert BIZSTIM_KEY not in content and TWENTY_KEY not in content, name
    detail = read_report(out).data["phases"]["rows"][0]["detail"]
    assert detail == {"note": "retried with [redacted]", "twenty": "[redacted]"}


def test_cli_refuses_a_missing_file(tmp_path: Path):
    command = [sys.executable, "-m", "bizmig.cli", "report", "--duckdb", str(tmp_path / "no.db")]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "not found" in proc.stderr
