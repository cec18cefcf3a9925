"""Source and destination text on the report page is text, never markup (issue 13: the page is
rendered from Jinja templates with autoescape; no string is trusted as "already escaped").

A load-stage quarantine row's reason is the destination's message verbatim and often quotes
the Bizstim value it refused; here it carries a script tag and an ampersand."""

from __future__ import annotations

import pytest

from report.html import environment, render_html
from report.html_parts import Badge, table
from tests.report.conftest import execute, make_report

HOSTILE = "<script>alert('bizmig')</script> Smith & Sons"
ESCAPED = "&lt;script&gt;alert(&#39;bizmig&#39;)&lt;/script&gt; Smith &amp; Sons"


def shows_as_text(html: str) -> bool:
    return "<script" not in html and ESCAPED in html and "Smith & Sons" not in html


@pytest.fixture
def hostile_report(staging_copy, tmp_path, migrated):
    execute(
        staging_copy,
        "insert into migration.ledger (seq, run_id, object, external_id, action, state, message) "
        "values (2000000, 'run-h', 'company', 'company:hostile', 'quarantined', 'committed', "
        f"$${HOSTILE}$$)",
    )
    return make_report(staging_copy, tmp_path / "out", reconciliation_json=migrated.reconciliation)


def test_a_quarantine_message_with_a_script_tag_and_an_ampersand_is_escaped(hostile_report):
    reasons = [r["reason"] for r in hostile_report.data["quarantine"]["rows"]]
    assert HOSTILE in reasons
    assert shows_as_text(hostile_report.html)
    listed = hostile_report.page.table_with("quarantine", "stage", "reason")
    assert HOSTILE in [r["reason"] for r in listed]  # the reader sees the text as typed
    assert not [tag for tag, _ in hostile_report.page.tags if tag == "script"]


def test_without_autoescape_the_same_page_would_carry_the_script(hostile_report):
    """The check above can fail: the same data through the same templates with autoescape off
    puts a live script tag on the page."""
    unescaped = render_html(hostile_report.data, env=environment(autoescape=False))
    assert not shows_as_text(unescaped)
    assert HOSTILE in unescaped
    assert shows_as_text(render_html(hostile_report.data))


def test_a_cell_that_looks_like_markup_is_text_and_only_a_badge_is_a_badge():
    macros = environment().get_template("macros.html.j2").module
    html = str(
        macros.table(
            table(
                ["a", "b"],
                [["<span class='badge ok'>ok</span>", Badge("ok & fine", "ok")]],
                numeric=[1],
            )
        )
    )
    assert "&lt;span class=&#39;badge ok&#39;&gt;ok&lt;/span&gt;" in html
    assert "<td class='num'><span class='badge ok'>ok &amp; fine</span></td>" in html


def test_the_destination_names_the_title_and_the_wording(staging_copy, tmp_path, migrated):
    # a destination whose rows the staging file holds: the report counts its destination's rows
    report = make_report(
        staging_copy,
        tmp_path / "out",
        reconciliation_json=migrated.reconciliation,
        destination="salesforce",
    )
    assert report.data["title"] == "Bizstim → Salesforce migration report"
    assert "<title>Bizstim → Salesforce migration report</title>" in report.html
    headers = report.page.table_with("objects", "object", "Salesforce records")[0]
    assert {"refused by Salesforce", "not loaded yet"} <= set(headers)
    assert "in Salesforce" in report.page.table_with("reconciliation", "object", "in Salesforce")[0]
    assert "Salesforce load runs" in report.page.text("budget")
    assert "| in Salesforce |" in report.markdown and "| rebuild in Salesforce |" in report.markdown
    with pytest.raises(ValueError, match="unknown destination"):
        render_html(report.data, destination="hubspot")
