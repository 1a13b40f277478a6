"""Explain one ticket's tags; backtest candidate rules without changing anything."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from tests.worker.rules.ruleskit import AREAS, write_rules
from tests.worker.tagging.desk import TIER1, TIER2, Desk
from worker.rules import RulesInvalid
from worker.storage.work_items import RuleVersionRow, TicketTagRow, WorkItemRow
from worker.tagging import TicketNotFound, backtest, explain, tag_work


@pytest.fixture
def desk(engine: Engine) -> Desk:
    d = Desk(engine)
    d.agents(1, 2)
    d.ticket(1, subject="API returns HTTP 500", tags=["bug"], assignee_id=2, group_id=TIER2)
    d.escalate(1, by=1, to_group=TIER2, from_group=TIER1, minutes=5)
    d.assign(1, 2, None, minutes=6)
    d.reply(1, 2, minutes=7)
    d.ticket(2, subject="Refund for unused seats", assignee_id=1)
    d.reply(2, 1, minutes=3)
    d.ticket(3, subject="Something is not working", assignee_id=1)
    return d


def test_explain_gives_the_rules_tried_the_features_the_tier_and_the_roles(
    desk: Desk, engine: Engine, tmp_path: Path
) -> None:
    e = explain(engine, write_rules(tmp_path / "rules"), 1)
    assert e.areas == (("api", 1.0),)
    # first_match: billing was tried and failed, then api matched
    assert [(t.key, t.matched) for t in e.area_traces] == [("billing", False), ("api", True)]
    billing = e.area_traces[0]
    assert [c.why for m in billing.when for c in m.conditions] == [
        "Product area is empty",
        "has none of the tags billing, invoice (ticket tags: bug)",
        "subject or description contains none of invoice, refund*, charged twice",
    ]
    api = e.area_traces[1]
    assert [m.matched for m in api.when] == [False, True]
    assert api.when[1].conditions[0].why == (
        "subject or description matches '\\\\bHTTP [45]\\\\d\\\\d\\\\b' at 'HTTP 500'"
    )
    assert [(f.name, f.value, f.points) for f in e.features] == [
        ("Escalated", "2", 3),
        ("Bug", "bug", 2),
        ("Many replies", "unknown", 0),
    ]
    assert (e.score, e.tier, e.tier_name) == (5, 3, "Engineering")
    assert [(r.agent_name, r.role, r.weight) for r in e.roles] == [
        ("Agent 2", "solver", 1.0),
        ("Agent 2", "responder", 0.5),
        ("Agent 1", "escalated_from", 0.3),
    ]
    assert e.stored is None  # not tagged yet


def test_explain_of_a_ticket_no_rule_matches_and_of_a_missing_one(
    desk: Desk, engine: Engine, tmp_path: Path
) -> None:
    rules = write_rules(tmp_path / "rules")
    tag_work(engine, rules)
    e = explain(engine, rules, 3)
    assert e.fallback
    assert e.areas == (("other", 1.0),)
    assert e.stored is not None
    assert e.stored["area"] == "other"
    with pytest.raises(TicketNotFound):
        explain(engine, rules, 404)


def snapshot(engine: Engine) -> tuple[int, int, list[tuple[object, ...]]]:
    with engine.connect() as conn:
        items = conn.scalar(select(func.count()).select_from(WorkItemRow)) or 0
        versions = conn.scalar(select(func.count()).select_from(RuleVersionRow)) or 0
        tags = [
            tuple(r) for r in conn.execute(select(TicketTagRow).order_by(TicketTagRow.ticket_id))
        ]
    return items, versions, tags


def test_backtest_compares_candidate_rules_with_the_ones_in_force_and_changes_nothing(
    desk: Desk, engine: Engine, tmp_path: Path
) -> None:
    in_force = write_rules(tmp_path / "rules")
    tag_work(engine, in_force)
    before = snapshot(engine)
    # the candidate files "not working" tickets under api, and refunds no longer under billing
    candidate = write_rules(
        tmp_path / "candidate",
        areas=AREAS.replace("refund*, ", "").replace(
            "      - tags: {any: [api]}\n",
            "      - tags: {any: [api]}\n      - keywords: [working]\n",
        ),
    )
    result = backtest(engine, candidate, in_force)
    assert snapshot(engine) == before
    assert result.tickets == 3
    assert {a.key: (a.tickets, a.in_force_tickets) for a in result.areas} == {
        "billing": (0, 1),
        "api": (2, 1),
        "other": (1, 1),
    }
    assert result.unclassified_share == pytest.approx(1 / 3, abs=1e-4)
    assert result.area_changes == 2
    assert sorted((c.ticket_id, c.before, c.after) for c in result.area_examples) == [
        (2, "billing", "other"),
        (3, "other", "api"),
    ]
    assert result.tiers == result.in_force_tiers == {1: 2, 2: 0, 3: 1}
    assert result.tier_changes == 0


def test_backtest_of_invalid_rules_reports_their_errors(
    desk: Desk, engine: Engine, tmp_path: Path
) -> None:
    candidate = write_rules(tmp_path / "candidate", areas=AREAS.replace("name: API", "nam: API"))
    with pytest.raises(RulesInvalid) as caught:
        backtest(engine, candidate, write_rules(tmp_path / "rules"))
    assert "areas.yaml:11: areas[1].nam: unknown key 'nam'" in str(caught.value)
