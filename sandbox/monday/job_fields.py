"""The job root fields of the monday stand-in in one place, for the app to register: the seven
GraphQL fields S2 serves and the two URLs beside ``/v2`` (destinations-2.md §4.2, §4.7).

The app (S1) resolves who is calling; the jobs need only the account, the user (backfill is for
admins) and the address the stand-in is reached at (upload and report URLs name it, as the real
ones name monday's file store). So each resolver here is ``(caller, arguments) -> answer``,
raising :class:`~sandbox.monday.jobs.JobError` for an application error, and the app adapts
that to its own resolver signature and error envelope. Ingest/backfill and bulk jobs draw their
ids from one counter, so ``undo_action`` and both status queries know which kind an id is.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from sandbox.httpbase import Request, Response
from sandbox.monday import upload
from sandbox.monday.bulk_jobs import BulkJobs, StateStore
from sandbox.monday.jobs import Clock, ItemsJobs, ItemStore, JobOptions


@dataclass(frozen=True)
class Caller:
    account: str
    user_id: str
    base_url: str  # e.g. http://127.0.0.1:8123, no trailing slash


Resolver = Callable[[Caller, dict[str, Any]], Any]


class JobStore(ItemStore, StateStore, Protocol):
    """A store serving both protocols (the stand-in's store through its adapter)."""


class JobFields:
    def __init__(self, store: JobStore, clock: Clock, options: JobOptions | None = None) -> None:
        counter, lock = itertools.count(1), threading.Lock()

        def next_id() -> str:
            with lock:
                return str(next(counter))

        self.options = options or JobOptions()
        self.items = ItemsJobs(store, clock, self.options, next_id)
        self.bulk = BulkJobs(store, clock, next_id, self.items.knows)

    def resolvers(self) -> dict[str, Resolver]:
        """Root field name → resolver, for ``ingest_items`` … ``undo_action``."""
        items, bulk = self.items, self.bulk
        return {
            "ingest_items": lambda c, a: items.init(
                c.account,
                c.user_id,
                "ingest",
                str(a["board_id"]),
                str(a["group_id"]),
                a.get("on_match"),
                c.base_url,
            ),
            "backfill_items": lambda c, a: items.init(
                c.account,
                c.user_id,
                "backfill",
                str(a["board_id"]),
                str(a["group_id"]),
                None,
                c.base_url,
            ),
            "fetch_job_status": lambda c, a: items.status(c.account, str(a["job_id"]), c.base_url),
            "bulk_delete_items": lambda c, a: bulk.start(
                c.account, "delete", str(a["board_id"]), [str(i) for i in a["item_ids"]]
            ),
            "bulk_archive_items": lambda c, a: bulk.start(
                c.account, "archive", str(a["board_id"]), [str(i) for i in a["item_ids"]]
            ),
            "job_status": lambda c, a: bulk.status(c.account, str(a["job_id"])),
            "undo_action": lambda c, a: bulk.undo(c.account, str(a["job_id"])),
        }

    def http(self, request: Request) -> Response | None:
        """``PUT /_upload/<job_id>`` and ``GET /_reports/<job_id>.csv``; None for other paths."""
        return upload.handle(self.items, request)

    def board_has_room(self, live_items: int, adding: int = 1) -> bool:
        """``create_item``'s capacity check (ItemsLimitationException when False), rule 10."""
        return live_items + adding <= self.options.board_capacity
