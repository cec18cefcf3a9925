"""The one command line: `bizmig <command>`."""

from __future__ import annotations

import sys

import duckdb
import typer
from rich.markup import escape

from bizmig.demo import demo_command
from bizmig.mapping import map_app
from bizmig.migrate import migrate_command
from bizmig.report import report_command
from ingest.cli import console, extract_command, scope_command
from load.cli import load_command, reconcile_command, rollback_command
from load.twenty import TwentyError, TwentyUnavailable
from sandbox.cli import app as sandbox_app

app = typer.Typer(
    help="Migrate a Bizstim account into Twenty CRM.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(sandbox_app, name="sandbox")
app.add_typer(map_app, name="map")
app.command("demo")(demo_command)
app.command("migrate")(migrate_command)
app.command("scope")(scope_command)
app.command("extract")(extract_command)
app.command("load")(load_command)
app.command("reconcile")(reconcile_command)
app.command("rollback")(rollback_command)
app.command("report")(report_command)

TWENTY_REJECTED_KEY = 9
TWENTY_UNREACHABLE = 10


def _stop(code: int, message: str) -> int:
    console.print(f"[bold red]error:[/] {escape(message)}")
    return code


def run_cli() -> int:
    """`bizmig`: failures any command can meet end in one clear line and an exit code, not a
    traceback (tracebacks never show locals either, so no key can surface through one)."""
    try:
        app(standalone_mode=True)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    except TwentyError as exc:
        if exc.status in (401, 403):
            return _stop(TWENTY_REJECTED_KEY, f"Twenty rejected TWENTY_API_KEY ({exc}).")
        return _stop(1, f"Twenty refused a request: {exc}")
    except TwentyUnavailable as exc:
        return _stop(
            TWENTY_UNREACHABLE,
            f"Twenty could not be reached after retries ({exc}). Rerun when it is back: "
            "the ledger makes the rerun continue where this one stopped.",
        )
    except duckdb.IOException as exc:
        return _stop(2, f"cannot use the staging file (BIZMIG_DUCKDB): {exc}")
    return 0


def main() -> None:
    sys.exit(run_cli())


if __name__ == "__main__":
    main()
