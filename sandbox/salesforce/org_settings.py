"""The stand-in org's switches, as the CLI sets them (``cli.py`` → ``org.Org``).

Why a module of its own: the switches are read at every level below the org — the save rules
(Set Audit Fields), the token endpoint (client id, secret, session hours) and the Bulk job run
(seed, lock rates, Hard Delete) — and those modules sit below ``org.py``, which builds them.
Here, with no imports of the package, they can all name :class:`Settings` without importing
the org (tests/test_layers.py: the import graph must have no circles).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Settings:
    client_id: str
    client_secret: str
    daily_api_limit: int = 115_000  # Enterprise: 100,000 + 15 licences x 1,000
    bulk_batch_limit: int = 15_000
    set_audit_fields: bool = False  # "Set Audit Fields upon Record Creation" (off by default)
    hard_delete_permission: bool = False  # "Bulk API Hard Delete" (off by default)
    session_hours: float = 2.0  # an access token dies after this long unused (0 = never)
    seed: int = 0
    lock_contention: float = 0.0  # Bulk: share of parent-sharing child rows that fail to lock
    lock_failure_rate: float = 0.0  # Bulk: share of any rows that fail to lock
