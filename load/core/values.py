"""Equality of a mart value and a destination's stored value, after both were normalised.

Every destination answers numbers and timestamps in its own spelling: Twenty answers
``2026-03-01T09:00:00.000Z`` for a mart's ``2026-03-01T09:00:00Z`` and a float for a
``NUMERIC``; Salesforce and Pipedrive answer amounts as floats. So numbers agree within 1e-6,
timestamps without milliseconds and ``Z``, and empty values (``None``, ``""``, ``[]``) agree with
each other. What each destination changes beyond that (case of e-mails, phone formats, link
hosts) is its adapter's normalisation, applied before this comparison.
"""

from __future__ import annotations

from typing import Any


def same_value(expected: Any, actual: Any) -> bool:
    if expected in (None, "", []) and actual in (None, "", []):
        return True
    if isinstance(expected, dict) and isinstance(actual, dict):
        return all(same_value(v, actual.get(k)) for k, v in expected.items())
    if isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(map(same_value, expected, actual))
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return abs(expected - actual) < 1e-6
    if isinstance(expected, str) and isinstance(actual, str) and "T" in actual:
        return expected.replace("Z", "") == actual.replace(".000Z", "").replace("Z", "")
    return bool(expected == actual)
