"""monday's GraphQL schema for the stand-in: read from monday's own SDL, never copied in.

monday's 2026-10 SDL is public (destinations-2.md §4.9: ``get_schema?format=sdl``, 11 036 lines
in ../shared/contracts/monday-schema.graphql). Built once per process (0.3 s here) with
graphql-core, it parses and validates every document the stand-in receives exactly as the real
API would refuse it: an unknown field, a missing required argument or a wrongly typed variable
never reaches a resolver. The file is found at ``MONDAY_SDL`` or ``<repo>/../shared/contracts``;
without it the stand-in does not start (a stand-in that accepted any document would make every
loader test above it worthless).
"""

from __future__ import annotations

import os
import threading
from functools import cache
from pathlib import Path

from graphql import DocumentNode, GraphQLError, GraphQLSchema, build_schema, parse, validate

SDL_NAME = "monday-schema.graphql"
_lock = threading.Lock()


class SdlMissing(RuntimeError):
    """The SDL file is not where the stand-in looks for it."""


def sdl_path() -> Path:
    """``MONDAY_SDL``, else ``<repo>/../shared/contracts/monday-schema.graphql``."""
    configured = os.environ.get("MONDAY_SDL")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2].parent / "shared" / "contracts" / SDL_NAME


@cache
def _schema_at(path: str) -> GraphQLSchema:
    return build_schema(Path(path).read_text(encoding="utf-8"))


def schema() -> GraphQLSchema:
    """The built schema (once per process and path)."""
    path = sdl_path()
    if not path.is_file():
        raise SdlMissing(
            f"monday's SDL is not at {path}: set MONDAY_SDL to the file "
            f"(../shared/contracts/{SDL_NAME} of the project's shared folder)"
        )
    with _lock:
        return _schema_at(str(path))


def check(query: str) -> tuple[DocumentNode | None, list[GraphQLError]]:
    """The parsed document and its validation errors against the SDL (a syntax error too)."""
    try:
        document = parse(query)
    except GraphQLError as exc:
        return None, [exc]
    return document, list(validate(schema(), document))
