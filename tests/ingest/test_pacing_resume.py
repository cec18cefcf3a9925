"""Budget, pacing, failure exits and kill -9 resume, against a sandbox on a scaled clock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import dlt
import duckdb
import pytest
from dlt.common.storages.load_package import PackageStorage

from ingest.endpoints import LIST_ENDPOINTS, pages_needed
from ingest.raw_pipeline import land
from ingest.transport import ExtractError
from sandbox.bizstim.store import counts
from tests.ingest.conftest import KEY_A, KEY_B, Sandbox, bizmig, start_sandbox
from tests.ingest.test_extract import referenced_avail_ids


def minimum_requests(box: Sandbox) -> int:
    expected = counts(box.db)
    lists = sum(pages_needed(expected[e.method], e.max_limit) for e in LIST_ENDPOINTS)
    return lists + 1 + expected["clients"] + len(referenced_avail_ids(box.db))


@pytest.fixture(scope="module")
def scaled_sandbox(tmp_path_factory):
    """30 GETs per key per second: an extraction of ~100 requests must be paced."""
    box = start_sandbox(tmp_path_factory.mktemp("bizstim-scaled"), 40, 5, (KEY_A, KEY_B), 30, 1.0)
    yield box
    box.server.stop()


def gets_by_key(log: list[dict]) -> Counter:
    return Counter(r["key"] for r in log if r["method"] == "GET")


def test_pacer_gets_no_429_and_two_keys_share_the_work(scaled_sandbox, tmp_path):
    minimum = minimum_requests(scaled_sandbox)
    assert minimum > 2 * scaled_sandbox.rate_limit  # the budget really binds

    scaled_sandbox.server.reset_log()
    one = bizmig(["extract", "--json"], scaled_sandbox, tmp_path / "one.duckdb", keys=(KEY_A,))
    assert one.returncode == 0, one.stderr
    log_one = scaled_sandbox.server.requests()
    assert [r for r in log_one if r["status"] == 429] == []
    assert list(gets_by_key(log_one).values()) == [minimum]

    time.sleep(scaled_sandbox.rate_window)  # let the window empty before the next run
    scaled_sandbox.server.reset_log()
    two = bizmig(["extract", "--json"], scaled_sandbox, tmp_path / "two.duckdb")
    assert two.returncode == 0, two.stderr
    log_two = scaled_sandbox.server.requests()
    assert [r for r in log_two if r["status"] == 429] == []
    per_key = gets_by_key(log_two)
    assert sum(per_key.values()) == minimum and len(per_key) == 2
    # each key carries about half: the paced wall time is about half of one key's
    assert max(per_key.values()) <= 0.6 * minimum


def test_kill_9_mid_run_then_resume_lands_exact_counts_without_refetching(tmp_path):
    box = start_sandbox(tmp_path, 300, 21, (KEY_A, KEY_B), 60, 1.0)
    try:
        db = tmp_path / "killed.duckdb"
        env = {
            **os.environ,
            "BIZSTIM_BASE_URL": f"{box.server.url}/api",
            "BIZSTIM_API_KEYS": f"{KEY_A},{KEY_B}",
            "BIZSTIM_RATE_LIMIT": str(box.rate_limit),
            "BIZSTIM_RATE_WINDOW": str(box.rate_window),
            "BIZMIG_DUCKDB": str(db),
        }
        cmd = [sys.executable, "-m", "bizmig.cli", "extract", "--checkpoint-every", "40"]
        proc = subprocess.Popen(
            cmd, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        minimum = minimum_requests(box)
        deadline = time.monotonic() + 120
        while len(box.server.requests()) < minimum // 2 and time.monotonic() < deadline:
            assert proc.poll() is None, "extraction finished before it could be killed"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        first_run = box.server.requests()
        assert minimum // 2 <= len(first_run) < minimum

        resumed = bizmig(["extract", "--json", "--checkpoint-every", "40"], box, db)
        assert resumed.returncode == 0, resumed.stderr
        both = box.server.requests()
        gets = [r for r in both if r["method"] == "GET" and r["status"] == 200]
        refetched = [p for p, n in Counter(r["path"] for r in gets).items() if n > 1]
        # only requests in flight at the kill (answered by the server, never received by the
        # killed client) may be asked again: at most one per worker (4 per key)
        assert len(refetched) <= 8, refetched
        assert len(gets) <= minimum + 8
        expected = counts(box.db)
        with duckdb.connect(str(db), read_only=True) as con:
            for endpoint in LIST_ENDPOINTS:
                n, distinct = con.execute(
                    f"select count(*), count(distinct id) from raw_bizstim.{endpoint.table}"
                ).fetchone()
                assert n == distinct == expected[endpoint.method], endpoint.table
            n, distinct = con.execute(
                "select count(*), count(distinct id) from raw_bizstim.client_details"
            ).fetchone()
            assert n == distinct == expected["clients"]
            n = con.execute("select count(distinct id) from raw_bizstim.availability").fetchone()
            assert n[0] == len(referenced_avail_ids(box.db))
    finally:
        box.server.stop()


def test_bad_key_exits_3_with_a_clear_message(fast_sandbox, tmp_path):
    run = bizmig(["extract"], fast_sandbox, tmp_path / "bad.duckdb", keys=("not-a-real-key",))
    assert run.returncode == 3
    assert "rejected API key" in run.stderr and "401" in run.stderr
    assert "not-a-real-key" not in run.stderr + run.stdout
    scope = bizmig(["scope"], fast_sandbox, tmp_path / "bad.duckdb", keys=("not-a-real-key",))
    assert scope.returncode == 3


def test_missing_key_is_a_configuration_error(fast_sandbox, tmp_path):
    run = bizmig(["extract"], fast_sandbox, tmp_path / "none.duckdb", keys=())
    assert run.returncode == 2
    assert "BIZSTIM_API_KEYS" in run.stderr


def test_budget_exhaustion_exits_4_and_says_so(tmp_path):
    box = start_sandbox(tmp_path, 30, 3, (KEY_A,), 5, 3600)
    try:
        run = bizmig(["extract", "--max-wait", "2"], box, tmp_path / "tight.duckdb")
        assert run.returncode == 4, run.stderr
        assert "budget exhausted" in run.stderr
        assert [r for r in box.server.requests() if r["status"] == 429] == []
    finally:
        box.server.stop()


def test_scope_counts_every_endpoint_and_predicts_the_exact_budget(fast_sandbox, tmp_path):
    fast_sandbox.server.reset_log()
    run = bizmig(["scope", "--json", "--exact"], fast_sandbox, tmp_path / "scope.duckdb")
    assert run.returncode == 0, run.stderr
    report = run.json()
    expected = counts(fast_sandbox.db)
    records = {e["endpoint"]: e["records"] for e in report["endpoints"]}
    for endpoint in LIST_ENDPOINTS:
        assert records[endpoint.method] == expected[endpoint.method]
    assert report["exact"] is True
    assert report["total_requests"] == minimum_requests(fast_sandbox)
    # every key was validated by a request scope needed anyway
    assert len(gets_by_key(fast_sandbox.server.requests())) == len(fast_sandbox.keys)
    quick = bizmig(["scope", "--json"], fast_sandbox, tmp_path / "scope2.duckdb").json()
    assert quick["exact"] is False
    exact_lines = {e["endpoint"]: e for e in report["endpoints"]}
    for line in quick["endpoints"]:
        if line["endpoint"] == "availability":
            assert line["exact"] is False
        else:
            assert line == exact_lines[line["endpoint"]]


def test_configuration_can_come_from_dlt_toml_files_instead_of_env(fast_sandbox, tmp_path):
    import json
    import os
    import subprocess
    import sys

    dlt_dir = tmp_path / ".dlt"
    dlt_dir.mkdir()
    (dlt_dir / "config.toml").write_text(
        f'bizstim_base_url = "{fast_sandbox.server.url}/api"\n'
        f'bizmig_duckdb = "{tmp_path / "from-toml.duckdb"}"\n'
    )
    (dlt_dir / "secrets.toml").write_text(f'bizstim_api_keys = "{KEY_A},{KEY_B}"\n')
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("BIZSTIM_", "BIZMIG_", "TWENTY_"))
    }
    fast_sandbox.server.reset_log()
    run = subprocess.run(
        [sys.executable, "-m", "bizmig.cli", "scope", "--json"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["keys"] == 2
    assert len(gets_by_key(fast_sandbox.server.requests())) == 2


def local_pipeline(tmp_path: Path, name: str) -> dlt.Pipeline:
    """A dlt pipeline of its own under ``tmp_path``, landing in ``landed.duckdb``."""
    return dlt.pipeline(
        pipeline_name=name,
        pipelines_dir=str(tmp_path / "pipelines"),
        destination=dlt.destinations.duckdb(str(tmp_path / "landed.duckdb")),
        dataset_name="raw",
    )


def landed_count(tmp_path: Path, table: str) -> int:
    with duckdb.connect(str(tmp_path / "landed.duckdb"), read_only=True) as con:
        return con.execute(f"select count(*) from raw.{table}").fetchone()[0]


def test_a_package_left_pending_by_a_kill_is_landed_before_the_next_run_not_instead(tmp_path):
    pipeline = local_pipeline(tmp_path, "pending_check")
    pipeline.run(dlt.resource([{"id": 0}], name="landed_chunk"))
    pipeline.extract(dlt.resource([{"id": 1}, {"id": 2}], name="killed_chunk"))
    pipeline.normalize()
    assert pipeline.has_pending_data  # as a kill -9 between normalise and load leaves it
    land(pipeline, dlt.resource([{"id": 3}], name="next_chunk"))
    assert landed_count(tmp_path, "killed_chunk") == 2
    assert landed_count(tmp_path, "next_chunk") == 1


class KilledMidDelete(Exception):
    """Stands for the kill -9: raised where the process died, leaving the disk as it was."""


def test_a_package_torn_by_a_kill_inside_dlts_delete_is_dropped_and_its_rows_land(
    tmp_path, monkeypatch
):
    """Crash-suite trial 2 once died in the resume's normalise (FileNotFoundError on new_jobs):
    the kill landed after dlt renamed the normalised package into place and while it deleted
    the extracted one. The rows are in the normalised copy; they must land exactly once."""

    def delete_new_jobs_then_die(self: PackageStorage, load_id: str, **_: object) -> None:
        if "extracted" in self.storage.storage_path:
            jobs = self.get_job_state_folder_path(load_id, PackageStorage.NEW_JOBS_FOLDER)
            self.storage.delete_folder(jobs, recursively=True)
            raise KilledMidDelete(load_id)

    first = local_pipeline(tmp_path, "torn_check")
    first.run(dlt.resource([{"id": 0}], name="landed_chunk"))  # else dlt wipes what is pending
    first.extract(dlt.resource([{"id": 1}, {"id": 2}], name="killed_chunk"))
    with monkeypatch.context() as patch:
        patch.setattr(PackageStorage, "delete_package", delete_new_jobs_then_die)
        with pytest.raises(Exception) as died:  # dlt wraps it in its step error
            first.normalize()
    assert "KilledMidDelete" in repr(died.value) or isinstance(died.value, KilledMidDelete)
    (torn,) = (tmp_path / "pipelines" / "torn_check" / "normalize" / "extracted").iterdir()
    assert not (torn / "new_jobs").exists()

    land(local_pipeline(tmp_path, "torn_check"), dlt.resource([{"id": 3}], name="next_chunk"))
    assert landed_count(tmp_path, "killed_chunk") == 2
    assert landed_count(tmp_path, "next_chunk") == 1
    assert not torn.exists()


def test_an_incomplete_package_with_no_normalised_copy_is_refused_not_dropped(tmp_path):
    pipeline = local_pipeline(tmp_path, "stray_check")
    pipeline.extract(dlt.resource([{"id": 1}], name="stray_chunk"))
    (package,) = (tmp_path / "pipelines" / "stray_check" / "normalize" / "extracted").iterdir()
    for job in (package / "new_jobs").iterdir():
        job.unlink()
    (package / "new_jobs").rmdir()
    with pytest.raises(ExtractError, match="no normalised copy"):
        land(pipeline, dlt.resource([{"id": 2}], name="next_chunk"))
    assert package.exists()
