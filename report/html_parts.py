"""Building blocks of the HTML report: the stylesheet, tables, badges."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from report.svg import COLOURS


class Raw(str):
    """Markup this module made itself: table cells insert it without escaping."""

    __slots__ = ()


HTML_ROW_CAP = 500
SECTIONS = (
    ("objects", "Records per object"),
    ("source", "What this account's API serves"),
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
div.detail {{ overflow-x: auto; margin: 0 0 12px 16px; }}
table.kv {{ width: auto; margin: 2px 0; font-size: 12px; }}
table.kv th {{ position: static; background: #f8fafc; font-weight: 500; white-space: nowrap; }}
table.kv th, table.kv td {{ padding: 2px 6px; }}
.banner {{ border-radius: 8px; padding: 10px 16px; margin: 16px 0 0; font-weight: 600; }}
.banner.bad {{ background: #fef2f2; color: #991b1b; border: 1px solid #fecaca; }}
.banner.warn {{ background: #fffbeb; color: #92400e; border: 1px solid #fde68a; }}
.equation {{ color: var(--muted); font-size: 13px; margin: 4px 0 8px; }}
ul.stories li {{ margin: 2px 0; }}
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


DETAIL_ROW_CAP = 60  # rows of one list inside a phase's detail (the spot checks: 50)


def _scalar(value: Any) -> bool:
    return not isinstance(value, dict | list)


def structure(value: Any) -> Raw:
    """A phase's detail (JSON) as HTML people read: a mapping as a two-column table, a list of
    mappings as a table with one column per key, plain lists inline; nested values the same way,
    one level down. The page used to print these as raw Python dictionaries: ~3 500 px."""
    if isinstance(value, dict):
        if not value:
            return Raw("<span class='note'>—</span>")
        rows = "".join(
            f"<tr><th>{escape(str(k).replace('_', ' '))}</th><td>{structure(v)}</td></tr>"
            for k, v in value.items()
        )
        return Raw(f"<table class='kv'><tbody>{rows}</tbody></table>")
    if isinstance(value, list):
        if not value:
            return Raw("<span class='note'>none</span>")
        if all(isinstance(v, dict) for v in value):
            keys = list(dict.fromkeys(k for v in value for k in v))
            shown = value[:DETAIL_ROW_CAP]
            more = (
                f"<p class='note'>first {DETAIL_ROW_CAP} of {len(value)}; report.json has all</p>"
                if len(value) > DETAIL_ROW_CAP
                else ""
            )
            head = "".join(f"<th>{escape(str(k).replace('_', ' '))}</th>" for k in keys)
            body = "".join(
                "<tr>" + "".join(f"<td>{structure(v.get(k))}</td>" for k in keys) + "</tr>"
                for v in shown
            )
            return Raw(
                f"<table class='kv'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
                + more
            )
        if all(_scalar(v) for v in value):
            return Raw(escape(", ".join(str(v) for v in value)))
        return Raw("".join(f"<div>{structure(v)}</div>" for v in value))
    return Raw(_cell(value))


def collapsible(summary: str, body: str, open_: bool = False) -> Raw:
    flag = " open" if open_ else ""
    return Raw(f"<details{flag}><summary>{escape(summary)}</summary>{body}</details>")


def badge(text: str, kind: str) -> Raw:
    return Raw(f"<span class='badge {kind}'>{escape(text)}</span>")


def empty(text: str) -> str:
    return f"<p class='empty'>{escape(text)}</p>"


def section(key: str, body: str) -> str:
    title = dict(SECTIONS)[key]
    return f"<section id='{key}'><h2><a href='#{key}'>{escape(title)}</a></h2>{body}</section>"
