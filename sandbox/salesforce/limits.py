"""The org's API allocations in rolling 24-hour windows (destinations-2.md §1.4, rules 18-19).

Why: Salesforce does not throttle per second; it counts every API request against a daily
allocation shared by *all* of the customer's integrations (Enterprise: 100,000 + 1,000 per
licence, so 115,000 with 15 licences — the default here), reports the count on every answer
(``Sforce-Limit-Info: api-usage=N/M``) and, once it is spent, refuses with 403
``REQUEST_LIMIT_EXCEEDED`` and no ``Retry-After``. A loader must watch the header and stop
well before the end, so the stand-in counts exactly and lets tests set a small allocation.
Bulk API batches have their own 15,000 per 24 h (one per 10,000 records), spent by the Bulk
API through :meth:`Limits.spend_bulk_batches`.

Counting, as built: every authenticated request under ``/services/data`` or ``/services/Soap``
counts once, whatever its outcome (a 4xx or an injected 5xx too) — except the version list
and the refused requests themselves, so usage never passes the maximum; the token endpoint and
``/_sandbox`` never count. Counts are kept per minute of the org clock and persisted, so a
restart or ``POST /_sandbox/clock/advance`` keeps the window honest.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

from sandbox.salesforce.store import Store

WINDOW_MINUTES = 24 * 60
API, BULK = "api", "bulk_batches"


class Limits:
    def __init__(self, store: Store, now: Callable[[], datetime], daily_api_limit: int,
                 bulk_batch_limit: int) -> None:
        self.store = store
        self.now = now
        self.max = {API: daily_api_limit, BULK: bulk_batch_limit}
        self._lock = threading.Lock()
        self._counts: dict[str, dict[int, int]] = {
            kind: self.store.usage(kind, self._minute() - WINDOW_MINUTES + 1)
            for kind in (API, BULK)}

    def _minute(self) -> int:
        return int(self.now().timestamp() // 60)

    def _used(self, kind: str) -> int:
        first = self._minute() - WINDOW_MINUTES + 1
        counts = self._counts[kind]
        expired = [m for m in counts if m < first]
        for minute in expired:
            del counts[minute]
        if expired:
            self.store.prune_usage(kind, first)
        return sum(counts.values())

    def _spend(self, kind: str, n: int) -> bool:
        with self._lock:
            if self._used(kind) + n > self.max[kind]:
                return False
            minute = self._minute()
            self._counts[kind][minute] = self._counts[kind].get(minute, 0) + n
            self.store.add_usage(kind, minute, n)
            return True

    def spend_request(self) -> bool:
        """Count one API request; False (and nothing counted) when the allocation is spent."""
        return self._spend(API, 1)

    def spend_bulk_batches(self, n: int) -> bool:
        """Count ``n`` Bulk batches; False (nothing counted) past the 24-hour batch cap."""
        return self._spend(BULK, n)

    def api_usage(self) -> tuple[int, int]:
        with self._lock:
            return self._used(API), self.max[API]

    def header(self) -> str:
        used, limit = self.api_usage()
        return f"api-usage={used}/{limit}"

    def describe(self) -> dict[str, dict[str, int]]:
        """The body of ``GET limits/``: the two counted allocations and a few fixed ones."""
        with self._lock:
            used_api, used_bulk = self._used(API), self._used(BULK)
        return {
            "DailyApiRequests": {"Max": self.max[API], "Remaining": self.max[API] - used_api},
            "DailyBulkApiBatches": {"Max": self.max[BULK],
                                    "Remaining": self.max[BULK] - used_bulk},
            "DailyBulkV2QueryJobs": {"Max": 10000, "Remaining": 10000},
            "DailyBulkV2QueryFileStorageMB": {"Max": 976562, "Remaining": 976562},
            "DataStorageMB": {"Max": 5120, "Remaining": 5120},
            "FileStorageMB": {"Max": 20480, "Remaining": 20480},
            "ConcurrentAsyncGetReportInstances": {"Max": 200, "Remaining": 200},
        }
