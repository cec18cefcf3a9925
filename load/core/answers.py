"""Pair a batch upsert's answer with its inputs by key, never by position.

Every destination's batch answer is paired this way. Real Twenty answers
``POST /rest/batch/<plural>?upsert=true`` with the rows that matched an
existing record (updated or restored) first and the inserted rows after them
(twenty-real-rules.md rule 8, ``common-create-many-query-runner.service.ts``): on a delta run
that mixes both, pairing by position gives every record after the first insert another
record's id, and every relation resolved from the ledger then points at the wrong person.
Two inputs of one batch that match the same existing row both update it without error
(rule 9), so the answer can also hold fewer rows than were sent.

Salesforce's Bulk API and monday's ingest jobs return result files in no promised order at all.
So each answer row is paired with the input carrying the same upsert key (``bizstimId``, or
``id`` for specs keyed by a deterministic id), compared the way the destination stores it (the
adapter's ``key_value``; Twenty: :func:`load.twenty.normalise.stored_key`). An input without an
answer is settled by reading it back (the adapter's ``read_back``); an answer row no input
carries is returned as unexpected, for the ledger to record as an error.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Pairing:
    """``paired``: input index → answer row; ``unanswered``: indexes of inputs no answer row
    carries; ``unexpected``: answer rows whose key no input carries (or a second answer row
    for one input)."""

    paired: dict[int, dict[str, Any]] = field(default_factory=dict)
    unanswered: list[int] = field(default_factory=list)
    unexpected: list[dict[str, Any]] = field(default_factory=list)


def pair_answers(
    key: str,
    inputs: Sequence[dict[str, Any]],
    answer: Sequence[dict[str, Any]],
    stored_key: Callable[[str, Any], Any] = lambda _key, value: value,
) -> Pairing:
    """Pair each answer row with the input whose ``key`` holds the same stored value."""
    by_key: dict[Any, int] = {}
    for index, payload in enumerate(inputs):
        value = stored_key(key, payload.get(key))
        if value is None:
            raise ValueError(f"input {index} of the batch has no {key}: it cannot be paired")
        if value in by_key:
            raise ValueError(f"two inputs of one batch carry {key} {value!r}")
        by_key[value] = index
    pairing = Pairing()
    for row in answer:
        index = by_key.get(stored_key(key, row.get(key)))
        if index is None or index in pairing.paired:
            pairing.unexpected.append(row)
            continue
        pairing.paired[index] = row
    pairing.unanswered = [i for i in range(len(inputs)) if i not in pairing.paired]
    return pairing
