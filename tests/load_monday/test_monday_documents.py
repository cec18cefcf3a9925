"""Every GraphQL document the monday loader sends is one monday's 2026-10 SDL allows.

The stand-in refuses what the SDL refuses, but only for the documents a test happens to send;
this checks all of them at once, read from the modules that hold them (load/monday/documents.py
and the schema's), so a field renamed in a new API version fails here, not in production.
"""

from __future__ import annotations

import os
from pathlib import Path

from graphql import build_schema, parse, validate

from load.monday import documents, schema

REPO = Path(__file__).resolve().parents[2]


def test_every_loader_document_validates_against_mondays_sdl():
    path = os.environ.get("MONDAY_SDL") or REPO.parent / "shared/contracts/monday-schema.graphql"
    sdl = build_schema(Path(path).read_text(encoding="utf-8"))
    sent = {
        f"{module.__name__}.{name}": value
        for module in (documents, schema)
        for name, value in vars(module).items()
        if isinstance(value, str) and value.lstrip().startswith(("query ", "mutation "))
    }
    assert len(sent) >= 20  # the reads, owners, rollback, schema and write documents
    refused = {name: validate(sdl, parse(text)) for name, text in sent.items()}
    assert {name: errors for name, errors in refused.items() if errors} == {}
    # the check can fail: a field the SDL does not have is refused
    assert validate(sdl, parse(documents.USERS.replace("status", "enabled")))
