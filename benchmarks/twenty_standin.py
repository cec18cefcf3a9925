"""Throughput of the Twenty stand-in: N batch creates of 200 people, rate limiting off.

Starts ``bizmig sandbox twenty`` as a subprocess on a fresh SQLite file and sends the batches
over one keep-alive httpx client. Usage: ``python benchmarks/twenty_standin.py [--batches N]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sandbox.servers import start_server


def batch(start: int, size: int) -> list[dict]:
    return [
        {
            "name": {"firstName": f"First{i}", "lastName": f"Last{i}"},
            "emails": {"primaryEmail": f"person{i}@bench.example.com"},
            "jobTitle": "Engineer",
            "phones": {
                "primaryPhoneNumber": "612345678",
                "primaryPhoneCountryCode": "FR",
                "primaryPhoneCallingCode": "+33",
            },
            "city": "Paris",
        }
        for i in range(start, start + size)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batches", type=int, default=200)
    parser.add_argument("--size", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server = start_server(
            "twenty",
            ["--api-key", "bench", "--rate-limit", "0", "--db", str(Path(tmp) / "bench.sqlite")],
        )
        try:
            # Bodies are encoded up front: the figure is about the server, not client-side JSON.
            bodies = [
                json.dumps(batch(n * args.size, args.size)).encode() for n in range(args.batches)
            ]
            with httpx.Client(
                base_url=server.url, timeout=60, headers={"Authorization": "Bearer bench"}
            ) as client:
                client.post("/rest/batch/people", json=batch(10**9, 1)).raise_for_status()
                started = time.perf_counter()
                for body in bodies:
                    client.post(
                        "/rest/batch/people",
                        content=body,
                        headers={"Content-Type": "application/json"},
                    ).raise_for_status()
                elapsed = time.perf_counter() - started
        finally:
            server.stop()
    requests = args.batches
    print(f"{requests} batch creates of {args.size} people in {elapsed:.2f} s")
    print(f"requests/s: {requests / elapsed:.1f}")
    print(f"records/s:  {requests * args.size / elapsed:.0f}")


if __name__ == "__main__":
    main()
