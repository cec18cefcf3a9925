"""The first retry's wait, which the fault tests shorten without changing what is retried.

Every client (the extraction's transport, each destination's :class:`~load.core.transport
.PacedHttp`) waits before retrying a 5xx, a timeout, a dropped or cut-off answer: 0.5 s, doubling
per attempt. The kit, crash and fault suites inject such faults into a tenth of the requests of
whole loads, so with the real wait their runs spent most of their time asleep (the kit's
Pipedrive 5xx run ~90 of its ~100 s). ``BIZMIG_RETRY_BACKOFF`` (seconds, above 0) replaces the
0.5 s where it is set; the number of attempts and everything else about a retry stays as it is.
The tests set it only in the environment of the ``bizmig`` processes they start
(tests/conftest.py ``FAST_RETRIES``); unset, the clients keep their own first wait.
"""

from __future__ import annotations

import os

RETRY_BACKOFF_ENV = "BIZMIG_RETRY_BACKOFF"


def first_retry_wait(default: float) -> float:
    """``BIZMIG_RETRY_BACKOFF`` where it is a number above 0, else ``default``."""
    raw = os.environ.get(RETRY_BACKOFF_ENV, "").strip()
    try:
        value = float(raw)
    except ValueError:
        return default
    return value if value > 0 else default
