"""Is the last `dbt build` of this DuckDB file one the loader may read?

The build records itself in the file (``macros/build_log.sql``: ``migration.dbt_builds``,
``dbt_build_results``, ``dbt_project_nodes``). Seen on a fresh clone: a mart with a broken
unique key, ``dbt build`` exit 1 (``FAIL 3 unique_twenty__people_external_id``), then
``bizmig load --yes`` exit 0 with 21 people created and 2 updated, the mismatch found only by a
later reconcile. So ``load``, ``reconcile`` and ``report`` (and ``migrate`` before its load)
ask this module first, and only a state ``ok`` goes through without ``--force``:

* ``not_built``: a relation the loader reads is missing, or no build ever recorded itself;
* ``failed``: a model, seed, snapshot or test whose latest result is an error, a failing test
  or skipped (its upstream failed);
* ``partial``: the last build was interrupted (no end recorded), a node of the project never
  ran, or a test last ran before one of its parents was rebuilt (``dbt run -s`` without tests);
* ``stale``: an extraction cycle completed after a model was built (its table holds older data).

Each node's *current* result is its result in the latest command that ran it, so ``dbt build``
followed by ``dbt test -s x`` is judged on the newer test result. ``built_file`` tells the
auditor which path the build wrote; a copied file keeps its record (and its tables), so a copy
is not stale — its views still name the original file's catalog, which the report mentions.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from common.duck import connect

FIX = "run `dbt build`"
REQUIRED = (
    "seeds.twenty_objects",
    "seeds.custom_field_map",
    "migration.migration__field_catalog",
    "migration.migration__select_options",
    "migration.migration__reconciliation",
    "migration.migration__owner_lookup",
)
# the Twenty marts: what a build without a named destination must hold (files from before
# other destinations existed); a destination's own marts are passed by its caller
DEFAULT_MARTS = (
    "marts.twenty__people",
    "marts.twenty__service_groups",
    "marts.twenty__services",
    "marts.twenty__locations",
    "marts.twenty__payments",
    "marts.twenty__sessions",
    "marts.twenty__availability_windows",
    "marts.twenty__notes",
    "marts.twenty__note_targets",
)
BAD_STATUSES = ("error", "fail", "skipped", "runtime error")


class BuildNotUsable(RuntimeError):
    """The marts' last build cannot be trusted (see :class:`BuildState`); the message is one
    line ending in what to run."""

    def __init__(self, state: BuildState) -> None:
        self.state = state
        super().__init__(state.line())


@dataclass
class BuildState:
    status: str  # ok | not_built | unrecorded | failed | partial | stale
    reason: str  # one line, without the fix
    build: dict[str, Any] | None = None  # the latest recorded dbt command
    problems: list[str] = field(default_factory=list)  # every finding, for the report
    missing: list[str] = field(default_factory=list)  # relations the loader needs, absent
    fix: str = FIX

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def tables_present(self) -> bool:
        """The loader's relations exist (a failed build may still have left them)."""
        return not self.missing

    def line(self) -> str:
        return self.reason if self.ok else f"{self.reason}: {self.fix}"

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok, "line": self.line()}

    def summary(self) -> dict[str, Any]:
        """What a phase log or a load run keeps of the build: enough to find it again."""
        build = self.build or {}
        return {
            "status": self.status,
            "line": self.line(),
            "invocation_id": build.get("invocation_id"),
            "finished_at": build.get("finished_at"),
            "vars": build.get("vars"),
        }


def _relations(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute("select table_schema, table_name from information_schema.tables").fetchall()
    return {f"{s}.{t}" for s, t in rows}


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def read_build_state(
    con: duckdb.DuckDBPyConnection, marts: Sequence[str] = DEFAULT_MARTS
) -> BuildState:
    relations = _relations(con)
    missing = [r for r in (*REQUIRED, *marts) if r not in relations]
    builds = []
    if "migration.dbt_builds" in relations:
        builds = _rows(con, "select * from migration.dbt_builds order by started_at")
    if not builds:
        if missing:
            return BuildState(
                "not_built", f"the marts are not built (no {missing[0]})", None, missing=missing
            )
        return BuildState(
            "unrecorded",
            "no dbt build is recorded in this file (migration.dbt_builds; built by an older "
            "bizmig?)",
        )
    latest = builds[-1]
    latest["vars"] = json.loads(latest["vars"]) if isinstance(latest["vars"], str) else None
    for key in ("started_at", "finished_at"):
        if latest.get(key) is not None:
            latest[key] = latest[key].isoformat()
    if missing:
        return BuildState(
            "not_built",
            f"the marts are not built (no {missing[0]}; last dbt {latest['command']} "
            f"{latest['status']})",
            latest,
            [],
            missing,
        )
    problems: list[str] = []
    interrupted = latest["finished_at"] is None
    if interrupted:
        problems.append(
            f"the last dbt {latest['command']} (started {latest['started_at']}) did not finish"
        )
    current = _rows(
        con,
        "select r.*, b.started_at, epoch(b.started_at) as started_epoch "
        "from migration.dbt_build_results r join migration.dbt_builds b using (invocation_id) "
        "qualify row_number() over (partition by r.unique_id order by b.started_at desc) = 1",
    )
    by_id = {r["unique_id"]: r for r in current}
    bad = sorted(
        (r for r in current if r["status"] in BAD_STATUSES),
        key=lambda r: (r["status"] == "skipped", r["unique_id"]),
    )
    problems += [_describe(r) for r in bad]
    incomplete = _never_ran(con, by_id) + _older_than_parents(con, by_id)
    problems += incomplete
    stale = _stale_against_extraction(con, relations, current)
    problems += stale
    if bad:
        return BuildState(
            "failed", _failed_line(bad), latest, problems, fix="fix it and run `dbt build`"
        )
    if interrupted or incomplete:
        first = problems[0]
        more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
        return BuildState(
            "partial", f"the last dbt build is partial: {first}{more}", latest, problems
        )
    if stale:
        return BuildState("stale", f"the marts are stale: {stale[0]}", latest, problems)
    ok = f"dbt {latest['command']} finished {latest['finished_at']}, {latest['nodes']} nodes ok"
    return BuildState("ok", ok, latest, problems)


def _never_ran(con: duckdb.DuckDBPyConnection, by_id: dict[str, dict[str, Any]]) -> list[str]:
    nodes = _rows(con, "select * from migration.dbt_project_nodes order by unique_id")
    return [
        f"{n['resource_type']} {n['name']} never ran" for n in nodes if n["unique_id"] not in by_id
    ]


def _older_than_parents(
    con: duckdb.DuckDBPyConnection, by_id: dict[str, dict[str, Any]]
) -> list[str]:
    """A test vouches for the table it read, a model for the inputs it read: neither for a
    parent rebuilt (or a seed reloaded) after it ran."""
    out = []
    for node in _rows(con, "select * from migration.dbt_project_nodes order by unique_id"):
        mine = by_id.get(node["unique_id"])
        if mine is None:
            continue
        for parent in json.loads(node["depends_on"] or "[]"):
            theirs = by_id.get(parent)
            if theirs is not None and theirs["started_at"] > mine["started_at"]:
                out.append(
                    f"{node['resource_type']} {node['name']} last ran before "
                    f"{parent.split('.')[-1]} was rebuilt"
                )
                break
    return out


def _stale_against_extraction(
    con: duckdb.DuckDBPyConnection, relations: set[str], current: list[dict[str, Any]]
) -> list[str]:
    if "raw_bizstim._bizmig_extract_cycles" not in relations:
        return []
    row = con.execute(
        "select cycle, completed_at from raw_bizstim._bizmig_extract_cycles "
        "where completed_at is not null order by completed_at desc limit 1"
    ).fetchone()
    built = [float(r["started_epoch"]) for r in current if r["resource_type"] == "model"]
    if row is None or not built or float(row[1]) <= min(built):
        return []
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(float(row[1])))
    return [f"extraction cycle {row[0]} completed {when} UTC, after the marts were built"]


def _failed_line(bad: list[dict[str, Any]], shown: int = 4) -> str:
    """Every failing node by name (up to ``shown``), then how many were skipped because of them."""
    failing = [r for r in bad if r["status"] != "skipped"]
    skipped = len(bad) - len(failing)
    names = [
        f"{r['name']} ({_plural(int(r['failures']), 'row')})" if r["failures"] else str(r["name"])
        for r in failing[:shown]
    ]
    if len(failing) > shown:
        names.append(f"{len(failing) - shown} more")
    line = "the last dbt build failed: "
    if failing:
        verbs = sorted({r["status"].upper() for r in failing})
        line += f"{'/'.join(verbs)} {', '.join(names)}"
    if skipped:
        line += f"{'; ' if failing else ''}{_plural(skipped, 'node')} skipped"
    return line


def _describe(result: dict[str, Any]) -> str:
    failures = f" ({_plural(int(result['failures']), 'failing row')})" if result["failures"] else ""
    return f"{result['status'].upper()} {result['resource_type']} {result['name']}{failures}"


def build_state(path: Path, marts: Sequence[str] = DEFAULT_MARTS) -> BuildState:
    """The state of the file's last build; ``not_built`` when the file does not exist."""
    if not path.exists():
        return BuildState(
            "not_built", f"{path} does not exist", fix="run `bizmig extract`, then `dbt build`"
        )
    with connect(path, read_only=True, wait=60.0) as con:  # waits while dbt or a load writes
        return read_build_state(con, marts)


def require_build(
    path: Path,
    force: bool = False,
    force_hint: str = "",
    marts: Sequence[str] = DEFAULT_MARTS,
) -> BuildState:
    """The build state, or :class:`BuildNotUsable`. ``force`` goes past a failed, partial,
    stale or unrecorded build, never past missing tables (there is nothing to read);
    ``force_hint`` (e.g. "--force loads it anyway") ends the line when forcing would help."""
    state = build_state(path, marts)
    forcible = state.tables_present and state.status != "not_built"
    if state.ok or (force and forcible):
        return state
    if force_hint and forcible:
        state.fix = f"{state.fix}, or {force_hint}"
    raise BuildNotUsable(state)
