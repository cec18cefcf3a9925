"""A migration run again after every budget stop, the stand-in's clock moved on between runs.

Every destination with a budget window longer than a benchmark can wait (Salesforce's and
Pipedrive's day, Freshsales' hour) is measured the same way: ``bizmig.migrate.execute`` in a child
process until it exits with something other than 14 (the budget stop, common.exits), the
stand-in's clock advanced by one window after each 14, as an engineer would rerun the command
the next morning (or hour). Each run's exit, wall and peak RSS are kept, so a failed last run is
reported in the figures instead of losing them. Pipedrive's and Freshsales' benchmarks share it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BUDGET_STOP = 14  # exit code of a load stopped by its destination's budget (common.exits)


def migrate_until_done(
    child: str,
    config: dict[str, Any],
    env: dict[str, str],
    work: Path,
    between: Callable[[int], None],
    again: tuple[int, ...] = (BUDGET_STOP,),
    max_runs: int = 30,
) -> list[dict]:
    """Run ``child`` (Python source taking the JSON ``config`` as its argument and printing
    ``PEAK_KB <n>`` on stderr) until it exits with a code not in ``again``, calling
    ``between(code)`` before each rerun (Freshsales' also reruns after the fields checklist,
    exit 7, once an admin created the fields). ``config["restart"]`` is true for the first
    run only."""
    runs: list[dict] = []
    while True:
        started = time.monotonic()
        with (work / "run" / f"migrate-{len(runs) + 1}.log").open("w") as out:
            proc = subprocess.run(
                [sys.executable, "-c", child, json.dumps({**config, "restart": not runs})],
                cwd=work / "run",
                env=env,
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
        if proc.returncode not in again:  # done, or failed: the figures say which
            if proc.returncode:
                print(f"migration exited {proc.returncode}:\n{proc.stderr[-3000:]}")
            return runs
        if len(runs) >= max_runs:
            raise SystemExit(f"still stopping for the budget after {max_runs} runs")
        between(proc.returncode)
