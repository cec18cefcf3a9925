"""How a stand-in is made to misbehave for the kit, and how its log shows that it did."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Fault:
    """Options that make the stand-in misbehave, and how its log shows that it did.
    ``stops_with``: the exit code a load ends with when the fault is one a load must stop at
    and resume from (Salesforce's daily allocation: exit 14); the kit then lets the harness
    ``recover`` the stand-in (the allocation's 24 hours pass) and runs the load again."""

    options: tuple[str, ...]
    seen: str  # a key of :func:`Harness.fault_seen`'s answer
    stops_with: int | None = None
