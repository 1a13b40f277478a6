"""`expertise rules check|explain|backtest` and `expertise retag`: the admin's tools for the
rule files in `rules/` (see rules/README.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from worker.cli.common import console, fail, load_settings, open_engine, print_json
from worker.rules import RuleError, RuleSet, RulesInvalid, check_rules
from worker.tagging import (
    BacktestResult,
    Explanation,
    TagResult,
    TicketNotFound,
    backtest,
    explain,
    tag_work,
)
from worker.tagging.parallel import usable_cores
from worker.tagging.run import Progress as ProgressFn

app = typer.Typer(
    help="Admin rules: check them, explain a ticket's tags, backtest a change.",
    no_args_is_help=True,
)

RulesDir = Annotated[
    Path | None,
    typer.Option(
        "--rules-dir", metavar="DIR", help="Directory of the rule files (default: RULES_DIR)."
    ),
]
Json = Annotated[bool, typer.Option("--json", help="Print a JSON object instead of tables.")]


def _rules_dir(option: Path | None) -> Path:
    return option if option is not None else load_settings().rules_dir


def _invalid(errors: list[RuleError], as_json: bool) -> NoReturn:
    """Every error as FILE:LINE: message (editors and CI annotate these), then exit 1."""
    if as_json:
        print_json({"valid": False, "errors": [e.__dict__ for e in errors]})
    else:
        # plain text, never wrapped: each line must stay FILE:LINE: message
        for error in errors:
            typer.echo(str(error))
        typer.echo(f"{len(errors)} error{'s' if len(errors) != 1 else ''} in the rules", err=True)
    raise typer.Exit(1)


@app.command("check")
def check(
    rules_dir: RulesDir = None,
    as_json: Json = False,
) -> None:
    """Validate every rule file (tagging, roles, needs, interests, triage); print every error
    as FILE:LINE: message, all at once (exit 1 if any)."""
    # The CLI sits above every stage, so it alone may gather all their rule files.
    from worker.profiles.rulefiles import validate_roles_files
    from worker.triage.config import validate_triage_file

    directory = _rules_dir(rules_dir)
    rules, errors = check_rules(directory)
    errors = [*errors, *validate_roles_files(directory), *validate_triage_file(directory)]
    if rules is None or errors:
        _invalid(errors, as_json)
    summary = _summary(rules)
    if as_json:
        print_json({"valid": True, **summary})
        return
    console.print(
        f"[green]Rules in {directory} are valid[/] (version {rules.version}): "
        f"{summary['areas']} areas ({summary['mode']}, fallback {summary['fallback']!r}), "
        f"{summary['features']} complexity features ({summary['at_creation']} known at "
        f"creation), tier 2 from {summary['tier2']} points, tier 3 from {summary['tier3']}, "
        f"roles {', '.join(f'{r} {w:g}' for r, w in summary['roles'].items())}.",
        highlight=False,
        soft_wrap=True,
    )


def _summary(rules: RuleSet) -> dict[str, Any]:
    tiers = rules.complexity.tiers
    return {
        "version": rules.version,
        "areas": len(rules.areas.areas),
        "mode": rules.areas.mode,
        "fallback": rules.areas.fallback,
        "features": len(rules.complexity.features),
        "at_creation": sum(f.known_at_creation for f in rules.complexity.features),
        "tier2": tiers[1].min_score,
        "tier3": tiers[2].min_score,
        "roles": rules.attribution.roles.model_dump(),
    }


@app.command("explain")
def explain_cmd(
    ticket_id: Annotated[int, typer.Argument(help="The Zendesk ticket id.")],
    rules_dir: RulesDir = None,
    as_json: Json = False,
) -> None:
    """Why a ticket gets its area, score, tier and each agent's role."""
    directory = _rules_dir(rules_dir)
    engine = open_engine(load_settings())
    try:
        result = explain(engine, directory, ticket_id)
    except RulesInvalid as exc:
        _invalid(exc.errors, as_json)
    except TicketNotFound as exc:
        fail(str(exc), code=1)
    if as_json:
        print_json(result.as_dict())
    else:
        _print_explanation(result)


def _print_explanation(e: Explanation) -> None:
    origin = "" if e.rules_origin == "files" else " (the files are invalid; last valid version)"
    console.print(f"[bold]Ticket {e.ticket_id}[/] with rules {e.rules_version}{origin}")
    for error in e.rules_errors:
        console.print(f"[red]{error}[/]", highlight=False, soft_wrap=True)
    if e.deleted:
        console.print("[yellow]Deleted: it yields no work items.[/]")
    areas = ", ".join(f"{k} ({s:.0%})" if len(e.areas) > 1 else k for k, s in e.areas)
    console.print(f"\n[bold]Area:[/] {areas}  [dim](mode {e.mode})[/]", highlight=False)
    for trace in e.area_traces:
        if trace.matched:
            weight = f", score {trace.score:g}" if e.mode != "first_match" else ""
            console.print(f"  [green]✓[/] {trace.key} ({trace.name}){weight}", highlight=False)
            for m in trace.when:
                if m.matched:
                    why = "; ".join(f"{c.label}: {c.why}" for c in m.conditions)
                    console.print(f"      when[{m.index}] {why}", highlight=False)
            continue
        # for an area that did not match, the first reason each matcher failed
        reasons = [
            f"when[{m.index}] " + next(f"{c.label}: {c.why}" for c in m.conditions if not c.holds)
            for m in trace.when
            if m.conditions
        ]
        reasons += [
            f"unless[{m.index}] " + "; ".join(f"{c.label}: {c.why}" for c in m.conditions)
            for m in trace.unless
            if m.matched
        ]
        console.print(f"  [red]✗[/] {trace.key} ({trace.name})", highlight=False)
        for reason in reasons or ["no matchers"]:
            console.print(f"      {reason}", highlight=False)
    if e.fallback:
        console.print(f"  → no area matched: fallback {e.areas[0][0]!r}", highlight=False)

    table = Table(title=f"Complexity: score {e.score} → tier {e.tier} ({e.tier_name})")
    for column in ("feature", "source", "value", "condition", "points"):
        table.add_column(column, justify="right" if column == "points" else "left")
    for f in e.features:
        points = f"[green]{f.points:+d}[/]" if f.holds else "[dim]0[/]"
        table.add_row(f.name, f.source, f.value, f.condition, points)
    console.print(table)

    roles = Table(title="Agents")
    for column in ("agent", "role", "weight", "when"):
        roles.add_column(column)
    for r in e.roles:
        roles.add_row(f"{r.agent_name} ({r.agent_id})", r.role, f"{r.weight:g}", str(r.at))
    if e.roles:
        console.print(roles)
    else:
        console.print("No agent's work on this ticket is counted.")
    if e.stored is not None and e.stored["rules_version"] != e.rules_version:
        console.print(
            f"[yellow]Stored tags are from rules {e.stored['rules_version']} "
            f"(area {e.stored['area']}, tier {e.stored['tier']}); the next tagging run "
            "replaces them.[/]"
        )


@app.command("backtest")
def backtest_cmd(
    rules_dir: Annotated[
        Path | None,
        typer.Option(
            "--rules-dir",
            metavar="DIR",
            help="The candidate rules (default: RULES_DIR, e.g. after editing it in place).",
        ),
    ] = None,
    as_json: Json = False,
) -> None:
    """Apply candidate rules to the stored history, changing nothing, and compare them with
    the rules the stored tags were made with."""
    settings = load_settings()
    candidate = rules_dir if rules_dir is not None else settings.rules_dir
    engine = open_engine(settings)
    try:
        with _bar("Backtesting", enabled=not as_json) as progress:
            result = backtest(engine, candidate, settings.rules_dir, progress=progress)
    except RulesInvalid as exc:
        _invalid(exc.errors, as_json)
    if as_json:
        print_json(result.as_dict())
    else:
        _print_backtest(result)


def _print_backtest(r: BacktestResult) -> None:
    table = Table(
        title=f"Backtest of rules {r.candidate_version} on {r.tickets:,} tickets "
        f"(in force: {r.in_force_version})"
    )
    for column in ("area", "tickets", "share", "in force", "change"):
        table.add_column(column, justify="left" if column == "area" else "right")
    for a in r.areas:
        delta = a.tickets - a.in_force_tickets
        table.add_row(
            f"{a.name} ({a.key})",
            f"{a.tickets:,.0f}",
            f"{a.share:.1%}",
            f"{a.in_force_tickets:,.0f}",
            f"{delta:+,.0f}" if delta else "",
        )
    console.print(table)
    console.print(
        f"Unclassified: {r.unclassified_share:.1%} (in force {r.in_force_unclassified_share:.1%})"
    )
    tiers = ", ".join(
        f"tier {t}: {n:,} (in force {r.in_force_tiers[t]:,})" for t, n in r.tiers.items()
    )
    console.print(f"Tiers: {tiers}")
    console.print(
        f"[bold]{r.area_changes:,}[/] tickets would change area, "
        f"[bold]{r.tier_changes:,}[/] would change tier."
    )
    for before, after, count in r.area_moves:
        console.print(f"  {before} → {after}: {count:,}", highlight=False)
    if r.area_examples:
        shown = ", ".join(f"#{c.ticket_id} {c.before}→{c.after}" for c in r.area_examples)
        console.print(f"Area changes, e.g.: {shown}", highlight=False)
    if r.tier_examples:
        shown = ", ".join(f"#{c.ticket_id} {c.before}→{c.after}" for c in r.tier_examples)
        console.print(f"Tier changes, e.g.: {shown}", highlight=False)


class _bar:
    """A progress bar on a terminal; nothing otherwise (logs, --json, tests)."""

    def __init__(self, label: str, *, enabled: bool) -> None:
        self.progress: Progress | None = None
        if enabled and console.is_terminal:
            self.progress = Progress(
                TextColumn(f"[bold]{label}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("tickets"),
                TimeElapsedColumn(),
                console=console,
            )
        self.task: Any = None

    def __enter__(self) -> ProgressFn | None:
        if self.progress is None:
            return None
        self.progress.start()
        self.task = self.progress.add_task("", total=None)
        progress = self.progress

        def advance(done: int, total: int) -> None:
            progress.update(self.task, completed=done, total=total)

        return advance

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()


def retag(
    rules_dir: RulesDir = None,
    as_json: Json = False,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            help="Tag in this many processes (default: one per core).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Re-tag the whole stored history with the rules in force (no Zendesk requests), then
    rebuild everything made from tags."""
    settings = load_settings()
    directory = _rules_dir(rules_dir)
    engine = open_engine(settings)
    try:
        with _bar("Re-tagging", enabled=not as_json) as progress:
            result = tag_work(
                engine,
                directory,
                full=True,
                progress=progress,
                workers=workers or usable_cores(),
            )
    except RulesInvalid as exc:
        _invalid(exc.errors, as_json)
    # Profiles are folded from tags: a full re-tag makes them stale until rebuilt.
    from worker.pipeline.stages import profiles_stage

    try:
        profiles_stage(settings.model_copy(update={"rules_dir": directory}), full=True)
    except RulesInvalid as exc:
        _invalid(exc.errors, as_json)
    rebuilt = ["profiles"]
    if as_json:
        print_json({**result.as_dict(), "rebuilt": rebuilt})
        return
    _print_tag_result(result, rebuilt)


def _print_tag_result(r: TagResult, rebuilt: list[str]) -> None:
    for error in r.rules_errors:
        console.print(f"[red]{error}[/]", highlight=False, soft_wrap=True)
    if r.rules_errors:
        console.print(
            f"[yellow]The rule files are invalid; tagged with the last valid rules "
            f"{r.rules_version}.[/]"
        )
    for warning in r.warnings:
        console.print(f"[yellow]warning:[/] {warning}", highlight=False)
    also = f"; rebuilt {', '.join(rebuilt)}" if rebuilt else ""
    console.print(
        f"[green]Tagged[/] {r.tickets_tagged:,} tickets ({r.tickets_deleted:,} deleted) into "
        f"{r.work_items:,} work items with rules {r.rules_version} in {r.seconds:.1f}s{also}.",
        highlight=False,
    )
