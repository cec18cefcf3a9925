"""The migration report of a real extract → dbt build → load → reconcile run: every number
on the page is the number in DuckDB."""

from __future__ import annotations

import json
from collections import Counter

from load.core.ledger import LIVE_ACTIONS
from load.twenty.specs import LOAD_ORDER
from tests.report.conftest import SECRETS, query

SECTION_IDS = (
    "objects",
    "source",
    "phases",
    "budget",
    "quarantine",
    "reconciliation",
    "users",
    "not-migrated",
    "automation",
    "lineage",
)


def test_every_section_is_on_the_page_with_an_anchor_and_the_page_loads_nothing_external(report):
    assert tuple(report.page.sections) == SECTION_IDS
    nav = [attrs.get("href") for tag, attrs in report.page.tags if tag == "a"]
    for section in SECTION_IDS:
        assert f"#{section}" in nav
    assert not [tag for tag, _ in report.page.tags if tag in ("script", "link", "img", "iframe")]
    external = [
        attrs
        for _, attrs in report.page.tags
        for name in ("src", "href")
        if (attrs.get(name) or "").startswith(("http:", "https:", "//"))
    ]
    assert external == []
    assert report.html.count("<svg") >= 2  # object chart and request budget chart
    # a clean, reconciled load without a phase log: the header says OK
    assert report.data["overall"]["ok"] is True
    assert "OK" in report.page.header
    for title in ("Records per object", "Quarantine", "Automations to rebuild", "Lineage"):
        assert f"## {title}" in report.markdown


def test_per_object_numbers_equal_the_duckdb_numbers(report, migrated):
    recon = query(
        migrated.staging,
        "select object_name, sum(source_rows), sum(quarantined), sum(excluded) "
        "from migration.migration__reconciliation where destination = 'twenty' "
        "group by object_name",
    )
    expected = {name: (int(s), int(q), int(e)) for name, s, q, e in recon}
    live = ", ".join(f"'{a}'" for a in LIVE_ACTIONS)
    loaded = dict(
        query(
            migrated.staging,
            f"select object, count(*) from migration.ledger_current where action in ({live}) "
            "group by object",
        )
    )
    on_page = {
        row["object"]: row for row in report.page.table_with("objects", "object", "Twenty records")
    }
    in_json = {o["object"]: o for o in report.data["objects"]["objects"]}
    assert list(in_json) == [spec.singular for spec in LOAD_ORDER]
    for spec in LOAD_ORDER:
        obj = spec.singular
        source, quarantined, excluded = expected[obj]
        mart = query(migrated.staging, f"select count(*) from {spec.relation}")[0][0]
        assert loaded[obj] == mart > 0, obj  # the fixture's load put every mart row in Twenty
        assert in_json[obj]["source_rows"] == source
        assert in_json[obj]["dbt_quarantined"] == quarantined
        assert in_json[obj]["excluded"] == excluded
        assert in_json[obj]["loaded"] == loaded[obj]
        assert in_json[obj]["mart_rows"] == mart
        row = on_page[obj]
        assert int(row["source rows"]) == source, obj
        assert int(row["quarantined"]) == quarantined, obj
        assert int(row["excluded"]) == excluded, obj
        assert int(row["Twenty records"]) == mart, obj
        assert int(row["loaded"]) == loaded[obj], obj
        assert int(row["refused by Twenty"]) == 0, obj
    # the chart carries the same values (bar tooltips)
    assert f"tutoringSession · loaded: {loaded['tutoringSession']} (of Twenty records" in (
        report.html
    )
    assert f"(of source rows {expected['tutoringSession'][0]} = mapped" in report.html


def test_every_quarantine_row_is_listed_with_its_reason(report, migrated):
    rows = query(
        migrated.staging,
        "select object_name, source_id, rule, reason from migration.migration__quarantine "
        "where destination = 'twenty'",
    )
    assert rows, "the sandbox account always has rows to quarantine"
    listed = Counter(
        (r["object"], r["record"], r["rule"], r["reason"])
        for r in report.data["quarantine"]["rows"]
    )
    assert listed == Counter(rows)  # one record can have several rows (one per bad value)
    # "not migrated" and "migrated with a note" are two lists, each row in exactly one
    not_migrated = report.page.table_with("quarantine", "stage", "reason")
    noted = report.page.table_with("quarantine", "object", "note")
    impact = dict(
        ((o, s, r), i)
        for o, s, r, i in query(
            migrated.staging,
            "select object_name, source_id, rule, impact from migration.migration__quarantine "
            "where destination = 'twenty'",
        )
    )
    assert len(not_migrated) + len(noted) == len(rows)
    assert {impact[(r["object"], r["record"], r["rule"])] for r in not_migrated} == {
        "record_not_migrated"
    }
    assert {impact[(r["object"], r["record"], r["rule"])] for r in noted} == {"value_kept_raw"}
    listed_rows = [(r["object"], r["record"], r["rule"], r["reason"]) for r in not_migrated]
    listed_rows += [(r["object"], r["record"], r["rule"], r["note"]) for r in noted]
    assert Counter(listed_rows) == Counter(rows)
    counts = query(
        migrated.staging,
        "select object_name, rule, impact, count(*) from migration.migration__quarantine "
        "where destination = 'twenty' group by all",
    )
    by_reason = report.page.table_with("quarantine", "stage", "impact")
    assert {(r["object"], r["rule"]): int(r["rows"]) for r in by_reason} == {
        (obj, rule): n for obj, rule, i, n in counts if i == "record_not_migrated"
    }
    noted_by_reason = report.page.table_with("quarantine", "object", "values")
    assert {(r["object"], r["rule"]): int(r["values"]) for r in noted_by_reason} == {
        (obj, rule): n for obj, rule, i, n in counts if i == "value_kept_raw"
    }


def test_reconciliation_objects_and_spot_checks_come_from_reconciliation_json(report, migrated):
    recon = json.loads(migrated.reconciliation.read_text())
    page = {r["object"]: r for r in report.page.table_with("reconciliation", "object", "in Twenty")}
    for check in recon["objects"]:
        assert int(page[check["object"]]["in Twenty"]) == check["in_twenty"]
        assert int(page[check["object"]]["ledger live"]) == check["ledger_live"]
    text = report.page.text("reconciliation")
    assert f"Spot checks: {len(recon['spot_checks'])} records fetched back" in text
    every = report.page.table_with("reconciliation", "object", "result")
    assert {r["record"] for r in every} == {s["external_id"] for s in recon["spot_checks"]}


def test_unmatched_users_of_the_latest_load_are_listed(report, migrated):
    unmatched = query(
        migrated.staging,
        "select external_id, email from migration.owner_matches where destination_user_id is null "
        "and run_id = (select max(run_id) from migration.owner_matches)",
    )
    assert unmatched, "the stand-in has no workspace members, so nobody matches"
    page = report.page.table_with("users", "user", "e-mail")
    assert {(r["user"], r["e-mail"]) for r in page} == set(unmatched)
    assert f"{len(unmatched)} did not" in report.page.text("users")


def test_automation_and_not_migrated_counts_equal_the_raw_table_counts(report, migrated):
    db = migrated.staging

    def count(sql: str) -> int:
        return int(query(db, sql)[0][0])

    clients = "(select id from raw_bizstim.clients)"
    expected = {
        "sms_reminders": count(
            "select count(*) from raw_bizstim.clients where trim(text_phone) <> ''"
        ),
        # dbt's own verdict on every address (int_people__email_addresses.is_valid)
        "email_notifications": count(
            "select count(distinct source_record_key) from "
            "intermediate.int_people__email_addresses where is_valid "
            "and source_record_key like 'client:%'"
        ),
        "invoicing": count(
            "select count(distinct client_id) from (select client_id from raw_bizstim.sessions "
            "where qb_invoice_id not in ('', '0') union select client_id from "
            "raw_bizstim.payments where qb_payment_id not in ('', '0')) "
            f"where client_id in {clients}"
        ),
        "session_slot_rules": count(
            "select count(*) from raw_bizstim.client_details where min_time not in ('', '0') "
            "or max_time not in ('', '0') or slot_duration not in ('', '0') "
            "or session_limit not in ('', '0')"
        ),
        "recurring_sessions": count(
            "select count(distinct client_id) from raw_bizstim.sessions where recurr_on = '1' "
            f"and client_id in {clients}"
        ),
    }
    items = {item["key"]: item for item in report.data["automation"]}
    page = {
        r["automation"]: r for r in report.page.table_with("automation", "automation", "clients")
    }
    for key, value in expected.items():
        assert items[key]["clients"] == value, key
        assert int(page[items[key]["title"]]["clients"]) == value, key
    assert 0 < expected["sms_reminders"] < count("select count(*) from raw_bizstim.clients")
    booking = items["online_booking"]["details"]
    assert booking["services"] == count(
        "select count(*) from raw_bizstim.services where online_booking = '1'"
    )
    assert booking["locations"] == count(
        "select count(*) from raw_bizstim.locations where online_booking = '1'"
    )
    assert items["session_slot_rules"]["details"]["services_with_start_interval"] == count(
        "select count(*) from raw_bizstim.services where start_interval not in ('', '0')"
    )
    links = report.data["not_migrated"]["ondemand_links"]
    assert links["sessions"] == count(
        "select count(*) from raw_bizstim.sessions where ondemand_link <> ''"
    )
    assert report.data["not_migrated"]["discount_codes"]["codes"] == count(
        "select count(*) from raw_bizstim.discounts"
    )
    rules = {e["rule"] for e in report.data["not_migrated"]["excluded_by_rule"]}
    assert "discount_codes_not_migrated" in rules
    assert "client_not_migrated" not in rules  # a quarantine rule, not an exclusion
    text = report.page.text("not-migrated")
    assert "on-demand session links" in text and "Attachments to export by hand" in text


def test_lineage_table_and_docs_hint(report, migrated):
    columns = query(migrated.staging, "select count(*) from migration.migration__lineage")[0][0]
    assert len(report.page.table_with("lineage", "object", "mart column")) == columns
    assert "dbt docs generate" in report.page.text("lineage")  # no dbt_docs given


def test_no_api_key_appears_in_any_output(report):
    for name in ("index.html", "report.md", "report.json"):
        content = (report.directory / name).read_text()
        for secret in SECRETS:
            assert secret not in content, name
    labels = [row["key_label"] for row in report.data["budget"]["extract"]]
    assert labels and all(label.startswith("key1:") for label in labels)


def test_report_json_round_trips(report):
    raw = (report.directory / "report.json").read_text()
    assert json.loads(json.dumps(report.data)) == report.data
    assert json.dumps(json.loads(raw), indent=2, ensure_ascii=False) == raw
    assert set(report.data) >= {
        "overall",
        "objects",
        "phases",
        "budget",
        "quarantine",
        "reconciliation",
        "owners",
        "not_migrated",
        "automation",
        "lineage",
    }


def test_the_client_detail_verdict_is_in_the_source_section(report, migrated):
    """The extraction's client/{id} probe (ingest/detail_probe.py) says in the report whether
    every detail was fetched and why: the default sandbox's details add fields."""
    decision, reason = query(
        migrated.staging,
        "select decision, reason from raw_bizstim._bizmig_detail_probes "
        "where probed_by = 'extract'",
    )[0]
    rows = report.page.table_with("source", "endpoint", "what the migration does")
    client = [r for r in rows if r["endpoint"] == "client"]
    assert decision == "fetch" and len(client) == 1
    said = " ".join(client[0]["what the migration does"].split())
    assert "every client detail fetched" in said and " ".join(reason.split()) in said
    assert "every client detail fetched" in report.markdown
