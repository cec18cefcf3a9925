"""`bizmig sandbox ...`: the two local stand-in servers."""

from __future__ import annotations

import typer

from sandbox.bizstim.cli import bizstim_command
from sandbox.twenty.cli import twenty_command

app = typer.Typer(help="Local stand-in servers for Bizstim and Twenty (loopback only).")
app.command("bizstim")(bizstim_command)
app.command("twenty")(twenty_command)
