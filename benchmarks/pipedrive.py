"""Pipedrive benchmark: a ~20 000-record account migrated into the Pipedrive stand-in under a
token budget of a few days. Prints figures, asserts nothing.

Why these two measures (issue 15): Pipedrive has no bulk write, so every record is a call
priced in tokens (5 a v2 write, 10 a v1 note) against a day of 30 000 * multiplier * seats;
what a loader can waste is tokens (a search per record is 20, a re-read on every resume
10 a page) and time (the 2 s burst window, 20-120 requests by plan, is the only speed limit).
So the figures are the tokens the stand-in charged against the minimum, which is the cost
plan of the built marts (:mod:`load.pipedrive.cost`: one call a record, one listing per
entity, the schema and users reads, the reconcile) plus what each resume re-reads; and the
load's wall against the burst floor (requests * 2 s / burst) at the *real* 2 s window.

The clock is scaled across days only: ``--daily-tokens`` (default 40 000, of which the loader
keeps to 80 %) makes the ~126 000-token load take four days; each time the migration stops with
exit 14 the script moves the stand-in's clock to its next UTC day (the stand-in's test hook)
and runs the same migration again, as an engineer would the next morning.

1. Generates the Bizstim sandbox account (``benchmarks/scale.py``'s generator and sizes) and
   serves it at the real 1000 GETs per key on a ``--bizstim-window`` s window.
2. Starts the Pipedrive stand-in (``bizmig sandbox pipedrive``) on ``--plan`` with the daily
   budget above and a user for every Bizstim staff member.
3. Runs ``bizmig.migrate.execute --to pipedrive`` in a child process until it exits 0,
   advancing the stand-in a day after every exit 14.
4. Prints and writes ``pipedrive.json``: tokens and requests by phase and kind against the
   plan; 429s (burst and daily); days used against the plan's ETA; per run the load's wall
   against its burst floor; peak RSS per process.

    .venv/bin/python benchmarks/pipedrive.py [--records 20000] [--daily-tokens 40000]
        [--plan ultimate] [--keys 3] [--bizstim-window 15] [--workdir .bizmig/bench-pipedrive]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.resumable import migrate_until_done  # noqa: E402
from benchmarks.salesforce import attempts, phase_of  # noqa: E402
from benchmarks.scale import Sampler, clients_for, start_bizstim  # noqa: E402
from bizmig.demo import copy_project, workspace_members  # noqa: E402
from load.core.cost import mart_counts  # noqa: E402
from load.pipedrive.budget import BURST_WINDOW, allowance_for  # noqa: E402
from load.pipedrive.cost import (  # noqa: E402
    RECONCILE_SAMPLE,
    TOKENS,
    pipedrive_plan,
    rows_from_marts,
    wanted_field_count,
)
from load.pipedrive.specs import LOAD_ORDER  # noqa: E402
from load.pipedrive.token_costs import UnpricedCall, cost_of, template_of  # noqa: E402
from sandbox.bizstim.generate import ensure_db  # noqa: E402
from sandbox.bizstim.store import counts  # noqa: E402
from sandbox.servers import RunningServer, start_server  # noqa: E402

BIZSTIM_LIMIT = 1000
API_TOKEN = "bench-pipedrive-" + "0" * 24
CHILD = """
import json, resource, sys
from pathlib import Path
from bizmig.migrate import MigrationConfig, execute
from common.settings import BizstimSettings, PipedriveSettings
c = json.loads(sys.argv[1])
config = MigrationConfig(
    bizstim=BizstimSettings(c["bizstim_url"], tuple(c["keys"]), c["b_limit"], c["b_window"]),
    target=PipedriveSettings(c["pd_url"], c["token"]),
    duckdb=Path(c["duckdb"]), report_dir=Path(c["report"]), project_dir=Path(c["project"]),
    restart=c["restart"], destination="pipedrive")
code = execute(config)
print("PEAK_KB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
sys.exit(code)
"""


def start_account(work: Path, source: Path, plan: str, daily_tokens: int) -> RunningServer:
    """The stand-in with one account on ``plan``, a day of ``daily_tokens`` and the staff."""
    shutil.rmtree(work / "pipedrive-data", ignore_errors=True)
    args = ["--account", f"bench:{API_TOKEN}", "--data-dir", str(work / "pipedrive-data")]
    args += ["--plan", plan, "--daily-tokens", str(daily_tokens)]
    for person in workspace_members(source, leave_out=0):
        args += ["--user", person]
    return start_server("pipedrive", args)


def next_day(account: RunningServer) -> None:
    request = urllib.request.Request(
        f"{account.url}/_sandbox/clock/advance?hours=24", method="POST"
    )
    urllib.request.urlopen(request).read()


def run_benchmark(
    clients: int,
    work: Path,
    *,
    plan: str,
    daily_tokens: int,
    keys: int = 3,
    bizstim_window: float = 15.0,
    seed: int = 42,
) -> dict[str, Any]:
    shutil.rmtree(work / "run", ignore_errors=True)
    (work / "run").mkdir(parents=True)
    api_keys = [f"pd-bench-key-{i}-{'0' * 30}" for i in range(1, keys + 1)]
    ensure_db(work / f"bizstim-{seed}-{clients}.sqlite", seed, clients, log=print)
    sampler = Sampler()
    sampler.start()
    source, bizstim = start_bizstim(work, clients, seed, api_keys, bizstim_window)
    account = start_account(work, source, plan, daily_tokens)
    staging = work / "run" / "bizmig.duckdb"
    env = {**os.environ, "COLUMNS": "120", "PIPEDRIVE_PLAN": plan,
           "PIPEDRIVE_DAILY_TOKENS": str(daily_tokens)}  # fmt: skip
    try:
        total = sum(counts(source).values())
        print(f"account: {total:,} source records ({clients:,} clients); migrating")
        config = {
            "bizstim_url": f"{bizstim.url}/api",
            "keys": api_keys,
            "b_limit": BIZSTIM_LIMIT,
            "b_window": bizstim_window,
            "pd_url": account.url,
            "token": API_TOKEN,
            "duckdb": str(staging),
            "report": str(work / "run" / "report"),
            "project": str(copy_project(work / "run" / "project")),
        }
        runs = migrate_until_done(CHILD, config, env, work, lambda _code: next_day(account))
        log = account.requests()
    finally:
        bizstim.stop()
        account.stop()
        sampler.stop()
    peak = sampler.peak_kb
    peak["migrate (bizmig.migrate.execute)"] = max(
        [peak.get("migrate (bizmig.migrate.execute)", 0), *(r["peak_kb"] for r in runs)]
    )
    raw = {"total": total, "clients": clients, "log": log, "runs": runs, "peak_kb": peak,
           "plan": plan, "daily_tokens": daily_tokens}  # fmt: skip
    (work / "raw.json").write_text(json.dumps(raw))
    result = figures(total, clients, staging, log, runs, plan, daily_tokens)
    result["peak_rss_mb"] = {k: round(v / 1024) for k, v in sorted(peak.items())}
    result["loadavg_max_1min"] = round(sampler.load_max, 2)
    (work / "pipedrive.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


def tokens_of(entry: dict[str, Any]) -> int:
    """What the stand-in charged a logged request: its own figure where the log keeps one,
    else the call's price (a test hook under ``/_sandbox`` is free, and a 429 is the budget
    refusing the request before it is charged)."""
    if entry["path"].startswith("/_sandbox") or entry["status"] == 429:
        return 0
    if isinstance(entry.get("tokens"), int):
        return int(entry["tokens"])
    try:
        return cost_of(entry["method"], entry["path"])
    except UnpricedCall:
        return 0


def kind_of(entry: dict[str, Any]) -> str:
    return f"{entry['method']} {template_of(entry['path'])}"


def figures(
    total: int,
    clients: int,
    staging: Path,
    log: list[dict],
    runs: list[dict],
    plan_name: str,
    daily_tokens: int,
) -> dict[str, Any]:
    marts = mart_counts(staging, [spec.relation for spec in LOAD_ORDER]) or {}
    allowance = allowance_for(plan_name, daily_tokens=daily_tokens)
    fields = wanted_field_count(staging)
    plan = pipedrive_plan(rows_from_marts(marts), allowance, "the built marts", fields,
                          reconcile_sample=RECONCILE_SAMPLE)  # fmt: skip
    api = [r for r in log if not r["path"].startswith("/_sandbox")]
    spans = attempts(staging)
    by_phase: dict[str, list[dict]] = {}
    for r in api:
        by_phase.setdefault(phase_of(r, spans), []).append(r)
    load = by_phase.get("load", [])
    load_spans = [(a, b) for p, a, b in spans if p == "load"]
    load_wall = sum(b - a for a, b in load_spans)
    floor = len(load) * BURST_WINDOW / allowance.burst
    resumes = len(runs) - 1
    minimum = plan.total(TOKENS) + resumes * plan.resume_reread[TOKENS]
    refused = [r for r in api if r["status"] == 429]
    return {
        "date": time.strftime("%Y-%m-%d"),
        "source_records": total,
        "clients": clients,
        "mart_records": sum(marts.values()),
        "plan": plan_name,
        "burst_per_2s": allowance.burst,
        "daily_tokens": daily_tokens,
        "tokens": sum(tokens_of(r) for r in api),
        "tokens_by_phase": {p: sum(tokens_of(r) for r in rs) for p, rs in by_phase.items()},
        "requests": len(api),
        "requests_by_phase": {p: len(rs) for p, rs in by_phase.items()},
        "load_by_kind": dict(sorted(Counter(kind_of(r) for r in load).items())),
        "plan_tokens": plan.total(TOKENS),
        "plan_write_tokens": plan.writes(TOKENS),
        "resume_reread_tokens": plan.resume_reread[TOKENS],
        "minimum_tokens": minimum,
        "r429": len(refused),
        "runs": runs,
        "final_exit": runs[-1]["exit"] if runs else None,
        "resumes": resumes,
        "days_used": len(runs),
        "plan_eta_days": plan.eta_windows(),
        "load_requests": len(load),
        "load_wall_s": round(load_wall, 1),
        "burst_floor_s": round(floor, 1),
        "fraction_of_ceiling": round(floor / load_wall, 3) if load_wall else None,
        "wall_s": round(sum(r["wall_s"] for r in runs), 1),
        "cost_plan": plan.as_json(),
    }


def print_figures(f: dict[str, Any]) -> None:
    print(f"source records {f['source_records']:,} ({f['clients']:,} clients); mart rows "
          f"{f['mart_records']:,}; plan {f['plan']} ({f['burst_per_2s']} requests per 2 s), "
          f"{f['daily_tokens']:,} tokens a day")  # fmt: skip
    print(f"tokens {f['tokens']:,} vs minimum {f['minimum_tokens']:,} (plan {f['plan_tokens']:,}"
          f" + {f['resumes']} resumes x {f['resume_reread_tokens']:,} re-read); by phase "
          f"{f['tokens_by_phase']}")  # fmt: skip
    if f["final_exit"]:
        print(f"THE LAST RUN EXITED {f['final_exit']} (see run/migrate-*.log)")
    print(f"requests {f['requests']:,} by phase {f['requests_by_phase']}; 429s {f['r429']}")
    print(f"load by kind {f['load_by_kind']}")
    print(f"days used {f['days_used']} ({f['resumes']} resumes) vs plan ETA "
          f"{f['plan_eta_days']} days")  # fmt: skip
    print(f"load wall {f['load_wall_s']} s over the runs vs burst floor {f['burst_floor_s']} s "
          f"({f['load_requests']:,} requests): {f['fraction_of_ceiling']} of the ceiling; "
          f"migration wall {f['wall_s']} s " + str([r["wall_s"] for r in f["runs"]]))  # fmt: skip
    print("peak RSS: " + ", ".join(f"{k} {v} MB" for k, v in f.get("peak_rss_mb", {}).items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--daily-tokens", type=int, default=40_000)
    parser.add_argument("--plan", default="ultimate")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keys", type=int, default=3)
    parser.add_argument("--bizstim-window", type=float, default=15.0)
    parser.add_argument("--workdir", type=Path, default=ROOT / ".bizmig" / "bench-pipedrive")
    parser.add_argument(
        "--figures-only", action="store_true", help="Recompute the figures of the last run."
    )
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    if args.figures_only:
        raw = json.loads((args.workdir / "raw.json").read_text())
        staging = args.workdir / "run" / "bizmig.duckdb"
        result = figures(raw["total"], raw["clients"], staging, raw["log"], raw["runs"],
                         raw["plan"], raw["daily_tokens"])  # fmt: skip
        result["peak_rss_mb"] = {k: round(v / 1024) for k, v in sorted(raw["peak_kb"].items())}
        print_figures(result)
        return
    result = run_benchmark(
        clients_for(args.records),
        args.workdir.resolve(),
        plan=args.plan,
        daily_tokens=args.daily_tokens,
        keys=args.keys,
        bizstim_window=args.bizstim_window,
        seed=args.seed,
    )
    print_figures(result)
    print(f"figures: {args.workdir / 'pipedrive.json'}")


if __name__ == "__main__":
    main()
