"""The ``[bizstim:<external id>]`` marker: how activities and notes are recognised again.

Pipedrive lets no API create or write a custom field on an activity (``activityFields`` is
GET-only, the v2 activity body has no ``custom_fields``) and v1 notes have none either
(destinations-2.md §2.1, §2.5), and it has no upsert: re-sending an activity duplicates it.
So the mart's text (an activity's ``note``, a note's ``content``) ends with the marker, exactly
once, and the loader reads it back from one listing per entity: that listing is the id map the
plan matches on, and a create a killed run sent before its ledger write is found again by its
marker instead of being sent twice. The mart writes the marker; the loader only adds it where a
row lacks it, so the text sent always carries it.
"""

from __future__ import annotations

import re

MARKER = re.compile(r"\[bizstim:([^\]\s]+)\]\s*(?:</p>)?\s*$")


def marker_of(text: object) -> str | None:
    """The external id a text's final marker names, or None for text the migration did not
    write."""
    if not isinstance(text, str):
        return None
    match = MARKER.search(text)
    return match.group(1) if match else None


def marked(text: str | None, external_id: str) -> str:
    """``text`` ending with the marker of ``external_id`` (unchanged when it already does)."""
    if marker_of(text) == external_id:
        return str(text)
    body = (text or "").rstrip()
    return f"{body} [bizstim:{external_id}]" if body else f"[bizstim:{external_id}]"
