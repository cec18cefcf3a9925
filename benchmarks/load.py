"""Loader benchmark: prints figures, asserts nothing.

1. A small real account is extracted and built (so the catalog, seeds and mart contracts are
   the project's own), then the people mart is grown to ``--people`` synthetic rows (unique
   e-mails) and the payments mart to one payment per person; the other marts are emptied.
2. ``bizmig load`` runs against the Twenty stand-in with the workspace limit on a scaled clock
   (``--rate-limit`` requests per ``--rate-window`` s, same on both sides).

Printed: requests made vs the minimum (Σ ceil(rows / cap) + schema + snapshot reads), wall time
vs the rate-limit floor (the sustained throughput as a fraction of the ceiling), 429s, and the
loader's own CPU per 1 000 records.

    .venv/bin/python benchmarks/load.py [--people 100000] [--rate-limit 300 --rate-window 10]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sandbox.servers import start_server  # noqa: E402
from sandbox.staging import extract_and_build  # noqa: E402

TWENTY_KEY = "bench-twenty-key-0000000000000000000000001"


def build_template(work: Path) -> Path:
    db = work / "template.duckdb"
    return db if db.exists() else extract_and_build(work)


def grow(template: Path, target: Path, people: int) -> None:
    target.unlink(missing_ok=True)
    target.write_bytes(template.read_bytes())
    with duckdb.connect(str(target)) as con:
        con.execute("update seeds.custom_field_map set confirmed = true")
        con.execute(
            "create temp table p as select * from marts.twenty__people "
            "where emails.primaryEmail is not null limit 1"
        )
        con.execute("delete from marts.twenty__people")
        con.execute(f"""
            insert into marts.twenty__people
            select t.* replace (
                'bench:' || i as external_id,
                {{'firstName': 'Bench', 'lastName': 'Person ' || i}} as "name",
                {{'primaryEmail': 'bench' || i || '@example.org',
                  'additionalEmails': []::varchar[]}} as emails,
                md5('bench' || i) as row_hash)
            from p as t, range({people}) as r(i)
        """)
        con.execute("create temp table pay as select * from marts.twenty__payments limit 1")
        con.execute("delete from marts.twenty__payments")
        columns = [r[0] for r in con.execute("describe marts.twenty__payments").fetchall()]
        relation = next(c for c in columns if c.endswith("__external_id"))
        con.execute(f"""
            insert into marts.twenty__payments
            select t.* replace (
                'bench-payment:' || i as external_id,
                1000000 + i as "bizstimPaymentId",
                'bench:' || i as "{relation}",
                md5('pay' || i) as row_hash)
            from pay as t, range({people}) as r(i)
        """)
        for mart in (
            "twenty__service_groups",
            "twenty__services",
            "twenty__locations",
            "twenty__sessions",
            "twenty__availability_windows",
            "twenty__notes",
            "twenty__note_targets",
        ):
            con.execute(f"delete from marts.{mart}")


def load_minimum(report: dict, log: list[dict]) -> tuple[int, int, int, int]:
    """(minimum, batches, metadata, reads) of a first load: one batch per ``cap`` mart rows,
    plus the schema (metadata) calls and snapshot/introspection reads the server logged.
    ``report`` is ``bizmig load --json`` (the ``load`` phase detail of ``bizmig migrate``)."""
    cap = report["batch_cap"]
    batches = sum(math.ceil(o["mart_rows"] / cap) for o in report["objects"].values())
    metadata = sum(1 for r in log if "/metadata/" in r["path"])
    reads = sum(1 for r in log if r["method"] == "GET" and "/metadata/" not in r["path"])
    return batches + metadata + reads, batches, metadata, reads


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--rate-limit", type=int, default=300)
    parser.add_argument("--rate-window", type=float, default=10.0)
    parser.add_argument("--workdir", type=Path, default=ROOT / ".bizmig" / "bench-load")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    staging = args.workdir / "staging.duckdb"
    grow(build_template(args.workdir), staging, args.people)
    (args.workdir / "twenty.sqlite").unlink(missing_ok=True)
    twenty = start_server(
        "twenty",
        [
            "--api-key",
            TWENTY_KEY,
            "--db",
            str(args.workdir / "twenty.sqlite"),
            "--rate-limit",
            str(args.rate_limit),
            "--rate-window",
            str(args.rate_window),
        ],
    )
    env = {
        **os.environ,
        "TWENTY_API_URL": twenty.url,
        "TWENTY_API_KEY": TWENTY_KEY,
        "BIZMIG_DUCKDB": str(staging),
    }
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.monotonic()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "bizmig.cli",
            "load",
            "--yes",
            "--allow-unmatched-owners",
            "--json",
            "--rate-limit",
            str(args.rate_limit),
            "--rate-window",
            str(args.rate_window),
        ],
        env=env,
        cwd=args.workdir,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.monotonic() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    log = twenty.requests()
    twenty.stop()
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-3000:])
    report = json.loads(proc.stdout)
    records = sum(o["mart_rows"] for o in report["objects"].values())
    cap = report["batch_cap"]
    minimum, batches, metadata, reads = load_minimum(report, log)
    rate = args.rate_limit / args.rate_window
    floor = max(0.0, len(log) - args.rate_limit) / rate
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(f"{records:,} records ({args.people:,} people + {args.people:,} payments), cap {cap}")
    print(
        f"requests: {len(log):,} made vs minimum {minimum:,} = {batches:,} batches + "
        f"{metadata} metadata + {reads} snapshot/introspection reads; "
        f"{sum(1 for r in log if r['status'] == 429)} x 429"
    )
    print(
        f"wall {wall:.1f} s vs rate-limit floor {floor:.1f} s at {rate:g} req/s: "
        f"{floor / wall:.1%} of the ceiling; {records / wall:,.0f} records/s"
    )
    print(f"loader CPU {cpu:.1f} s = {1000 * cpu / records:.2f} s per 1 000 records")


if __name__ == "__main__":
    main()
