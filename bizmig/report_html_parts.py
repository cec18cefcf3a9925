"""Building blocks of the HTML report: the stylesheet, tables, badges."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from bizmig.report_svg import COLOURS


class Raw(str):
    """Markup this module made itself: table cells insert it without escaping."""

    __slots__ = ()


HTML_ROW_CAP = 500
SECTIONS = (
    ("objects", "Records per object"),
    ("phases", "Phase timeline"),
    ("budget", "Request budget"),
    ("quarantine", "Quarantine"),
    ("reconciliation", "Reconciliation & spot checks"),
    ("users", "Unmatched users"),
    ("not-migrated", "Not migrated"),
    ("automation", "Automations to rebuild"),
    ("lineage", "Lineage"),
)
CSS = f"""
:root {{ --ok: {COLOURS["loaded"]}; --bad: {COLOURS["failed"]}; --warn: {COLOURS["quarantined"]};
  --src: {COLOURS["source"]}; --muted: #6b7280; --line: #e5e7eb; --bg: #f8fafc; }}
* {{ box-sizing: border-box; }}
body {{ margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif;
  color: #111827; background: var(--bg); }}
header {{ background: #0f172a; color: #f8fafc; padding: 24px 40px 16px; }}
header h1 {{ margin: 0 0 4px; font-size: 24px; }}
header .meta {{ color: #cbd5e1; font-size: 12px; }}
nav {{ display: flex; flex-wrap: wrap; gap: 6px 16px; margin-top: 14px; }}
nav a {{ color: #bfdbfe; text-decoration: none; font-size: 13px; }}
nav a:hover {{ text-decoration: underline; }}
main {{ max-width: 1180px; margin: 0 auto; padding: 8px 40px 60px; }}
section {{ background: #fff; border: 1px solid var(--line); border-radius: 8px;
  padding: 8px 24px 20px; margin: 20px 0; }}
h2 {{ font-size: 18px; margin: 14px 0 8px; }}
h2 a {{ color: inherit; text-decoration: none; }}
h2 a:hover {{ text-decoration: underline; }}
h3 {{ font-size: 14px; margin: 18px 0 6px; color: #374151; }}
p.note, .note {{ color: var(--muted); font-size: 13px; }}
table {{ border-collapse: collapse; width: 100%; margin: 8px 0; font-size: 13px; }}
th, td {{ border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left;
  vertical-align: top; }}
th {{ background: #f1f5f9; font-weight: 600; position: sticky; top: 0; }}
td.num, th.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
tr.bad td {{ background: #fef2f2; }}
code {{ font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; }}
.badge {{ display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px;
  font-weight: 600; color: #fff; }}
.badge.ok {{ background: var(--ok); }} .badge.bad {{ background: var(--bad); }}
.badge.warn {{ background: var(--warn); }} .badge.muted {{ background: #94a3b8; }}
.result {{ display: flex; gap: 24px; align-items: flex-start; margin-top: 16px; }}
.result .verdict {{ font-size: 22px; font-weight: 700; padding: 8px 18px; border-radius: 8px; }}
.verdict.ok {{ background: var(--ok); }} .verdict.bad {{ background: var(--bad); }}
.result ul {{ margin: 0; padding-left: 18px; }}
.figures {{ display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0 4px; }}
.figure {{ background: #1e293b; border-radius: 8px; padding: 8px 16px; min-width: 130px; }}
.figure b {{ display: block; font-size: 20px; }}
.figure span {{ color: #cbd5e1; font-size: 12px; }}
.empty {{ color: var(--muted); font-style: italic; }}
details summary {{ cursor: pointer; color: var(--src); margin: 8px 0; }}
svg {{ max-width: 100%; height: auto; }}
"""


def _cell(value: Any) -> str:
    if isinstance(value, Raw):
        return str(value)
    if value is None:
        return "<span class='note'>—</span>"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return escape("; ".join(str(v) for v in value))
    if isinstance(value, dict):
        return escape(", ".join(f"{k}: {v}" for k, v in value.items()))
    return escape(str(value))


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    numeric: Sequence[int] = (),
    bad_rows: Sequence[bool] = (),
) -> str:
    head = "".join(
        f"<th class='num'>{escape(h)}</th>" if i in numeric else f"<th>{escape(h)}</th>"
        for i, h in enumerate(headers)
    )
    body = []
    for r, row in enumerate(rows):
        marked = " class='bad'" if r < len(bad_rows) and bad_rows[r] else ""
        cells = "".join(
            f"<td class='num'>{_cell(v)}</td>" if i in numeric else f"<td>{_cell(v)}</td>"
            for i, v in enumerate(row)
        )
        body.append(f"<tr{marked}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def badge(text: str, kind: str) -> Raw:
    return Raw(f"<span class='badge {kind}'>{escape(text)}</span>")


def empty(text: str) -> str:
    return f"<p class='empty'>{escape(text)}</p>"


def section(key: str, body: str) -> str:
    title = dict(SECTIONS)[key]
    return f"<section id='{key}'><h2><a href='#{key}'>{escape(title)}</a></h2>{body}</section>"
