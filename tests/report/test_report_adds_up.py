"""Issue 19 items 7, 8, 10, 11: every object's numbers add up on the page (parsed from the
HTML), "not migrated" is kept apart from "migrated with a note", phase details are tables, the
closing summary says why counts differ (on full-width lines), the DuckDB file explains itself."""

from __future__ import annotations

import json
import re

from bizmig.migrate import print_final
from report.objects import ACCOUNTING
from tests.report.conftest import PHASE_DETAIL_ROW, execute, make_report, query

EQUATION_COLUMNS = tuple(header for header, _ in ACCOUNTING[1:])


def tiles(html: str) -> dict[str, str]:
    return {
        label: value
        for value, label in re.findall(r"<div class='figure'><b>(.*?)</b><span>(.*?)</span>", html)
    }


def accounting(report) -> dict[str, dict[str, int]]:
    rows = report.page.table_with("objects", "object", "Twenty records")
    return {r["object"]: {c: int(r[c]) for c in EQUATION_COLUMNS} for r in rows}


def test_every_objects_numbers_add_up_on_the_page(report, migrated):
    table = accounting(report)
    assert len(table) == 9
    for obj, n in table.items():
        assert n["source rows"] == n["mapped"] + n["quarantined"] + n["excluded"], obj
        assert n["mapped"] - n["merged"] == n["Twenty records"], obj
        assert n["Twenty records"] == n["loaded"] + n["refused by Twenty"] + n["not loaded yet"]
    assert report.page.row_classes["objects"].count("bad") == 0
    # person is built from several tables: the merge is shown, and explained in words
    person = table["person"]
    assert person["merged"] > 0
    stories = report.page.text("objects")
    assert f"person : {person['source rows']} source rows → {person['Twenty records']} records" in (
        stories
    )
    assert "client_details + clients:" in stories
    # the tiles: not migrated and migrated-with-a-note apart, each equal to its column
    figures = tiles(report.html)
    not_migrated = sum(n["quarantined"] + n["refused by Twenty"] for n in table.values())
    assert figures["not migrated (quarantined)"] == str(not_migrated)
    noted = query(
        migrated.staging,
        "select count(distinct (object_name, source_id)) from migration.migration__quarantine "
        "where impact = 'value_kept_raw' and destination = 'twenty'",
    )[0][0]
    assert noted > 0 and figures["migrated with a note"] == str(noted)
    assert sum(n["with a note"] for n in table.values()) == noted
    assert figures["records loaded"] == str(sum(n["loaded"] for n in table.values()))


def test_before_any_load_the_records_are_not_loaded_yet_and_still_add_up(built_template, tmp_path):
    report = make_report(built_template, tmp_path / "out")
    for obj, n in accounting(report).items():
        assert n["loaded"] == 0 and n["not loaded yet"] == n["Twenty records"], obj


def test_phase_details_are_tables_not_python_dictionaries(staging_copy, tmp_path, migrated):
    execute(staging_copy, *PHASE_DETAIL_ROW)
    report = make_report(
        staging_copy, tmp_path / "out", reconciliation_json=migrated.reconciliation
    )
    assert "{'" not in report.html and "[{" not in report.html
    synopsis = report.page.table_with("phases", "run", "detail")[0]["detail"]
    assert synopsis == "2 endpoints · 7 GET requests needed"
    assert "<details><summary>scope · run run-d · done</summary>" in report.html
    endpoints = next(
        rows
        for rows in report.page.tables["phases"]
        if rows and rows[0] == ["endpoint", "records", "requests"]
    )
    assert endpoints[1:3] == [["clients", "40", "1"], ["sessions", "600", "6"]]


def test_the_closing_summary_says_why_counts_differ_on_full_lines(report, migrated, capsys):
    index = report.directory / "index.html"
    print_final(migrated.reconciliation, index)
    printed = capsys.readouterr().out.splitlines()
    data = json.loads((report.directory / "report.json").read_text())
    person = next(o for o in data["objects"]["objects"] if o["object"] == "person")
    assert len(person["story"]) > 80
    assert f"  person: {person['story']}" in printed  # one line, not cut at 80 columns
    assert printed[-1] == f"report: {index}"


def test_the_duckdb_file_explains_itself(migrated):
    missing_tables = query(
        migrated.staging,
        "select schema_name || '.' || table_name from duckdb_tables() "
        "where schema_name in ('marts', 'migration', 'seeds', 'intermediate') "
        "and (comment is null or comment = '') order by 1",
    )
    assert missing_tables == []
    views = query(
        migrated.staging,
        "select count(*), count(comment) from duckdb_views() where schema_name = 'staging'",
    )[0]
    assert views[0] > 0 and views[0] == views[1]
    mart_columns = query(
        migrated.staging,
        "select table_name, column_name, comment from duckdb_columns() where schema_name = 'marts'",
    )
    assert mart_columns and all(comment for _, _, comment in mart_columns)
    ledger = dict(
        query(
            migrated.staging,
            "select column_name, comment from duckdb_columns() "
            "where schema_name = 'migration' and table_name = 'ledger'",
        )
    )
    assert "quarantined" in ledger["action"]
    builds = query(
        migrated.staging,
        "select comment from duckdb_tables() where table_name = 'dbt_builds'",
    )
    assert "refuses a failed, partial or stale build" in builds[0][0]


def test_a_salesforce_report_lists_salesforce_objects(migrated, tmp_path):
    """The summary used to walk Twenty's fixed object list whatever the destination: after a
    Salesforce demo it printed person, serviceGroup, ... with zeros. The staging file holds
    both destinations' dbt accounting, so the Salesforce summary must come from its rows."""
    from load.salesforce.specs import LOAD_ORDER

    report = make_report(migrated.staging, tmp_path / "sf", destination="salesforce")
    objects = {o["object"]: o for o in report.data["objects"]["objects"]}
    assert list(objects) == [spec.singular for spec in LOAD_ORDER]
    assert "person" not in objects
    contacts, leads = objects["Contact"], objects["Lead"]
    assert contacts["mart_rows"] > 0 and contacts["source_rows"] >= contacts["mart_rows"]
    for o in objects.values():
        assert o["source_rows"] == o["mapped_rows"] + o["dbt_quarantined"] + o["excluded"]
    assert leads["excluded_by_rule"].get("client_routed_to_contact", 0) > 0
