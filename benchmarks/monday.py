"""monday benchmark: a ~50 000-record account migrated into the monday stand-in under the plan's
day, the complexity minute and the hourly ingest item budget. Prints figures, asserts nothing.

Why these measures (issue 17): monday counts *calls* against a day (1 000 on Standard, every call
alike, refused ones too), *complexity points* against a minute (10 000 000 per token), and
*items* against an hour (19 000 created or updated through ``ingest_items`` per rolling hour per
account; destinations-2.md §4.3, §4.11). A one-item-per-call loader cannot migrate 50 000 records
on 800 calls a day; the loader sends 10 000-row ingest jobs, so what it can waste is calls
(polls, reads, a job per row group), points (a page read too often) and hours (a job refused
for the hour, a stop before the hour is spent). The figures: calls the stand-in answered and
complexity the loader's documents cost (counted in the migrating process by the decided model,
:mod:`load.monday.complexity`, per root field), both against the minimum, which is the cost
plan of the built marts (:mod:`load.monday.cost`) plus what each resume re-reads; hours used
against the plan's ETA and the ingest floor (items / 19 000 an hour).

The scaled clock: the loader keeps ``MONDAY_MAX_WAIT_S`` (default 600 s), so when the stand-in
refuses a job for the hour (ACCOUNT_CAPACITY_EXCEEDED) the load stops with exit 14 instead of
waiting an hour; the script then moves the stand-in's clock an hour on (to the next midnight
when the day's share is spent) and runs the same migration again, as an engineer would later.
Every hour of the ETA is one run, and a run's wall is the sending itself.

Board capacity: monday boards hold 10 000 live items by default and the adapter refuses a load
past it (``MONDAY_BOARD_CAPACITY``); a 50 000-record account has ~27 000 sessions, so the
benchmark raises the capacity on both sides (``--board-capacity``, default 100 000, as an
Enterprise account may ask monday to) to measure the budgets rather than the refusal, which
tests/load_monday covers.

    .venv/bin/python benchmarks/monday.py [--records 50000] [--plan standard]
        [--board-capacity 100000] [--workdir .bizmig/bench-monday]
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

from benchmarks.resumable import migrate_until_done  # noqa: E402
from benchmarks.salesforce import attempts, phase_of  # noqa: E402
from benchmarks.scale import Sampler, clients_for, start_bizstim  # noqa: E402
from bizmig.demo import copy_project, workspace_members  # noqa: E402
from load.core.cost import mart_counts  # noqa: E402
from load.monday.budget import DAILY_CALLS, DEFAULT_SHARE, INGEST_ITEMS_PER_HOUR  # noqa: E402
from load.monday.cost import CALLS, ITEMS, POINTS, scope_plan  # noqa: E402
from load.monday.specs import LOAD_ORDER  # noqa: E402
from sandbox.bizstim.generate import ensure_db  # noqa: E402
from sandbox.bizstim.store import counts  # noqa: E402
from sandbox.servers import RunningServer, start_server  # noqa: E402

BIZSTIM_LIMIT = 1000
TOKEN = "monday-bench-token"
ACCOUNT = "bench"
HOUR = 3_600.0
CHILD = """
import json, resource, sys
from collections import Counter
from pathlib import Path
from bizmig.migrate import MigrationConfig, execute
from common.settings import BizstimSettings, MondaySettings
from load.monday import client as monday_client
from load.monday.complexity import _operation, document_cost
spent, calls = Counter(), Counter()
send = monday_client.MondayClient.graphql
def counted(self, document, variables=None, **kw):
    roots = sorted({s.name.value for s in _operation(document).selection_set.selections})
    key = "+".join(roots)
    calls[key] += 1
    spent[key] += document_cost(document, variables)
    return send(self, document, variables, **kw)
monday_client.MondayClient.graphql = counted
c = json.loads(sys.argv[1])
config = MigrationConfig(
    bizstim=BizstimSettings(c["bizstim_url"], tuple(c["keys"]), c["b_limit"], c["b_window"]),
    target=MondaySettings(c["url"], c["token"]),
    duckdb=Path(c["duckdb"]), report_dir=Path(c["report"]), project_dir=Path(c["project"]),
    restart=c["restart"], destination="monday")
try:
    code = execute(config)
finally:
    print("BENCH_COMPLEXITY " + json.dumps({"calls": calls, "points": spent}), flush=True)
print("PEAK_KB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
sys.exit(code)
"""


def hook(server: RunningServer, path: str, body: Any = None, method: str = "POST") -> Any:
    raw = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{server.url}{path}", raw, method=method)
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request) as answer:
        return json.loads(answer.read() or b"{}")


def start_account(work: Path, source: Path, plan: str, capacity: int) -> RunningServer:
    """The stand-in with one account on ``plan``, the staff as its users, boards of
    ``capacity`` items."""
    shutil.rmtree(work / "monday-data", ignore_errors=True)
    args = ["--account", f"{ACCOUNT}:{TOKEN}", "--plan", plan, "--board-capacity", str(capacity)]
    args += ["--data-dir", str(work / "monday-data")]
    for person in workspace_members(source, leave_out=0):
        args += ["--user", person]
    return start_server("monday", args)


def next_window(account: RunningServer, plan: str) -> str:
    """An hour on; to the next midnight (plus a minute) when the day's share is spent."""
    day = hook(account, f"/_sandbox/daily?account={ACCOUNT}", method="GET")
    if day["daily_used"] >= int(DAILY_CALLS[plan] * DEFAULT_SHARE):
        now = hook(account, "/_sandbox/clock", method="GET")["now"]
        moment = time.strptime(now[:19], "%Y-%m-%dT%H:%M:%S")
        to_midnight = 86_400 - (moment.tm_hour * 3_600 + moment.tm_min * 60 + moment.tm_sec)
        hook(account, "/_sandbox/clock", {"advance_s": to_midnight + 60})
        return "day"
    hook(account, "/_sandbox/clock", {"advance_s": HOUR})
    return "hour"


def run_benchmark(
    clients: int, work: Path, *, plan: str, capacity: int, bizstim_window: float = 15.0,
    seed: int = 42,
) -> dict[str, Any]:  # fmt: skip
    shutil.rmtree(work / "run", ignore_errors=True)
    (work / "run").mkdir(parents=True)
    api_keys = [f"mo-bench-key-{i}-{'0' * 30}" for i in range(1, 4)]
    ensure_db(work / f"bizstim-{seed}-{clients}.sqlite", seed, clients, log=print)
    sampler = Sampler()
    sampler.start()
    source, bizstim = start_bizstim(work, clients, seed, api_keys, bizstim_window)
    account = start_account(work, source, plan, capacity)
    staging = work / "run" / "bizmig.duckdb"
    env = {**os.environ, "COLUMNS": "120", "MONDAY_PLAN": plan,
           "MONDAY_BOARD_CAPACITY": str(capacity), "MONDAY_API_TOKEN": TOKEN}  # fmt: skip
    windows: list[str] = []
    try:
        total = sum(counts(source).values())
        print(f"account: {total:,} source records ({clients:,} clients); migrating")
        config = {
            "bizstim_url": f"{bizstim.url}/api",
            "keys": api_keys,
            "b_limit": BIZSTIM_LIMIT,
            "b_window": bizstim_window,
            "url": f"{account.url}/v2",
            "token": TOKEN,
            "duckdb": str(staging),
            "report": str(work / "run" / "report"),
            "project": str(copy_project(work / "run" / "project")),
        }
        runs = migrate_until_done(
            CHILD, config, env, work, lambda _code: windows.append(next_window(account, plan))
        )
        log = account.requests()
    finally:
        bizstim.stop()
        account.stop()
        sampler.stop()
    raw = {"total": total, "clients": clients, "log": log, "runs": runs, "plan": plan,
           "windows": windows, "peak_kb": sampler.peak_kb}  # fmt: skip
    (work / "raw.json").write_text(json.dumps(raw))
    result = figures(raw, work)
    result["loadavg_max_1min"] = round(sampler.load_max, 2)
    (work / "monday.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


def loader_counts(work: Path, runs: int) -> tuple[Counter[str], Counter[str]]:
    """Calls and complexity points per root field, as the migrating processes counted them."""
    calls, points = Counter(), Counter()
    for n in range(1, runs + 1):
        text = (work / "run" / f"migrate-{n}.log").read_text(errors="replace")
        for line in re.findall(r"^BENCH_COMPLEXITY (.*)$", text, re.M):
            got = json.loads(line)
            calls.update(got["calls"])
            points.update(got["points"])
    return calls, points


def figures(raw: dict[str, Any], work: Path) -> dict[str, Any]:
    staging, plan_name, runs = work / "run" / "bizmig.duckdb", raw["plan"], raw["runs"]
    os.environ["MONDAY_PLAN"] = plan_name
    marts = mart_counts(staging, [spec.relation for spec in LOAD_ORDER]) or {}
    plan = scope_plan({}, staging)
    api = [r for r in raw["log"] if r["path"].rstrip("/") == "/v2"]
    spans = attempts(staging)
    by_phase = Counter(phase_of(r, spans) for r in api)
    calls, points = loader_counts(work, len(runs))
    resumes = max(0, len(runs) - 1)
    reread = plan.resume_reread.get(CALLS, 0)
    ingest_items = plan.total(ITEMS)
    load_wall = sum(b - a for p, a, b in spans if p == "load")
    return {
        "date": time.strftime("%Y-%m-%d"),
        "source_records": raw["total"],
        "clients": raw["clients"],
        "mart_rows": {spec.singular: marts.get(spec.relation, 0) for spec in LOAD_ORDER},
        "plan": plan_name,
        "daily_calls": DAILY_CALLS[plan_name],
        "calls": len(api),
        "calls_by_phase": dict(by_phase),
        "r429": sum(1 for r in api if r["status"] == 429),
        "loader_calls_by_root_field": dict(sorted(calls.items())),
        "complexity": sum(points.values()),
        "complexity_by_root_field": dict(sorted(points.items())),
        "plan_calls": plan.total(CALLS),
        "plan_write_calls": plan.writes(CALLS),
        "plan_calls_with_resumes": plan.total(CALLS) + resumes * reread,
        "plan_complexity": plan.total(POINTS),
        "plan_ingest_items": ingest_items,
        "ingest_floor_hours": round(ingest_items / INGEST_ITEMS_PER_HOUR, 2),
        "plan_eta": [plan.eta_windows(), plan.allowances[0].unit],
        "runs": runs,
        "windows_advanced": raw["windows"],
        "final_exit": runs[-1]["exit"] if runs else None,
        "load_wall_s": round(load_wall, 1),
        "wall_s": round(sum(r["wall_s"] for r in runs), 1),
        "peak_rss_mb": {k: round(v / 1024) for k, v in sorted(raw["peak_kb"].items())},
        "cost_plan": plan.as_json(),
    }


def print_figures(f: dict[str, Any]) -> None:
    print(f"source records {f['source_records']:,} ({f['clients']:,} clients); mart rows "
          f"{f['mart_rows']}; plan {f['plan']} ({f['daily_calls']:,} calls a day)")  # fmt: skip
    if f["final_exit"]:
        print(f"THE LAST RUN EXITED {f['final_exit']} (see run/migrate-*.log)")
    print(f"calls {f['calls']:,} (429s {f['r429']}) vs the plan's {f['plan_calls']:,} "
          f"({f['plan_write_calls']:,} writes), {f['plan_calls_with_resumes']:,} with the "
          f"resumes' re-reads; by phase {f['calls_by_phase']}")  # fmt: skip
    print(f"loader calls by root field {f['loader_calls_by_root_field']}")
    print(f"complexity {f['complexity']:,} vs the plan's {f['plan_complexity']:,}; by root "
          f"field {f['complexity_by_root_field']}")  # fmt: skip
    print(f"runs {len(f['runs'])} {[r['exit'] for r in f['runs']]}, windows advanced "
          f"{f['windows_advanced']}; plan ETA {f['plan_eta']}; ingest floor "
          f"{f['ingest_floor_hours']} h for {f['plan_ingest_items']:,} items")  # fmt: skip
    print(
        f"load wall {f['load_wall_s']} s; migration wall {f['wall_s']} s "
        + str([r["wall_s"] for r in f["runs"]])
    )
    print("peak RSS: " + ", ".join(f"{k} {v} MB" for k, v in f["peak_rss_mb"].items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--plan", default="standard", choices=sorted(DAILY_CALLS))
    parser.add_argument("--board-capacity", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--bizstim-window", type=float, default=15.0)
    parser.add_argument("--workdir", type=Path, default=ROOT / ".bizmig" / "bench-monday")
    parser.add_argument(
        "--figures-only", action="store_true", help="Recompute the figures of the last run."
    )
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    if args.figures_only:
        result = figures(json.loads((args.workdir / "raw.json").read_text()), args.workdir)
    else:
        result = run_benchmark(
            clients_for(args.records),
            args.workdir.resolve(),
            plan=args.plan,
            capacity=args.board_capacity,
            bizstim_window=args.bizstim_window,
            seed=args.seed,
        )
    print_figures(result)
    print(f"figures: {args.workdir / 'monday.json'}")


if __name__ == "__main__":
    main()
