"""The one command line: `bizmig <command>`."""

from __future__ import annotations

import typer

from bizmig.demo import demo_command
from bizmig.mapping import map_app
from bizmig.migrate import migrate_command
from bizmig.report import report_command
from ingest.cli import extract_command, scope_command
from load.cli import load_command, reconcile_command, rollback_command
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


if __name__ == "__main__":
    app()
