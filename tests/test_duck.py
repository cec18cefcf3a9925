"""common.duck: a file locked by another process is waited for, every other error is not.

The lock is held by a real second process (DuckDB's lock is per process), which releases it
when the helper has failed a set number of attempts, so the tests count attempts, not time.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from common.duck import connect, is_lock_conflict

HOLDER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("create table if not exists t as select 42 as answer")
print("held", flush=True)
sys.stdin.readline()
con.close()
"""


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[tuple[Path, subprocess.Popen]]:
    """A DuckDB file and a process holding its write lock until told (a line on stdin)."""
    path = tmp_path / "staging.duckdb"
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "held"
    yield path, process
    if process.poll() is None:
        process.kill()
        process.wait()


def release(process: subprocess.Popen) -> None:
    assert process.stdin is not None
    process.stdin.write("go\n")
    process.stdin.flush()
    assert process.wait(timeout=30) == 0


def counting_connect(
    monkeypatch: pytest.MonkeyPatch, before: Callable[[int], None] = lambda attempt: None
) -> list[BaseException | None]:
    """Patch duckdb.connect to record each attempt's outcome (None = opened)."""
    real = duckdb.connect
    outcomes: list[BaseException | None] = []

    def attempt(*args: Any, **kwargs: Any) -> duckdb.DuckDBPyConnection:
        before(len(outcomes) + 1)
        try:
            con = real(*args, **kwargs)
        except Exception as exc:
            outcomes.append(exc)
            raise
        outcomes.append(None)
        return con

    monkeypatch.setattr(duckdb, "connect", attempt)
    return outcomes


@pytest.mark.parametrize("read_only", [False, True])
def test_waits_for_a_lock_held_by_another_process(
    holder: tuple[Path, subprocess.Popen], monkeypatch: pytest.MonkeyPatch, read_only: bool
) -> None:
    path, process = holder

    def release_on_third(attempt: int) -> None:
        if attempt == 3:
            release(process)

    outcomes = counting_connect(monkeypatch, release_on_third)
    with connect(path, read_only=read_only, wait=60.0) as con:
        assert con.execute("select answer from t").fetchone() == (42,)
    # two refusals while the other process held the file, then in
    assert [exc is not None and is_lock_conflict(exc) for exc in outcomes] == [True, True, False]
    assert "Could not set lock on file" in str(outcomes[0])


def test_gives_up_on_the_lock_error_when_the_wait_is_over(
    holder: tuple[Path, subprocess.Popen], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, _ = holder
    outcomes = counting_connect(monkeypatch)
    with pytest.raises(duckdb.IOException, match="Conflicting lock is held"), connect(
        path, wait=0.3
    ):
        pass
    assert len(outcomes) > 1  # it did wait …
    assert all(is_lock_conflict(exc) for exc in outcomes if exc is not None)
    assert None not in outcomes  # … and never got in


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.mkdir(), "Is a directory"),
        (lambda p: p.write_bytes(b"not a database " * 500), "not a valid DuckDB database"),
    ],
    ids=["directory", "corrupt"],
)
def test_other_io_errors_are_raised_at_once(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    make: Callable[[Path], object],
    message: str,
) -> None:
    path = tmp_path / "staging.duckdb"
    make(path)
    outcomes = counting_connect(monkeypatch)
    with pytest.raises(duckdb.IOException, match=message), connect(path, wait=60.0):
        pass
    assert len(outcomes) == 1
    assert not is_lock_conflict(outcomes[0])


def test_a_missing_file_opened_read_only_is_not_waited_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outcomes = counting_connect(monkeypatch)
    with pytest.raises(duckdb.IOException, match="does not exist"), connect(
        tmp_path / "missing.duckdb", read_only=True, wait=60.0
    ):
        pass
    assert len(outcomes) == 1


def _ledger(path: Path) -> object:
    from load.core.ledger import Ledger

    return Ledger(path, lock_timeout=60.0)


def _phase_log(path: Path) -> object:
    from bizmig.phases import PhaseLog

    return PhaseLog(path)


def _report(path: Path) -> object:
    from report.db import open_report_db

    with open_report_db(path, lock_wait=60.0) as db:
        return db


@pytest.mark.parametrize("open_file", [_ledger, _phase_log, _report], ids=lambda f: f.__name__)
def test_every_caller_fails_at_once_on_a_corrupt_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, open_file: Callable[[Path], object]
) -> None:
    """The ledger, the phase log and the report open the file through common.duck (the phase
    log used to retry any IOException for 60 s)."""
    path = tmp_path / "staging.duckdb"
    path.write_bytes(b"not a database " * 500)
    outcomes = counting_connect(monkeypatch)
    with pytest.raises(duckdb.IOException, match="not a valid DuckDB database"):
        open_file(path)
    assert len(outcomes) == 1


@pytest.mark.parametrize("open_file", [_ledger, _phase_log, _report], ids=lambda f: f.__name__)
def test_every_caller_waits_for_the_lock(
    holder: tuple[Path, subprocess.Popen],
    monkeypatch: pytest.MonkeyPatch,
    open_file: Callable[[Path], object],
) -> None:
    path, process = holder

    def release_on_second(attempt: int) -> None:
        if attempt == 2:
            release(process)

    outcomes = counting_connect(monkeypatch, release_on_second)
    open_file(path)
    assert outcomes[0] is not None and is_lock_conflict(outcomes[0])
    assert outcomes[1] is None
