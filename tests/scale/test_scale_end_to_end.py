"""Scale: the benchmark's own path (benchmarks/scale.py) end to end, asserting counts only.

CI size: ~20 000 source records, one Bizstim key on a 4 s window and Twenty at 100 requests
per 2 s, so both rate limits bind (more requests per key / per bucket than one window allows)
and the pacing is exercised. ``--full-size`` (``BIZMIG_FULL_SIZE=1``) runs the 2 000 000-record
account with the benchmark's default scales. Wall times are printed by the benchmark, never
asserted here.
"""

from __future__ import annotations

import pytest

from benchmarks.scale import BIZSTIM_LIMIT, TWENTY_LIMIT, clients_for, run_scale

CI_RECORDS, FULL_RECORDS = 20_000, 2_000_000


@pytest.mark.slow
def test_whole_account_migrates_at_the_minimum_request_count(tmp_path, full_size):
    records = FULL_RECORDS if full_size else CI_RECORDS
    scales = {} if full_size else {"keys": 1, "bizstim_window": 4.0, "twenty_window": 2.0}
    figures = run_scale(clients_for(records), tmp_path, **scales)

    assert figures["source_records"] >= records
    extract = figures["extract"]
    # the limits bound: more GETs per key than one window admits, more load calls than a burst
    assert max(extract["requests_per_key"].values()) > BIZSTIM_LIMIT
    assert extract["requests"] == extract["minimum"]  # every list at its max page, no retry
    assert extract["r429"] == 0  # the pacer kept under the sliding window
    assert extract["rows_landed"] >= figures["source_records"]  # + the time zone record

    load = figures["load"]
    assert load["requests"] > TWENTY_LIMIT
    assert load["batches"] >= load["records"] / load["batch_cap"]
    assert load["requests"] == load["minimum"]  # one batch per cap rows, no retry, no split
    assert load["r429"] == 0 and load["quarantined"] == 0

    reconcile = figures["reconcile"]
    assert reconcile["ok"] is True and reconcile["r429"] == 0
    counted = reconcile["objects"]
    assert len(counted) == 9
    assert all(c["mart"] > 0 for c in counted.values())
    assert {k: c["twenty"] for k, c in counted.items()} == {
        k: c["mart"] for k, c in counted.items()
    }
    assert sum(c["mart"] for c in counted.values()) == load["records"]
