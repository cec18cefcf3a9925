"""Failures every command can meet → one line on stderr and an exit code (:mod:`common.exits`).

Seen on a fresh clone: tracebacks of 47 and 68 lines for a wrong URL, ``CatalogException``
for a file ``dbt build`` never ran on, ``extraction failed: … <class 'KeyboardInterrupt'>`` for
Ctrl-C. Commands are registered through :func:`one_line_errors`, which maps what it knows and
lets anything else (a real bug) through with its traceback — never with locals, so no key can
surface through one.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import duckdb
import requests
import typer
from rich.markup import escape

from bizmig.phases import GateFailed
from common.addresses import Unreachable, bizstim_http_error
from common.exits import ExitCode
from common.settings import ConfigError
from ingest.cli import console
from ingest.transport import ExtractError
from load.core.build_state import BuildNotUsable
from load.core.destination import SchemaConflict
from load.core.pacing import BudgetExhausted
from load.core.run import LoadRefused
from load.core.transport import DestinationError, DestinationUnavailable
from load.twenty.client import TwentyError, TwentyUnavailable

INTERRUPTED = "interrupted, rerun to resume"

F = TypeVar("F", bound=Callable[..., Any])


def explain(exc: BaseException) -> tuple[ExitCode, str, str] | None:
    """(exit code, label, one line) for a failure users can act on; None for anything else."""
    if isinstance(exc, KeyboardInterrupt):
        return ExitCode.INTERRUPTED, "stopped", INTERRUPTED
    if isinstance(exc, BuildNotUsable):
        label = "not built" if exc.state.status == "not_built" else "refused"
        return ExitCode.NOT_BUILT, label, str(exc)
    if isinstance(exc, ConfigError):
        return ExitCode.CONFIG, "error", str(exc)
    if isinstance(exc, Unreachable):
        return ExitCode.UNREACHABLE, "unreachable", str(exc)
    if isinstance(exc, GateFailed):
        return ExitCode.GATE_FAILED, "stopped", f"{exc}. Fix it, or rerun with --force."
    if isinstance(exc, BudgetExhausted):
        return ExitCode.DESTINATION_BUDGET_EXHAUSTED, "stopped", str(exc)
    if isinstance(exc, SchemaConflict):
        return ExitCode.SCHEMA_CONFLICT, "schema", str(exc)
    if isinstance(exc, LoadRefused):
        return ExitCode(exc.exit_code), "load refused", str(exc)
    if isinstance(exc, ExtractError):
        return ExitCode(exc.exit_code), "extraction stopped", str(exc)
    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        return explain(bizstim_http_error(exc.response))
    if isinstance(exc, TwentyError):
        if exc.status in (401, 403):
            return ExitCode.TWENTY_KEY_REJECTED, "error", f"Twenty rejected TWENTY_API_KEY ({exc})."
        return ExitCode.FAILED, "error", f"Twenty refused a request: {exc}"
    if isinstance(exc, TwentyUnavailable):
        return (
            ExitCode.UNREACHABLE,
            "error",
            f"Twenty could not be reached after retries ({exc}). Rerun when it is back: "
            "the ledger makes the rerun continue where this one stopped.",
        )
    if isinstance(exc, DestinationUnavailable):
        return (
            ExitCode.UNREACHABLE,
            "error",
            f"the destination could not be reached after retries ({exc}). Rerun when it is "
            "back: the ledger makes the rerun continue where this one stopped.",
        )
    if isinstance(exc, DestinationError):
        return ExitCode.FAILED, "error", f"the destination refused a request: {exc}"
    if isinstance(exc, duckdb.CatalogException):
        first = str(exc).splitlines()[0]
        return (
            ExitCode.NOT_BUILT,
            "not built",
            f"the staging file lacks a table this command reads ({first}): run `dbt build`",
        )
    if isinstance(exc, duckdb.IOException):
        return ExitCode.CONFIG, "error", f"cannot use the staging file (BIZMIG_DUCKDB): {exc}"
    return None


def report(exc: BaseException) -> int | None:
    """Print the one line for ``exc``; its exit code, or None when it is not a known failure."""
    known = explain(exc)
    if known is None:
        return None
    code, label, line = known
    console.print(f"[bold red]{label}:[/] {escape(line)}", soft_wrap=True)
    return int(code)


def one_line_errors(command: F) -> F:
    """Wrap a Typer command: known failures end in one line and their exit code."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except (Exception, KeyboardInterrupt) as exc:
            code = report(exc)
            if code is None:
                raise
            raise typer.Exit(code) from exc

    return run  # type: ignore[return-value]
