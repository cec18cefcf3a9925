"""Freshsales benchmark: a ~20 000-record account migrated into the Freshsales stand-in under the
account's rolling hour. Prints figures, asserts nothing.

Why these measures (issue 16): Freshsales counts requests, every one alike, against the whole
account's hour (1 000 on Growth, 5 000 on Enterprise; destinations-2.md §3.3), and every record
is one request (an upsert or a create), so what a loader can waste is requests (a search before
each write, a listing re-read too often) and hours (stopping before the share is spent, or
running into 429s). The figures: requests the stand-in logged against the minimum, which is the
cost plan of the built marts (:mod:`load.freshsales.cost`: a request a record, the id-map
listings, the fields and owners reads, the reconcile) plus what each resume re-reads; 429s;
hours used against the plan's ETA; and the load's sending rate per run.

The scaled clock: the account is on the real Enterprise hour (5 000 requests, the loader keeps
to 4 000) and the loader is told ``FRESHSALES_MAX_WAIT_S=60``, so instead of waiting up to an
hour for its rolling window it stops with exit 14 when the hour is spent; the script then moves
the stand-in's clock an hour on (its test hook) and runs the same migration again, as an
engineer would an hour later. So every hour of the ETA is one run, and a run's wall is the
sending itself (the real floor, requests / 4 000 an hour, is printed beside it). Scaling the
pacer's window instead (a large hour on a short window) was not chosen: it would measure a
window the loader never meets, and skip the resume path every real Freshsales load takes.

1. Generates the Bizstim sandbox account (``benchmarks/scale.py``'s generator and sizes) and
   serves it at the real 1000 GETs per key on a ``--bizstim-window`` s window.
2. Starts the Freshsales stand-in (``bizmig sandbox freshsales``) with one account on ``--plan``
   and a user for every Bizstim staff member.
3. Runs ``bizmig.migrate.execute --to freshsales`` in a child process until it exits 0; after
   the first run's fields checklist (exit 7) it creates the fields as the admin would
   (:func:`bizmig.demo_freshsales.play_admin`, the stand-in's UI hook), after every exit 14 it
   advances the stand-in an hour.
4. Prints and writes ``freshsales.json``.

    .venv/bin/python benchmarks/freshsales.py [--records 20000] [--plan enterprise]
        [--keys 3] [--bizstim-window 15] [--workdir .bizmig/bench-freshsales]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.resumable import BUDGET_STOP, migrate_until_done  # noqa: E402
from benchmarks.salesforce import attempts, phase_of  # noqa: E402
from benchmarks.scale import Sampler, clients_for, start_bizstim  # noqa: E402
from bizmig.demo import copy_project, workspace_members  # noqa: E402
from bizmig.demo_freshsales import (  # noqa: E402
    DEMO_ACCOUNT,
    FRESHSALES_KEY,
    play_admin,
    settings_for,
)
from common.exits import ExitCode  # noqa: E402
from load.core.cost import mart_counts  # noqa: E402
from load.freshsales.budget import allowance_for  # noqa: E402
from load.freshsales.cost import (  # noqa: E402
    REQUESTS,
    contacts_with_children,
    freshsales_plan,
    rows_from_marts,
    wanted_field_count,
)
from load.freshsales.specs import LOAD_ORDER  # noqa: E402
from sandbox.bizstim.generate import ensure_db  # noqa: E402
from sandbox.bizstim.store import counts  # noqa: E402
from sandbox.servers import RunningServer, start_server  # noqa: E402

BIZSTIM_LIMIT = 1000
API_KEY = FRESHSALES_KEY  # the demo's account and key: play_admin opens the account with it
MAX_WAIT = 60.0  # seconds the loader may wait for its hour before it stops (exit 14)
CHECKLIST = int(ExitCode.SCHEMA_CONFLICT)  # the fields checklist (load.freshsales.schema)
CHILD = """
import json, resource, sys
from pathlib import Path
from bizmig.migrate import MigrationConfig, execute
from common.settings import BizstimSettings, FreshsalesSettings
c = json.loads(sys.argv[1])
config = MigrationConfig(
    bizstim=BizstimSettings(c["bizstim_url"], tuple(c["keys"]), c["b_limit"], c["b_window"]),
    target=FreshsalesSettings(c["fs_url"], c["key"]),
    duckdb=Path(c["duckdb"]), report_dir=Path(c["report"]), project_dir=Path(c["project"]),
    restart=c["restart"], destination="freshsales")
code = execute(config)
print("PEAK_KB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
sys.exit(code)
"""


def start_account(work: Path, source: Path, plan: str) -> RunningServer:
    """The stand-in with one account (the demo's name: the admin hook addresses it) on
    ``plan`` and the staff as its users."""
    shutil.rmtree(work / "freshsales-data", ignore_errors=True)
    args = ["--account", f"{DEMO_ACCOUNT}:{API_KEY}", "--plan", plan]
    args += ["--data-dir", str(work / "freshsales-data")]
    for person in workspace_members(source, leave_out=0):
        args += ["--user", person]
    return start_server("freshsales", args)


def next_hour(account: RunningServer) -> None:
    request = urllib.request.Request(f"{account.url}/_sandbox/clock/advance?hours=1", method="POST")
    urllib.request.urlopen(request).read()


def run_benchmark(
    clients: int, work: Path, *, plan: str, keys: int = 3, bizstim_window: float = 15.0,
    seed: int = 42,
) -> dict[str, Any]:  # fmt: skip
    shutil.rmtree(work / "run", ignore_errors=True)
    (work / "run").mkdir(parents=True)
    api_keys = [f"fs-bench-key-{i}-{'0' * 30}" for i in range(1, keys + 1)]
    ensure_db(work / f"bizstim-{seed}-{clients}.sqlite", seed, clients, log=print)
    sampler = Sampler()
    sampler.start()
    source, bizstim = start_bizstim(work, clients, seed, api_keys, bizstim_window)
    account = start_account(work, source, plan)
    staging = work / "run" / "bizmig.duckdb"
    env = {**os.environ, "COLUMNS": "120", "FRESHSALES_PLAN": plan,
           "FRESHSALES_MAX_WAIT_S": str(MAX_WAIT)}  # fmt: skip
    settings = settings_for(account.url)
    checklists: list[int] = []

    def between(code: int) -> None:
        if code == BUDGET_STOP:
            next_hour(account)
        else:  # the fields checklist: the admin creates them, as the demo plays it
            checklists.append(play_admin(settings, staging, print))

    try:
        total = sum(counts(source).values())
        print(f"account: {total:,} source records ({clients:,} clients); migrating")
        config = {
            "bizstim_url": f"{bizstim.url}/api",
            "keys": api_keys,
            "b_limit": BIZSTIM_LIMIT,
            "b_window": bizstim_window,
            "fs_url": settings.api_url,
            "key": API_KEY,
            "duckdb": str(staging),
            "report": str(work / "run" / "report"),
            "project": str(copy_project(work / "run" / "project")),
        }
        again = (BUDGET_STOP, CHECKLIST)
        runs = migrate_until_done(CHILD, config, env, work, between, again)
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
           "plan": plan, "fields_created": sum(checklists)}  # fmt: skip
    (work / "raw.json").write_text(json.dumps(raw))
    result = figures(total, clients, staging, log, runs, plan)
    result["fields_created_by_admin"] = sum(checklists)
    result["peak_rss_mb"] = {k: round(v / 1024) for k, v in sorted(peak.items())}
    result["loadavg_max_1min"] = round(sampler.load_max, 2)
    (work / "freshsales.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


def kind_of(entry: dict[str, Any]) -> str:
    """``POST /api/contacts/upsert``, ``PUT /api/notes/{id}``: ids folded."""
    path = re.sub(r"/\d+(?=/|$)", "/{id}", re.sub(r"^/crm/sales", "", entry["path"]))
    return f"{entry['method']} {path}"


def figures(
    total: int, clients: int, staging: Path, log: list[dict], runs: list[dict], plan_name: str
) -> dict[str, Any]:
    marts = mart_counts(staging, [spec.relation for spec in LOAD_ORDER]) or {}
    allowance = allowance_for(plan_name, max_wait=MAX_WAIT)
    plan = freshsales_plan(rows_from_marts(marts), allowance, "the built marts",
                           wanted_field_count(staging),
                           reconcile_contacts=contacts_with_children(staging) or 0)  # fmt: skip
    api = [r for r in log if not r["path"].startswith("/_sandbox")]
    spans = attempts(staging)
    by_phase: dict[str, list[dict]] = {}
    for r in api:
        by_phase.setdefault(phase_of(r, spans), []).append(r)
    load = by_phase.get("load", [])
    load_wall = sum(b - a for p, a, b in spans if p == "load")
    budget_runs = [r for r in runs if r["exit"] != CHECKLIST]
    resumes = max(0, len(budget_runs) - 1)
    bound = plan.total(REQUESTS) + resumes * plan.resume_reread[REQUESTS]
    return {
        "date": time.strftime("%Y-%m-%d"),
        "source_records": total,
        "clients": clients,
        "mart_records": sum(marts.values()),
        "mart_rows": {spec.singular: marts.get(spec.relation, 0) for spec in LOAD_ORDER},
        "plan": plan_name,
        "hourly_requests": allowance.hourly,
        "loader_share_per_hour": allowance.stop_at,
        "requests": len(api),
        "requests_by_phase": {p: len(rs) for p, rs in by_phase.items()},
        "load_by_kind": dict(sorted(Counter(kind_of(r) for r in load).items())),
        "plan_requests": plan.total(REQUESTS),
        "plan_write_requests": plan.writes(REQUESTS),
        "resume_reread_requests": plan.resume_reread[REQUESTS],
        "plan_with_resumes_bound": bound,  # each resume charged the whole re-read
        "r429": sum(1 for r in api if r["status"] == 429),
        "runs": runs,
        "final_exit": runs[-1]["exit"] if runs else None,
        "checklist_runs": len(runs) - len(budget_runs),
        "resumes": resumes,
        "hours_used": len(budget_runs),
        "plan_eta_hours": plan.eta_windows(),
        "load_requests": len(load),
        "load_wall_s": round(load_wall, 1),
        "load_requests_per_s": round(len(load) / load_wall, 1) if load_wall else None,
        "real_floor_hours": round(len(api) / allowance.stop_at, 2),
        "wall_s": round(sum(r["wall_s"] for r in runs), 1),
        "cost_plan": plan.as_json(),
    }


def print_figures(f: dict[str, Any]) -> None:
    print(f"source records {f['source_records']:,} ({f['clients']:,} clients); mart rows "
          f"{f['mart_records']:,} {f['mart_rows']}; plan {f['plan']} ({f['hourly_requests']:,} "
          f"an hour, the loader keeps to {f['loader_share_per_hour']:,})")  # fmt: skip
    if f["final_exit"]:
        print(f"THE LAST RUN EXITED {f['final_exit']} (see run/migrate-*.log)")
    print(f"requests {f['requests']:,} vs the plan's one pass {f['plan_requests']:,}, at most "
          f"{f['plan_with_resumes_bound']:,} with {f['resumes']} resumes x "
          f"{f['resume_reread_requests']:,} re-read; by phase {f['requests_by_phase']}; "
          f"429s {f['r429']}")  # fmt: skip
    print(f"load by kind {f['load_by_kind']}")
    print(f"hours used {f['hours_used']} ({f['resumes']} resumes, {f['checklist_runs']} "
          f"checklist run(s)) vs plan ETA {f['plan_eta_hours']} hours; real floor "
          f"{f['real_floor_hours']} h")  # fmt: skip
    print(f"load wall {f['load_wall_s']} s over the runs for {f['load_requests']:,} requests "
          f"({f['load_requests_per_s']} requests/s at the scaled clock); migration wall "
          f"{f['wall_s']} s " + str([r["wall_s"] for r in f["runs"]]))  # fmt: skip
    print("peak RSS: " + ", ".join(f"{k} {v} MB" for k, v in f.get("peak_rss_mb", {}).items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--plan", default="enterprise")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keys", type=int, default=3)
    parser.add_argument("--bizstim-window", type=float, default=15.0)
    parser.add_argument("--workdir", type=Path, default=ROOT / ".bizmig" / "bench-freshsales")
    parser.add_argument(
        "--figures-only", action="store_true", help="Recompute the figures of the last run."
    )
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    if args.figures_only:
        raw = json.loads((args.workdir / "raw.json").read_text())
        staging = args.workdir / "run" / "bizmig.duckdb"
        result = figures(raw["total"], raw["clients"], staging, raw["log"], raw["runs"],
                         raw["plan"])  # fmt: skip
        result["fields_created_by_admin"] = raw.get("fields_created", 0)
        result["peak_rss_mb"] = {k: round(v / 1024) for k, v in sorted(raw["peak_kb"].items())}
        print_figures(result)
        return
    result = run_benchmark(
        clients_for(args.records),
        args.workdir.resolve(),
        plan=args.plan,
        keys=args.keys,
        bizstim_window=args.bizstim_window,
        seed=args.seed,
    )
    print_figures(result)
    print(f"figures: {args.workdir / 'freshsales.json'}")


if __name__ == "__main__":
    main()
