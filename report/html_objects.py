"""Data of report section 1, records per object: a chart whose bars add up, the accounting
table (three equations per object, see ``report.objects``), and why each object's counts
differ, in words. A file whose marts were never built says so instead of showing zeros.

The destination's name ("Twenty records", "refused by Twenty") is filled in here, so the one
template serves every destination ``--to`` names.
"""

from __future__ import annotations

from typing import Any

from report.charts import Series, Stack, stacked_bars
from report.html_parts import Table, table
from report.objects import ACCOUNTING, accounting_rows

HEADERS = tuple(header for header, _ in ACCOUNTING)


def for_destination(text: str, dest: str) -> str:
    """ACCOUNTING's headers name Twenty (report.md and the tests read them as they are)."""
    return text.replace("Twenty", dest)


def stacks(dest: str) -> tuple[Stack, ...]:
    return (
        Stack(
            "source rows",
            (
                Series("mapped_rows", "mapped", "source"),
                Series("dbt_quarantined", "quarantined", "quarantined"),
                Series("excluded", "excluded", "excluded"),
            ),
        ),
        Stack(
            f"{dest} records",
            (
                Series("loaded", "loaded", "loaded"),
                Series("load_quarantined", f"refused by {dest}", "failed"),
                Series("not_loaded", "not loaded yet", "skipped"),
            ),
        ),
    )


def adds_up(o: dict[str, Any]) -> bool:
    return (
        o["source_rows"] == o["mapped_rows"] + o["dbt_quarantined"] + o["excluded"]
        and o["mapped_rows"] - o["merged"] == o["mart_rows"]
        and o["mart_rows"] == o["loaded"] + o["load_quarantined"] + o["not_loaded"]
    )


def build_banner(build: dict[str, Any]) -> dict[str, str] | None:
    if build["ok"]:
        return None
    line = build["line"]
    return {
        "kind": "bad" if build["status"] in ("not_built", "failed") else "warn",
        "text": line[:1].upper() + line[1:],
    }


def _other_sources(others: list[dict[str, Any]]) -> Table | None:
    if not others:
        return None
    return table(
        ["object", "source table", "source rows", "mapped", "quarantined", "excluded"],
        [
            [o["object"], o["source_table"], o["source_rows"], o["mapped"], o["quarantined"],
             o["excluded"]]
            for o in others
        ],
        numeric=range(2, 6),
    )  # fmt: skip


def objects_view(report: dict[str, Any], dest: str) -> dict[str, Any]:
    data, build = report["objects"], report["build"]
    if not data["available"]:
        return {"available": False, "banner": build_banner(build)}
    objects = data["objects"]
    return {
        "available": True,
        "stale": not build["ok"],
        "chart": stacked_bars(
            objects,
            "object",
            stacks(dest),
            f"Per object: source rows and the {dest} records they became",
        ),
        "accounting": table(
            [for_destination(h, dest) for h in HEADERS],
            accounting_rows(objects),
            numeric=range(1, len(HEADERS)),
            bad_rows=[not adds_up(o) for o in objects],
        ),
        "stories": [(o["object"], o["story"]) for o in objects],
        "loaded_available": data["loaded_available"],
        "others": _other_sources(data["other_sources"]),
    }
