"""The plan-ahead iterator and the id map the loader streams with (load/core/ahead.py)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from load.core.ahead import IdMap, ahead
from load.core.loader import forget_unneeded


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


def _loaded(*objects: str) -> SimpleNamespace:
    ids = IdMap()
    for obj in objects:
        ids[(obj, "x:1")] = f"{obj}-id"
    return SimpleNamespace(ids=ids)


SPECS = [SimpleNamespace(singular=s) for s in ("serviceGroup", "person", "payment", "note")]


def test_after_each_object_only_the_ids_a_later_relation_points_at_stay():
    # payment → person; note → person and payment; nothing points at serviceGroup
    needs: list[set[str] | None] = [set(), set(), {"person"}, {"person", "payment"}]
    loader = _loaded("serviceGroup", "person")
    forget_unneeded(loader, SPECS, needs, 1)  # type: ignore[arg-type]
    assert {obj for obj, _ in loader.ids} == {"person"}
    loader.ids[("payment", "x:1")] = "payment-id"
    forget_unneeded(loader, SPECS, needs, 2)  # type: ignore[arg-type]
    assert {obj for obj, _ in loader.ids} == {"person", "payment"}
    forget_unneeded(loader, SPECS, needs, 3)  # type: ignore[arg-type]
    assert len(loader.ids) == 0  # nothing comes after the last object


def test_a_later_object_whose_relations_are_unknown_keeps_every_id():
    needs: list[set[str] | None] = [set(), set(), None, {"person"}]
    loader = _loaded("serviceGroup", "person")
    forget_unneeded(loader, SPECS, needs, 1)  # type: ignore[arg-type]
    assert {obj for obj, _ in loader.ids} == {"serviceGroup", "person"}
