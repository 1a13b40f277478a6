"""Complexity features, one source and test at a time; tiers; scoring at creation."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.worker.rules.ruleskit import write_rules
from worker.rules import CompiledRules, Directory, Facts, FieldInfo, compile_rules, load_rules
from worker.tagging.triage import classify_new_ticket

TIERS = """\
tiers:
  - {tier: 1, name: General}
  - {tier: 2, name: Technical, min_score: 2}
  - {tier: 3, name: Engineering, min_score: 4}
"""
DIRECTORY = Directory(groups={}, fields={77: FieldInfo("Plan")})


def scorer(tmp_path: Path, feature: str) -> CompiledRules:
    """Rules with one feature, worth 5 points."""
    complexity = (
        "features:\n"
        + textwrap.indent(textwrap.dedent(feature).strip(), "  ")
        + "\n    points: 5\n"
        + TIERS
    )
    rules_dir = write_rules(tmp_path / "rules", complexity=complexity)
    return compile_rules(load_rules(rules_dir), DIRECTORY)


def facts_of(**values: Any) -> Facts:
    facts = Facts(1, **{k: v for k, v in values.items() if k in _INIT})
    for key, value in values.items():
        if key not in _INIT:
            setattr(facts, key, value)
    return facts


def score(rules: CompiledRules, **values: Any) -> int:
    scored = rules.scorer.score(facts_of(**values))
    # scoring's fused predicates agree with explain's general form, test(get(facts))
    assert scored == sum(t.points for t in rules.scorer.trace(facts_of(**values)))
    return scored


_INIT = {
    "subject",
    "description",
    "tags",
    "custom_fields",
    "priority",
    "type",
    "channel",
    "group_id",
}


@pytest.mark.parametrize(
    ("source", "when", "scores", "does_not"),
    [
        ("replies", "{gte: 4}", {"replies": 4}, {"replies": 3}),
        ("reopens", "{gt: 0}", {"reopens": 1}, {"reopens": 0}),
        ("group_stations", "{gte: 2, lte: 3}", {"group_stations": 3}, {"group_stations": 4}),
        ("assignee_stations", "{eq: 2}", {"assignee_stations": 2}, {"assignee_stations": 1}),
        (
            "full_resolution_hours",
            "{gte: 48}",
            {"full_resolution_hours": 50.0},
            {"full_resolution_hours": None},
        ),
        ("agent_wait_hours", "{lt: 1}", {"agent_wait_hours": 0.5}, {"agent_wait_hours": 2.0}),
        ("internal_notes", "{gte: 2}", {"internal_notes": 2}, {"internal_notes": 1}),
        ("distinct_agents", "{gte: 3}", {"distinct_agents": 3}, {"distinct_agents": 2}),
        ("escalations", "{gte: 1}", {"escalations": 1}, {"escalations": 0}),
        ("group_tier", "{eq: 3}", {"group_tier": 3}, {"group_tier": 2}),
        ("max_group_tier", "{gte: 2}", {"max_group_tier": 2}, {"max_group_tier": 1}),
        ("max_agent_tier", "{gte: 3}", {"max_agent_tier": 3}, {"max_agent_tier": None}),
        ("replies", "{present: false}", {"replies": None}, {"replies": 0}),
        ("priority", "{in: [high, urgent]}", {"priority": "Urgent"}, {"priority": "normal"}),
        ("type", "{in: [problem, incident]}", {"type": "problem"}, {"type": "question"}),
        ("channel", "{in: [api]}", {"channel": "api"}, {"channel": "web"}),
        ("area", "{in: [api]}", {"area": "api"}, {"area": "billing"}),
        ("tags", "{any: [bug, engineering]}", {"tags": ["engineering"]}, {"tags": ["x"]}),
        ("tags", "{all: [bug, vip]}", {"tags": ["vip", "bug"]}, {"tags": ["bug"]}),
        ("tags", "{none: [how_to]}", {"tags": []}, {"tags": ["how_to"]}),
        ("subject", "{keywords: [saml]}", {"subject": "SAML fails"}, {"description": "saml"}),
        ("description", "{patterns: ['HTTP 5\\d\\d']}", {"description": "http 503"}, {}),
        ("text", "{keywords: [webhook*]}", {"description": "Webhooks"}, {"subject": "hook"}),
    ],
)
def test_each_source_and_test(
    tmp_path: Path, source: str, when: str, scores: dict[str, Any], does_not: dict[str, Any]
) -> None:
    rules = scorer(tmp_path, f"- name: F\n  source: {source}\n  when: {when}")
    assert score(rules, **scores) == 5
    assert score(rules, **does_not) == 0


def test_custom_field_source(tmp_path: Path) -> None:
    rules = scorer(
        tmp_path, "- name: Plan\n  source: custom_field\n  field: Plan\n  when: {in: [enterprise]}"
    )
    assert score(rules, custom_fields={"77": "Enterprise"}) == 5
    assert score(rules, custom_fields={"77": "free"}) == 0


def test_points_add_up_and_thresholds_pick_the_tier(tmp_path: Path) -> None:
    complexity = """\
    features:
      - {name: Bug, source: tags, when: {any: [bug]}, points: 2, known_at_creation: true}
      - {name: Replies, source: replies, when: {gte: 3}, points: 2}
      - {name: How-to, source: tags, when: {any: [how_to]}, points: -1, known_at_creation: true}
    """
    rules_dir = write_rules(tmp_path / "rules", complexity=textwrap.dedent(complexity) + TIERS)
    rules = compile_rules(load_rules(rules_dir), DIRECTORY)
    cases = [
        ({"tags": ["how_to"]}, -1, 1),
        ({"tags": ["bug"]}, 2, 2),
        ({"tags": ["bug", "how_to"], "replies": 3}, 3, 2),
        ({"tags": ["bug"], "replies": 5}, 4, 3),
    ]
    for values, expected_score, expected_tier in cases:
        assert score(rules, **values) == expected_score
        assert rules.scorer.tier(expected_score) == expected_tier

    # a new ticket is scored on what is known at creation only
    new = classify_new_ticket(rules, {"tags": ["bug"], "subject": "invoice"})
    assert (new.score, new.tier) == (2, 2)
    assert [f.name for f in new.features] == ["Bug", "How-to"]
    assert new.areas == (("billing", 1.0),)


def test_explain_trace_shows_values_conditions_and_points(tmp_path: Path) -> None:
    rules = scorer(tmp_path, "- name: Many replies\n  source: replies\n  when: {gte: 4}")
    facts = Facts(1)
    facts.replies = 6
    [trace] = rules.scorer.trace(facts)
    assert (trace.name, trace.value, trace.condition, trace.points) == (
        "Many replies",
        "6",
        ">= 4",
        5,
    )
