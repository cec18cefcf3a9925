"""Scale benchmark: a whole sandbox account end to end at a scaled clock. Prints figures.

1. Generates a Bizstim sandbox account of ``--records`` source records (default 2 000 000;
   ~21 records per client, so ``--clients`` is derived; the exact count is printed) or
   ``--clients`` clients.
2. Starts the Bizstim sandbox with ``--keys`` keys at the real limit of 1000 GETs per key on a
   window of ``--bizstim-window`` s (3600 s in real life), and the Twenty stand-in at the real
   100 requests per ``--twenty-window`` s (60 s in real life). The defaults put both ceilings
   *below* what the local machine sustains (extraction ~450 req/s unbounded, the Twenty
   stand-in ~115-147 batch req/s), so the rate limits, not the CPU, bind; whether they did is
   visible in the printed "fraction of the ceiling".
3. Runs the real migration, ``bizmig.migrate.execute`` (what ``bizmig migrate`` runs: scope →
   extract over HTTP → dbt build → load → reconcile, then the report) in a child process,
   on a copy of the dbt project with the custom-field mappings confirmed (as ``bizmig demo``).
4. Prints and writes as JSON: source records; extract requests vs the minimum (counts and page
   caps, as ``benchmarks/extract.py``), wall vs the rate-limit floor, 429s; dbt build wall and
   peak RSS; load requests vs the minimum, wall vs floor (= throughput as a fraction of the
   ceiling), records/s; reconcile result and Twenty's own count per object vs the mart; total
   wall; peak RSS per process (``VmHWM`` polled from /proc); the machine's load average.

    .venv/bin/python benchmarks/scale.py [--records 2000000 | --clients N] [--keys 3]
        [--bizstim-window 15] [--twenty-window 5] [--workdir .bizmig/bench-scale]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.extract import bizstim_floor, requests_per_key  # noqa: E402
from benchmarks.extract import minimum as extract_minimum  # noqa: E402
from benchmarks.load import load_minimum  # noqa: E402
from bizmig.demo import copy_project, workspace_members  # noqa: E402
from ingest.endpoints import LIST_ENDPOINTS  # noqa: E402
from sandbox.bizstim.generate import ensure_db  # noqa: E402
from sandbox.bizstim.store import counts  # noqa: E402
from sandbox.servers import RunningServer, start_server  # noqa: E402

RECORDS_PER_CLIENT = 21.0  # measured: 21.06 at 2 400 clients; rounding down errs on "more"
BIZSTIM_LIMIT, TWENTY_LIMIT = 1000, 100  # the real limits; only the windows are scaled
TWENTY_KEY = "scale-twenty-key-000000000000000000000001"
CHILD = """
import json, resource, sys
from pathlib import Path
from bizmig.migrate import MigrationConfig, execute
from common.settings import BizstimSettings, TwentySettings
c = json.loads(sys.argv[1])
config = MigrationConfig(
    bizstim=BizstimSettings(c["bizstim_url"], tuple(c["keys"]), c["b_limit"], c["b_window"]),
    target=TwentySettings(c["twenty_url"], c["twenty_key"]),
    duckdb=Path(c["duckdb"]), report_dir=Path(c["report"]), project_dir=Path(c["project"]),
    target_rate=(c["t_limit"], c["t_window"]), restart=True)
code = execute(config)
print("PEAK_KB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
sys.exit(code)
"""


def clients_for(records: int) -> int:
    return math.ceil(records / RECORDS_PER_CLIENT)


class Sampler(threading.Thread):
    """Peak RSS (VmHWM) of every process below this one, and the peak 1-minute load."""

    def __init__(self, every: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.every = every
        self.peak_kb: dict[str, int] = {}
        self.load_max = os.getloadavg()[0]
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.wait(self.every):
            self.load_max = max(self.load_max, os.getloadavg()[0])
            for pid, name in descendants(os.getpid()).items():
                kb = vm_hwm(pid)
                if kb:
                    self.peak_kb[name] = max(self.peak_kb.get(name, 0), kb)

    def stop(self) -> None:
        self._halt.set()
        self.join()


def descendants(root: int) -> dict[int, str]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    found: dict[int, str] = {}
    frontier = [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in found:
                found[pid] = process_name(pid)
                frontier.append(pid)
    return found


def process_name(pid: int) -> str:
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "?"
    words = [a.decode(errors="replace") for a in argv]
    if "sandbox" in words:
        return f"{words[words.index('sandbox') + 1]} stand-in"
    dbt = next((i for i, w in enumerate(words) if w.endswith("/dbt")), None)
    if dbt is not None:
        return " ".join(["dbt", *words[dbt + 1 : dbt + 2]])
    if "-c" in words:
        return "migrate (bizmig.migrate.execute)"
    return Path(words[0]).name if words and words[0] else "?"


def vm_hwm(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        return 0
    return 0


def start_bizstim(
    work: Path, clients: int, seed: int, keys: list[str], bizstim_window: float
) -> tuple[Path, RunningServer]:
    """The Bizstim sandbox on the generated account, at the real limit on a scaled window."""
    source = work / f"bizstim-{seed}-{clients}.sqlite"
    flags = ["--clients", str(clients), "--seed", str(seed), "--db", str(source)]
    flags += ["--rate-limit", str(BIZSTIM_LIMIT), "--rate-window", str(bizstim_window)]
    for key in keys:
        flags += ["--api-key", key]
    return source, start_server("bizstim", flags, timeout=1800)


def start_standins(
    work: Path,
    clients: int,
    seed: int,
    keys: list[str],
    bizstim_window: float,
    twenty_window: float,
) -> tuple[Path, RunningServer, RunningServer]:
    source, bizstim = start_bizstim(work, clients, seed, keys, bizstim_window)
    members = work / "members.txt"
    members.write_text("\n".join(workspace_members(source, leave_out=0)) + "\n")
    (work / "twenty.sqlite").unlink(missing_ok=True)
    twenty = start_server(
        "twenty",
        [
            "--api-key",
            TWENTY_KEY,
            "--db",
            str(work / "twenty.sqlite"),
            "--members",
            str(members),
            "--rate-limit",
            str(TWENTY_LIMIT),
            "--rate-window",
            str(twenty_window),
        ],
    )
    return source, bizstim, twenty


def phases(staging: Path) -> dict[str, dict[str, Any]]:
    with duckdb.connect(str(staging), read_only=True) as con:
        rows = con.execute(
            "select phase, epoch(started_at), epoch(finished_at), status, detail "
            "from migration.phase_log order by started_at"
        ).fetchall()
    return {
        phase: {"start": s, "end": e, "wall": (e or s) - s, "detail": json.loads(d or "{}")}
        for phase, s, e, _status, d in rows
    }


def twenty_counts(url: str, staging: Path, window: float) -> dict[str, dict[str, int]]:
    """Per object: Twenty's own ``totalCount`` against the mart's row count."""
    from common.settings import TwentySettings
    from load.twenty.session import open_session
    from load.twenty.specs import LOAD_ORDER

    session = open_session(TwentySettings(url, TWENTY_KEY), staging, TWENTY_LIMIT, window)
    try:
        out = {}
        with duckdb.connect(str(staging), read_only=True) as con:
            for spec in LOAD_ORDER:
                mart = con.execute(f"select count(*) from {spec.relation}").fetchone()[0]
                twenty = session.client.count(session.workspace.plural(spec.singular))
                out[spec.singular] = {"mart": mart, "twenty": twenty}
        return out
    finally:
        session.close()


def within(log: list[dict], phase: dict[str, Any]) -> list[dict]:
    return [r for r in log if phase["start"] <= r["ts"] <= (phase["end"] or math.inf)]


def run_scale(
    clients: int,
    work: Path,
    *,
    keys: int = 3,
    bizstim_window: float = 15.0,
    twenty_window: float = 5.0,
    seed: int = 42,
) -> dict[str, Any]:
    """The whole benchmark; returns the figures (also written to ``work/scale.json``)."""
    shutil.rmtree(work / "run", ignore_errors=True)
    (work / "run").mkdir(parents=True)
    api_keys = [f"scale-key-{i}-{'0' * 30}" for i in range(1, keys + 1)]
    load_start = os.getloadavg()
    began = time.monotonic()
    ensure_db(work / f"bizstim-{seed}-{clients}.sqlite", seed, clients, log=print)
    generated = time.monotonic() - began
    sampler = Sampler()
    sampler.start()
    source, bizstim, twenty = start_standins(
        work, clients, seed, api_keys, bizstim_window, twenty_window
    )
    try:
        total = counts(source)
        need = extract_minimum(source)
        staging = work / "run" / "bizmig.duckdb"
        config = {
            "bizstim_url": f"{bizstim.url}/api",
            "keys": api_keys,
            "b_limit": BIZSTIM_LIMIT,
            "b_window": bizstim_window,
            "twenty_url": twenty.url,
            "twenty_key": TWENTY_KEY,
            "t_limit": TWENTY_LIMIT,
            "t_window": twenty_window,
            "duckdb": str(staging),
            "report": str(work / "run" / "report"),
            "project": str(copy_project(work / "run" / "project")),
        }
        print(f"account: {sum(total.values()):,} source records ({clients:,} clients); migrating")
        started = time.monotonic()
        with (work / "run" / "migrate.log").open("w") as out:
            proc = subprocess.run(
                [sys.executable, "-c", CHILD, json.dumps(config)],
                cwd=work / "run",
                env={**os.environ, "COLUMNS": "120"},
                stdout=out,
                stderr=subprocess.PIPE,
                text=True,
                check=False,
            )
        wall = time.monotonic() - started
        if proc.returncode != 0:
            raise SystemExit(f"migration exited {proc.returncode}:\n{proc.stderr[-3000:]}")
        b_log, t_log = bizstim.requests(), twenty.requests()
        objects = twenty_counts(twenty.url, staging, twenty_window)
    finally:
        bizstim.stop()
        twenty.stop()
        sampler.stop()
    peak_child = int(proc.stderr.rsplit("PEAK_KB", 1)[1].split()[0])
    sampler.peak_kb["migrate (bizmig.migrate.execute)"] = max(
        sampler.peak_kb.get("migrate (bizmig.migrate.execute)", 0), peak_child
    )
    return figures(
        work,
        total,
        need,
        phases(staging),
        b_log,
        t_log,
        objects,
        sampler,
        wall,
        generated,
        keys=keys,
        bizstim_window=bizstim_window,
        twenty_window=twenty_window,
        load_start=load_start,
        clients=clients,
        seed=seed,
    )


def figures(work, total, need, ph, b_log, t_log, objects, sampler, wall, generated, **run):
    ex, load, rec = ph["extract"], ph["load"], ph["reconcile"]
    # scope asks every list endpoint but clients for its total (/0/1); the full pages it reads
    # (clients/0/1000, practitioners/0/100) and the client details it probes land in the
    # spool and extract does not ask again: count both, the minimum has one extra per list.
    scope_log, extract_log = within(b_log, ph["scope"]), within(b_log, ex)
    b_log = scope_log + extract_log
    per_key = requests_per_key(b_log)
    b_floor = bizstim_floor(per_key, BIZSTIM_LIMIT, run["bizstim_window"])
    b_wall = ph["scope"]["wall"] + ex["wall"]
    rows = sum(ex["detail"]["rows"].values())
    load_log = within(t_log, load)
    minimum, batches, metadata, reads = load_minimum(load["detail"], load_log)
    t_rate = TWENTY_LIMIT / run["twenty_window"]
    t_floor = max(0, len(load_log) - TWENTY_LIMIT) / t_rate
    records = sum(o["mart_rows"] for o in load["detail"]["objects"].values())
    reconcile_log = within(t_log, rec)
    result = {
        "date": time.strftime("%Y-%m-%d"),
        "source_records": sum(total.values()),
        "clients": run["clients"],
        "seed": run["seed"],
        "generate_s": round(generated, 1),
        "extract": {
            "keys": run["keys"],
            "ceiling": f"{BIZSTIM_LIMIT} GET / {run['bizstim_window']:g} s per key",
            "requests": len(b_log),
            "minimum": need + len(LIST_ENDPOINTS) - 1,
            "scope_requests": len(scope_log),
            "extract_requests": len(extract_log),
            "extract_minimum": need,
            "requests_per_key": per_key,
            "r429": sum(1 for r in b_log if r["status"] == 429),
            "rows_landed": rows,
            "wall_s": round(b_wall, 1),
            "floor_s": round(b_floor, 1),
            "fraction_of_ceiling": round(b_floor / b_wall, 3) if b_wall else None,
            "requests_per_s": round(len(b_log) / b_wall) if b_wall else None,
        },
        "dbt_build": {
            "wall_s": round(ph["transform"]["wall"], 1),
            "peak_rss_mb": round(sampler.peak_kb.get("dbt build", 0) / 1024),
        },
        "load": {
            "ceiling": f"{TWENTY_LIMIT} requests / {run['twenty_window']:g} s",
            "records": records,
            "batch_cap": load["detail"]["batch_cap"],
            "requests": len(load_log),
            "minimum": minimum,
            "batches": batches,
            "metadata": metadata,
            "reads": reads,
            "r429": sum(1 for r in load_log if r["status"] == 429),
            "wall_s": round(load["wall"], 1),
            "floor_s": round(t_floor, 1),
            "fraction_of_ceiling": round(t_floor / load["wall"], 3) if load["wall"] else None,
            "records_per_s": round(records / load["wall"]) if load["wall"] else None,
            "quarantined": sum(o["quarantined"] for o in load["detail"]["objects"].values()),
        },
        "reconcile": {
            "ok": rec["detail"].get("ok"),
            "wall_s": round(rec["wall"], 1),
            "requests": len(reconcile_log),
            "r429": sum(1 for r in reconcile_log if r["status"] == 429),
            "objects": objects,
        },
        "scope": {"wall_s": round(ph["scope"]["wall"], 1), "requests": len(scope_log)},
        "total_wall_s": round(wall, 1),
        "peak_rss_mb": {k: round(v / 1024) for k, v in sorted(sampler.peak_kb.items())},
        "loadavg": {
            "start": [round(x, 2) for x in run["load_start"]],
            "end": [round(x, 2) for x in os.getloadavg()],
            "max_1min": round(sampler.load_max, 2),
        },
    }
    (work / "scale.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


def print_figures(f: dict[str, Any]) -> None:
    ex, ld, rc = f["extract"], f["load"], f["reconcile"]
    print(f"source records {f['source_records']:,} ({f['clients']:,} clients, seed {f['seed']})")
    print(
        f"scope + extract ({ex['keys']} keys, {ex['ceiling']}): {ex['requests']:,} GETs "
        f"({ex['scope_requests']} scope + {ex['extract_requests']:,} extract) vs minimum "
        f"{ex['minimum']:,} ({len(LIST_ENDPOINTS) - 1} scope totals + {ex['extract_minimum']:,} to "
        f"extract), {ex['r429']} x 429, {ex['rows_landed']:,} rows; wall {ex['wall_s']:.1f} s vs "
        f"floor {ex['floor_s']:.1f} s ({ex['fraction_of_ceiling']:.1%} of the ceiling, "
        f"{ex['requests_per_s']} req/s)"
    )
    dbt = f["dbt_build"]
    print(f"dbt build: {dbt['wall_s']:.1f} s, peak RSS {dbt['peak_rss_mb']} MB")
    print(
        f"load ({ld['ceiling']}, cap {ld['batch_cap']}): {ld['records']:,} records, "
        f"{ld['requests']:,} requests vs minimum {ld['minimum']:,} ({ld['batches']:,} batches + "
        f"{ld['metadata']} metadata + {ld['reads']} reads), {ld['r429']} x 429; wall "
        f"{ld['wall_s']:.1f} s vs floor {ld['floor_s']:.1f} s ({ld['fraction_of_ceiling']:.1%} of "
        f"the ceiling), {ld['records_per_s']:,} records/s, {ld['quarantined']} quarantined"
    )
    mismatched = [k for k, v in rc["objects"].items() if v["mart"] != v["twenty"]]
    print(
        f"reconcile: ok={rc['ok']}, {rc['wall_s']:.1f} s, {rc['requests']:,} requests; Twenty "
        f"counts = mart counts for {len(rc['objects']) - len(mismatched)}/{len(rc['objects'])} "
        f"objects{' (differ: ' + ', '.join(mismatched) + ')' if mismatched else ''}"
    )
    scope = f["scope"]
    print(
        f"total migrate wall {f['total_wall_s']:.1f} s (scope {scope['wall_s']:.1f} s, "
        f"{scope['requests']} requests; the rest is the report)"
    )
    print("peak RSS: " + ", ".join(f"{k} {v} MB" for k, v in f["peak_rss_mb"].items()))
    la = f["loadavg"]
    print(f"load average start {la['start']}, end {la['end']}, max 1-min {la['max_1min']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--records", type=int, default=2_000_000)
    size.add_argument("--clients", type=int)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keys", type=int, default=3)
    parser.add_argument("--bizstim-window", type=float, default=15.0)
    parser.add_argument("--twenty-window", type=float, default=5.0)
    parser.add_argument("--workdir", type=Path, default=ROOT / ".bizmig" / "bench-scale")
    args = parser.parse_args()
    clients = args.clients or clients_for(args.records)
    args.workdir.mkdir(parents=True, exist_ok=True)
    result = run_scale(
        clients,
        args.workdir.resolve(),
        keys=args.keys,
        bizstim_window=args.bizstim_window,
        twenty_window=args.twenty_window,
        seed=args.seed,
    )
    print_figures(result)
    print(f"figures: {args.workdir / 'scale.json'}")


if __name__ == "__main__":
    main()
