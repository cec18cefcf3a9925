"""How a stand-in is made to misbehave for the kit, and how its log shows that it did."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb


@dataclass(frozen=True)
class Fault:
    """Options that make the stand-in misbehave, and how its log shows that it did.
    ``stops_with``: the exit code a load ends with when the fault is one a load must stop at
    and resume from (Salesforce's daily allocation: exit 14); the kit then lets the harness
    ``recover`` the stand-in (the allocation's 24 hours pass) and runs the load again."""

    options: tuple[str, ...]
    seen: str  # a key of :func:`Harness.fault_seen`'s answer
    stops_with: int | None = None


def faults_in(log: list[dict[str, Any]], starts_a_run: Callable[[str], bool]) -> set[str]:
    """What the stand-in's request log shows: ``5xx`` answered, ``dropped`` connections, and
    ``stopped`` when a second load began (a budget stop and its resume each open with the
    destination's own key check, the request ``starts_a_run`` recognises by its path)."""
    seen = {"5xx" for r in log if r["status"] >= 500}
    seen |= {"dropped" for r in log if r.get("dropped")}
    runs = sum(1 for r in log if starts_a_run(r["path"]))
    return seen | ({"stopped"} if runs > 1 else set())


def spoil_one(
    staging: Path, mart: str, assignment: str, where: str = "true", offset: int = 1
) -> str:
    """Make one mart row unloadable (``assignment`` is the SQL ``set`` clause, e.g. ``name =
    ''``), marked changed so the loader sends it; the row's external id, for the kit to find
    it quarantined. The row is the ``offset``-th by external id among those ``where`` holds."""
    with duckdb.connect(str(staging)) as con:
        (external_id,) = con.execute(
            f"select external_id from marts.{mart} where {where} "
            f"order by external_id limit 1 offset {offset}"
        ).fetchone()
        con.execute(
            f"update marts.{mart} set {assignment}, row_hash = 'changed' where external_id = ?",
            [external_id],
        )
    return str(external_id)
