"""Who gets a ticket: agents of the ticket's tier, weighted by their strength in its area.

Specialists take most of their areas' tickets, generalists a steady share of everything at
their tier, and everybody else a trickle (the noise a real queue has). Only agents employed
on that day are eligible. Weights are cached per (tier, area, day) because a big desk asks
the same question hundreds of thousands of times.
"""

from __future__ import annotations

import random
from bisect import bisect_right

from integrations.sandbox.people import DAY, Agent, Staff

_SPECIALIST_SCALE = 2.0
_GENERALIST_WEIGHT = 0.5
_OTHERS_WEIGHT = 0.03


def agent_weight(agent: Agent, area: int) -> float:
    if agent.generalist:
        return _GENERALIST_WEIGHT
    return _OTHERS_WEIGHT + _SPECIALIST_SCALE * agent.strengths[area]


class Router:
    def __init__(self, staff: Staff, start: int) -> None:
        self._start = start
        self._by_tier: dict[int, tuple[Agent, ...]] = {
            tier: tuple(a for a in staff.agents if a.tier == tier) for tier in (1, 2, 3)
        }
        self._cache: dict[tuple[int, int, int, bool], tuple[tuple[Agent, ...], list[float]]] = {}

    def _day(self, ts: int) -> int:
        return (ts - self._start) // DAY

    def _pool(
        self, tier: int, area: int, day: int, mentors: bool
    ) -> tuple[tuple[Agent, ...], list[float]]:
        key = (tier, area, day, mentors)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        day_start = self._start + day * DAY
        # Eligible for the whole day, so any action later that day is still in their tenure.
        agents = tuple(
            a
            for a in self._by_tier[tier]
            if a.works_on(day_start) and a.works_on(day_start + DAY - 1)
        )
        if mentors:
            agents = tuple(a for a in agents if a.strengths[area] >= 0.6)
            weights = [a.strengths[area] for a in agents]
        else:
            weights = [agent_weight(a, area) for a in agents]
        cum: list[float] = []
        total = 0.0
        for w in weights:
            total += w
            cum.append(total)
        self._cache[key] = (agents, cum)
        return agents, cum

    def pick(
        self, rng: random.Random, tier: int, area: int, ts: int, exclude: tuple[int, ...] = ()
    ) -> Agent:
        """An agent for `tier` working on `ts`, never one already in `exclude`."""
        day = self._day(ts)
        for candidate_tier in (tier, min(3, tier + 1), max(1, tier - 1), 1, 2, 3):
            agents, cum = self._pool(candidate_tier, area, day, mentors=False)
            if not agents:
                continue
            for _ in range(4):
                agent = agents[bisect_right(cum, rng.random() * cum[-1])]
                if agent.id not in exclude:
                    return agent
            rest = [a for a in agents if a.id not in exclude]
            if rest:
                return rest[rng.randrange(len(rest))]
        # Only reachable on a desk where everyone is excluded: reuse the tier's anchor agent.
        return self._by_tier[tier][0]

    def pick_mentor(
        self, rng: random.Random, min_tier: int, area: int, ts: int, exclude: tuple[int, ...]
    ) -> Agent | None:
        """A senior agent strong in `area` who might leave a note on someone else's ticket."""
        day = self._day(ts)
        for tier in range(3, min_tier - 1, -1):
            agents, cum = self._pool(tier, area, day, mentors=True)
            if agents:
                agent = agents[bisect_right(cum, rng.random() * cum[-1])]
                return None if agent.id in exclude else agent
        return None
