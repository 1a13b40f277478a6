"""A new ticket's area and tier come from what is known at creation, with the project's
own rules: later facts change nothing, and the calibrated tier follows past tickets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from worker.rules import Directory, FieldInfo, compile_rules, load_rules
from worker.tagging.triage import classify_new_ticket
from worker.triage.config import TriageFile
from worker.triage.expertise import AreaDepth
from worker.triage.recommend import TriageContext
from worker.triage.roster import Agent
from worker.triage.tiers import MIN_SAMPLES, TierModel, fit

ROOT = Path(__file__).resolve().parents[3]
AREA_FIELD = 900
GROUPS = {101: "Tier 1 - General", 102: "Tier 2 - Technical", 103: "Tier 3 - Engineering"}

TECHNICAL_BUG: dict[str, Any] = {
    "id": 1,
    "subject": "Webhook payload signature fails",
    "description": "Our endpoint rejects the HMAC on every webhook payload since Monday.",
    "tags": ["bug"],
    "priority": "urgent",
    "type": "problem",
    "status": "new",
}
HOW_TO: dict[str, Any] = {
    "id": 2,
    "subject": "Where do I download my invoice?",
    "description": "Hi, where can I find last month's invoice?",
    "tags": ["how_to"],
    "priority": "normal",
    "type": "question",
    "status": "new",
}


@pytest.fixture(scope="module")
def compiled() -> Any:
    directory = Directory(
        groups=GROUPS,
        fields={AREA_FIELD: FieldInfo("Product area", (("Billing", "pa_billing"),))},
    )
    return compile_rules(load_rules(ROOT / "rules"), directory)


def _context(compiled: Any, tiers: TierModel, **config: Any) -> TriageContext:
    agents = {
        i: Agent(i, f"Agent {i}", None, True, False, 100 + tier, tier)
        for i, tier in ((1, 1), (2, 2), (3, 3))
    }
    expertise = {i: {"api": AreaDepth(10.0 * i), "billing": AreaDepth(30.0 - i)} for i in agents}
    return TriageContext(
        compiled, TriageFile.model_validate(config), agents, expertise, {}, GROUPS, tiers
    )


def _history(compiled: Any) -> TierModel:
    """Past tickets: technical bugs that were urgent problems mostly ended at tier 3."""
    bug = classify_new_ticket(compiled, TECHNICAL_BUG)
    how_to = classify_new_ticket(compiled, HOW_TO)
    samples = [(bug, 3)] * 30 + [(bug, 2)] * 10 + [(how_to, 1)] * 40
    return fit(samples)


def test_area_and_signs_come_from_creation_time_features(compiled: Any) -> None:
    rec = _context(compiled, TierModel(calibrated=False)).recommend(TECHNICAL_BUG)
    assert rec.area == "api"
    assert set(rec.signs) == {
        "Technical description",
        "Bug",
        "Problem or incident",
        "Urgent or high priority",
    }
    assert rec.area_reason == "matched: description contains 'endpoint', 'hmac'"


def test_what_happens_after_creation_changes_nothing(compiled: Any) -> None:
    context = _context(compiled, _history(compiled))
    later = {**TECHNICAL_BUG, "tags": ["bug", "engineering"], "group_id": 103, "status": "open"}
    first, second = context.recommend(TECHNICAL_BUG), context.recommend(later)
    assert (first.area, first.tier, first.signs) == (second.area, second.tier, second.signs)


def test_rules_thresholds_alone_stop_at_tier_2(compiled: Any) -> None:
    # complexity.yaml's thresholds are for a ticket's whole life: at creation the score
    # cannot reach tier 3
    rec = _context(compiled, TierModel(calibrated=False)).recommend(TECHNICAL_BUG)
    assert rec.tier == 2
    assert rec.tier_probabilities == (0.0, 1.0, 0.0)
    assert "complexity.yaml" in rec.tier_reason


def test_calibrated_tier_follows_past_tickets(compiled: Any) -> None:
    context = _context(compiled, _history(compiled))
    rec = context.recommend(TECHNICAL_BUG)
    assert rec.tier == 3
    assert rec.tier_probabilities[2] > 0.6
    assert rec.tier_reason.startswith("40 past tickets with the same signs")
    assert rec.tier_reason.endswith("ended at tier 1/2/3: 0/10/30")
    assert rec.group_id == 103
    # the tier decides who comes first: the tier 3 agent, though the others are not far
    assert rec.agents[0].agent_id == 3
    billing = context.recommend(HOW_TO)
    assert (billing.area, billing.tier, billing.group_id) == ("billing", 1, 101)
    assert billing.agents[0].agent_id == 1


def test_too_little_history_falls_back_to_the_thresholds(compiled: Any) -> None:
    bug = classify_new_ticket(compiled, TECHNICAL_BUG)
    thin = fit([(bug, 3)] * (MIN_SAMPLES - 1))
    rec = _context(compiled, thin).recommend(TECHNICAL_BUG)
    assert rec.tier == 2
    assert "too little history" in rec.tier_reason


def test_a_rare_signature_backs_off_to_its_score_tier(compiled: Any) -> None:
    bug = classify_new_ticket(compiled, TECHNICAL_BUG)
    plain = classify_new_ticket(
        compiled, {**TECHNICAL_BUG, "tags": [], "priority": "low", "type": "question"}
    )
    assert plain.tier == bug.tier
    model = fit([(bug, 3)] * 25 + [(bug, 2)] * 5)
    rec = _context(compiled, model).recommend(
        {**TECHNICAL_BUG, "tags": [], "priority": "low", "type": "question"}
    )
    assert rec.tier == 3
    assert rec.tier_reason.startswith("30 past tickets whose creation-time score gave tier 2")


def test_rules_mode_ignores_a_fitted_model(compiled: Any) -> None:
    rec = _context(compiled, _history(compiled), tier_prediction="rules").recommend(TECHNICAL_BUG)
    assert rec.tier == 2
    assert "complexity.yaml" in rec.tier_reason
