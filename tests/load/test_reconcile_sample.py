"""What reconcile holds in memory at 2 million records, and that it still answers the same.

The spot-check sample (load/core/reconcile.py ``Reservoir``): a uniform pick from millions of
checked rows held in ``size`` slots, so reconcile keeps 50 rows, not every row, and the rows
checked are not just the first or last loaded. The records listed back
(load/core/destination.py ``ListedRecords``): a tuple each, a dict only when asked for."""

from __future__ import annotations

from collections import Counter

from load.core.destination import ListedRecords
from load.core.reconcile import Reservoir


def test_a_stream_shorter_than_the_sample_is_kept_whole_in_order():
    sample: Reservoir[int] = Reservoir(50, seed=7)
    for n in range(12):
        sample.offer(n)
    assert sample.items == list(range(12)) and sample.seen == 12


def test_a_long_stream_keeps_size_items_each_offered_one_as_likely():
    picked: Counter[int] = Counter()
    trials, stream, size = 3000, 40, 5
    for seed in range(trials):
        sample: Reservoir[int] = Reservoir(size, seed)
        for n in range(stream):
            sample.offer(n)
        assert len(sample.items) == size and len(set(sample.items)) == size
        picked.update(sample.items)
    expected = trials * size / stream  # 375 for each of the 40 items
    assert set(picked) == set(range(stream))
    assert all(0.8 * expected < picked[n] < 1.2 * expected for n in range(stream)), picked


def test_the_same_seed_picks_the_same_rows():
    def pick(seed: int) -> list[int]:
        sample: Reservoir[int] = Reservoir(3, seed)
        for n in range(1000):
            sample.offer(n)
        return sample.items

    assert pick(7) == pick(7) and pick(7) != pick(8)


def test_listed_records_answer_like_the_dicts_they_replace():
    listed = ListedRecords(["bizstimId", "id", "personId"])
    listed.add("r1", {"id": "r1", "bizstimId": "session:1", "personId": "p1", "extra": "x"})
    listed.add("r2", {"id": "r2", "bizstimId": "session:2"})  # a relation left null
    assert listed["r1"] == {"id": "r1", "bizstimId": "session:1", "personId": "p1"}
    assert listed.get("r2") == {"id": "r2", "bizstimId": "session:2", "personId": None}
    assert listed.get("r3") is None and "r3" not in listed and "r1" in listed
    assert len(listed) == 2 and sorted(listed) == ["r1", "r2"]
