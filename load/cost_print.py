"""The terminal view of a :class:`~load.core.cost.CostPlan`, the same for every destination.

``bizmig scope --to <name>`` and ``bizmig load --dry-run --to <name>`` print it: a table per
object (records, write path, one column per budget unit), the totals against each allowance
with where its figures came from, and the ETA in windows when the load does not fit the room
left in the current one. One printer, so a destination's plan differs only in its lines.
"""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from load.core.cost import Allowance, CostPlan

WINDOW_NAMES = {86_400.0: "day", 3_600.0: "hour", 60.0: "minute"}


def window_name(allowance: Allowance) -> str:
    return WINDOW_NAMES.get(allowance.window, f"{allowance.window:g} s window")


def print_cost(out: Console, plan: CostPlan, title: str) -> None:
    units = [a.unit for a in plan.allowances]
    table = Table(title=f"{title} — records from {plan.basis}")
    table.add_column("object")
    table.add_column("records", justify="right")
    table.add_column("write path")
    for unit in units:
        table.add_column(unit, justify="right")
    for line in plan.lines:
        table.add_row(
            line.object,
            f"{line.records:,}",
            line.path,
            *(f"{line.total(u):,}" for u in units),
        )
    table.add_row("[bold]total", f"[bold]{sum(x.records for x in plan.lines):,}", "",
                  *(f"[bold]{plan.total(u):,}" for u in units))  # fmt: skip
    out.print(table)
    for allowance in plan.allowances:
        out.print(allowance_line(plan, allowance), soft_wrap=True)
    eta = plan.eta_windows()
    span = window_name(plan.allowances[0]) if plan.allowances else "window"
    if eta is None:
        out.print(
            f"[bold red]ETA: never[/] — a {span}'s room does not cover what a resume re-reads; "
            "raise the allocation or the share the load may use",
            soft_wrap=True,
        )
    elif eta > 1 and plan.waits_between_windows:
        out.print(
            f"[bold yellow]ETA: {eta} {span}s[/] — the load waits for each {span}'s room and "
            "runs through in one command",
            soft_wrap=True,
        )
    elif eta > 1:
        out.print(
            f"[bold yellow]ETA: {eta} {span}s[/] — the load stops when {_a(span)} {span}'s room is "
            f"spent (exit 14) and the same command resumes it, {eta - 1} time(s)",
            soft_wrap=True,
        )
    else:
        out.print(f"ETA: fits the room left in this {span}", soft_wrap=True)
    for note in plan.notes:
        out.print(f"[dim]{escape(note)}[/]", soft_wrap=True)


def _a(word: str) -> str:
    return "an" if word[:1] in "aeiouh" else "a"


def allowance_line(plan: CostPlan, allowance: Allowance) -> str:
    needed = plan.windows(allowance)
    span = window_name(allowance)
    share = f", this load keeps to {allowance.share:.0%}" if allowance.share < 1 else ""
    used = f", {allowance.used:,} used now" if allowance.used else ""
    return (
        f"{allowance.unit}: {needed.total:,} of {allowance.limit:,} per {span}"
        f" ({escape(allowance.source)}{share}{used}: room {needed.room_now:,} now,"
        f" {needed.room:,} a fresh {span})"
    )
