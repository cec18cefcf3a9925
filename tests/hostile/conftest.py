"""One migration of a sandbox account carrying every class of the bad-input corpus, and what
became of each touched record (sandbox/bizstim/hostile*.py).

The migration runs once per session (``bizmig migrate`` in-process against both stand-ins);
the tests read its outcome. The per-class table is printed at the end of the run.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pytest

from bizmig.migrate import execute
from load.core.ledger import LIVE_ACTIONS
from sandbox.bizstim.hostile import CATALOG, read_manifest
from sandbox.servers import RunningServer, start_server
from tests.load.conftest import Twenty, start_twenty
from tests.migrate.conftest import stand_in_config

BIZSTIM_KEY = "hostile-test-bizstim-key-000000000000001"
PLURALS = {"person": "people", "tutoringSession": "tutoringSessions", "payment": "payments",
           "availabilityWindow": "availabilityWindows", "tutoringService": "tutoringServices",
           "serviceLocation": "serviceLocations", "note": "notes"}
_OUTCOMES: list[dict[str, Any]] = []


@dataclass
class Outcome:
    """What became of one class's records."""

    name: str
    touches: list[tuple[str, str, str]]
    fates: dict[tuple[str, str, str], tuple[str, str | None]] = field(default_factory=dict)

    def count(self, fate: str) -> int:
        return sum(1 for f, _ in self.fates.values() if f == fate)

    def row(self) -> dict[str, Any]:
        rules = sorted({r for _, r in self.fates.values() if r})
        return {"class": self.name, "outcome": CATALOG[self.name].outcome,
                "source": len(self.touches), "loaded": self.count("loaded"),
                "quarantined": self.count("quarantined"), "excluded": self.count("excluded"),
                "rule": ", ".join(rules) or CATALOG[self.name].rule}


@dataclass
class Migrated:
    exit_code: int
    duckdb: Path
    bizstim: RunningServer
    bizstim_db: Path
    twenty: Twenty
    manifest: dict[str, Any]
    events: list[dict[str, Any]]
    requests: list[dict[str, Any]]
    dispositions: dict[tuple[str, str, str], tuple[str, str | None, str | None]]
    ledger: dict[tuple[str, str], str]
    quarantine: list[tuple[str, str, str, str, str]]  # object, table, id, rule, impact
    _records: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)

    def sql(self, query: str) -> list[tuple[Any, ...]]:
        with duckdb.connect(str(self.duckdb), read_only=True) as con:
            return con.execute(query).fetchall()

    def records(self, plural: str) -> dict[str, dict[str, Any]]:
        """Twenty records of an object by bizstimId."""
        if plural not in self._records:
            self._records[plural] = {r["bizstimId"]: r for r in self.twenty.all_records(plural)}
        return self._records[plural]

    def touches(self, name: str) -> list[tuple[str, str, str]]:
        touches = [tuple(t) for t in self.manifest["classes"][name]["touches"]]
        for event in self.events:
            if event["class"] == name:
                touches += [tuple(t) for t in event["touches"] if tuple(t) not in touches]
        return touches  # type: ignore[return-value]

    def outcome(self, name: str) -> Outcome:
        result = Outcome(name, self.touches(name))
        for touch in result.touches:
            disposition = self.dispositions.get(touch)
            if disposition is None:
                result.fates[touch] = ("missing", None)
                continue
            fate, rule, target = disposition
            if fate == "mapped":
                action = self.ledger.get((touch[0], target or ""))
                fate = ("loaded" if action in LIVE_ACTIONS else
                        "quarantined" if action == "quarantined" else f"mapped, ledger {action}")
                rule = None if fate == "loaded" else "twenty_refused"
            result.fates[touch] = (fate, rule)
        return result


def _get_json(url: str) -> Any:
    with urllib.request.urlopen(url) as response:
        return json.loads(response.read())


@pytest.fixture(scope="session")
def migrated(tmp_path_factory: pytest.TempPathFactory, full_size: bool) -> Iterator[Migrated]:
    tmp = tmp_path_factory.mktemp("hostile")
    db = tmp / "bizstim.sqlite"
    clients = 400 if full_size else 60
    bizstim = start_server("bizstim", [
        "--clients", str(clients), "--seed", "42", "--db", str(db), "--api-key", BIZSTIM_KEY,
        "--rate-limit", "100000", "--rate-window", "1", "--hostile", "all"])
    twenty = start_twenty(tmp, "--rate-limit", "0")
    config = stand_in_config(tmp, bizstim, BIZSTIM_KEY, twenty, staging="hostile")
    try:
        code = execute(config)
        with duckdb.connect(str(config.duckdb), read_only=True) as con:
            dispositions = {
                (o, t, i): (d, r, x) for o, t, i, d, r, x in con.execute(
                    "select object_name, source_table, source_id, disposition, rule, "
                    "target_external_id from intermediate.int_migration__dispositions").fetchall()}
            ledger = dict(((o, e), a) for o, e, a in con.execute(
                "select object, external_id, action from migration.ledger_current").fetchall())
            quarantine = con.execute(
                "select object_name, source_table, source_id, rule, impact "
                "from migration.migration__quarantine").fetchall()
        yield Migrated(code, config.duckdb, bizstim, db, twenty, read_manifest(db),
                       _get_json(f"{bizstim.url}/_sandbox/hostile")["events"],
                       bizstim.requests(), dispositions, ledger, quarantine)
    finally:
        twenty.server.stop()
        bizstim.stop()


@pytest.fixture(scope="session")
def outcome_table() -> list[dict[str, Any]]:
    """Per-class rows printed at the end of the run (this module's list: the test module may
    import a second copy of this file)."""
    return _OUTCOMES


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _OUTCOMES:
        return
    terminalreporter.section("bad-input corpus: per-class outcomes")
    header = ("class", "outcome", "source", "loaded", "quarantined", "excluded", "rule")
    terminalreporter.write_line("| " + " | ".join(header) + " |")
    terminalreporter.write_line("|" + "---|" * len(header))
    for row in sorted(_OUTCOMES, key=lambda r: r["class"]):
        terminalreporter.write_line("| " + " | ".join(str(row[h]) for h in header) + " |")
