"""What a load will cost in the destination's budget units, and how many budget windows it needs.

Every destination meters a load differently (load/core/pacing.py): Twenty 100 requests per 60 s,
Salesforce API requests per rolling 24 h *and* 15 000 Bulk batches per 24 h, Pipedrive tokens,
monday complexity points. A migration engineer needs the same answer from each before the
first write: per object, how many records, which write path, what each budget is charged; the
totals against what the destination allows; and, where a load cannot fit one window, how many
windows (days, for Salesforce) it takes. So a plan is a list of :class:`CostLine` (costs keyed
by unit name) and a list of :class:`Allowance` (a limit per window per unit, the share of it the
loader keeps to, where the figure came from), filled by each adapter's cost model
(``load/<name>/cost.py``) and printed by one neutral printer (``load/cost_print.py``).

Why resume costs are part of the arithmetic: a load that stops at the end of a window resumes
with a new read of what it already wrote (the core's plan reads the destination, one page per
2 000 Salesforce records), so each extra window loses that re-read from its room: in the
200 000-record Salesforce benchmark 162 of the resumed load's 212 requests were SOQL
(re-reading pages and note links, benchmarks/RESULTS.md). :meth:`CostPlan.windows`
charges every window after the first the re-read of the whole target (an upper bound: earlier
windows wrote less), and says when a window's room cannot even cover it: the load would never
finish.

Destinations that write one call a record (Pipedrive, Freshsales) count the same three figures
per object from a dry run (:class:`EntityRows`: created, changed, already held) and read the same
seeds (the mapping tables humans edit, from the built staging file or the CSV): those helpers
live here, once.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

if TYPE_CHECKING:
    from load.core.loader import ObjectResult

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@dataclass(frozen=True)
class Allowance:
    """``limit`` units per ``window`` seconds; the loader keeps to ``share`` of it;
    ``used``: already spent in the current window (known when read from the destination);
    ``source``: where the figures came from (the org's /limits, configured, assumed)."""

    unit: str
    limit: int
    window: float
    share: float = 1.0
    used: int = 0
    source: str = "assumed"

    @property
    def room(self) -> int:
        """Units one fresh window gives this load."""
        return int(self.limit * self.share)

    @property
    def room_now(self) -> int:
        return max(0, self.room - self.used)


@dataclass
class CostLine:
    """One object: records to write, the write path, and its cost per unit
    (``costs``: writes; ``reads``: what reading the object back before writing costs)."""

    object: str
    records: int
    path: str
    costs: dict[str, int] = field(default_factory=dict)
    reads: dict[str, int] = field(default_factory=dict)
    detail: str = ""

    def total(self, unit: str) -> int:
        return self.costs.get(unit, 0) + self.reads.get(unit, 0)


@dataclass
class WindowsNeeded:
    unit: str
    windows: int | None  # None: a window's room never covers a resume's re-read
    total: int
    room_now: int
    room: int
    reread: int


@dataclass
class CostPlan:
    destination: str
    basis: str  # what the record counts are: "marts (exact)", "inventory (estimate)", "dry run"
    lines: list[CostLine]
    allowances: list[Allowance]
    notes: list[str] = field(default_factory=list)
    resume_reread: dict[str, int] = field(default_factory=dict)  # per unit, re-read on resume
    # the load waits inside one run for the next window's room (Freshsales' rolling hour,
    # FRESHSALES_MAX_WAIT_S above an hour) instead of stopping with exit 14 at each window
    waits_between_windows: bool = False

    def total(self, unit: str) -> int:
        return sum(line.total(unit) for line in self.lines)

    def writes(self, unit: str) -> int:
        return sum(line.costs.get(unit, 0) for line in self.lines)

    def windows(self, allowance: Allowance) -> WindowsNeeded:
        total = self.total(allowance.unit)
        reread = self.resume_reread.get(allowance.unit, 0)
        needed = WindowsNeeded(allowance.unit, 1, total, allowance.room_now, allowance.room, reread)
        if total <= allowance.room_now:
            return needed
        per_window = allowance.room - reread  # what each later window adds
        if per_window <= 0:
            needed.windows = None
            return needed
        needed.windows = 1 + math.ceil((total - allowance.room_now) / per_window)
        return needed

    def eta_windows(self) -> int | None:
        """Windows the whole load needs (the binding allowance's), None if it cannot finish."""
        counts = [self.windows(a).windows for a in self.allowances]
        if any(c is None for c in counts):
            return None
        return max((c for c in counts if c is not None), default=1)

    def as_json(self) -> dict[str, Any]:
        return {
            "destination": self.destination,
            "basis": self.basis,
            "objects": [asdict(line) for line in self.lines],
            "allowances": [
                {**asdict(a), **asdict(self.windows(a)), "room": a.room} for a in self.allowances
            ],
            "totals": {a.unit: self.total(a.unit) for a in self.allowances},
            "eta_windows": self.eta_windows(),
            "notes": self.notes,
        }


def mart_counts(duckdb_path: Path | None, relations: list[str]) -> dict[str, int] | None:
    """Rows per mart, or None when the staging file or any of the marts is not built yet."""
    if duckdb_path is None or not duckdb_path.exists():
        return None
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        built = {
            f"{schema}.{name}"
            for schema, name in con.execute(
                "select table_schema, table_name from information_schema.tables"
            ).fetchall()
        }
        if not all(relation in built for relation in relations):
            return None
        return {r: int(con.execute(f"select count(*) from {r}").fetchone()[0]) for r in relations}


@dataclass(frozen=True)
class EntityRows:
    """Rows the load sends (``created``; ``changed``: updated or restored) and records of the
    migration the account already holds (what a listing before writing pages through)."""

    created: int
    changed: int = 0
    held: int = 0


def rows_from_results(results: Sequence[ObjectResult]) -> dict[str, EntityRows]:
    """What a dry run found per object: created rows, changed rows, the migration's records held."""
    out = {}
    for r in results:
        changed = r.actions.get("updated", 0) + r.actions.get("restored", 0)
        held = changed + r.actions.get("unchanged", 0)
        out[r.object] = EntityRows(r.actions.get("created", 0), changed, held)
    return out


def seed_rows(duckdb_path: Path | None, seed: str) -> list[dict[str, Any]]:
    """A seed's rows: from the built staging file where dbt built it, else its CSV."""
    if duckdb_path is not None and duckdb_path.exists():
        with duckdb.connect(str(duckdb_path), read_only=True) as con:
            built = con.execute(
                "select count(*) from information_schema.tables "
                "where table_schema = 'seeds' and table_name = ?",
                [seed],
            ).fetchone()
            if built and built[0]:
                cursor = con.execute(f"select * from seeds.{seed}")
                names = [d[0] for d in cursor.description]
                return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    path = SEEDS / f"{seed}.csv"
    if not path.exists():
        return []
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def payments_target(duckdb_path: Path | None, settings_seed: str) -> str:
    """``deals`` or ``notes`` (the default), as the destination's settings seed says."""
    for row in seed_rows(duckdb_path, settings_seed):
        values = list(row.values())
        if values and values[0] == "payments_as" and len(values) > 1:
            return str(values[1]).strip().lower()
    return "notes"
