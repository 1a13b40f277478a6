"""What each criterion of roles.yaml measures, and how a shortfall reads as a next step.

For a role in an area (`per_area: true`) the work metrics are measured in that area; tenure
and breadth always describe the person.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

from worker.profiles.config import Criterion, Scoring
from worker.profiles.read import AgentProfile, AreaStats

# how each metric is named in reports ({area}: " in Billing", or "" for a team-wide role)
LABELS = {
    "depth": "Depth{area}",
    "depth_percentile": "Depth percentile{area}",
    "tickets": "Tickets{area}",
    "solved": "Tickets solved{area}",
    "tier3_tickets": "Tier-3 tickets{area}",
    "tier3_share": "Share of tier-3 tickets{area}",
    "csat": "CSAT{area}",
    "mentoring_notes": "Tickets helping colleagues (internal notes){area}",
    "escalations_received": "Escalations taken over{area}",
    "tenure_months": "Months on the team",
    "concentration": "Share of their work{area}",
    "breadth": "Areas worked in regularly",
    "median_resolution_hours": "Median resolution time{area}",
}
SHARES = ("tier3_share", "csat", "concentration")


@dataclass(frozen=True)
class Measured:
    value: float | None
    # csat only: how many ratings the value rests on
    sample: int | None = None


@dataclass(frozen=True)
class Population:
    """The depths of the active people, sorted, for percentiles."""

    depths: Sequence[float]

    def percentile(self, depth: float) -> float:
        """Share of the others with less depth, 0 to 100."""
        others = len(self.depths) - 1
        if others <= 0:
            return 100.0
        below = bisect_left(self.depths, depth)
        return 100.0 * min(below, others) / others

    def depth_at(self, percentile: float) -> float:
        """The least depth that reaches `percentile`."""
        others = len(self.depths) - 1
        if others <= 0:
            return 0.0
        index = min(others, _ceil(percentile / 100.0 * others))
        return self.depths[index]


def stats_for(agent: AgentProfile, area: str | None) -> AreaStats | None:
    return agent.total if area is None else agent.areas.get(area)


def measure(metric: str, agent: AgentProfile, area: str | None, population: Population) -> Measured:
    if metric == "tenure_months":
        return Measured(agent.tenure_months)
    if metric == "breadth":
        return Measured(float(agent.breadth))
    if metric == "concentration":
        if area is None:
            return Measured(agent.concentration)
        total = agent.total.depth
        return Measured(agent.depth_in(area) / total if total > 0 else 0.0)
    s = stats_for(agent, area)
    if s is None:
        return Measured(None if metric in ("csat", "median_resolution_hours") else 0.0, 0)
    if metric == "depth":
        return Measured(s.depth)
    if metric == "depth_percentile":
        return Measured(population.percentile(s.depth))
    if metric == "csat":
        return Measured(s.csat, s.csat_sample)
    if metric == "median_resolution_hours":
        minutes = s.median_resolution_minutes
        return Measured(None if minutes is None else minutes / 60.0)
    values = {
        "tickets": s.tickets,
        "solved": s.solved,
        "tier3_tickets": s.tier3,
        "tier3_share": s.tier3_share,
        "mentoring_notes": s.mentoring,
        "escalations_received": s.escalations_received,
    }
    return Measured(float(values[metric]))


def is_met(criterion: Criterion, measured: Measured) -> bool:
    value = measured.value
    if value is None:
        return False
    if criterion.min_sample is not None and (measured.sample or 0) < criterion.min_sample:
        return False
    return value >= criterion.threshold if criterion.at_least else value <= criterion.threshold


def progress(criterion: Criterion, measured: Measured, cap: float = 1.5) -> float:
    """How far the criterion is reached: 1.0 at the threshold, capped so that one
    outstanding number cannot hide another that is short."""
    value = measured.value
    if value is None:
        return 0.0
    threshold = criterion.threshold
    if criterion.at_least:
        ratio = value / threshold if threshold > 0 else cap
    else:
        ratio = threshold / value if value > 0 else cap
    if criterion.min_sample is not None:
        ratio = min(ratio, (measured.sample or 0) / criterion.min_sample)
    return max(0.0, min(cap, ratio))


def _ceil(value: float) -> int:
    """Round up, after forgiving float noise: 0.9 * 40 is 36.00000000000001, and 20.0000001
    more good ratings must read as 20."""
    return math.ceil(round(value, 9))


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def show(metric: str, value: float | None) -> str:
    """A value as a manager reads it."""
    if value is None:
        return "no data"
    if metric in SHARES:
        return f"{value:.0%}"
    if metric == "depth_percentile":
        return ordinal(round(value))
    if metric == "median_resolution_hours":
        return f"{value:.1f} h"
    if metric in ("depth", "tenure_months"):
        return f"{value:.1f}" if value < 10 else f"{value:.0f}"
    return f"{value:.0f}"


def gap(
    criterion: Criterion,
    measured: Measured,
    agent: AgentProfile,
    area: str | None,
    area_name: str | None,
    population: Population,
    scoring: Scoring,
) -> str:
    """The next step towards an unmet criterion, in plain words."""
    metric = criterion.metric
    where = f" in {area_name}" if area_name else ""
    value = measured.value
    threshold = criterion.threshold
    s = stats_for(agent, area)
    if metric == "csat":
        sample = measured.sample or 0
        if criterion.min_sample is not None and sample < criterion.min_sample:
            return f"CSAT sample too small{where}: {sample} of {criterion.min_sample} rated tickets"
        good, bad = (s.csat_good, s.csat_bad) if s is not None else (0, 0)
        more = _ceil((threshold * (good + bad) - good) / (1 - threshold)) if threshold < 1 else 0
        return (
            f"CSAT{where} {show(metric, value)}, {show(metric, threshold)} needed: "
            f"about {plural(max(1, more), 'more good rating')} without a bad one"
        )
    if value is None:
        return f"no {LABELS[metric].format(area='').lower()} yet{where}"
    if metric in ("depth", "depth_percentile"):
        target = threshold if metric == "depth" else population.depth_at(threshold)
        depth = s.depth if s is not None else 0.0
        per_ticket = scoring.tier_weight(2)
        tickets = max(1, _ceil((target - depth) / per_ticket))
        reach = (
            f"the {show(metric, threshold)} percentile: " if metric == "depth_percentile" else ""
        )
        return (
            f"{reach}depth{where} {depth:.0f} of {target:.0f}: "
            f"about {plural(tickets, 'more recent tier-2 ticket')} solved"
        )
    if metric == "tier3_share":
        tickets = s.tickets if s is not None else 0
        tier3 = s.tier3 if s is not None else 0
        more = _ceil((threshold * tickets - tier3) / (1 - threshold)) if threshold < 1 else 0
        return (
            f"tier-3 share{where} {show(metric, value)} of {show(metric, threshold)}: "
            f"about {plural(max(1, more), 'more tier-3 ticket')}"
        )
    if metric == "concentration":
        return (
            f"{area_name or 'their top area'} is {show(metric, value)} of their work; "
            f"{show(metric, threshold)} needed"
        )
    if not criterion.at_least:
        label = LABELS[metric].format(area=where)
        return f"{label} {show(metric, value)}; at most {show(metric, threshold)}"
    more = max(1, _ceil(threshold - value))
    phrases = {
        "tickets": f"{plural(more, 'more ticket')}{where}",
        "solved": f"{plural(more, 'more ticket')} solved{where}",
        "tier3_tickets": f"{plural(more, 'more tier-3 ticket')}{where}",
        "mentoring_notes": (
            f"{plural(more, 'more ticket')} helping a colleague with an internal note{where}"
        ),
        "escalations_received": (
            f"{plural(more, 'more escalation')} taken over from colleagues{where}"
        ),
        "tenure_months": f"{plural(more, 'more month')} on the team",
        "breadth": f"regular work in {plural(more, 'more area')}",
    }
    return phrases[metric]


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
