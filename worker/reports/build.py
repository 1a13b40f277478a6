"""Build the reports from the stored profiles and write them as HTML, CSV and JSON.

    write_reports(engine, settings, ["all"], Path("reports"), ["html", "csv", "json"])

HTML is one self-contained file for the kinds asked for (report.html for all of them, else
<kind>.html); CSV and JSON are one file per kind with the same data (format:
worker/reports/FORMAT.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from worker.profiles.evidence import example_tickets
from worker.profiles.read import Profiles, load_profiles
from worker.profiles.rulefiles import ProfileRules, load_profile_rules
from worker.reports.candidates import CandidatesReport, build_candidates
from worker.reports.coverage import CoverageReport, build_coverage
from worker.reports.html import render_html
from worker.reports.specialization import SpecializationReport, build_specialization
from worker.reports.tabular import write_csv, write_json
from worker.settings import Settings, SettingsError
from worker.storage.clock import utcnow

KINDS = ("specialization", "coverage", "candidates")
FORMATS = ("html", "csv", "json")
FORMAT_VERSION = 1


class ReportError(Exception):
    """A report request that cannot be met: unknown kind or format, unknown area."""


@dataclass(frozen=True)
class ReportSet:
    kinds: tuple[str, ...]
    profiles: Profiles
    rules: ProfileRules
    generated_at: datetime
    # an area manager's copy: only that area's people and roles
    area: str | None = None
    specialization: SpecializationReport | None = None
    coverage: CoverageReport | None = None
    candidates: CandidatesReport | None = None
    # link target for example tickets: the Zendesk agent UI, when the account is known
    ticket_url: str | None = None

    def report(self, kind: str) -> SpecializationReport | CoverageReport | CandidatesReport:
        value = getattr(self, kind)
        assert value is not None, kind
        return value  # type: ignore[no-any-return]

    def envelope(self, kind: str) -> dict[str, Any]:
        """The JSON document of one kind: what it is, when, for whom, then the data."""
        return {
            "report": kind,
            "format_version": FORMAT_VERSION,
            "generated_at": self.generated_at.isoformat(timespec="seconds"),
            "as_of": self.profiles.as_of.isoformat(timespec="seconds"),
            "area": self.area,
            **self.report(kind).to_json(),
        }


def parse_kinds(kinds: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    wanted: list[str] = []
    for kind in kinds:
        for part in kind.split(","):
            name = part.strip().lower()
            if name == "all":
                wanted += KINDS
            elif name in KINDS:
                wanted.append(name)
            elif name:
                raise ReportError(f"unknown report {name!r}; one of: {', '.join(KINDS)}, all")
    if not wanted:
        raise ReportError(f"name a report: {', '.join(KINDS)} or all")
    return tuple(k for k in KINDS if k in wanted)


def parse_formats(formats: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    wanted = {p.strip().lower() for f in formats for p in f.split(",") if p.strip()}
    unknown = wanted - set(FORMATS)
    if unknown:
        raise ReportError(f"unknown format {sorted(unknown)[0]!r}; use {', '.join(FORMATS)}")
    if not wanted:
        raise ReportError(f"name a format: {', '.join(FORMATS)}")
    return tuple(f for f in FORMATS if f in wanted)


def _ticket_url(settings: Settings) -> str | None:
    try:
        return f"{settings.zendesk_base_url}/agent/tickets/"
    except SettingsError:
        return None


def build_reports(
    engine: Engine,
    settings: Settings,
    kinds: list[str] | tuple[str, ...],
    *,
    area: str | None = None,
    rules_dir: Path | None = None,
) -> ReportSet:
    """Raises NoProfiles when profiles were never computed, RulesInvalid on broken rule
    files, ReportError on an unknown kind or area."""
    chosen = parse_kinds(kinds)
    profiles = load_profiles(engine)
    rules = load_profile_rules(rules_dir if rules_dir is not None else settings.rules_dir)
    if area is not None and area not in profiles.areas():
        known = ", ".join(profiles.areas()) or "none yet"
        raise ReportError(f"no profiles in area {area!r}; areas with work: {known}")
    parts: dict[str, Any] = {}
    if "specialization" in chosen:
        parts["specialization"] = build_specialization(profiles, area=area)
    if "coverage" in chosen:
        parts["coverage"] = build_coverage(profiles, rules, area=area)
    if "candidates" in chosen:
        parts["candidates"] = build_candidates(
            profiles,
            rules,
            interests_field=settings.interests_field,
            evidence=example_tickets(engine),
            area=area,
        )
    return ReportSet(
        kinds=chosen,
        profiles=profiles,
        rules=rules,
        generated_at=utcnow(),
        area=area,
        ticket_url=_ticket_url(settings),
        **parts,
    )


def html_name(reports: ReportSet) -> str:
    return "report.html" if reports.kinds == KINDS else f"{'-'.join(reports.kinds)}.html"


def write_report_files(
    reports: ReportSet, out_dir: Path, formats: list[str] | tuple[str, ...]
) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    chosen = parse_formats(formats)
    if "html" in chosen:
        path = out_dir / html_name(reports)
        path.write_text(render_html(reports), encoding="utf-8")
        written.append(path)
    for kind in reports.kinds:
        if "csv" in chosen:
            written.append(write_csv(out_dir / f"{kind}.csv", reports.report(kind).csv_rows()))
        if "json" in chosen:
            written.append(write_json(out_dir / f"{kind}.json", reports.envelope(kind)))
    return written


def write_reports(
    engine: Engine,
    settings: Settings,
    kinds: list[str] | tuple[str, ...],
    out_dir: Path,
    formats: list[str] | tuple[str, ...] = FORMATS,
    *,
    area: str | None = None,
) -> list[Path]:
    """Build the reports and write them into `out_dir`; returns the files written."""
    return write_report_files(build_reports(engine, settings, kinds, area=area), out_dir, formats)
