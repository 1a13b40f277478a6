"""The HTML report: Jinja2 templates shipped with the package, charts drawn inline."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from worker.reports import charts

if TYPE_CHECKING:
    from worker.reports.build import ReportSet

TEMPLATES = Path(__file__).parent / "templates"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"], default=True),
        undefined=StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
    )
    env.globals.update(charts=charts, pct=pct, num=num)
    return env


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def num(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.1f}" if abs(value) < 10 else f"{value:,.0f}"


def _when(value: Any) -> str:
    return f"{value:%d %b %Y %H:%M} UTC"


def render_html(reports: ReportSet) -> str:
    profiles = reports.profiles
    active = [a for a in profiles.agents.values() if a.active]
    summary: list[tuple[str, str, str]] = [("people with recorded work", str(len(active)), "")]
    if reports.coverage is not None:
        spof = sum(1 for a in reports.coverage.areas if a.single_point_of_failure)
        summary.append(("areas", str(len(reports.coverage.areas)), ""))
        summary.append(("single points of failure", str(spof), "one person holds half an area"))
    if reports.candidates is not None:
        nominees = {c.agent_id for s in reports.candidates.slates for c in s.nominees}
        summary.append(("people nominated", str(len(nominees)), "for at least one role"))
    coverage_chart = (
        [(a.area.name, len(a.experts), a.bus_factor) for a in reports.coverage.areas]
        if reports.coverage is not None
        else []
    )
    title = "Support expertise report"
    return (
        environment()
        .get_template("report.html.j2")
        .render(
            title=title,
            as_of_text=_when(profiles.as_of),
            generated_text=_when(reports.generated_at),
            half_life=f"{profiles.half_life_days:g}",
            area_name=profiles.area_name(reports.area) if reports.area else None,
            summary=summary,
            specialization=reports.specialization,
            coverage=reports.coverage,
            candidates=reports.candidates,
            coverage_chart=coverage_chart,
            scoring=reports.rules.scoring,
            area_names={a: profiles.area_name(a) for a in profiles.areas()},
            ticket_url=reports.ticket_url,
        )
    )
