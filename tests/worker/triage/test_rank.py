"""Ranking agents for one ticket: depth, tier fit, availability, the load cap, and who is
passed over (inactive, suspended, too busy) with the reason."""

from __future__ import annotations

from worker.triage.config import TriageFile
from worker.triage.expertise import AreaDepth
from worker.triage.rank import pool_for, rank, tier_fit
from worker.triage.roster import Agent
from worker.triage.tiers import TierGuess

TIER2 = TierGuess(2, (0.0, 1.0, 0.0), "test")


def agent(agent_id: int, tier: int | None = 2, **kw: bool) -> Agent:
    return Agent(
        id=agent_id,
        name=f"Agent {agent_id}",
        email=f"a{agent_id}@example.com",
        active=kw.get("active", True),
        suspended=kw.get("suspended", False),
        group_id=None if tier is None else 100 + tier,
        tier=tier,
    )


def ranked(
    agents: list[Agent],
    depths: dict[int, float],
    load: dict[int, int] | None = None,
    guess: TierGuess = TIER2,
    area: str = "billing",
    **config: object,
) -> tuple[list[int], list[tuple[int, str]]]:
    expertise = {a: {area: AreaDepth(d, tickets=int(d))} for a, d in depths.items()}
    settings = TriageFile.model_validate(config)
    pool = pool_for(area, {a.id: a for a in agents}, expertise, settings.ranking.min_depth)
    chosen, passed = rank(pool, guess, load or {}, settings)
    return [c.agent_id for c in chosen], [(p.agent_id, p.reason) for p in passed]


def test_deeper_agents_come_first_at_the_same_tier() -> None:
    agents = [agent(1), agent(2), agent(3), agent(4)]
    chosen, passed = ranked(agents, {1: 5.0, 2: 40.0, 3: 20.0, 4: 10.0})
    assert chosen == [2, 3, 4]
    assert passed == []


def test_agents_without_a_track_record_in_the_area_are_not_recommended() -> None:
    agents = [agent(1), agent(2), agent(3)]
    chosen, _ = ranked(agents, {1: 30.0, 2: 0.5})
    assert chosen == [1]
    chosen, _ = ranked(agents, {1: 30.0, 2: 0.5}, ranking={"min_depth": 0.1})
    assert chosen == [1, 2]


def test_tier_fit_outweighs_a_little_more_depth() -> None:
    agents = [agent(1, tier=3), agent(2, tier=2), agent(3, tier=1)]
    chosen, _ = ranked(agents, {1: 30.0, 2: 24.0, 3: 28.0}, max_agents=1)
    assert chosen == [2]
    # without the tier weight, depth alone decides
    chosen, _ = ranked(agents, {1: 30.0, 2: 24.0, 3: 28.0}, max_agents=1, ranking={"tier_fit": 0.0})
    assert chosen == [1]


def test_tier_fit_follows_the_tier_chances() -> None:
    guess = TierGuess(2, (0.1, 0.6, 0.3), "test")
    assert tier_fit(2, guess) == 1.0
    assert tier_fit(3, guess) == 0.5
    assert round(tier_fit(1, guess), 3) == round(0.1 / 0.6, 3)


def test_the_load_cap_passes_over_busy_agents() -> None:
    agents = [agent(1), agent(2), agent(3)]
    depths = {1: 40.0, 2: 30.0, 3: 20.0}
    chosen, passed = ranked(agents, depths, load={1: 5, 2: 4}, load_cap=5)
    assert chosen == [2, 3]
    assert passed == [(1, "at the load cap: 5 open tickets (cap 5)")]


def test_inactive_and_suspended_agents_are_passed_over() -> None:
    agents = [agent(1, active=False), agent(2, suspended=True), agent(3), agent(4)]
    chosen, passed = ranked(agents, {1: 50.0, 2: 45.0, 3: 10.0, 4: 5.0}, max_agents=2)
    assert chosen == [3, 4]
    assert passed == [(1, "inactive (deleted in Zendesk)"), (2, "suspended")]


def test_availability_breaks_near_ties() -> None:
    agents = [agent(1), agent(2)]
    chosen, _ = ranked(agents, {1: 20.0, 2: 19.9}, load={1: 15, 2: 0}, load_cap=20)
    assert chosen == [2, 1]


def test_max_agents_limits_the_list() -> None:
    agents = [agent(i) for i in range(1, 9)]
    chosen, _ = ranked(agents, {i: float(i) + 1 for i in range(1, 9)}, max_agents=2)
    assert chosen == [8, 7]


def test_a_likely_second_tier_gets_the_last_place() -> None:
    agents = [agent(1), agent(2), agent(3), agent(4, tier=3)]
    depths = {1: 40.0, 2: 35.0, 3: 30.0, 4: 10.0}
    unsure = TierGuess(2, (0.0, 0.7, 0.3), "test")
    chosen, _ = ranked(agents, depths, guess=unsure)
    assert chosen == [1, 2, 4]
    sure = TierGuess(2, (0.0, 0.9, 0.1), "test")
    chosen, _ = ranked(agents, depths, guess=sure)
    assert chosen == [1, 2, 3]
    chosen, _ = ranked(agents, depths, guess=unsure, ranking={"hedge_tier_chance": 1.0})
    assert chosen == [1, 2, 3]


def test_reasons_name_depth_tier_and_load() -> None:
    agents = [agent(1), agent(2, tier=3)]
    expertise = {1: {"api": AreaDepth(12.5, 9, (0, 9, 0))}, 2: {"api": AreaDepth(6.0, 3)}}
    pool = pool_for("api", {a.id: a for a in agents}, expertise, 1.0)
    chosen, _ = rank(pool, TierGuess(2, (0.0, 0.8, 0.2), "t"), {1: 3}, TriageFile(max_agents=1))
    assert len(chosen) == 1
    reasons = chosen[0].reasons
    assert reasons[0].startswith("depth 12.50 in api (#1 of 2")
    assert "works at tier 2; 80% chance the ticket needs tier 2" in reasons[1]
    assert reasons[2] == "3 open tickets assigned now (cap 20)"
