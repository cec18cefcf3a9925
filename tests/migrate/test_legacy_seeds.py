"""A project whose seeds predate the destination-neutral column names migrates unchanged.

Analytics engineers keep their mapping decisions in their own project (`--project-dir`); the
seed headers there may still say twenty_field_name / twenty_type / twenty_value. `migrate`
renames them before the build and the custom-field decisions in them still apply.
"""

from __future__ import annotations

import duckdb

from bizmig.mapping_seed import LEGACY_COLUMNS
from bizmig.migrate import execute
from tests.mapping.test_seed_upgrade import give_back_old_headers


def test_seeds_with_the_old_headers_are_upgraded_and_their_decisions_kept(stage):
    seeds = stage.config.project_dir / "seeds"
    give_back_old_headers(seeds)

    assert execute(stage.config) == 0

    for name, renames in LEGACY_COLUMNS.items():
        header = (seeds / name).read_text().split("\n", 1)[0].split(",")
        assert not set(renames) & set(header), name
        assert set(renames.values()) <= set(header), name
    with duckdb.connect(str(stage.config.duckdb), read_only=True) as con:
        confirmed, people_with_values, statuses = con.execute(
            "select (select count(*) from migration.migration__custom_fields"
            "        where decision_status = 'migrate'),"
            "       (select count(*) from marts.twenty__people"
            "        where custom_fields::varchar <> '{}'),"
            '       (select count(distinct "bizstimStatus") from marts.twenty__people)'
        ).fetchone()
    assert confirmed > 0  # the decisions the old-header seed holds were read
    assert people_with_values > 0
    assert statuses > 0  # code labels decoded through the renamed option_value column
