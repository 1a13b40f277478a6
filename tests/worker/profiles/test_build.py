from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from tests.worker.profiles.factory import AS_OF, ROLE_WEIGHTS, Desk, days_ago
from worker.profiles.build import update_profiles
from worker.profiles.read import load_profiles
from worker.settings import Settings

TIER_WEIGHTS = {1: 1.0, 2: 2.0, 3: 4.0}
NO_RULES = Path("/nonexistent-rules")  # scoring defaults: tier weights 1, 2, 4


def run(engine: Engine, *, full: bool = False, as_of: Any = AS_OF, half_life: float = 180.0):  # type: ignore[no-untyped-def]
    return update_profiles(
        engine,
        Settings(profile_half_life_days=half_life),
        full=full,
        as_of=as_of,
        rules_dir=NO_RULES,
    )


def weight(role: str, tier: int, age_days: float, share: float = 1.0) -> float:
    """What one work item adds to depth, worked out independently of the SQL."""
    return ROLE_WEIGHTS[role] * TIER_WEIGHTS[tier] * share * 0.5 ** (age_days / 180.0)


def test_depth_is_role_weight_times_tier_weight_times_recency(engine: Engine) -> None:
    desk = Desk(engine)
    desk.agent(1)
    desk.agent(2)
    desk.ticket(10, area="billing", tier=3, at=days_ago(180), solver=1, responders=[1, 2])
    desk.ticket(11, area="billing", tier=1, at=days_ago(0), solver=2, collaborators=[1])
    desk.ticket(12, area=[("api", 0.6), ("billing", 0.4)], tier=2, at=days_ago(30), solver=1)

    result = run(engine)
    assert result.full
    assert result.reason == "first run"

    profiles = load_profiles(engine)
    one, two = profiles.agents[1], profiles.agents[2]
    billing_1 = (
        weight("solver", 3, 180)
        + weight("responder", 3, 180)
        + weight("collaborator", 1, 0)
        + weight("solver", 2, 30, 0.4)
    )
    assert one.areas["billing"].depth == pytest.approx(billing_1, rel=1e-12)
    assert one.areas["api"].depth == pytest.approx(weight("solver", 2, 30, 0.6), rel=1e-12)
    assert one.total.depth == pytest.approx(billing_1 + weight("solver", 2, 30, 0.6), rel=1e-12)
    assert two.areas["billing"].depth == pytest.approx(
        weight("responder", 3, 180) + weight("solver", 1, 0), rel=1e-12
    )
    # deepest area first
    assert list(one.areas) == ["billing", "api"]


def test_counts_csat_resolution_and_signals(engine: Engine) -> None:
    desk = Desk(engine)
    for agent_id in (1, 2, 3):
        desk.agent(agent_id)
    desk.ticket(1, area="api", tier=3, at=days_ago(40), solver=1, responders=[1],
                satisfaction="good", resolution_minutes=100)  # fmt: skip
    desk.ticket(2, area="api", tier=2, at=days_ago(20), solver=1, escalated_from=[2],
                satisfaction="bad", resolution_minutes=300)  # fmt: skip
    desk.ticket(3, area="api", tier=1, at=days_ago(10), solver=1, collaborators=[3],
                satisfaction="good", resolution_minutes=200)  # fmt: skip
    desk.ticket(4, area="api", tier=1, at=days_ago(5), solver=2, collaborators=[1, 3])
    # not solved: counts as a ticket, but gives no rating or resolution time to anyone
    desk.ticket(5, area="billing", tier=1, at=days_ago(1), responders=[1],
                satisfaction="good", resolution_minutes=9999)  # fmt: skip
    run(engine)

    one = load_profiles(engine).agents[1]
    api = one.areas["api"]
    assert (api.tickets, api.tier1, api.tier2, api.tier3) == (4, 2, 1, 1)
    assert api.solved == 3
    assert (api.csat_good, api.csat_bad, api.csat_sample) == (2, 1, 3)
    assert api.csat == pytest.approx(2 / 3)
    assert api.median_resolution_minutes == 200
    # ticket 2 was escalated to them by agent 2
    assert api.escalations_received == 1
    # their note on ticket 4, which agent 2 held
    assert api.mentoring == 1
    assert api.first_at == days_ago(40)
    assert api.last_at == days_ago(5)
    assert one.total.tickets == 5
    assert one.areas["billing"].csat_sample == 0
    assert one.areas["billing"].median_resolution_minutes is None
    three = load_profiles(engine).agents[3]
    assert three.total.mentoring == 2
    assert three.total.escalations_received == 0


def test_a_ticket_in_two_areas_counts_once_over_all_areas(engine: Engine) -> None:
    desk = Desk(engine)
    desk.agent(1)
    desk.ticket(1, area=[("api", 0.5), ("billing", 0.5)], tier=3, at=days_ago(0), solver=1,
                satisfaction="good", resolution_minutes=60)  # fmt: skip
    run(engine)
    one = load_profiles(engine).agents[1]
    assert one.areas["api"].tickets == one.areas["billing"].tickets == 1
    assert one.total.tickets == 1
    assert one.total.tier3 == 1
    assert one.total.csat_sample == 1
    assert one.total.depth == pytest.approx(weight("solver", 3, 0))


def _random_desk(desk: Desk, rng: random.Random, ids: range) -> None:
    areas = ["billing", "api", "mobile", "search"]
    for ticket_id in ids:
        agents = rng.sample(range(1, 9), 3)
        area: Any = rng.choice(areas)
        if rng.random() < 0.15:
            a, b = rng.sample(areas, 2)
            area = [(a, 0.7), (b, 0.3)]
        desk.ticket(
            ticket_id,
            area=area,
            tier=rng.choice((1, 1, 2, 3)),
            at=days_ago(rng.uniform(0, 400)),
            solver=agents[0] if rng.random() < 0.85 else None,
            responders=agents[:2] if rng.random() < 0.7 else [agents[1]],
            collaborators=[agents[2]] if rng.random() < 0.2 else [],
            escalated_from=[agents[1]] if rng.random() < 0.1 else [],
            satisfaction=rng.choice((None, None, "good", "bad")),
            resolution_minutes=rng.randint(10, 5000),
        )


def _snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    queries = {
        "area_profiles": "SELECT agent_id, area, score, tickets, tier1, tier2, tier3, solved, "
        "mentoring, escalations_received, csat_good, csat_bad, median_resolution_minutes, "
        "first_at, last_at FROM area_profiles ORDER BY agent_id, area",
        "agent_profiles": "SELECT agent_id, breadth, concentration, top_area, label "
        "FROM agent_profiles ORDER BY agent_id",
        "profile_months": "SELECT agent_id, area, month, tickets, tier1, tier2, tier3, solved, "
        "mentoring, escalations_received, csat_good, csat_bad, first_at, last_at, resolutions "
        "FROM profile_months ORDER BY agent_id, area, month",
    }
    with engine.connect() as conn:
        return {name: [tuple(r) for r in conn.execute(text(q))] for name, q in queries.items()}


def _depths(engine: Engine) -> dict[tuple[int, str, str], float]:
    """Each month's depth at the profiles' as_of, comparable across anchors."""
    profiles = load_profiles(engine)
    return {
        (agent_id, area, month): profiles.depth_at(agent_id, area, profiles.as_of)
        for (agent_id, area), months in profiles.history.items()
        for month, _ in months
    }


def _same(got: tuple[Any, ...], want: tuple[Any, ...]) -> bool:
    """Equal, floats to the last few digits (sums anchored at another instant round
    differently)."""
    return len(got) == len(want) and all(
        g == pytest.approx(w, rel=1e-9) if isinstance(w, float) else g == w
        for g, w in zip(got, want, strict=True)
    )


def test_nightly_update_gives_the_numbers_of_a_full_rebuild(engine: Engine) -> None:
    rng = random.Random(4)
    desk = Desk(engine)
    for agent_id in range(1, 9):
        desk.agent(agent_id)
    _random_desk(desk, rng, range(1, 121))
    first = run(engine, as_of=AS_OF)
    assert first.full

    # a night later: new tickets, old ones re-tagged (new solver, new area, deleted)
    _random_desk(desk, rng, range(121, 161))
    desk.ticket(5, area="mobile", tier=3, at=days_ago(300), solver=8, responders=[7],
                satisfaction="bad", resolution_minutes=42)  # fmt: skip
    desk.ticket(6, area="billing", tier=1, at=days_ago(2), deleted=True)
    desk.ticket(7, area=[("search", 0.5), ("api", 0.5)], tier=2, at=days_ago(100), solver=1)
    later = AS_OF + timedelta(days=1)
    nightly = run(engine, as_of=later)
    assert not nightly.full
    assert nightly.tickets_changed == 43
    assert 0 < nightly.months_summed < first.months_summed
    incremental, incremental_depths = _snapshot(engine), _depths(engine)

    rebuilt = run(engine, full=True, as_of=later)
    assert rebuilt.full
    full, full_depths = _snapshot(engine), _depths(engine)

    assert incremental_depths == pytest.approx(full_depths, rel=1e-9)
    for table, rows in full.items():
        assert len(incremental[table]) == len(rows), table
        for got, want in zip(incremental[table], rows, strict=True):
            assert _same(got, want), (table, got, want)


def test_a_run_without_new_work_restates_depth_for_the_new_day(engine: Engine) -> None:
    desk = Desk(engine)
    desk.agent(1)
    desk.ticket(1, area="api", tier=2, at=days_ago(10), solver=1)
    run(engine)
    before = load_profiles(engine).agents[1].total.depth
    result = run(engine, as_of=AS_OF + timedelta(days=90))
    assert not result.full
    assert result.tickets_changed == 0
    after = load_profiles(engine).agents[1].total.depth
    assert after == pytest.approx(before * 0.5 ** (90 / 180), rel=1e-12)


@pytest.mark.parametrize("change", ["retag_all", "half_life"])
def test_new_rules_or_half_life_force_a_full_rebuild(engine: Engine, change: str) -> None:
    desk = Desk(engine)
    desk.agent(1)
    desk.ticket(1, area="api", tier=2, at=days_ago(10), solver=1)
    run(engine)
    if change == "retag_all":
        desk.tagged(full=True)
        result = run(engine)
        assert result.reason.startswith("tagging re-did")
    else:
        result = run(engine, half_life=90)
        assert result.reason.startswith("half-life changed")
        assert load_profiles(engine).agents[1].total.depth == pytest.approx(
            weight("solver", 2, 0) * 0.5 ** (10 / 90)
        )
    assert result.full


def test_month_end_depths_show_growth(engine: Engine) -> None:
    desk = Desk(engine)
    desk.agent(1)
    # one tier-1 ticket solved on the 15th of each month from January to June 2026
    for month in range(1, 7):
        at = AS_OF.replace(month=month, day=15)
        desk.ticket(month, area="api", tier=1, at=at, solver=1, created_at=at)
    run(engine)
    profiles = load_profiles(engine)
    series = profiles.month_end_depths(1, "api")
    assert [m for m, _ in series] == [f"2026-0{m}" for m in range(1, 7)]
    # each month-end depth: the tickets so far, decayed to that month's end (June: as_of)
    for month, depth in series:
        end = min(AS_OF.replace(month=int(month[5:]) % 12 + 1, day=1, hour=0), AS_OF)
        expected = sum(
            weight("solver", 1, (end - AS_OF.replace(month=m, day=15)).total_seconds() / 86400)
            for m in range(1, int(month[5:]) + 1)
        )
        assert depth == pytest.approx(expected, rel=1e-9), month
    assert series[-1][1] == pytest.approx(profiles.agents[1].areas["api"].depth, rel=1e-12)
    # before the first ticket there was nothing; growth since then is all of today's depth
    assert profiles.depth_at(1, "api", AS_OF.replace(month=1, day=1, hour=0)) == 0.0
