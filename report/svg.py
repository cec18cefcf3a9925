"""Inline SVG charts for the HTML report (no scripts, no external assets: machines are offline)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import Any

# one palette for the whole report (CSS uses the same values)
COLOURS = {
    "source": "#2563eb",
    "loaded": "#16a34a",
    "quarantined": "#d97706",
    "excluded": "#9ca3af",
    "failed": "#dc2626",
    "running": "#7c3aed",
    "skipped": "#cbd5e1",
    "done": "#16a34a",
    "limit": "#111827",
    "noted": "#0891b2",
}
FONT = "font-family='system-ui, -apple-system, Segoe UI, sans-serif' font-size='12'"


@dataclass(frozen=True)
class Series:
    key: str  # the row's field
    label: str
    colour: str  # a COLOURS name


def _svg(width: int, height: int, body: list[str], title: str) -> str:
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        f"viewBox='0 0 {width} {height}' role='img' aria-label='{escape(title)}' {FONT}>"
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _legend(series: Sequence[tuple[str, str]], x: int, y: int) -> list[str]:
    out = []
    for label, colour in series:
        out.append(f"<rect x='{x}' y='{y - 10}' width='12' height='12' rx='2' fill='{colour}'/>")
        out.append(f"<text x='{x + 17}' y='{y}' fill='#374151'>{escape(label)}</text>")
        x += 30 + 7 * len(label)
    return out


@dataclass(frozen=True)
class Stack:
    label: str  # the bar's name, e.g. "source rows"
    parts: tuple[Series, ...]  # segments left to right; their sum is the bar's length


def stacked_bars(
    rows: Sequence[dict[str, Any]], label_key: str, stacks: Sequence[Stack], title: str
) -> str:
    """One group per row, one stacked bar per :class:`Stack`: every bar visibly adds up (its
    total printed at its end, each segment's value in its tooltip)."""
    label_width, chart_width, bar, gap = 150, 600, 14, 14
    group = (bar + 2) * len(stacks) + gap
    height = 40 + group * len(rows)
    peak = max([1, *(sum(int(r.get(p.key) or 0) for p in st.parts) for r in rows for st in stacks)])
    legend = {p.label: COLOURS[p.colour] for st in stacks for p in st.parts}
    body = _legend(list(legend.items()), label_width, 16)
    y = 32
    for row in rows:
        body.append(
            f"<text x='{label_width - 8}' y='{y + (bar + 2) * len(stacks) / 2 + 4}' "
            f"text-anchor='end' fill='#111827'>{escape(str(row[label_key]))}</text>"
        )
        for i, st in enumerate(stacks):
            top, x = y + i * (bar + 2), float(label_width)
            values = [(p, int(row.get(p.key) or 0)) for p in st.parts]
            total = sum(v for _, v in values)
            sums = " + ".join(f"{p.label} {v}" for p, v in values)
            for part, value in values:
                width = chart_width * value / peak
                if value:
                    body.append(
                        f"<rect x='{x:.1f}' y='{top}' width='{max(1.0, width):.1f}' "
                        f"height='{bar}' fill='{COLOURS[part.colour]}'><title>"
                        f"{escape(str(row[label_key]))} · {escape(part.label)}: {value} "
                        f"(of {st.label} {total} = {escape(sums)})</title></rect>"
                    )
                x += width
            body.append(
                f"<text x='{x + 4:.1f}' y='{top + bar - 3}' fill='#374151' font-size='10'>"
                f"{escape(st.label)} {total}</text>"
            )
        y += group
    return _svg(label_width + chart_width + 160, height, body, title)


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def phase_timeline(rows: Sequence[dict[str, Any]], title: str) -> str:
    """Gantt of one run's phases; a forced gate gets a red outline and a FORCED tag."""
    spans = [(r, _time(r.get("started_at")), _time(r.get("finished_at"))) for r in rows]
    starts = [s for _, s, _ in spans if s]
    if not starts:
        return ""
    origin = min(starts)
    end = max([e or s for _, s, e in spans if s] + [origin])
    total = max((end - origin).total_seconds(), 1.0)
    label_width, chart_width, lane = 110, 680, 26
    states = ("done", "failed", "running", "skipped")
    legend = [(state, COLOURS[state]) for state in states]
    body = _legend([*legend, ("forced gate", COLOURS["failed"])], label_width, 16)
    y = 30
    for row, start, finish in spans:
        status = str(row.get("status") or "")
        body.append(
            f"<text x='{label_width - 8}' y='{y + 15}' text-anchor='end' fill='#111827'>"
            f"{escape(str(row.get('phase')))}</text>"
        )
        if start:
            x = label_width + chart_width * (start - origin).total_seconds() / total
            width = max(3.0, chart_width * ((finish or start) - start).total_seconds() / total)
            colour = COLOURS.get(status, COLOURS["excluded"])
            outline = (
                f" stroke='{COLOURS['failed']}' stroke-width='3' stroke-dasharray='5 3'"
                if row.get("forced")
                else ""
            )
            seconds = ((finish or start) - start).total_seconds()
            body.append(
                f"<rect x='{x:.1f}' y='{y + 2}' width='{width:.1f}' height='{lane - 8}' rx='3' "
                f"fill='{colour}'{outline}><title>{escape(str(row.get('phase')))}: {status}, "
                f"{seconds:.1f} s</title></rect>"
            )
            tag = f"{status} · {seconds:.1f} s" + (" · FORCED" if row.get("forced") else "")
            weight = " font-weight='700'" if row.get("forced") else ""
            right_room = label_width + chart_width + 100 - (x + width)
            anchor = "start" if right_room >= 7 * len(tag) else "end"
            tag_x = x + width + 6 if anchor == "start" else x - 6
            body.append(
                f"<text x='{tag_x:.1f}' y='{y + 15}' text-anchor='{anchor}' fill='"
                f"{COLOURS['failed'] if row.get('forced') else '#374151'}'{weight}>"
                f"{escape(tag)}</text>"
            )
        y += lane
    return _svg(label_width + chart_width + 110, y + 8, body, title)


def budget_bars(rows: Sequence[dict[str, Any]], title: str) -> str:
    """Requests per key label against the per-window limit (the limit drawn as a tick)."""
    label_width, chart_width, lane = 200, 560, 26
    peak = max([1, *(int(r.get("requests") or 0) for r in rows)])
    peak = max([peak, *(int(r.get("rate_limit") or 0) for r in rows)])
    body = _legend(
        [("requests used", COLOURS["source"]), ("limit per window", COLOURS["limit"])],
        label_width,
        16,
    )
    y = 30
    for row in rows:
        used, limit = int(row.get("requests") or 0), int(row.get("rate_limit") or 0)
        label = f"cycle {row.get('cycle')} · {row.get('key_label')}"
        body.append(
            f"<text x='{label_width - 8}' y='{y + 14}' text-anchor='end' fill='#111827'>"
            f"{escape(label)}</text>"
        )
        width = max(1.0, chart_width * used / peak)
        body.append(
            f"<rect x='{label_width}' y='{y + 3}' width='{width:.1f}' height='{lane - 10}' "
            f"fill='{COLOURS['source']}'><title>{used} requests</title></rect>"
        )
        body.append(
            f"<text x='{label_width + width + 4:.1f}' y='{y + 14}' fill='#374151'>{used}</text>"
        )
        if limit:
            tick = label_width + chart_width * limit / peak
            body.append(
                f"<line x1='{tick:.1f}' x2='{tick:.1f}' y1='{y}' y2='{y + lane - 4}' "
                f"stroke='{COLOURS['limit']}' stroke-width='2'/>"
            )
        y += lane
    return _svg(label_width + chart_width + 70, y + 8, body, title)
