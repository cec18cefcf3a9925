"""What the acceptance kit needs to know about one destination, and Twenty's answers.

The kit (tests/kit/test_kit.py) asserts the same guarantees for every destination: exact counts,
a rerun that writes nothing, the fewest write requests its write path allows, resume after
``kill -9``, injected throttling / 5xx / dropped connections, a refused record quarantined,
rollback to an equal destination and a clean reconcile. It drives ``bizmig --to <name>`` as a
subprocess, the way an operator does; everything destination-specific — how its stand-in is
started and faulted, how its records are read back and compared, what it refuses — sits behind
:class:`Harness`. A destination that gets built (``load.destinations``: ``issue is None``)
must add its harness to :data:`HARNESSES`; tests/kit/test_registry.py fails until it does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from tests.kit.fault import Fault, spoil_one
from tests.kit.harness_freshsales import FreshsalesHarness
from tests.kit.harness_monday import MondayHarness
from tests.kit.harness_pipedrive import PipedriveHarness
from tests.kit.harness_salesforce import SalesforceHarness
from tests.load.conftest import Twenty, mart_counts, start_twenty
from tests.load.test_rollback import populate as populate_twenty
from tests.load.test_rollback import snapshot as twenty_snapshot
from tests.resilience.conftest import content, record_key, twenty_records

# object → (external id, comparable content) per record the destination holds: a list, so a
# duplicate shows up as two entries
Holdings = dict[str, list[tuple[str, dict[str, Any]]]]


class StandIn(Protocol):
    """A running stand-in server: its address, its request log, and a way to stop it."""

    url: str

    def requests(self, since: int = 0) -> list[dict[str, Any]]: ...

    def stop(self) -> None: ...


class Harness(Protocol):
    name: str  # the --to name
    faults: dict[str, Fault]  # "throttle", "5xx", "dropped" → how to inject each
    slow: tuple[str, ...]  # options that slow every answer, so a kill lands between writes

    def start(self, tmp: Path, *options: str) -> StandIn: ...

    def env(self, stand_in: StandIn) -> dict[str, str]:
        """The destination's configuration, as an operator would export it."""
        ...

    def expected(self, staging: Path) -> dict[str, int]:
        """object → records its marts say the destination must hold."""
        ...

    def holdings(self, stand_in: StandIn) -> Holdings:
        """What the destination holds, keyed by external id, server-set values left out."""
        ...

    def snapshot(self, stand_in: StandIn) -> Any:
        """Everything the destination holds (live and deleted, schema too), comparable."""
        ...

    def populate(self, stand_in: StandIn, staging: Path) -> None:
        """Records that exist before the migration and that it will touch (rollback test)."""
        ...

    def is_record_write(self, request: dict[str, Any]) -> bool: ...

    def is_write(self, request: dict[str, Any]) -> bool:
        """A request that can change the destination (a rerun of a finished load sends none;
        a login that is a POST changes nothing)."""
        ...

    def recover(self, stand_in: StandIn) -> None:
        """Let a load that stopped at a fault's ``stops_with`` go on (a budget's window
        passes); nothing for faults a load rides through."""
        ...

    def minimum_record_writes(self, staging: Path) -> int:
        """The fewest record-write requests the write path allows for these marts."""
        ...

    def refuse_one(self, staging: Path) -> tuple[str, str]:
        """Change one mart row so the destination refuses it; (object, external id)."""
        ...

    def fault_seen(self, log: list[dict[str, Any]]) -> set[str]: ...


__all__ = ["HARNESSES", "Fault", "Harness", "Holdings", "StandIn"]


# -- Twenty ------------------------------------------------------------------------------------
@dataclass
class TwentyStandIn:
    twenty: Twenty

    @property
    def url(self) -> str:
        return self.twenty.url

    def requests(self, since: int = 0) -> list[dict[str, Any]]:
        return self.twenty.server.requests(since)

    def stop(self) -> None:
        self.twenty.server.stop()


class TwentyHarness:
    name = "twenty"
    faults = {
        # each injected 429 starts a burst of three, each with Retry-After: 1 (Twenty's floor),
        # which the loader obeys: 2 % of ~190 requests is ~10 s of waiting, 10 % was 60 s
        "throttle": Fault(("--p429", "0.02", "--fault-seed", "3"), "429"),
        "5xx": Fault(("--p500", "0.1", "--fault-seed", "5"), "500"),
        "dropped": Fault(("--p-drop-after-commit", "0.2", "--fault-seed", "7"), "dropped"),
    }
    slow = ("--p-slow", "1", "--slow-seconds", "0.05")

    def start(self, tmp: Path, *options: str) -> TwentyStandIn:
        return TwentyStandIn(start_twenty(tmp, "--rate-limit", "0", *options))

    def env(self, stand_in: StandIn) -> dict[str, str]:
        assert isinstance(stand_in, TwentyStandIn)
        return {"TWENTY_API_URL": stand_in.url, "TWENTY_API_KEY": stand_in.twenty.key}

    def expected(self, staging: Path) -> dict[str, int]:
        return mart_counts(staging)

    def holdings(self, stand_in: StandIn) -> Holdings:
        assert isinstance(stand_in, TwentyStandIn)
        records = twenty_records(stand_in.twenty)
        by_key = content(records)
        return {
            obj: [(key, by_key[obj][key]) for key in (record_key(obj, r) for r in rs)]
            for obj, rs in records.items()
        }

    def snapshot(self, stand_in: StandIn) -> Any:
        assert isinstance(stand_in, TwentyStandIn)
        return twenty_snapshot(stand_in.twenty)

    def populate(self, stand_in: StandIn, staging: Path) -> None:
        assert isinstance(stand_in, TwentyStandIn)
        populate_twenty(stand_in.twenty, staging)

    def is_record_write(self, request: dict[str, Any]) -> bool:
        return request["method"] != "GET" and request["path"].startswith("/rest/batch/")

    def is_write(self, request: dict[str, Any]) -> bool:
        return request["method"] != "GET"

    def recover(self, stand_in: StandIn) -> None:
        return None  # Twenty's 429s are ridden through, never stopped at

    def minimum_record_writes(self, staging: Path) -> int:
        # one batch upsert per 200 records per object (generation v2's cap)
        return sum(math.ceil(rows / 200) for rows in mart_counts(staging).values())

    def refuse_one(self, staging: Path) -> tuple[str, str]:
        """A person whose e-mail Twenty's validator refuses."""
        spoil = "emails = {'primaryEmail': 'not-an-email', 'additionalEmails': []::varchar[]}"
        where = "emails.primaryEmail is not null"
        return "person", spoil_one(staging, "twenty__people", spoil, where, offset=3)

    def fault_seen(self, log: list[dict[str, Any]]) -> set[str]:
        seen = {str(r["status"]) for r in log if r["status"] in (429, 500)}
        return seen | {"dropped" for r in log if r.get("dropped")}


HARNESSES: dict[str, Harness] = {
    h.name: h
    for h in (
        TwentyHarness(),
        SalesforceHarness(),
        PipedriveHarness(),
        FreshsalesHarness(),
        MondayHarness(),
    )
}
