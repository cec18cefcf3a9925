"""Open the staging DuckDB file, waiting while another process holds its lock.

DuckDB lets one process write a file at a time, and a writer shuts out readers from other
processes too: an auditor's read-only session, ``dbt build`` or a load holding the file makes
``duckdb.connect`` fail at once with ``IO Error: Could not set lock on file "…": Conflicting
lock is held in … (PID …)`` (DuckDB 2.0; the text tests/test_duck.py provokes with a second
process). The ledger, the report and the phase log each had their own loop for that; the phase
log's retried *every* ``IOException``, so a directory given as ``--duckdb`` or a corrupt file
hung for 60 s before its real error. Here only a lock conflict is retried (backoff from 20 ms
doubling to 0.5 s, until ``wait`` seconds have passed, then the last lock error is raised);
any other error is raised on the first attempt.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import tenacity

LOCK_CONFLICT = ("Could not set lock on file", "Conflicting lock is held")
FIRST_DELAY = 0.02  # seconds; a ledger flush holds the lock for a few milliseconds
MAX_DELAY = 0.5


def is_lock_conflict(exc: BaseException) -> bool:
    """Another process holds the file (not: missing, a directory, not a DuckDB file, …)."""
    return isinstance(exc, duckdb.IOException) and any(m in str(exc) for m in LOCK_CONFLICT)


def open_waiting(
    path: Path | str, read_only: bool = False, wait: float = 60.0
) -> duckdb.DuckDBPyConnection:
    """A connection to ``path``; the caller closes it (or use :func:`connect`)."""
    retrying = tenacity.Retrying(
        retry=tenacity.retry_if_exception(is_lock_conflict),
        stop=tenacity.stop_after_delay(wait),
        wait=tenacity.wait_exponential(multiplier=FIRST_DELAY, max=MAX_DELAY),
        reraise=True,
    )
    return retrying(lambda: duckdb.connect(str(path), read_only=read_only))


@contextmanager
def connect(
    path: Path | str, read_only: bool = False, wait: float = 60.0
) -> Iterator[duckdb.DuckDBPyConnection]:
    """``with connect(path) as con:``: opened as :func:`open_waiting` does, closed after."""
    con = open_waiting(path, read_only=read_only, wait=wait)
    try:
        yield con
    finally:
        con.close()
