"""A project's seeds written before the shared layers stopped naming Twenty keep working.

Their headers said twenty_field_name / twenty_type / twenty_value; the models now read
target_field_name / target_field_type / option_value / day_name. `bizmig migrate` renames the
header before it builds, and the CLI's seed reader understands both.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from bizmig.mapping_seed import LEGACY_COLUMNS, read_seed, upgrade_seed_headers

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def give_back_old_headers(seeds: Path) -> None:
    """Rename each renamed column of the seeds in ``seeds`` back to its old name, in place."""
    for name, renames in LEGACY_COLUMNS.items():
        first, _, rest = (seeds / name).read_text(encoding="utf-8").partition("\n")
        for old, new in renames.items():
            first = first.replace(new, old)
        (seeds / name).write_text(f"{first}\n{rest}", encoding="utf-8")


def _legacy_copy(tmp_path: Path) -> Path:
    """The shipped seeds with each renamed column given back its old name."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for name in LEGACY_COLUMNS:
        shutil.copy(SEEDS / name, seeds / name)
    give_back_old_headers(seeds)
    return seeds


def test_legacy_headers_are_renamed_and_rows_kept_byte_for_byte(tmp_path: Path) -> None:
    seeds = _legacy_copy(tmp_path)
    before = {name: (seeds / name).read_text().split("\n", 1)[1] for name in LEGACY_COLUMNS}

    changed = upgrade_seed_headers(seeds)

    assert len(changed) == len(LEGACY_COLUMNS)
    assert any("twenty_field_name → target_field_name" in line for line in changed)
    for name in LEGACY_COLUMNS:
        assert (seeds / name).read_text() == (SEEDS / name).read_text()
        assert (seeds / name).read_text().split("\n", 1)[1] == before[name]
    assert upgrade_seed_headers(seeds) == []  # already current: nothing rewritten


def test_the_seed_reader_understands_the_old_column_names(tmp_path: Path) -> None:
    seeds = _legacy_copy(tmp_path)
    legacy = read_seed(seeds / "custom_field_map.csv")
    current = read_seed(SEEDS / "custom_field_map.csv")

    assert legacy.columns == current.columns
    assert legacy.rows == current.rows
    assert "twenty_field_name" not in legacy.columns


def test_a_seed_saved_with_crlf_line_endings_keeps_them(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    legacy = "day_prefix,iso_day_number,twenty_value,label\r\nm,1,MONDAY,Monday\r\n"
    (seeds / "bizstim_weekdays.csv").write_bytes(legacy.encode())

    assert len(upgrade_seed_headers(seeds)) == 1
    assert (seeds / "bizstim_weekdays.csv").read_bytes() == (
        b"day_prefix,iso_day_number,day_name,label\r\nm,1,MONDAY,Monday\r\n"
    )
