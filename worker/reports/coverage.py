"""Coverage: per area, who holds the knowledge, how thin it is, and who is growing into it.

Only active people count: knowledge that left with someone does not answer tickets. Areas
where one resignation would take half of what the team knows come first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from worker.profiles.config import Scoring
from worker.profiles.interests import coverage_need
from worker.profiles.read import Profiles, growth_since
from worker.profiles.rulefiles import ProfileRules
from worker.reports.common import Area, area_list, iso, rounded

# months of history the growth sparklines show
SPARK_MONTHS = 12


@dataclass(frozen=True)
class Holder:
    agent_id: int
    agent_name: str
    depth: float
    # share of the area's depth among active people
    share: float


@dataclass(frozen=True)
class Riser:
    agent_id: int
    agent_name: str
    depth: float
    growth: float
    # depth at the end of each of the last months, oldest first
    series: list[tuple[str, float]]


@dataclass(frozen=True)
class AreaCoverage:
    area: Area
    depth: float
    people: int
    experts: list[Holder]
    bus_factor: int
    # the fewest people who together hold half the area's depth
    holders: list[Holder]
    rising: list[Riser]
    # share of the area's depth held by people no longer active
    departed_share: float
    needed_experts: int | None
    need_why: str | None

    @property
    def single_point_of_failure(self) -> bool:
        return self.bus_factor <= 1

    @property
    def short_of_need(self) -> bool:
        return self.needed_experts is not None and len(self.experts) < self.needed_experts

    def to_json(self) -> dict[str, Any]:
        return {
            "area": self.area.key,
            "area_name": self.area.name,
            "depth": rounded(self.depth),
            "people": self.people,
            "expert_count": len(self.experts),
            "experts": [_holder(h) for h in self.experts],
            "bus_factor": self.bus_factor,
            "bus_factor_people": [_holder(h) for h in self.holders],
            "single_point_of_failure": self.single_point_of_failure,
            "needed_experts": self.needed_experts,
            "short_of_need": self.short_of_need,
            "need_why": self.need_why,
            "departed_share": rounded(self.departed_share),
            "rising": [
                {
                    "agent_id": r.agent_id,
                    "agent_name": r.agent_name,
                    "depth": rounded(r.depth),
                    "growth": rounded(r.growth),
                    "monthly_depth": [{"month": m, "depth": rounded(d)} for m, d in r.series],
                }
                for r in self.rising
            ],
        }


def _holder(h: Holder) -> dict[str, Any]:
    return {
        "agent_id": h.agent_id,
        "agent_name": h.agent_name,
        "depth": rounded(h.depth),
        "share": rounded(h.share),
    }


@dataclass(frozen=True)
class CoverageReport:
    as_of: str
    growth_since: str
    expert_rule: str
    areas: list[AreaCoverage]

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of,
            "growth_since": self.growth_since,
            "expert_rule": self.expert_rule,
            "areas": [a.to_json() for a in self.areas],
        }

    def csv_rows(self) -> list[dict[str, Any]]:
        rows = []
        for a in self.areas:
            base = {
                "area": a.area.key,
                "area_name": a.area.name,
                "area_depth": rounded(a.depth),
                "expert_count": len(a.experts),
                "bus_factor": a.bus_factor,
                "single_point_of_failure": a.single_point_of_failure,
                "needed_experts": a.needed_experts if a.needed_experts is not None else "",
                "short_of_need": a.short_of_need,
                "departed_share": rounded(a.departed_share),
            }
            holders = {h.agent_id for h in a.holders}
            people: list[dict[str, Any]] = [
                {
                    "person": "expert",
                    "agent_id": h.agent_id,
                    "agent_name": h.agent_name,
                    "depth": rounded(h.depth),
                    "holds_half_with_others": h.agent_id in holders,
                    "growth": "",
                }
                for h in a.experts
            ]
            people += [
                {
                    "person": "rising",
                    "agent_id": r.agent_id,
                    "agent_name": r.agent_name,
                    "depth": rounded(r.depth),
                    "holds_half_with_others": r.agent_id in holders,
                    "growth": rounded(r.growth),
                }
                for r in a.rising
            ]
            empty = dict.fromkeys(
                ("person", "agent_id", "agent_name", "depth", "holds_half_with_others", "growth"),
                "",
            )
            rows += [{**base, **person} for person in people or [empty]]
        return rows


def build_coverage(
    profiles: Profiles, rules: ProfileRules, *, area: str | None = None
) -> CoverageReport:
    scoring = rules.scoring
    since = growth_since(profiles, scoring.growth_window_days)
    areas = [a for a in area_list(profiles) if not a.fallback]
    if area is not None:
        areas = [a for a in areas if a.key == area]
    covered = [_cover(a, profiles, rules, scoring, since) for a in areas]
    covered.sort(
        key=lambda c: (
            not c.single_point_of_failure,
            not c.short_of_need,
            c.bus_factor,
            len(c.experts),
            c.area.name,
        )
    )
    rule = (
        f"an expert has at least {scoring.expert_relative:.0%} of the depth of the area's "
        f"deepest active person (and a depth of {scoring.expert_min_depth:g} or more)"
    )
    return CoverageReport(iso(profiles.as_of), since.date().isoformat(), rule, covered)


def _cover(
    area: Area, profiles: Profiles, rules: ProfileRules, scoring: Scoring, since: Any
) -> AreaCoverage:
    key = area.key
    everyone = [(a, a.depth_in(key)) for a in profiles.agents.values() if a.depth_in(key) > 0]
    active = sorted(((a, d) for a, d in everyone if a.active), key=lambda x: (-x[1], x[0].agent_id))
    total = sum(d for _, d in active)
    departed = sum(d for a, d in everyone if not a.active)
    top = active[0][1] if active else 0.0
    holders_all = [
        Holder(a.agent_id, a.name, d, d / total if total > 0 else 0.0) for a, d in active
    ]
    experts = [
        h
        for h in holders_all
        if h.depth >= scoring.expert_relative * top and h.depth >= scoring.expert_min_depth
    ]
    held, bus = 0.0, 0
    for h in holders_all:
        if total <= 0 or held >= total / 2:
            break
        held += h.depth
        bus += 1
    risers = []
    for a, depth in active:
        growth = depth - profiles.depth_at(a.agent_id, key, since)
        if growth > 0:
            series = profiles.month_end_depths(a.agent_id, key)[-SPARK_MONTHS:]
            risers.append(Riser(a.agent_id, a.name, depth, growth, series))
    risers.sort(key=lambda r: (-r.growth, r.agent_id))
    need = coverage_need(rules, key)
    return AreaCoverage(
        area=area,
        depth=total,
        people=len(active),
        experts=experts,
        bus_factor=bus,
        holders=holders_all[:bus],
        rising=risers[:3],
        departed_share=departed / (total + departed) if total + departed > 0 else 0.0,
        needed_experts=need.min_experts if need is not None else None,
        need_why=need.why if need is not None else None,
    )
