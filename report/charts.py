"""Chart geometry for the HTML report: bars, lanes and labels as plain numbers and text.

The page is drawn offline (no scripts, no external assets), so charts are inline SVG. Python
only works out where things go; ``templates/charts.html.j2`` writes the SVG with autoescape on,
since a bar's label is a Bizstim object or phase name and its tooltip repeats it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# one palette for the whole report (the stylesheet uses the same values)
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
INK, GREY = "#111827", "#374151"


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    fill: str
    tooltip: str | None = None
    rx: int = 0
    dashed_outline: str | None = None  # a colour: the forced-gate outline
    kind: str = "rect"


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    fill: str = GREY
    anchor: str = "start"
    size: int | None = None
    bold: bool = False
    kind: str = "text"


@dataclass(frozen=True)
class Line:
    x: float
    y1: float
    y2: float
    stroke: str
    kind: str = "line"


@dataclass
class Chart:
    title: str
    width: int
    height: float = 0
    marks: list[Rect | Text | Line] = field(default_factory=list)


@dataclass(frozen=True)
class Series:
    key: str  # the row's field
    label: str
    colour: str  # a COLOURS name


@dataclass(frozen=True)
class Stack:
    label: str  # the bar's name, e.g. "source rows"
    parts: tuple[Series, ...]  # segments left to right; their sum is the bar's length


def _legend(chart: Chart, series: Sequence[tuple[str, str]], x: int, y: int) -> None:
    for label, colour in series:
        chart.marks.append(Rect(x, y - 10, 12, 12, colour, rx=2))
        chart.marks.append(Text(x + 17, y, label))
        x += 30 + 7 * len(label)


def stacked_bars(
    rows: Sequence[dict[str, Any]], label_key: str, stacks: Sequence[Stack], title: str
) -> Chart:
    """One group per row, one stacked bar per :class:`Stack`: every bar visibly adds up (its
    total printed at its end, each segment's value in its tooltip)."""
    label_width, chart_width, bar, gap = 150, 600, 14, 14
    group = (bar + 2) * len(stacks) + gap
    chart = Chart(title, label_width + chart_width + 160, 40 + group * len(rows))
    peak = max([1, *(sum(int(r.get(p.key) or 0) for p in st.parts) for r in rows for st in stacks)])
    legend = {p.label: COLOURS[p.colour] for st in stacks for p in st.parts}
    _legend(chart, list(legend.items()), label_width, 16)
    y = 32
    for row in rows:
        name = str(row[label_key])
        middle = y + (bar + 2) * len(stacks) / 2 + 4
        chart.marks.append(Text(label_width - 8, middle, name, INK, "end"))
        for i, st in enumerate(stacks):
            top, x = y + i * (bar + 2), float(label_width)
            values = [(p, int(row.get(p.key) or 0)) for p in st.parts]
            total = sum(v for _, v in values)
            sums = " + ".join(f"{p.label} {v}" for p, v in values)
            for part, value in values:
                width = chart_width * value / peak
                if value:
                    tooltip = f"{name} · {part.label}: {value} (of {st.label} {total} = {sums})"
                    chart.marks.append(
                        Rect(round(x, 1), top, round(max(1.0, width), 1), bar,
                             COLOURS[part.colour], tooltip)
                    )  # fmt: skip
                x += width
            chart.marks.append(Text(round(x + 4, 1), top + bar - 3, f"{st.label} {total}", size=10))
        y += group
    return chart


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def phase_timeline(rows: Sequence[dict[str, Any]], title: str) -> Chart | None:
    """Gantt of one run's phases; a forced gate gets a red outline and a FORCED tag."""
    spans = [(r, _time(r.get("started_at")), _time(r.get("finished_at"))) for r in rows]
    starts = [s for _, s, _ in spans if s]
    if not starts:
        return None
    origin = min(starts)
    end = max([e or s for _, s, e in spans if s] + [origin])
    total = max((end - origin).total_seconds(), 1.0)
    label_width, chart_width, lane = 110, 680, 26
    chart = Chart(title, label_width + chart_width + 110)
    states = [(state, COLOURS[state]) for state in ("done", "failed", "running", "skipped")]
    _legend(chart, [*states, ("forced gate", COLOURS["failed"])], label_width, 16)
    y = 30
    for row, start, finish in spans:
        status, phase = str(row.get("status") or ""), str(row.get("phase"))
        forced = bool(row.get("forced"))
        chart.marks.append(Text(label_width - 8, y + 15, phase, INK, "end"))
        if start:
            x = label_width + chart_width * (start - origin).total_seconds() / total
            width = max(3.0, chart_width * ((finish or start) - start).total_seconds() / total)
            seconds = ((finish or start) - start).total_seconds()
            fill = COLOURS.get(status, COLOURS["excluded"])
            chart.marks.append(
                Rect(round(x, 1), y + 2, round(width, 1), lane - 8, fill,
                     f"{phase}: {status}, {seconds:.1f} s",
                     rx=3, dashed_outline=COLOURS["failed"] if forced else None)
            )  # fmt: skip
            tag = f"{status} · {seconds:.1f} s" + (" · FORCED" if forced else "")
            right_room = label_width + chart_width + 100 - (x + width)
            anchor = "start" if right_room >= 7 * len(tag) else "end"
            tag_x = x + width + 6 if anchor == "start" else x - 6
            colour = COLOURS["failed"] if forced else GREY
            chart.marks.append(Text(round(tag_x, 1), y + 15, tag, colour, anchor, bold=forced))
        y += lane
    chart.height = y + 8
    return chart


def budget_bars(rows: Sequence[dict[str, Any]], title: str) -> Chart:
    """Requests per key label against the per-window limit (the limit drawn as a tick)."""
    label_width, chart_width, lane = 200, 560, 26
    chart = Chart(title, label_width + chart_width + 70)
    peak = max([1, *(int(r.get("requests") or 0) for r in rows)])
    peak = max([peak, *(int(r.get("rate_limit") or 0) for r in rows)])
    legend = [("requests used", COLOURS["source"]), ("limit per window", COLOURS["limit"])]
    _legend(chart, legend, label_width, 16)
    y = 30
    for row in rows:
        used, limit = int(row.get("requests") or 0), int(row.get("rate_limit") or 0)
        label = f"cycle {row.get('cycle')} · {row.get('key_label')}"
        chart.marks.append(Text(label_width - 8, y + 14, label, INK, "end"))
        width = max(1.0, chart_width * used / peak)
        chart.marks.append(
            Rect(label_width, y + 3, round(width, 1), lane - 10, COLOURS["source"],
                 f"{used} requests")
        )  # fmt: skip
        chart.marks.append(Text(round(label_width + width + 4, 1), y + 14, str(used)))
        if limit:
            tick = round(label_width + chart_width * limit / peak, 1)
            chart.marks.append(Line(tick, y, y + lane - 4, COLOURS["limit"]))
        y += lane
    chart.height = y + 8
    return chart
