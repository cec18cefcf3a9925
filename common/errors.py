"""Errors raised in more than one layer, defined at the bottom so every layer can raise them.

``common/addresses.py`` turns a Bizstim answer into ``ExtractError`` (the extraction's own
error, which ``ingest`` raises too) and its ``WrongAddress`` is a ``ConfigError``; while these
classes lived in ``ingest/transport.py`` and ``common/settings.py``, ``common`` imported
``ingest`` (upward) and ``addresses`` ↔ ``settings`` imported each other (tests/test_layers.py
now forbids both). The modules that raised them still export them under the old names.
"""

from __future__ import annotations

from common.exits import ExitCode


class ConfigError(ValueError):
    """A required setting is missing or malformed (exit 2: the CLI prints one line)."""


class ExtractError(RuntimeError):
    """The extraction cannot go on; ``exit_code`` says why (subclasses in ingest/transport.py)."""

    exit_code = ExitCode.FAILED
