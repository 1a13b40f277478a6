"""Rank agents for one ticket: depth in its area, fit to its tier, and room for more work.

Each signal is brought to 0..1 and weighed as triage.yaml says. Agents who cannot take the
ticket now (inactive, suspended, at the load cap) are passed over with the reason, so an
admin can see why the deepest expert was not the one recommended.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from worker.triage.config import TriageFile
from worker.triage.expertise import AreaDepth
from worker.triage.roster import Agent
from worker.triage.tiers import TierGuess


@dataclass(frozen=True, slots=True)
class Ranked:
    agent_id: int
    name: str
    score: float
    depth: float
    tier: int | None
    # the agent's default group (Zendesk assigns only within a group the agent is in)
    group_id: int | None
    load: int
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PassedOver:
    agent_id: int
    name: str
    depth: float
    reason: str


@dataclass(frozen=True, slots=True)
class Pool:
    """What ranking needs for one area, prepared once and reused for every ticket."""

    area: str
    # (agent, depth in the area), deepest first; only agents with a track record there
    experts: tuple[tuple[Agent, AreaDepth], ...]
    top_depth: float


def pool_for(
    area: str,
    agents: Mapping[int, Agent],
    expertise: Mapping[int, Mapping[str, AreaDepth]],
    min_depth: float,
) -> Pool:
    experts = []
    for agent_id, areas in expertise.items():
        depth = areas.get(area)
        agent = agents.get(agent_id)
        if depth is None or agent is None or depth.depth < min_depth or depth.depth <= 0:
            continue
        experts.append((agent, depth))
    experts.sort(key=lambda e: (-e[1].depth, e[0].id))
    top = experts[0][1].depth if experts else 0.0
    return Pool(area, tuple(experts), top)


def tier_fit(agent_tier: int | None, guess: TierGuess) -> float:
    """How well the agent's tier fits: the chance the ticket is at that tier, relative to
    the likeliest tier (1.0 for agents of the predicted tier)."""
    if agent_tier is None:
        # unknown tier: as good as an average guess, neither favoured nor excluded
        return sum(guess.probabilities) / 3 / max(guess.probabilities)
    return guess.probabilities[min(max(agent_tier, 1), 3) - 1] / max(guess.probabilities)


def unavailable(agent: Agent, load: int, cap: int) -> str | None:
    if not agent.active:
        return "inactive (deleted in Zendesk)"
    if agent.suspended:
        return "suspended"
    if load >= cap:
        return f"at the load cap: {load} open tickets (cap {cap})"
    return None


def rank(
    pool: Pool,
    guess: TierGuess,
    load: Mapping[int, int],
    config: TriageFile,
) -> tuple[list[Ranked], list[PassedOver]]:
    """Up to `max_agents` agents, best first, and the better-scored agents passed over."""
    weights = config.ranking
    cap = config.load_cap
    scored: list[tuple[float, int, Agent, AreaDepth, int, float]] = []
    for position, (agent, depth) in enumerate(pool.experts):
        busy = load.get(agent.id, 0)
        depth_part = depth.depth / pool.top_depth
        fit = tier_fit(agent.tier, guess)
        room = max(0.0, 1.0 - busy / cap)
        score = weights.depth * depth_part + weights.tier_fit * fit + weights.availability * room
        scored.append((score, position, agent, depth, busy, fit))
    scored.sort(key=lambda s: (-s[0], s[2].id))
    picked: list[tuple[float, int, Agent, AreaDepth, int, float]] = []
    passed: list[PassedOver] = []
    rest = iter(scored)
    for entry in rest:
        agent, depth, busy = entry[2], entry[3], entry[4]
        why_not = unavailable(agent, busy, cap)
        if why_not is not None:
            passed.append(PassedOver(agent.id, agent.name, round(depth.depth, 2), why_not))
        else:
            picked.append(entry)
            if len(picked) == config.max_agents:
                break
    hedge = _hedge_tier(guess, weights.hedge_tier_chance, config.max_agents)
    hedged: int | None = None
    if hedge is not None and picked and not any(e[2].tier == hedge for e in picked):
        # the rest are below the picked ones by score; the best available at the other tier
        alternative = next(
            (e for e in rest if e[2].tier == hedge and unavailable(e[2], e[4], cap) is None),
            None,
        )
        if alternative is not None:
            picked[-1] = alternative
            hedged = alternative[2].id
    chosen = []
    for score, position, agent, depth, busy, fit in picked:
        reasons = _reasons(pool, position, depth, agent.tier, fit, guess, busy, cap)
        if agent.id == hedged:
            chance = guess.probabilities[hedge - 1] if hedge is not None else 0.0
            reasons += (
                f"the ticket may need tier {hedge} ({chance:.0%}): the best available agent "
                "at that tier takes the last place",
            )
        chosen.append(
            Ranked(
                agent_id=agent.id,
                name=agent.name,
                score=round(score, 4),
                depth=round(depth.depth, 2),
                tier=agent.tier,
                group_id=agent.group_id,
                load=busy,
                reasons=reasons,
            )
        )
    return chosen, passed


def _hedge_tier(guess: TierGuess, min_chance: float, places: int) -> int | None:
    """The second likeliest tier, when it is likely enough to be given a place."""
    if places < 2:
        return None
    order = sorted(range(3), key=lambda i: -guess.probabilities[i])
    second = order[1] if order[0] == guess.tier - 1 else order[0]
    return second + 1 if guess.probabilities[second] >= min_chance else None


def _reasons(
    pool: Pool,
    position: int,
    depth: AreaDepth,
    tier: int | None,
    fit: float,
    guess: TierGuess,
    busy: int,
    cap: int,
) -> tuple[str, ...]:
    tier_text = "tier unknown (no default group with a tier)" if tier is None else f"tier {tier}"
    chance = guess.probabilities[tier - 1] if tier is not None else None
    fit_text = f"works at {tier_text}" + (
        f"; {chance:.0%} chance the ticket needs tier {tier}" if chance is not None else ""
    )
    return (
        f"depth {depth.depth:.2f} in {pool.area} (#{position + 1} of {len(pool.experts)} "
        f"with a track record there; {depth.tickets} tickets)",
        f"{fit_text} (fit {fit:.2f})",
        f"{busy} open tickets assigned now (cap {cap})",
    )
