"""The scale benchmark's extraction alone: ``bizmig extract`` on the same account and limits.

``benchmarks/scale.py`` takes ~45 minutes at 2 000 000 records; a change to the extraction
only needs its first 17. This runs the Bizstim sandbox on the account ``scale.py`` generated
(same seed and clients, ``--keys`` keys at 1000 GETs per ``--bizstim-window`` s), then
``bizmig extract --json`` in a child process, and prints: GETs vs the extraction minimum, 429s,
wall vs the rate-limit floor (the same formula as ``scale.py``), the child's peak RSS, and the
10-second windows that sent less than 92 % of the keys' ceiling — where the time went, which
the per-run timestamps of ``_dlt_loads`` then explain. Asserts nothing.

    .venv/bin/python benchmarks/scale_extract.py [--records 2000000 | --clients N]
        [--keys 3] [--bizstim-window 15] [--workdir .bizmig/bench-scale]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.extract import bizstim_floor, extract, requests_per_key  # noqa: E402
from benchmarks.extract import minimum as extract_minimum  # noqa: E402
from benchmarks.scale import BIZSTIM_LIMIT, clients_for, start_bizstim  # noqa: E402
from sandbox.bizstim.generate import ensure_db  # noqa: E402

SLOW_WINDOW = 0.92  # a 10 s window below this share of the ceiling is listed


def slow_windows(stamps: list[float], rate: float, width: int = 10) -> list[tuple[int, int]]:
    """(second from the first request, requests) of each window under SLOW_WINDOW."""
    first, last = stamps[0], stamps[-1]
    per_window: dict[int, int] = {}
    for ts in stamps:
        start = int(ts - first) // width * width
        per_window[start] = per_window.get(start, 0) + 1
    return [
        (start, per_window.get(start, 0))
        for start in range(0, int(last - first) - width + 1, width)
        if per_window.get(start, 0) < SLOW_WINDOW * rate * width
    ]


def run(clients: int, seed: int, keys: int, window: float, work: Path) -> dict[str, Any]:
    api_keys = [f"scale-key-{i}-{'0' * 30}" for i in range(1, keys + 1)]
    source = work / f"bizstim-{seed}-{clients}.sqlite"
    ensure_db(source, seed, clients, log=print)
    out = work / "extract-alone"
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob(f"bench-{keys}-{BIZSTIM_LIMIT}.duckdb*"):
        old.unlink()  # a fresh staging file: a second cycle would be a delta, not this figure
    _, bizstim = start_bizstim(work, clients, seed, api_keys, window)
    try:
        # bizmig's own checkpoint (2 000 requests a dlt run), as in the migration
        result = extract(bizstim.url, api_keys, BIZSTIM_LIMIT, window, out, checkpoint_every=None)
        log = bizstim.requests()
    finally:
        bizstim.stop()
    floor = bizstim_floor(requests_per_key(log), BIZSTIM_LIMIT, window)
    stamps = sorted(r["ts"] for r in log)
    return {
        "clients": clients,
        "requests": len(log),
        "minimum": extract_minimum(source),
        "r429": sum(1 for r in log if r["status"] == 429),
        "wall_s": round(result["wall"], 1),
        "floor_s": round(floor, 1),
        "fraction_of_ceiling": round(floor / result["wall"], 3),
        "peak_rss_mb": round(result["peak_mb"]),
        "slow_windows": slow_windows(stamps, keys * BIZSTIM_LIMIT / window),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=2_000_000)
    parser.add_argument("--clients", type=int)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keys", type=int, default=3)
    parser.add_argument("--bizstim-window", type=float, default=15.0)
    parser.add_argument("--workdir", type=Path, default=ROOT / ".bizmig" / "bench-scale")
    args = parser.parse_args()
    clients = args.clients or clients_for(args.records)
    figures = run(clients, args.seed, args.keys, args.bizstim_window, args.workdir)
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
