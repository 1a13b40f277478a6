"""`expertise`: the command line for support ops, managers and helpdesk admins."""

from __future__ import annotations

import typer
from rich.table import Table

from worker.cli import db, reports, rules
from worker.cli import triage as triage_cli
from worker.cli.common import console, load_settings, print_json
from worker.cli.demo import demo
from worker.cli.pipeline import pipeline
from worker.cli.sandbox import sandbox
from worker.cli.status import status
from worker.cli.sync import sync
from worker.logs import configure_logging

app = typer.Typer(
    name="expertise",
    help="Turn Zendesk ticket history into evidence of who knows what.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals may hold secrets
)


@app.callback()
def _setup() -> None:
    settings = load_settings()
    configure_logging(settings.log_format, settings.log_level)


app.add_typer(db.app, name="db")
app.add_typer(rules.app, name="rules")
app.command("sync")(sync)
app.command("pipeline")(pipeline)
app.command("retag")(rules.retag)
app.command("sandbox")(sandbox)
app.command("status")(status)
app.command("triage")(triage_cli.triage)
app.add_typer(triage_cli.webhook_app, name="webhook")
app.add_typer(triage_cli.skills_app, name="skills")
app.command("profiles")(reports.profiles)
app.add_typer(reports.app, name="report")
app.command("demo")(demo)


@app.command("config")
def config(
    as_json: bool = typer.Option(False, "--json", help="Print a JSON object instead of a table."),
) -> None:
    """Print the effective settings (environment and .env), secrets masked."""
    values = load_settings().masked()
    if as_json:
        print_json(values)
        return
    table = Table(title="Effective settings", show_header=True)
    table.add_column("setting")
    table.add_column("value")
    for key, value in values.items():
        table.add_row(key, "" if value is None else str(value))
    console.print(table)


if __name__ == "__main__":  # pragma: no cover
    app()
