"""The one command line: `bizmig <command>`."""

from __future__ import annotations

import logging
import os
import sys

import typer
from rich.markup import escape

from bizmig.demo import demo_command
from bizmig.failures import INTERRUPTED, one_line_errors, report
from bizmig.mapping import map_app
from bizmig.migrate import migrate_command
from common.exits import ExitCode
from ingest.cli import console, extract_command, scope_command
from load.cli import load_command, reconcile_command, rollback_command
from report.command import report_command
from sandbox.cli import app as sandbox_app

app = typer.Typer(
    help="Migrate a Bizstim account into Twenty CRM.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(sandbox_app, name="sandbox")
app.add_typer(map_app, name="map")
for name, command in (
    ("demo", demo_command),
    ("migrate", migrate_command),
    ("scope", scope_command),
    ("extract", extract_command),
    ("load", load_command),
    ("reconcile", reconcile_command),
    ("rollback", rollback_command),
    ("report", report_command),
):
    app.command(name)(one_line_errors(command))


def run_cli() -> int:
    """`bizmig`: failures any command can meet end in one clear line and an exit code
    (:mod:`common.exits`), not a traceback; so do bad options (click's usage errors, which Typer
    would draw as a multi-line box). Tracebacks never show locals, so no key surfaces in one."""
    try:
        result = app(standalone_mode=False)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    except typer.TyperException as exc:  # click's usage errors (Typer vendors click)
        if type(exc).__name__ == "NoArgsIsHelpError":
            exc.show()  # type: ignore[attr-defined]  # the help text itself
            return ExitCode.CONFIG
        ctx = getattr(exc, "ctx", None)
        where, hint = (
            (f"{ctx.command_path}: ", f" (see `{ctx.command_path} --help`)") if ctx else ("", "")
        )
        console.print(
            f"[bold red]error:[/] {escape(where + exc.format_message() + hint)}", soft_wrap=True
        )
        return exc.exit_code
    except typer.Abort:
        console.print(f"[bold red]stopped:[/] {INTERRUPTED}")
        return ExitCode.INTERRUPTED
    except Exception as exc:
        code = report(exc)
        if code is None:
            raise
        return code
    return result if isinstance(result, int) else ExitCode.OK


def main() -> None:
    code = run_cli()
    if code == ExitCode.INTERRUPTED:
        # Ctrl-C must stop us within 2 s; tearing down the ~1 600 modules dbt, dlt and pyarrow
        # import takes ~1 s more. Everything that holds data is closed by now (DuckDB through
        # context managers, the stand-ins stopped, unsent ledger writes journalled), so leave
        # without the teardown, and without waiting for extraction threads still on the wire
        # (their answers were not committed; the rerun asks again or reads the spool).
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    main()
