"""Write-back planning, ticket by ticket: what each mode writes, and when nothing is."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from integrations.zendesk.records import Ticket
from worker.triage.config import TriageFile
from worker.triage.rank import PassedOver, Ranked
from worker.triage.recommend import Recommendation
from worker.triage.writeback import note_text, plan_writeback

AT = datetime(2025, 5, 31, 21, 0)


def _ticket(**fields: Any) -> Ticket:
    values: dict[str, Any] = {
        "id": 7,
        "created_at": AT,
        "updated_at": AT,
        "generated_timestamp": 0,
        "status": "new",
        "group_id": 101,
        "tags": ("vip",),
    }
    values.update(fields)
    return Ticket(**values)


def _agent(agent_id: int, group_id: int) -> Ranked:
    return Ranked(agent_id, f"Agent {agent_id}", 0.9, 20.0, 2, group_id, 1, ("depth", "tier"))


def _rec(*agents: Ranked) -> Recommendation:
    return Recommendation(
        ticket_id=7,
        area="api",
        area_name="API",
        area_reason="matched: subject contains 'api'",
        tier=2,
        tier_name="Technical",
        tier_probabilities=(0.0, 0.8, 0.2),
        tier_reason="40 past tickets with the same signs",
        signs=("Technical description",),
        group_id=102,
        group_name="Tier 2 - Technical",
        group_reason="the group for tier 2",
        agents=agents,
        passed_over=(PassedOver(9, "Agent 9", 50.0, "suspended"),),
    )


def test_each_mode_writes_more() -> None:
    rec = _rec(_agent(1, 102))
    tag = plan_writeback(TriageFile(writeback="tag"), _ticket(), rec)
    assert tag.changes == {"tags": ["vip", "area_api", "tier_2", "expertise_triaged"]}
    note = plan_writeback(TriageFile(writeback="note"), _ticket(), rec)
    assert note.changes["comment"] == {"body": note_text(rec), "public": False}
    assign = plan_writeback(TriageFile(writeback="assign"), _ticket(), rec)
    assert (assign.changes["group_id"], assign.changes["assignee_id"]) == (102, 1)
    assert assign.steps[-1] == "assign to Agent 1 (1)"


def test_the_tags_follow_the_rules_prefixes() -> None:
    config = TriageFile.model_validate(
        {"writeback": "tag", "tags": {"area_prefix": "pa-", "tier_prefix": "t", "marker": "done"}}
    )
    plan = plan_writeback(config, _ticket(tags=()), _rec())
    assert plan.changes == {"tags": ["pa-api", "t2", "done"]}


def test_nothing_is_planned_for_tickets_that_are_not_ours_to_touch() -> None:
    rec = _rec(_agent(1, 102))
    assign = TriageFile(writeback="assign")
    cases = {
        "write-back is off": (TriageFile(), _ticket()),
        "already assigned to agent 5": (assign, _ticket(assignee_id=5)),
        "the ticket is closed": (assign, _ticket(status="closed")),
        "already triaged": (assign, _ticket(tags=("expertise_triaged",))),
    }
    for start, (config, ticket) in cases.items():
        plan = plan_writeback(config, ticket, rec)
        assert not plan.writes
        assert plan.skipped is not None
        assert plan.skipped.startswith(start)


def test_assignment_stays_within_a_group_the_agent_is_in() -> None:
    assign = TriageFile(writeback="assign")
    # the best agent is elsewhere; the best one in the tier's group gets the ticket
    plan = plan_writeback(assign, _ticket(), _rec(_agent(1, 103), _agent(2, 102)))
    assert (plan.changes["group_id"], plan.changes["assignee_id"]) == (102, 2)
    # nobody in the tier's group: the best agent, within their own group
    plan = plan_writeback(assign, _ticket(), _rec(_agent(1, 103)))
    assert (plan.changes["group_id"], plan.changes["assignee_id"]) == (103, 1)
    # nobody at all: the group only
    plan = plan_writeback(assign, _ticket(), _rec())
    assert plan.changes["group_id"] == 102
    assert "assignee_id" not in plan.changes


def test_the_note_gives_the_reasons() -> None:
    text = note_text(_rec(_agent(1, 102)))
    assert "Area: API (api) - matched: subject contains 'api'" in text
    assert "Tier: 2 Technical (80%) - 40 past tickets with the same signs" in text
    assert "1. Agent 1 (score 0.90)" in text
    assert "- Agent 9: suspended" in text
