"""Plan the next chunk while this one is sent; keep destination ids only while they are needed.

At the 2 003 496-record benchmark the load ran at 87.5 % of Twenty's ceiling (655 s against a
573 s floor): before each object's first batch the loader read the whole mart, hashed and
planned every row, and nothing was sent meanwhile (1 120 279 sessions took tens of seconds).
:func:`ahead` runs a chunk producer (read ``CHUNK_ROWS`` mart rows, look up their ledger rows,
plan them) on a thread, ``depth`` chunks ahead of the sender, so the only pause left is the
first chunk of each object. Planning is Python and holds the GIL, but the sender mostly waits
on the rate limit and the network, which release it.

:class:`IdMap` is the loader's (object, external id) → destination id map that relation
columns resolve through. Holding every object's ids took ~320 bytes per record (2.3 M records:
~0.7 GB) although no relation points at sessions, payments or availability windows; the
loader forgets an object's ids once no later object relates to it (:meth:`IdMap.forget`).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator, MutableMapping
from typing import TypeVar

T = TypeVar("T")
_DONE = object()


def ahead(items: Iterable[T], depth: int = 2) -> Iterator[T]:
    """``items``, produced on a background thread up to ``depth`` ahead of the consumer. An
    exception of the producer is raised to the consumer at its place in the sequence; a
    consumer that stops early stops the producer at its next item."""
    buffer: queue.Queue[object] = queue.Queue(maxsize=max(1, depth))
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        buffer.put(item, timeout=0.2)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            buffer.put(_DONE)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, raised there
            buffer.put(exc)

    thread = threading.Thread(target=produce, name="bizmig-plan-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item = buffer.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        thread.join(timeout=5)


class IdMap(MutableMapping[tuple[str, str], str]):
    """(object, external id) → destination id, stored per object so one can be dropped."""

    def __init__(self) -> None:
        self._by_object: dict[str, dict[str, str]] = {}

    def __getitem__(self, key: tuple[str, str]) -> str:
        return self._by_object[key[0]][key[1]]

    def __setitem__(self, key: tuple[str, str], value: str) -> None:
        self._by_object.setdefault(key[0], {})[key[1]] = value

    def __delitem__(self, key: tuple[str, str]) -> None:
        del self._by_object[key[0]][key[1]]

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, tuple) or len(key) != 2:
            return False
        return key[1] in self._by_object.get(key[0], {})

    def __iter__(self) -> Iterator[tuple[str, str]]:
        for obj, ids in self._by_object.items():
            for external_id in ids:
                yield obj, external_id

    def __len__(self) -> int:
        return sum(len(ids) for ids in self._by_object.values())

    def forget(self, obj: str) -> None:
        self._by_object.pop(obj, None)
