"""`expertise report ...` and `expertise profiles`: the managers' view of the profiles."""

from __future__ import annotations

import csv
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.table import Table

from worker.cli.common import console, fail, load_settings, open_engine, print_json
from worker.profiles.build import ProfileResult, update_profiles
from worker.profiles.read import NoProfiles, Profiles, load_profiles
from worker.reports.build import (
    FORMATS,
    ReportError,
    build_reports,
    parse_formats,
    write_report_files,
)
from worker.reports.deliver import DeliveryResult, email_reports
from worker.rules.errors import RulesInvalid
from worker.settings import Settings, SettingsError

app = typer.Typer(
    help="Reports for managers: specialization, coverage, role candidates (HTML, CSV, JSON).",
    no_args_is_help=True,
)

Out = Annotated[
    Path | None,
    typer.Option("--out", metavar="DIR", help="Directory to write into (default: REPORTS_DIR)."),
]
Formats = Annotated[
    str,
    typer.Option("--format", metavar="LIST", help="Comma-separated: html, csv, json."),
]
AreaOpt = Annotated[
    str | None,
    typer.Option("--area", metavar="KEY", help="Only this area: an area manager's copy."),
]
Email = Annotated[
    bool,
    typer.Option(
        "--email",
        help="Also email the report (HTML, CSV attached) to REPORT_RECIPIENTS and each "
        "area's AREA_MANAGERS. Nothing is sent when none is configured.",
    ),
]
Update = Annotated[
    bool, typer.Option("--update", help="Bring the profiles up to date with tagging first.")
]


def _invalid_rules(exc: RulesInvalid) -> NoReturn:
    for error in exc.errors:
        typer.echo(str(error), err=True)
    fail("the profile rule files have errors (run `expertise rules check`)", code=1)


def _update(settings: Settings, *, full: bool = False) -> ProfileResult:
    engine = open_engine(settings)
    try:
        result = update_profiles(engine, settings, full=full)
    except RulesInvalid as exc:
        _invalid_rules(exc)
    kind = f"full rebuild ({result.reason})" if result.full else "nightly update"
    console.print(
        f"[green]Profiles updated[/]: {kind}, {result.agents} people, "
        f"{result.area_profiles:,} area profiles in {result.seconds:.1f}s.",
        highlight=False,
        soft_wrap=True,
    )
    return result


def _report(
    kind: str, out: Path | None, formats: str, area: str | None, email: bool, update: bool
) -> None:
    settings = load_settings()
    engine = open_engine(settings)
    if update:
        _update(settings)
    out_dir = out if out is not None else settings.reports_dir
    try:
        chosen = parse_formats([formats])
        reports = build_reports(engine, settings, [kind], area=area)
        written = write_report_files(reports, out_dir, chosen)
    except (ReportError, NoProfiles) as exc:
        fail(str(exc))
    except RulesInvalid as exc:
        _invalid_rules(exc)
    for path in written:
        console.print(f"wrote {path}", highlight=False, soft_wrap=True)
    if email:
        try:
            delivery = email_reports(
                engine, settings, [kind], reports=reports if area is None else None
            )
        except SettingsError as exc:
            fail(str(exc))
        _print_delivery(delivery)
        if delivery.failed:
            raise typer.Exit(1)


def _print_delivery(delivery: DeliveryResult) -> None:
    if delivery.skipped:
        console.print(f"[yellow]{delivery.skipped}[/]", highlight=False, soft_wrap=True)
        return
    for d in delivery.sent:
        scope = f" ({d.area} copy)" if d.area else ""
        console.print(f"emailed {d.recipient}{scope}", highlight=False, soft_wrap=True)
    for recipient, reason in delivery.failed:
        console.print(f"[red]not sent to {recipient}[/]: {reason}", highlight=False, soft_wrap=True)


ALL_FORMATS = ",".join(FORMATS)


def _command(kind: str, doc: str) -> None:
    def command(
        out: Out = None,
        formats: Formats = ALL_FORMATS,
        area: AreaOpt = None,
        email: Email = False,
        update: Update = False,
    ) -> None:
        _report(kind, out, formats, area, email, update)

    command.__doc__ = doc
    app.command(kind)(command)


_command(
    "specialization",
    "Per person: top areas, concentration, tier mix, specialist or generalist; a heatmap.",
)
_command(
    "coverage",
    "Per area: experts, bus factor, rising people; single points of failure first.",
)
_command(
    "candidates",
    "Per role: ranked nominees with their evidence, and the next in line with their gaps.",
)
_command("all", "Every report: one HTML file, and a CSV and a JSON file per report.")


class ProfileFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def profile_rows(profiles: Profiles, agent: int | None, area: str | None) -> list[dict[str, Any]]:
    """One row per person and area, deepest first: what `expertise profiles` prints."""
    rows: list[dict[str, Any]] = []
    people = sorted(profiles.agents.values(), key=lambda a: (-a.total.depth, a.agent_id))
    for person in people:
        if agent is not None and person.agent_id != agent:
            continue
        for key, s in person.areas.items():
            if area is not None and key != area:
                continue
            rows.append(
                {
                    "agent_id": person.agent_id,
                    "agent_name": person.name,
                    "status": person.status,
                    "label": person.label,
                    "area": key,
                    "area_name": profiles.area_name(key),
                    "score": round(s.depth, 3),
                    "tickets": s.tickets,
                    "tier_counts": s.tier_counts,
                    "solved": s.solved,
                    "csat": None if s.csat is None else round(s.csat, 3),
                    "csat_sample": s.csat_sample,
                    "median_resolution_hours": None
                    if s.median_resolution_minutes is None
                    else round(s.median_resolution_minutes / 60, 2),
                    "mentoring": s.mentoring,
                    "escalations_received": s.escalations_received,
                    "first_at": s.first_at.isoformat(timespec="seconds"),
                    "last_at": s.last_at.isoformat(timespec="seconds"),
                }
            )
    return rows


def profiles(
    agent: Annotated[
        int | None, typer.Option("--agent", metavar="ID", help="Only this agent.")
    ] = None,
    area: AreaOpt = None,
    output: Annotated[
        ProfileFormat, typer.Option("--format", help="table, json or csv.")
    ] = ProfileFormat.table,
    update: Update = False,
    full: Annotated[
        bool, typer.Option("--full", help="Rebuild every profile from all tagged work.")
    ] = False,
) -> None:
    """Expertise profiles: per person and product area, depth, tickets, tier mix, CSAT."""
    settings = load_settings()
    engine = open_engine(settings)
    if update or full:
        _update(settings, full=full)
    try:
        loaded = load_profiles(engine, history=False)
    except NoProfiles as exc:
        fail(str(exc))
    if agent is not None and agent not in loaded.agents:
        fail(f"no profile for agent {agent}")
    rows = profile_rows(loaded, agent, area)
    if output is ProfileFormat.json:
        print_json(rows)
    elif output is ProfileFormat.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        if rows:
            writer.writerow(
                [k for k in rows[0] if k != "tier_counts"] + ["tier1", "tier2", "tier3"]
            )
            for row in rows:
                tiers = row["tier_counts"]
                writer.writerow(
                    [v for k, v in row.items() if k != "tier_counts"]
                    + [tiers["1"], tiers["2"], tiers["3"]]
                )
    else:
        _table(loaded, rows)


def _table(loaded: Profiles, rows: list[dict[str, Any]]) -> None:
    table = Table(title=f"Expertise profiles as of {loaded.as_of:%Y-%m-%d %H:%M} UTC")
    for column, justify in (
        ("person", "left"),
        ("label", "left"),
        ("area", "left"),
        ("depth", "right"),
        ("tickets", "right"),
        ("tier 1/2/3", "right"),
        ("CSAT (rated)", "right"),
        ("median res.", "right"),
    ):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for r in rows:
        t = r["tier_counts"]
        csat = "-" if r["csat"] is None else f"{r['csat']:.0%} ({r['csat_sample']})"
        median = (
            "-" if r["median_resolution_hours"] is None else f"{r['median_resolution_hours']:.1f} h"
        )
        table.add_row(
            r["agent_name"],
            r["label"],
            r["area_name"],
            f"{r['score']:.1f}",
            str(r["tickets"]),
            f"{t['1']}/{t['2']}/{t['3']}",
            csat,
            median,
        )
    console.print(table)
