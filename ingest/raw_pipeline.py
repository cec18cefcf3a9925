"""The dlt side of the extraction: the pipeline that lands Bizstim answers in DuckDB, one run.

Kept apart from :mod:`ingest.pipeline` (phases, checkpoints, fetch-ahead) because each rule
here was paid for with lost or mangled rows: parquet rather than dlt's INSERT statements or
jsonl (memory and re-typed strings, below), a package a killed run left pending landed before
the next run (:func:`land`), the remains of a package a kill tore while dlt was deleting it
dropped first (:func:`drop_torn_extract_packages`), and the local state dropped when the
DuckDB file is gone (:func:`make_pipeline`).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import dlt
import requests
from dlt.common.storages import NormalizeStorage, PackageStorage
from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials

from common.addresses import bizstim_http_error
from ingest.endpoints import RAW_SCHEMA
from ingest.source import SOURCE_NAME
from ingest.transport import ExtractError

# Rows travel to DuckDB as parquet: dlt's default for duckdb (INSERT ... VALUES statements)
# took ~4.5 GB of RAM for a 5 000-client account, and jsonl let DuckDB's reader re-type
# strings ("08:30" came back as "08:30:00"); parquet keeps every value byte-identical.
DUCKDB_LOAD_CONFIG = {"memory_limit": "1GB", "threads": 2}
PIPELINE_NAME = "bizstim_raw"


def make_pipeline(duckdb_path: Path, work_dir: Path) -> dlt.Pipeline:
    """The dlt pipeline; its local state starts over when the DuckDB file is gone (deleting
    it is how a user starts afresh: the old state said the raw tables existed, and the next
    run died on a missing table). The spool and the pacer's journal stay: the answers still
    hold, and the keys' spent budget is real."""
    pipelines = work_dir / "pipelines"
    if not duckdb_path.exists():
        shutil.rmtree(pipelines, ignore_errors=True)
    return dlt.pipeline(
        pipeline_name=PIPELINE_NAME,
        pipelines_dir=str(pipelines),
        destination=dlt.destinations.duckdb(
            DuckDbCredentials(str(duckdb_path), global_config=DUCKDB_LOAD_CONFIG)
        ),
        dataset_name=RAW_SCHEMA,
        progress=None,
    )


def land(pipeline: dlt.Pipeline, source: Any) -> None:
    """One dlt run (extract, normalise, load: a commit). A package a killed run left pending is
    landed first: given pending data, dlt's ``run()`` lands that and drops ``source`` unextracted
    (a kill -9 mid-run lost one 40-id chunk of client details, and the resume exited 0)."""
    drop_torn_extract_packages(pipeline)
    if pipeline.has_pending_data:
        pipeline.run()
    pipeline.run(source, loader_file_format="parquet")


def drop_torn_extract_packages(pipeline: dlt.Pipeline) -> None:
    """Delete what a kill left of an extract package dlt had already normalised.

    dlt's normalise commits a package by renaming it into ``load/normalized/<id>`` and only then
    deletes ``normalize/extracted/<id>`` file by file. A kill -9 inside that delete (once, in a
    full run of the crash suite's seeded kills) left the extracted folder without
    ``new_jobs``, and every resume died in normalise with FileNotFoundError. Its rows are safe
    in the normalised copy, which the resume lands, so the remains go. A folder without
    ``new_jobs`` or a schema and no normalised or loaded copy is not something dlt leaves: it
    is refused, never dropped.
    """
    extracted_ids = pipeline.list_extracted_load_packages()
    if not extracted_ids:  # the usual case: the last run normalised everything it extracted
        return
    committed = {
        *pipeline.list_normalized_load_packages(),
        *pipeline.list_completed_load_packages(),
    }
    extracted = Path(pipeline.working_dir) / "normalize" / NormalizeStorage.EXTRACTED_FOLDER
    for load_id in extracted_ids:
        package = extracted / load_id
        if load_id in committed:
            shutil.rmtree(package)
        elif (
            not (package / PackageStorage.NEW_JOBS_FOLDER).is_dir()
            or not (package / PackageStorage.SCHEMA_FILE_NAME).is_file()
        ):
            raise ExtractError(
                f"dlt package {package} is incomplete and has no normalised copy, which dlt never"
                " leaves; move it out of that folder and run extract again"
            )


def list_states(pipeline: dlt.Pipeline) -> dict[str, dict[str, Any]]:
    sources = pipeline.state.get("sources", {})
    return dict(sources.get(SOURCE_NAME, {}).get("resources", {}))


def unwrap(exc: BaseException) -> BaseException:
    """dlt wraps what our transport raised (in extract threads) in its own step errors; so
    it wraps Ctrl-C (re-raised as such) and a source's HTTP error (one line, see
    :func:`common.addresses.bizstim_http_error`)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ExtractError | KeyboardInterrupt):
            return seen
        if isinstance(seen, requests.HTTPError) and seen.response is not None:
            return bizstim_http_error(seen.response)
        seen = seen.__cause__ or seen.__context__
    return ExtractError(f"extraction failed: {exc}")
