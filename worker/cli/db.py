"""`expertise db ...`: migrations and counts of what is stored."""

from __future__ import annotations

import typer
from rich.table import Table

from worker.cli.common import console, fail, load_settings, print_json
from worker.settings import mask_url_password
from worker.storage.db import create_db_engine, current_revision, head_revision, upgrade
from worker.storage.stats import stored_counts

app = typer.Typer(help="Database: apply migrations, show what is stored.", no_args_is_help=True)


@app.command("upgrade")
def upgrade_cmd() -> None:
    """Apply pending migrations to DATABASE_URL (other commands do this on first use)."""
    settings = load_settings()
    engine = create_db_engine(settings.database_url)
    try:
        before = current_revision(engine)
        upgrade(engine)
        after = current_revision(engine)
    except Exception as exc:
        fail(f"migration failed on {mask_url_password(settings.database_url)}: {exc}")
    finally:
        engine.dispose()
    if before == after:
        console.print(f"Database is up to date (revision {after}).")
    else:
        console.print(f"Migrated from {before or 'empty'} to {after} (head {head_revision()}).")


@app.command("stats")
def stats_cmd(
    as_json: bool = typer.Option(False, "--json", help="Print a JSON object instead of a table."),
) -> None:
    """Counts of tickets, deleted tickets, agents, groups and touches stored."""
    from worker.cli.common import open_engine

    counts = stored_counts(open_engine(load_settings()))
    if as_json:
        print_json(counts)
        return
    table = Table(title="Stored", show_header=True)
    table.add_column("what")
    table.add_column("count", justify="right")
    for key, value in counts.items():
        table.add_row(key.replace("_", " "), f"{value:,}")
    console.print(table)
