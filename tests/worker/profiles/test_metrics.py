"""The growth path: each gap states what would meet the criterion, and doing it does."""

from __future__ import annotations

from datetime import datetime

import pytest

from worker.profiles.config import Criterion, Scoring
from worker.profiles.metrics import Population, gap, is_met, measure, ordinal
from worker.profiles.read import AgentProfile, AreaStats

T = datetime(2026, 1, 1)


def _stats(area: str, **counts: int) -> AreaStats:
    values = {"tickets": 0, "tier1": 0, "tier2": 0, "tier3": 0, "solved": 0, "mentoring": 0,
              "escalations_received": 0, "csat_good": 0, "csat_bad": 0}  # fmt: skip
    values.update(counts)
    return AreaStats(area=area, depth=float(values["tickets"]), median_resolution_minutes=None,
                     first_at=T, last_at=T, **values)  # fmt: skip


def _agent(**counts: int) -> AgentProfile:
    billing = _stats("billing", **counts)
    return AgentProfile(agent_id=1, name="Ann", email=None, status="active", created_at=T,
                        tenure_months=14.0, total=billing, areas={"billing": billing}, breadth=1,
                        concentration=1.0, top_area="billing", label="specialist")  # fmt: skip


def _gap(criterion: Criterion, agent: AgentProfile) -> str:
    population = Population([agent.depth_in("billing")])
    measured = measure(criterion.metric, agent, "billing", population)
    assert not is_met(criterion, measured)
    return gap(criterion, measured, agent, "billing", "Billing", population, Scoring())


def test_csat_gap_counts_the_good_ratings_that_would_reach_the_threshold() -> None:
    criterion = Criterion(metric="csat", min=0.9, min_sample=10)
    agent = _agent(tickets=40, solved=40, csat_good=34, csat_bad=6)
    text = _gap(criterion, agent)
    assert text == "CSAT in Billing 85%, 90% needed: about 20 more good ratings without a bad one"
    # 20 more good ratings: 54 / 60 = 90%; 19 would not do
    assert 54 / 60 >= 0.9 > 53 / 59


def test_a_small_sample_is_named_as_such() -> None:
    criterion = Criterion(metric="csat", min=0.8, min_sample=30)
    agent = _agent(tickets=20, solved=20, csat_good=14)
    assert _gap(criterion, agent) == "CSAT sample too small in Billing: 14 of 30 rated tickets"


def test_tier3_share_gap_counts_the_tier3_tickets_needed() -> None:
    criterion = Criterion(metric="tier3_share", min=0.25)
    agent = _agent(tickets=40, tier1=30, tier3=6)
    assert _gap(criterion, agent) == (
        "tier-3 share in Billing 15% of 25%: about 6 more tier-3 tickets"
    )
    assert (6 + 6) / (40 + 6) >= 0.25 > (6 + 5) / (40 + 5)


def test_counts_say_how_many_more() -> None:
    agent = _agent(tickets=40, tier3=3)
    assert _gap(Criterion(metric="tier3_tickets", min=15), agent) == (
        "12 more tier-3 tickets in Billing"
    )
    assert _gap(Criterion(metric="escalations_received", min=1), agent) == (
        "1 more escalation taken over from colleagues in Billing"
    )
    assert _gap(Criterion(metric="tenure_months", min=18), agent) == "4 more months on the team"


@pytest.mark.parametrize(("n", "text"), [(1, "1st"), (2, "2nd"), (3, "3rd"), (11, "11th"),
                                         (12, "12th"), (22, "22nd"), (80, "80th")])  # fmt: skip
def test_ordinals(n: int, text: str) -> None:
    assert ordinal(n) == text


def test_percentiles_rank_among_the_others() -> None:
    population = Population(sorted([1.0, 5.0, 9.0, 20.0, 50.0]))
    assert population.percentile(50.0) == 100.0
    assert population.percentile(1.0) == 0.0
    assert population.percentile(9.0) == 50.0
    assert population.depth_at(75) == 20.0
    assert population.percentile(population.depth_at(75)) >= 75
