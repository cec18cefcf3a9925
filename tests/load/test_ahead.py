"""The plan-ahead iterator and the id map the loader streams with (load/core/ahead.py)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from load.core.ahead import IdMap, ahead


def test_items_come_in_order_and_are_produced_ahead_on_another_thread():
    produced_on: list[str] = []

    def items() -> Iterator[int]:
        for n in range(10):
            produced_on.append(threading.current_thread().name)
            yield n

    assert list(ahead(items(), depth=2)) == list(range(10))
    assert set(produced_on) == {"bizmig-plan-ahead"}


def test_a_producer_error_reaches_the_consumer_after_the_items_before_it():
    def items() -> Iterator[int]:
        yield 1
        yield 2
        raise ValueError("chunk 3 could not be planned")

    got: list[int] = []
    with pytest.raises(ValueError, match="chunk 3"):
        for item in ahead(items()):
            got.append(item)
    assert got == [1, 2]


def test_a_consumer_that_stops_early_stops_the_producer():
    made: list[int] = []

    def items() -> Iterator[int]:
        for n in range(1000):
            made.append(n)
            yield n

    for item in ahead(items(), depth=2):
        if item == 3:
            break
    assert len(made) < 10  # at most depth (+ the one in hand) beyond what was consumed


def test_the_id_map_forgets_one_object_and_keeps_the_others():
    ids = IdMap()
    ids[("person", "client:1")] = "p1"
    ids[("tutoringSession", "session:9")] = "s9"
    ids.forget("tutoringSession")
    assert ("person", "client:1") in ids and ids[("person", "client:1")] == "p1"
    assert ("tutoringSession", "session:9") not in ids
    assert len(ids) == 1 and list(ids) == [("person", "client:1")]
