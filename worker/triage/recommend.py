"""One ticket in, one recommendation out: area, tier, group and agents, each with reasons.

A `TriageContext` holds everything that does not depend on the ticket (rules, agents,
depths, load, the tier model), so a batch of new tickets, or the benchmark, pays for it once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from worker.rules.compiled import CompiledRules
from worker.tagging.triage import classify_new_ticket, new_ticket_facts
from worker.triage.config import TriageFile
from worker.triage.expertise import Expertise, dominant_tier
from worker.triage.rank import PassedOver, Pool, Ranked, pool_for, rank
from worker.triage.roster import Agent
from worker.triage.tiers import TierModel


@dataclass(frozen=True)
class Recommendation:
    ticket_id: int
    area: str
    area_name: str
    area_reason: str
    tier: int
    tier_name: str
    tier_probabilities: tuple[float, float, float]
    tier_reason: str
    # the creation-time complexity features that hold
    signs: tuple[str, ...]
    group_id: int | None
    group_name: str | None
    group_reason: str
    agents: tuple[Ranked, ...]
    passed_over: tuple[PassedOver, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["tier_probabilities"] = [round(p, 3) for p in self.tier_probabilities]
        return out


class TriageContext:
    def __init__(
        self,
        compiled: CompiledRules,
        config: TriageFile,
        agents: Mapping[int, Agent],
        expertise: Expertise,
        load: Mapping[int, int],
        groups: Mapping[int, str],
        tiers: TierModel,
    ) -> None:
        self.compiled = compiled
        self.config = config
        self.expertise = expertise
        # agents without a tiered default group are placed by the tier most of their work was
        self.agents = {
            agent_id: agent
            if agent.tier is not None
            else replace(agent, tier=dominant_tier(expertise.get(agent_id, {})))
            for agent_id, agent in agents.items()
        }
        self.load = dict(load)
        self.groups = dict(groups)
        # triage.yaml can turn calibration off, whatever model was fitted
        calibrated = config.tier_prediction == "calibrated"
        self.tiers = tiers if calibrated else TierModel(calibrated=False)
        self._pools: dict[str, Pool] = {}

    def pool(self, area: str) -> Pool:
        found = self._pools.get(area)
        if found is None:
            found = self._pools[area] = pool_for(
                area, self.agents, self.expertise, self.config.ranking.min_depth
            )
        return found

    def note_assigned(self, agent_id: int) -> None:
        """Count a ticket just assigned, so the rest of a batch sees the agent busier."""
        self.load[agent_id] = self.load.get(agent_id, 0) + 1

    def recommend(self, ticket: Mapping[str, Any], *, explain: bool = True) -> Recommendation:
        """`ticket` holds Zendesk ticket fields (see `classify_new_ticket`)."""
        tags = classify_new_ticket(self.compiled, ticket)
        area = tags.areas[0][0]
        guess = self.tiers.guess(tags)
        agents, passed = rank(self.pool(area), guess, self.load, self.config)
        group_id, group_reason = self._group(guess.tier, agents)
        names = self.compiled.areas.names
        return Recommendation(
            ticket_id=int(ticket.get("id") or 0),
            area=area,
            area_name=names.get(area, area),
            area_reason=self._area_reason(ticket, area) if explain else "",
            tier=guess.tier,
            tier_name=self.compiled.scorer.tier_names.get(guess.tier, f"Tier {guess.tier}"),
            tier_probabilities=guess.probabilities,
            tier_reason=guess.basis,
            signs=tuple(f.name for f in tags.features if f.holds),
            group_id=group_id,
            group_name=self.groups.get(group_id) if group_id is not None else None,
            group_reason=group_reason,
            agents=tuple(agents),
            passed_over=tuple(passed),
        )

    def _group(self, tier: int, agents: list[Ranked]) -> tuple[int | None, str]:
        candidates = sorted(
            g for g, t in self.compiled.group_tiers.items() if t == tier and g in self.groups
        )
        if not candidates:
            return None, f"no group works at tier {tier} (complexity.yaml group_tiers)"
        if len(candidates) > 1:
            # several groups at the tier: the one most of the recommended agents belong to
            homes = [self.agents[a.agent_id].group_id for a in agents]
            candidates.sort(key=lambda g: -homes.count(g))
        return candidates[0], f"the group for tier {tier} (complexity.yaml group_tiers)"

    def _area_reason(self, ticket: Mapping[str, Any], area: str) -> str:
        if area == self.compiled.areas.fallback:
            return "no area's matchers match: the fallback area"
        classifier = self.compiled.areas
        compiled = next((a for a in classifier.areas if a.key == area), None)
        if compiled is None:
            return "matched"
        trace = compiled.trace(new_ticket_facts(ticket), classifier.multi)
        matched = [
            "; ".join(c.why for c in matcher.conditions)
            for matcher in trace.when
            if matcher.matched
        ]
        return "matched: " + " | ".join(matched) if matched else "matched"
