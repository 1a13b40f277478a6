"""`expertise demo`: a sandbox help desk, synced into the default database, in one command."""

from __future__ import annotations

import typer
from pydantic import SecretStr
from rich.table import Table

from worker.cli.common import console, load_settings, open_engine
from worker.cli.progress import RichSyncProgress
from worker.cli.sync import summary_line
from worker.storage.stats import stored_counts
from worker.sync.run import run_sync


def demo(
    seed: int = typer.Option(7, help="Seed of the generated help desk."),
    agents: int = typer.Option(40, help="Agents in the generated help desk."),
    tickets: int = typer.Option(5000, help="Tickets in the generated help desk."),
    months: int = typer.Option(12, help="Months of history."),
) -> None:
    """Run the whole pipeline on a sandbox Zendesk: sync it into DATABASE_URL, tag the work
    with the rules in RULES_DIR, build the expertise profiles, and write the reports into
    REPORTS_DIR."""
    # Imported here: every other command starts without loading the sandbox's generator.
    from integrations.sandbox import SandboxConfig, start_sandbox

    settings = load_settings()
    engine = open_engine(settings)
    # Rate limits stay on (at a demo-friendly export budget) so the governor is exercised.
    config = SandboxConfig(
        seed=seed,
        agents=agents,
        tickets=tickets,
        months=months,
        rate_limits=True,
        export_limit_per_min=300,
    )
    console.print(f"Generating a help desk: {agents} agents, {tickets:,} tickets, {months} months")
    with start_sandbox(config, host="127.0.0.1", port=0) as sandbox:
        console.print(f"Sandbox Zendesk serving at [bold]{sandbox.url}[/]")
        demo_settings = settings.model_copy(
            update={
                "zendesk_url": sandbox.url,
                "zendesk_subdomain": None,
                "zendesk_email": sandbox.email,
                "zendesk_api_token": SecretStr(sandbox.token),
            }
        )
        if console.is_terminal:
            with RichSyncProgress(console) as progress:
                result = run_sync(engine, demo_settings, progress=progress)
                progress.finish()
        else:
            result = run_sync(engine, demo_settings)
    console.print(summary_line(result))

    from worker.tagging.run import tag_work

    tagged = tag_work(engine, settings.rules_dir)
    console.print(
        f"[green]Tagged[/] {tagged.tickets_tagged:,} tickets into {tagged.work_items:,} work "
        f"items with the rules in {settings.rules_dir} (version {tagged.rules_version[:12]})."
    )
    table = Table(title=f"Stored in {engine.url.render_as_string(hide_password=True)}")
    table.add_column("what")
    table.add_column("count", justify="right")
    for key, value in stored_counts(engine).items():
        table.add_row(key.replace("_", " "), f"{value:,}")
    console.print(table)

    from worker.profiles.build import update_profiles
    from worker.reports.build import write_reports

    profiles = update_profiles(engine, settings)
    console.print(
        f"[green]Profiled[/] {profiles.agents} people in {profiles.area_profiles:,} "
        f"(person, area) pairs."
    )
    written = write_reports(engine, settings, ("all",), settings.reports_dir)
    console.print("[green]Reports[/] for managers:")
    for path in written:
        console.print(f"  {path.resolve()}", highlight=False, soft_wrap=True)
    html = next((p for p in written if p.suffix == ".html"), None)
    if html is not None:
        console.print(f"Open [bold]{html.resolve().as_uri()}[/] in a browser.", soft_wrap=True)
    console.print(
        "Next: `expertise profiles`, `expertise rules explain TICKET_ID`, `expertise status`, "
        "or point ZENDESK_SUBDOMAIN at your own account and run `expertise sync`.",
        soft_wrap=True,
    )
