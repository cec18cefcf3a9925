"""The ledger's journal: a write is durable at once, reaches DuckDB later, off the sender.

Every ``record`` / ``settle`` of the ledger is one JSON line, fsync'd to
``<staging file>.ledger-journal`` before the loader sends the batch (or goes on after its answer):
that line is what makes the write survive a kill. The lines reach ``migration.ledger`` in one
short DuckDB transaction every couple of seconds (:meth:`Ledger._apply`).

That apply used to run on the sending thread. At 2 000 000 records it was 12 % of that thread on
the people path (opening the 2.4 GB staging file and one insert, ~280 ms every 2 s), and nothing
was sent meanwhile: the loader and the destination take turns, so every millisecond the sender
spends is lost from the request rate. It now runs on a background thread, started when one is
due and none is running; :meth:`Journal.drain` (before any ledger read, and at the end of a run)
waits for it and applies what is left, so readers still see every write.

The journal file only shrinks by replacement: the lines not yet applied are written to a new
file, fsync'd, and renamed over the old one, so a kill at any moment leaves a journal holding at
least every unapplied line. Lines applied twice are harmless (the ledger's inserts are
idempotent on ``seq``, a settle sets the same state again). A failed apply (the file locked by
another process past the ledger's wait) keeps its lines and is raised on the sending thread at
the next write or drain.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

Op = dict[str, Any]


def read_journal(path: Path) -> list[Op]:
    """The operations a journal file holds, up to a torn last line (never acknowledged)."""
    if not path.exists():
        return []
    ops = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            ops.append(json.loads(line))
        except ValueError:
            break
    return ops


class Journal:
    def __init__(self, path: Path, apply: Callable[[list[Op]], None], interval: float) -> None:
        self.path = path
        self.interval = interval
        self._apply = apply
        self._file = path.open("a", encoding="utf-8")
        self._ops: list[Op] = []  # journalled, not yet handed to an apply
        self._lock = threading.Lock()  # the file and _ops
        self._applying = threading.Lock()  # one apply at a time
        self._worker: threading.Thread | None = None
        self._error: BaseException | None = None
        self._last = time.monotonic()

    def append(self, op: Op) -> None:
        """Durably journal ``op``; start a background apply when one is due."""
        self._raise_failed()
        line = json.dumps(op) + "\n"
        with self._lock:
            self._file.write(line)
            self._file.flush()
            os.fsync(self._file.fileno())
            self._ops.append(op)
        due = time.monotonic() - self._last >= self.interval
        if due and (self._worker is None or not self._worker.is_alive()):
            self._last = time.monotonic()
            self._worker = threading.Thread(target=self._background, name="ledger-apply",
                                            daemon=True)
            self._worker.start()

    def drain(self) -> None:
        """Return once everything journalled so far is in DuckDB."""
        worker = self._worker
        if worker is not None:
            worker.join()
        self._raise_failed()
        self._apply_pending()
        self._last = time.monotonic()

    def close(self) -> None:
        self.drain()
        with self._lock:
            self._file.close()

    def _background(self) -> None:
        try:
            self._apply_pending()
        except Exception as exc:  # noqa: BLE001 - handed to the sending thread, not swallowed
            self._error = exc

    def _raise_failed(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def _apply_pending(self) -> None:
        with self._applying:
            with self._lock:
                ops, self._ops = self._ops, []
            if not ops:
                return
            try:
                self._apply(ops)
            except BaseException:
                with self._lock:
                    self._ops = ops + self._ops
                raise
            with self._lock:
                self._rewrite(self._ops)

    def _rewrite(self, ops: list[Op]) -> None:
        """Replace the file by one holding only ``ops`` (caller holds ``_lock``)."""
        fresh = self.path.with_name(self.path.name + ".next")
        with fresh.open("w", encoding="utf-8") as out:
            out.writelines(json.dumps(op) + "\n" for op in ops)
            out.flush()
            os.fsync(out.fileno())
        self._file.close()
        os.replace(fresh, self.path)
        self._file = self.path.open("a", encoding="utf-8")
