"""`bizmig sandbox ...`: the local stand-in servers (Bizstim, Twenty, Salesforce, Pipedrive,
Freshsales, monday)."""

from __future__ import annotations

import typer

from sandbox.bizstim.cli import bizstim_command
from sandbox.freshsales.cli import freshsales_command
from sandbox.monday.cli import monday_command
from sandbox.pipedrive.cli import pipedrive_command
from sandbox.salesforce.cli import salesforce_command
from sandbox.twenty.cli import twenty_command

app = typer.Typer(
    help="Local stand-in servers for Bizstim, Twenty, Salesforce, Pipedrive, Freshsales and monday "
    "(loopback only)."
)
app.command("bizstim")(bizstim_command)
app.command("twenty")(twenty_command)
app.command("salesforce")(salesforce_command)
app.command("pipedrive")(pipedrive_command)
app.command("freshsales")(freshsales_command)
app.command("monday")(monday_command)
