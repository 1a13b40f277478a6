"""`expertise triage`, `expertise webhook serve` and `expertise skills push`.

    expertise triage TICKET_ID [--apply] [--json]
    expertise webhook serve [--host 127.0.0.1] [--port 8780]
    expertise skills push [--apply] [--json]

Register with `app.command("triage")(triage)`, `app.add_typer(webhook_app, name="webhook")`
and `app.add_typer(skills_app, name="skills")`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.table import Table

from integrations.zendesk.errors import ZendeskError
from worker.cli.common import console, fail, load_settings, open_engine, print_json
from worker.rules import RulesInvalid
from worker.settings import SettingsError
from worker.triage.run import TriageResult, triage_ticket
from worker.triage.skills import SkillsDiff, push_skills
from worker.webhook.server import PATH, serve

Apply = Annotated[
    bool, typer.Option("--apply", help="Write to Zendesk (default: show what would change).")
]
Json = Annotated[bool, typer.Option("--json", help="Print a JSON object instead of text.")]
RulesDir = Annotated[
    Path | None,
    typer.Option("--rules-dir", metavar="DIR", help="Directory of the rule files (RULES_DIR)."),
]


def _rules_failed(exc: RulesInvalid) -> NoReturn:
    for error in exc.errors:
        typer.echo(str(error))
    fail("the rules have errors (see above); fix them and run again", code=1)


def triage(
    ticket_id: Annotated[int, typer.Argument(help="The Zendesk ticket id.")],
    apply: Apply = False,
    as_json: Json = False,
    rules_dir: RulesDir = None,
) -> None:
    """Recommend a group and agents for a ticket, with the reasons; --apply writes back as
    rules/triage.yaml says (off, tag, note or assign)."""
    settings = load_settings()
    engine = open_engine(settings)
    try:
        result = triage_ticket(engine, settings, ticket_id, apply=apply, rules_dir=rules_dir)
    except SettingsError as exc:
        fail(str(exc))
    except RulesInvalid as exc:
        _rules_failed(exc)
    except ZendeskError as exc:
        fail(f"triage of ticket {ticket_id} stopped: {exc}", code=1)
    if as_json:
        print_json(result.as_dict())
    else:
        _print_triage(result, apply)


def _print_triage(result: TriageResult, apply: bool) -> None:
    rec = result.recommendation
    p1, p2, p3 = rec.tier_probabilities
    out = console.print
    out(f"[bold]Ticket {rec.ticket_id}[/]", highlight=False)
    out(f"  area   {rec.area_name} ({rec.area}): {rec.area_reason}", highlight=False)
    out(
        f"  tier   {rec.tier} {rec.tier_name} (chances 1/2/3: {p1:.0%}/{p2:.0%}/{p3:.0%}): "
        f"{rec.tier_reason}",
        highlight=False,
    )
    out(f"  signs  {', '.join(rec.signs) or 'none of the creation-time features'}")
    out(f"  group  {rec.group_name or '-'}: {rec.group_reason}", highlight=False)
    if rec.agents:
        out("[bold]Recommended agents[/]")
        for n, agent in enumerate(rec.agents, 1):
            out(f"  {n}. {agent.name} ({agent.agent_id}), score {agent.score:.2f}", highlight=False)
            for reason in agent.reasons:
                out(f"       {reason}", highlight=False)
    else:
        out("[yellow]No agent has a track record in this area yet.[/]")
    for passed in rec.passed_over:
        out(f"  passed over: {passed.name} ({passed.agent_id}): {passed.reason}", highlight=False)
    out(f"[bold]Write-back[/] ({result.mode}): {result.outcome}", highlight=False)
    if not apply and result.plan.writes:
        out("Run again with --apply to write it.")


webhook_app = typer.Typer(help="Receive Zendesk's ticket-created webhook.", no_args_is_help=True)


@webhook_app.callback()
def _webhook() -> None:
    # a callback keeps `serve` a subcommand: Typer flattens a group of one command
    pass


@webhook_app.command("serve")
def webhook_serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8780,
) -> None:
    """Verify signed ticket-created webhooks (ZENDESK_WEBHOOK_SECRET) and queue their triage."""
    settings = load_settings()
    console.print(
        f"Receiving Zendesk webhooks on http://{host}:{port}{PATH} (Ctrl-C stops)",
        highlight=False,
    )
    try:
        serve(settings, host, port)
    except SettingsError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")


skills_app = typer.Typer(
    help="Zendesk skills-based routing from measured expertise.", no_args_is_help=True
)


@skills_app.callback()
def _skills() -> None:
    # a callback keeps `push` a subcommand: Typer flattens a group of one command
    pass


@skills_app.command("push")
def skills_push(apply: Apply = False, as_json: Json = False, rules_dir: RulesDir = None) -> None:
    """Show the skills each agent gains and loses; --apply makes Zendesk match."""
    settings = load_settings()
    engine = open_engine(settings)
    try:
        diff = push_skills(engine, settings, apply=apply, rules_dir=rules_dir)
    except SettingsError as exc:
        fail(str(exc))
    except RulesInvalid as exc:
        _rules_failed(exc)
    except ZendeskError as exc:
        fail(f"skills push stopped: {exc}", code=1)
    if as_json:
        print_json(diff.as_dict())
    else:
        _print_skills(diff)


def _print_skills(diff: SkillsDiff) -> None:
    for name in diff.create_attributes:
        console.print(f"skill type to create: {name}", highlight=False)
    for attribute, values in diff.create_values.items():
        console.print(f"skills to create in {attribute}: {', '.join(values)}", highlight=False)
    if diff.agents:
        table = Table(title="Skills per agent", show_header=True)
        for column in ("agent", "id", "add", "remove"):
            table.add_column(column)
        for change in diff.agents:
            table.add_row(
                change.name, str(change.agent_id), ", ".join(change.add), ", ".join(change.remove)
            )
        console.print(table)
    for note in diff.notes:
        console.print(f"[yellow]note:[/] {note}", highlight=False)
    summary = f"{len(diff.agents)} agents change, {diff.unchanged_agents} already match"
    if diff.applied:
        console.print(f"[green]Applied:[/] {summary}.", highlight=False)
    elif diff.changes:
        console.print(f"Dry run: {summary}. Run again with --apply to write.", highlight=False)
    else:
        console.print(f"[green]Nothing to change:[/] {summary}.", highlight=False)
