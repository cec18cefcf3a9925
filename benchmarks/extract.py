"""Extraction benchmark: prints figures, asserts nothing.

A ``--clients`` sandbox account (default 50 000) is served by the Bizstim sandbox; ``bizmig
extract`` runs against it three times:

1. with a budget too large to bind: local throughput (rows/s, requests/s) and peak memory;
2. with 1 key and 3 keys on a scaled clock (``--rate-limit`` GETs per ``--rate-window`` s per key):
   wall time against the rate-limit floor ``max(0, requests/keys - limit) * window / limit``,
   and requests against the minimum.

    .venv/bin/python benchmarks/extract.py [--clients 50000] [--rate-window 1.0]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest.endpoints import LIST_ENDPOINTS, pages_needed  # noqa: E402
from sandbox.bizstim.store import counts, iter_records  # noqa: E402
from sandbox.servers import start_server  # noqa: E402

KEYS = [f"bench-key-{i}-{'0' * 30}" for i in range(1, 4)]
PEAK = (
    "import resource, runpy, sys; sys.argv = ['bizmig'] + sys.argv[1:]\n"
    "try:\n    runpy.run_module('bizmig.cli', run_name='__main__')\n"
    "finally:\n"
    "    print('PEAK_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
)


def minimum(db: Path) -> int:
    total = counts(db)
    lists = sum(pages_needed(total[e.method], e.max_limit) for e in LIST_ENDPOINTS) + 1
    avail: set[str] = set()
    for method in ("clients", "practitioners"):
        for record in iter_records(db, method):
            avail |= {a.strip() for a in record["avail_id"].split(",") if a.strip()}
    return lists + total["clients"] + len(avail)


def requests_per_key(log: list[dict]) -> dict[str, int]:
    """The Bizstim sandbox's request log counted per key (its log names keys by hash)."""
    per_key: dict[str, int] = {}
    for r in log:
        per_key[r["key"]] = per_key.get(r["key"], 0) + 1
    return per_key


def bizstim_floor(per_key: dict[str, int], limit: int, window: float) -> float:
    """The rate-limit floor: the busiest key's requests beyond its first window's budget,
    at ``limit`` per ``window`` seconds."""
    return max(0, max(per_key.values()) - limit) * window / limit


def extract(
    url: str,
    keys: list[str],
    limit: int,
    window: float,
    workdir: Path,
    checkpoint_every: int | None = 20_000,  # None: bizmig's own default
) -> dict:
    duck = workdir / f"bench-{len(keys)}-{limit}.duckdb"
    every = [] if checkpoint_every is None else ["--checkpoint-every", str(checkpoint_every)]
    env = {
        **os.environ,
        "BIZSTIM_BASE_URL": f"{url}/api",
        "BIZSTIM_API_KEYS": ",".join(keys),
        "BIZSTIM_RATE_LIMIT": str(limit),
        "BIZSTIM_RATE_WINDOW": str(window),
        "BIZMIG_DUCKDB": str(duck),
    }
    began = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-c", PEAK, "extract", "--json", *every],
        env=env,
        cwd=workdir,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.monotonic() - began
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-3000:])
    peak_kb = int(proc.stderr.rsplit("PEAK_KB", 1)[1].split()[0])
    result = json.loads(proc.stdout)
    return {"wall": wall, "peak_mb": peak_kb / 1024, **result}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--rate-limit", type=int, default=1000)
    parser.add_argument("--rate-window", type=float, default=1.0)
    parser.add_argument("--workdir", type=Path, default=ROOT / ".bizmig" / "bench-extract")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    for old in args.workdir.glob("bench-*"):
        if old.is_file():
            old.unlink()
    import shutil

    shutil.rmtree(args.workdir / ".bizmig", ignore_errors=True)
    source = args.workdir / f"bizstim-{args.seed}-{args.clients}.sqlite"

    def serve(limit: int, window: float):
        flags = ["--clients", str(args.clients), "--seed", str(args.seed), "--db", str(source)]
        flags += ["--rate-limit", str(limit), "--rate-window", str(window)]
        for key in KEYS:
            flags += ["--api-key", key]
        return start_server("bizstim", flags, timeout=900)

    server = serve(10**9, 3600)
    need = minimum(source)
    print(f"account: {args.clients:,} clients, minimum GET requests {need:,}")
    free = extract(server.url, KEYS[:1], 10**9, 3600, args.workdir)
    rows = sum(free["rows"].values())
    made = len(server.requests())
    server.stop()
    print(
        f"unbounded budget: {made:,} requests (minimum {need:,}), {rows:,} rows in "
        f"{free['wall']:.1f} s = {rows / free['wall']:,.0f} rows/s, "
        f"{made / free['wall']:,.0f} requests/s, peak RSS {free['peak_mb']:.0f} MB"
    )
    for keys in (1, 3):
        server = serve(args.rate_limit, args.rate_window)
        run = extract(server.url, KEYS[:keys], args.rate_limit, args.rate_window, args.workdir)
        log = server.requests()
        server.stop()
        r429 = sum(1 for r in log if r["status"] == 429)
        floor = max(0.0, len(log) / keys - args.rate_limit) * args.rate_window / args.rate_limit
        print(
            f"{keys} key(s) at {args.rate_limit}/{args.rate_window:g}s: {len(log):,} requests "
            f"(minimum {need:,}), {r429} x 429, wall {run['wall']:.1f} s vs floor {floor:.1f} s "
            f"({floor / run['wall']:.0%} of the ceiling), peak RSS {run['peak_mb']:.0f} MB"
        )


if __name__ == "__main__":
    main()
