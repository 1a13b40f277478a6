"""Who is ready for which role, and what the next people in line still need.

A nomination must be explainable: every criterion comes with its value, its threshold and
whether it is met; the people in line get the gap to each unmet criterion. Only active
agents are considered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from worker.profiles import metrics
from worker.profiles.config import Need, Role
from worker.profiles.interests import InterestReader, Interests, need_for
from worker.profiles.read import AgentProfile, Profiles
from worker.profiles.rulefiles import ProfileRules

# (agent_id, area or None) -> example ticket ids
Evidence = Callable[[int, str | None], list[int]]


@dataclass(frozen=True)
class CriterionResult:
    name: str
    label: str
    value: float | None
    threshold: float
    at_least: bool
    met: bool
    # csat only: ratings the value rests on, and the fewest that count
    sample: int | None = None
    min_sample: int | None = None
    # the next step when not met, in plain words
    gap: str | None = None

    @property
    def shown_value(self) -> str:
        text = metrics.show(self.name, self.value)
        if self.sample is not None and self.name == "csat":
            text += f" ({self.sample} rated)"
        return text

    @property
    def shown_threshold(self) -> str:
        text = ("at least " if self.at_least else "at most ") + metrics.show(
            self.name, self.threshold
        )
        if self.min_sample is not None:
            text += f", {self.min_sample}+ rated"
        return text


@dataclass(frozen=True)
class Candidate:
    role: str
    area: str | None
    agent_id: int
    agent_name: str
    # how far the criteria are reached on average, 100 = every threshold exactly
    score: float
    nominee: bool
    criteria: list[CriterionResult]
    evidence_ticket_ids: list[int]
    interests: Interests = field(default_factory=Interests)
    # they want this role (or, for a role in an area, this area)...
    interested: bool = False
    # ...and needs.yaml says the business needs it
    interest_matches_need: bool = False

    @property
    def met(self) -> int:
        return sum(1 for c in self.criteria if c.met)

    @property
    def gaps(self) -> list[str]:
        return [c.gap for c in self.criteria if c.gap]


@dataclass(frozen=True)
class RoleSlate:
    """The nominees for one role (in one area, for embedded roles), and who comes next."""

    role: Role
    area: str | None
    area_name: str | None
    need: Need | None
    nominees: list[Candidate]
    next_in_line: list[Candidate]


def evaluate_roles(
    profiles: Profiles,
    rules: ProfileRules,
    *,
    interests_field: str,
    evidence: Evidence | None = None,
    areas: list[str] | None = None,
) -> list[RoleSlate]:
    """Every role of roles.yaml: team-wide roles once, per-area roles for each area (all
    classified areas with depth, or `areas`), ranked."""
    names = {key: profiles.area_name(key) for key in profiles.areas()} | profiles.area_names
    reader = InterestReader(rules, names, interests_field)
    active = [a for a in profiles.agents.values() if a.active]
    interests = {a.agent_id: reader.of(a) for a in active}
    all_areas = profiles.areas(classified=True) if areas is None else areas
    slates: list[RoleSlate] = []
    for role in rules.roles.roles:
        for area in all_areas if role.per_area else [None]:
            slates.append(_slate(role, area, profiles, rules, active, interests, evidence))
    return slates


def _slate(
    role: Role,
    area: str | None,
    profiles: Profiles,
    rules: ProfileRules,
    active: list[AgentProfile],
    interests: dict[int, Interests],
    evidence: Evidence | None,
) -> RoleSlate:
    area_name = profiles.area_name(area) if area is not None else None
    people = active if area is None else [a for a in active if a.depth_in(area) > 0]
    population = metrics.Population(
        sorted(a.total.depth if area is None else a.depth_in(area) for a in people)
    )
    need = need_for(rules, role.key, area)
    candidates: list[Candidate] = []
    for agent in people:
        results: list[CriterionResult] = []
        progress = 0.0
        for criterion in role.criteria:
            measured = metrics.measure(criterion.metric, agent, area, population)
            met = metrics.is_met(criterion, measured)
            progress += metrics.progress(criterion, measured)
            results.append(
                CriterionResult(
                    name=criterion.metric,
                    label=metrics.LABELS[criterion.metric].format(
                        area=f" in {area_name}" if area_name else ""
                    ),
                    value=measured.value,
                    threshold=criterion.threshold,
                    at_least=criterion.at_least,
                    met=met,
                    sample=measured.sample if criterion.metric == "csat" else None,
                    min_sample=criterion.min_sample,
                    gap=None
                    if met
                    else metrics.gap(
                        criterion, measured, agent, area, area_name, population, rules.scoring
                    ),
                )
            )
        wanted = interests[agent.agent_id].wants(role.key, area)
        candidates.append(
            Candidate(
                role=role.key,
                area=area,
                agent_id=agent.agent_id,
                agent_name=agent.name,
                score=round(100.0 * progress / len(role.criteria), 1),
                nominee=all(r.met for r in results),
                criteria=results,
                evidence_ticket_ids=[],
                interests=interests[agent.agent_id],
                interested=wanted,
                interest_matches_need=wanted and need is not None,
            )
        )

    # the deeper person first among equals: depth is the evidence the rest rests on
    def depth(c: Candidate) -> float:
        agent = profiles.agents[c.agent_id]
        return agent.total.depth if area is None else agent.depth_in(area)

    nominees = sorted(
        (c for c in candidates if c.nominee), key=lambda c: (-c.score, -depth(c), c.agent_id)
    )[: role.nominees]
    waiting = sorted(
        (c for c in candidates if not c.nominee),
        key=lambda c: (-c.met, -c.score, -depth(c), c.agent_id),
    )[: role.next_in_line]
    if evidence is not None:
        nominees = [_with_evidence(c, evidence) for c in nominees]
        waiting = [_with_evidence(c, evidence) for c in waiting]
    return RoleSlate(role, area, area_name, need, nominees, waiting)


def _with_evidence(candidate: Candidate, evidence: Evidence) -> Candidate:
    return replace(candidate, evidence_ticket_ids=evidence(candidate.agent_id, candidate.area))
