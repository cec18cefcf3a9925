"""Salesforce benchmark: an account of ``--records`` source records migrated into the Salesforce
stand-in with a daily API allocation small enough to bind. Prints figures, asserts nothing.

Why a small allocation: Salesforce does not slow a loader down, it counts API requests per
rolling 24 h and the adapter stops at 80 % of them (exit 14); a real org's 115 000 requests
cover a 200 000-record load (a few hundred requests through Bulk API 2.0) with room to spare,
so the only way to see the stop, the resume and what a resume costs is to make the day small.
``--daily-api-limit`` (default 400 for the default 200 000 records) is that day; the org's
clock is the scaled one: each time the migration stops with exit 14 the script moves the
stand-in's clock 24 hours on (``POST /_sandbox/clock/advance``) and runs the same migration
again, as an engineer would the next day.

1. Generates the Bizstim sandbox account (``benchmarks/scale.py``'s generator and sizes) and
   starts it at the real 1000 GETs per key on a ``--bizstim-window`` s window.
2. Starts the Salesforce stand-in with Users for every Bizstim staff member.
3. Runs ``bizmig.migrate.execute --to salesforce`` (scope → extract → dbt build → load →
   reconcile, then the report) in a child process until it exits 0, advancing the org clock
   a day after every exit 14.
4. Prints and writes ``salesforce.json``: API requests (all, record writes, Bulk jobs) and Bulk
   batches against the minimum, which is the cost plan (:mod:`load.salesforce.cost`) of the
   built marts; the days used against the plan's ETA at the same allocation (the limit's
   floor); resumes; 403s; wall per run; peak RSS per process.

    .venv/bin/python benchmarks/salesforce.py [--records 200000] [--daily-api-limit 400]
        [--keys 3] [--bizstim-window 15] [--workdir .bizmig/bench-salesforce]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.scale import Sampler, clients_for, phases, start_bizstim  # noqa: E402
from bizmig.demo import copy_project, workspace_members  # noqa: E402
from load.core.cost import mart_counts  # noqa: E402
from load.salesforce.cost import (  # noqa: E402
    BATCHES,
    RECONCILE_SAMPLE,
    REQUESTS,
    assumed_allowances,
    rows_from_marts,
    salesforce_plan,
)
from load.salesforce.specs import LOAD_ORDER  # noqa: E402
from sandbox.bizstim.generate import ensure_db  # noqa: E402
from sandbox.bizstim.store import counts  # noqa: E402
from sandbox.servers import RunningServer, start_server  # noqa: E402

BIZSTIM_LIMIT = 1000
CLIENT = ("bench-salesforce-client", "bench-salesforce-secret")
LIMIT_STOP = 14  # exit code of a load stopped by the daily allocation (common.exits)
CHILD = """
import json, resource, sys
from pathlib import Path
from bizmig.migrate import MigrationConfig, execute
from common.settings import BizstimSettings, SalesforceSettings
c = json.loads(sys.argv[1])
config = MigrationConfig(
    bizstim=BizstimSettings(c["bizstim_url"], tuple(c["keys"]), c["b_limit"], c["b_window"]),
    target=SalesforceSettings(c["sf_url"], c["client_id"], c["client_secret"]),
    duckdb=Path(c["duckdb"]), report_dir=Path(c["report"]), project_dir=Path(c["project"]),
    target_rate=(100, 1.0), restart=c["restart"], destination="salesforce")
code = execute(config)
print("PEAK_KB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
sys.exit(code)
"""


def start_org(work: Path, source: Path, daily_api_limit: int) -> RunningServer:
    (work / "salesforce.sqlite").unlink(missing_ok=True)
    args = ["--client-id", CLIENT[0], "--client-secret", CLIENT[1]]
    args += ["--db", str(work / "salesforce.sqlite"), "--daily-api-limit", str(daily_api_limit)]
    for person in workspace_members(source, leave_out=0):
        args += ["--user", person]
    return start_server("salesforce", args)


def advance_day(org: RunningServer) -> None:
    request = urllib.request.Request(f"{org.url}/_sandbox/clock/advance?hours=24", method="POST")
    urllib.request.urlopen(request).read()


def counted(entry: dict[str, Any]) -> bool:
    """Requests the org counts against its allocation (not the token, not refused ones)."""
    path = entry["path"]
    versions = path.rstrip("/") == "/services/data"
    counts_here = path.startswith(("/services/data/", "/services/Soap/")) and not versions
    return counts_here and entry["status"] != 403


def migrate_until_done(config: dict[str, Any], work: Path, org: RunningServer) -> list[dict]:
    """The same migration run again after every exit 14, the org a day later each time."""
    runs: list[dict] = []
    while True:
        started = time.monotonic()
        with (work / "run" / f"migrate-{len(runs) + 1}.log").open("w") as out:
            proc = subprocess.run(
                [sys.executable, "-c", CHILD, json.dumps({**config, "restart": not runs})],
                cwd=work / "run",
                env={**os.environ, "COLUMNS": "120"},
                stdout=out,
                stderr=subprocess.PIPE,
                text=True,
                check=False,
            )
        tail = proc.stderr.rsplit("PEAK_KB", 1)
        peak = int(tail[1].split()[0]) if len(tail) == 2 else 0
        runs.append({"exit": proc.returncode, "wall_s": round(time.monotonic() - started, 1),
                     "peak_kb": peak})  # fmt: skip
        print(f"run {len(runs)}: exit {proc.returncode}, {runs[-1]['wall_s']} s")
        if proc.returncode == 0:
            return runs
        if proc.returncode != LIMIT_STOP or len(runs) > 60:
            raise SystemExit(f"migration exited {proc.returncode}:\n{proc.stderr[-3000:]}")
        advance_day(org)


def run_benchmark(
    clients: int,
    work: Path,
    *,
    daily_api_limit: int,
    keys: int = 3,
    bizstim_window: float = 15.0,
    seed: int = 42,
) -> dict[str, Any]:
    shutil.rmtree(work / "run", ignore_errors=True)
    (work / "run").mkdir(parents=True)
    api_keys = [f"sf-bench-key-{i}-{'0' * 30}" for i in range(1, keys + 1)]
    ensure_db(work / f"bizstim-{seed}-{clients}.sqlite", seed, clients, log=print)
    sampler = Sampler()
    sampler.start()
    source, bizstim = start_bizstim(work, clients, seed, api_keys, bizstim_window)
    org = start_org(work, source, daily_api_limit)
    staging = work / "run" / "bizmig.duckdb"
    try:
        total = sum(counts(source).values())
        print(f"account: {total:,} source records ({clients:,} clients); migrating")
        config = {
            "bizstim_url": f"{bizstim.url}/api",
            "keys": api_keys,
            "b_limit": BIZSTIM_LIMIT,
            "b_window": bizstim_window,
            "sf_url": org.url,
            "client_id": CLIENT[0],
            "client_secret": CLIENT[1],
            "duckdb": str(staging),
            "report": str(work / "run" / "report"),
            "project": str(copy_project(work / "run" / "project")),
        }
        runs = migrate_until_done(config, work, org)
        log = org.requests()
    finally:
        bizstim.stop()
        org.stop()
        sampler.stop()
    peak = sampler.peak_kb
    peak["migrate (bizmig.migrate.execute)"] = max(
        [peak.get("migrate (bizmig.migrate.execute)", 0), *(r["peak_kb"] for r in runs)]
    )
    raw = {"total": total, "clients": clients, "log": log, "runs": runs, "peak_kb": peak}
    (work / "raw.json").write_text(json.dumps({**raw, "limit": daily_api_limit}))
    result = figures(total, clients, staging, log, runs, daily_api_limit)
    result["peak_rss_mb"] = {k: round(v / 1024) for k, v in sorted(peak.items())}
    result["loadavg_max_1min"] = round(sampler.load_max, 2)
    (work / "salesforce.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


def attempts(staging: Path) -> list[tuple[str, float, float]]:
    """Every phase attempt of every run: (phase, start, end) in epoch seconds."""
    with duckdb.connect(str(staging), read_only=True) as con:
        rows = con.execute(
            "select phase, epoch(started_at), epoch(coalesce(finished_at, now())) "
            "from migration.phase_log order by started_at"
        ).fetchall()
    return [(str(p), float(a), float(b)) for p, a, b in rows]


def phase_of(entry: dict[str, Any], spans: list[tuple[str, float, float]]) -> str:
    return next((p for p, a, b in spans if a <= entry["ts"] <= b), "between phases")


def figures(
    total: int, clients: int, staging: Path, log: list[dict], runs: list[dict], limit: int
) -> dict[str, Any]:
    marts = mart_counts(staging, [spec.relation for spec in LOAD_ORDER]) or {}
    plan = salesforce_plan(rows_from_marts(marts), assumed_allowances(daily_requests=limit),
                           "the built marts", reconcile_sample=RECONCILE_SAMPLE)  # fmt: skip
    spans = attempts(staging)
    requests = [r for r in log if counted(r)]
    by_phase: dict[str, list[dict]] = {}
    for r in requests:
        by_phase.setdefault(phase_of(r, spans), []).append(r)
    load = by_phase.get("load", [])
    bulk = [r for r in load if "/jobs/ingest" in r["path"]]
    jobs = [r for r in bulk if r["method"] == "POST"]
    polls = [r for r in bulk if r["method"] == "GET" and r["path"].count("/") == 6]
    record_writes = bulk + [r for r in load if "/composite/sobjects" in r["path"]]
    detail = phases(staging).get("load", {}).get("detail", {})
    return {
        "date": time.strftime("%Y-%m-%d"),
        "source_records": total,
        "clients": clients,
        "mart_records": sum(marts.values()),
        "loaded_records": sum(o.get("mart_rows", 0) for o in detail.get("objects", {}).values()),
        "daily_api_limit": limit,
        "api_requests": len(requests),
        "requests_by_phase": {p: len(rs) for p, rs in by_phase.items()},
        "load_requests_by_kind": kinds(load),
        "reconcile_requests_by_kind": kinds(by_phase.get("reconcile", [])),
        "plan_requests": plan.total(REQUESTS),
        "plan_write_requests": plan.writes(REQUESTS),
        "record_write_requests": len(record_writes),
        "polls_beyond_plan": len(polls) - 2 * len(jobs),
        # a job holds at most JOB_ROWS (10 000) rows: one Bulk batch per job, planned or run
        "plan_bulk_jobs": plan.total(BATCHES),
        "bulk_jobs": len(jobs),
        "bulk_batches": sum(1 for r in bulk if r["method"] == "PUT"),
        "plan_bulk_batches": plan.total(BATCHES),
        "r403": sum(1 for r in log if r["status"] == 403),
        "runs": runs,
        "resumes": len(runs) - 1,
        "days_used": len(runs),
        "plan_eta_days": plan.eta_windows(),
        "plan": plan.as_json(),
        "wall_s": round(sum(r["wall_s"] for r in runs), 1),
    }


def kinds(requests: list[dict]) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in requests:
        path = r["path"].split("?")[0]
        if "/jobs/ingest" in path:
            key = "Bulk " + r["method"]
        elif "/composite/sobjects" in path:
            key = "Collections " + r["method"]
        elif path.startswith("/services/Soap/"):
            key = "SOAP"
        elif "/query" in path:
            key = "SOQL"
        else:
            key = "REST " + r["method"]
        out[key] = out.get(key, 0) + 1
    return dict(sorted(out.items()))


def print_figures(f: dict[str, Any]) -> None:
    print(f"source records {f['source_records']:,} ({f['clients']:,} clients); "
          f"mart rows {f['mart_records']:,}; daily API limit {f['daily_api_limit']:,}")  # fmt: skip
    print(f"API requests {f['api_requests']:,} by phase {f['requests_by_phase']}")
    print(
        f"load: record writes {f['record_write_requests']:,} vs plan {f['plan_write_requests']:,} "
        f"({f['polls_beyond_plan']} Bulk polls beyond the plan's two a job); one pass of load "
        f"+ reconcile, no resume, planned {f['plan_requests']:,}; "
        f"by kind {f['load_requests_by_kind']}"
    )
    print(f"reconcile: by kind {f['reconcile_requests_by_kind']}")
    print(
        f"Bulk jobs {f['bulk_jobs']} vs plan {f['plan_bulk_jobs']}; Bulk batches "
        f"{f['bulk_batches']} vs plan {f['plan_bulk_batches']}; 403s {f['r403']}"
    )
    print(
        f"days used {f['days_used']} ({f['resumes']} resumes) vs plan ETA {f['plan_eta_days']} "
        f"days; wall {f['wall_s']} s over the runs " + str([r["wall_s"] for r in f["runs"]])
    )
    print("peak RSS: " + ", ".join(f"{k} {v} MB" for k, v in f["peak_rss_mb"].items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--daily-api-limit", type=int, default=400)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keys", type=int, default=3)
    parser.add_argument("--bizstim-window", type=float, default=15.0)
    parser.add_argument("--workdir", type=Path, default=ROOT / ".bizmig" / "bench-salesforce")
    parser.add_argument(
        "--figures-only", action="store_true", help="Recompute the figures of the last run."
    )
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    if args.figures_only:
        raw = json.loads((args.workdir / "raw.json").read_text())
        staging = args.workdir / "run" / "bizmig.duckdb"
        result = figures(raw["total"], raw["clients"], staging, raw["log"], raw["runs"],
                         raw["limit"])  # fmt: skip
        result["peak_rss_mb"] = {k: round(v / 1024) for k, v in sorted(raw["peak_kb"].items())}
        print_figures(result)
        return
    result = run_benchmark(
        clients_for(args.records),
        args.workdir.resolve(),
        daily_api_limit=args.daily_api_limit,
        keys=args.keys,
        bizstim_window=args.bizstim_window,
        seed=args.seed,
    )
    print_figures(result)
    print(f"figures: {args.workdir / 'salesforce.json'}")


if __name__ == "__main__":
    main()
