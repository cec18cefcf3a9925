"""No API key in any artifact: the DuckDB file, dlt state, ledger journal, dbt logs, reports,
console output and exception traces — after a full migration and after the failure paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.security.conftest import BIZSTIM_KEYS, TWENTY_KEY, Migrated

SECRETS = (*BIZSTIM_KEYS, TWENTY_KEY)
WRONG_BIZSTIM_KEY = "sec-wrong-bizstim-key-0c1d2e3f4a5b6c7d8e9f"
WRONG_TWENTY_KEY = "sec-wrong-twenty-key-9f8e7d6c5b4a3f2e1d0c"


def files_containing(root: Path, secrets: tuple[str, ...]) -> dict[str, list[str]]:
    """{secret: [files whose bytes contain it]} over every file under root."""
    found: dict[str, list[str]] = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        for secret in secrets:
            if secret.encode() in data or secret.encode("utf-16-le") in data:
                found.setdefault(secret, []).append(str(path.relative_to(root)))
    return found


@pytest.fixture(scope="module")
def failure_runs(migrated: Migrated) -> dict[str, tuple[int, str]]:
    """The CLI's failure paths, each with the real keys (or a wrong one) in its environment."""
    garbage = migrated.work / "not-a-duckdb-file.duckdb"
    garbage.write_bytes(b"this is not a DuckDB database\n" * 100)
    runs = {
        "wrong Bizstim key": migrated.bizmig(
            "extract", BIZSTIM_API_KEYS=WRONG_BIZSTIM_KEY,
            BIZMIG_DUCKDB=str(migrated.work / "wrong-key.duckdb"),
        ),
        "wrong Twenty key": migrated.bizmig("load", "--yes", TWENTY_API_KEY=WRONG_TWENTY_KEY),
        "corrupt staging file": migrated.bizmig("migrate", BIZMIG_DUCKDB=str(garbage)),
    }  # fmt: skip
    return {name: (r.returncode, r.stdout + r.stderr) for name, r in runs.items()}


EXPECTED_FAILURES = {  # exit code (README) and the words that tell the user what to fix
    "wrong Bizstim key": (3, "BIZSTIM_API_KEYS"),
    "wrong Twenty key": (9, "Twenty rejected TWENTY_API_KEY"),
    "corrupt staging file": (2, "not a valid DuckDB database"),
}


def test_the_migration_itself_succeeded(migrated: Migrated) -> None:
    assert migrated.exit_code == 0, migrated.output[-3000:]
    assert migrated.staging.stat().st_size > 0
    assert list((migrated.work / ".bizmig").rglob("state.json")), "no dlt state to scan"


def test_failure_paths_end_in_one_clear_message(failure_runs: dict[str, tuple[int, str]]) -> None:
    assert set(failure_runs) == set(EXPECTED_FAILURES)
    for name, (code, output) in failure_runs.items():
        expected_code, words = EXPECTED_FAILURES[name]
        assert code == expected_code, (name, output[-2000:])
        assert words in " ".join(output.split()), name
        assert "Traceback" not in output and "╭─" not in output, name


def test_no_key_in_any_file_log_report_or_traceback(
    migrated: Migrated, failure_runs: dict[str, tuple[int, str]]
) -> None:
    secrets = (*SECRETS, WRONG_BIZSTIM_KEY, WRONG_TWENTY_KEY)
    # the scan itself must see a key where one is: a canary outside the scanned tree
    canary = migrated.work.parent / f"{migrated.work.name}-canary"
    canary.mkdir(exist_ok=True)
    (canary / "leak.txt").write_text(f"oops {TWENTY_KEY}")
    assert files_containing(canary, secrets) == {TWENTY_KEY: ["leak.txt"]}

    scanned = [p for p in migrated.work.rglob("*") if p.is_file()]
    kinds = {".duckdb", ".parquet", ".json", ".html", ".md", ".log", ".ledger-journal"}
    assert kinds <= {p.suffix for p in scanned}, "an artifact kind was not produced"
    assert files_containing(migrated.work, secrets) == {}
    for name, (_, output) in failure_runs.items():
        for secret in secrets:
            assert secret not in output, name


def test_stand_in_request_logs_name_keys_by_fingerprint_only(migrated: Migrated) -> None:
    logged = [*migrated.bizstim.requests(), *migrated.twenty.server.requests()]
    assert logged
    text = repr(logged)
    for secret in (*SECRETS, WRONG_BIZSTIM_KEY, WRONG_TWENTY_KEY):
        assert secret not in text
