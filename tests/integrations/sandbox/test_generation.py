"""The generated desk: deterministic, labelled, and realistic enough to learn from."""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from dataclasses import replace
from typing import Any

import pytest
from sandbox_testkit import END, session_for, walk_tickets

from integrations.sandbox import (
    Desk,
    Sandbox,
    SandboxConfig,
    exports,
    generate_desk,
    segments,
    start_sandbox,
)
from integrations.sandbox.render import ticket_json
from integrations.sandbox.truth import truth_dict, write_truth

CONFIG = SandboxConfig(seed=21, agents=24, tickets=1500, months=6, rate_limits=False, end=END)


@pytest.fixture(scope="module")
def desk() -> Desk:
    return generate_desk(CONFIG)


@pytest.fixture(scope="module")
def rendered(desk: Desk) -> list[tuple[int, int, dict[str, Any]]]:
    """(true area index, true tier, ticket JSON with metric_set) of every ticket."""
    out = []
    for ticket_id in range(1, desk.tickets + 1):
        view = desk.ticket(ticket_id)
        out.append((view.plan.area, view.plan.tier, ticket_json(desk, view, "", True)))
    return out


def _fingerprint(desk: Desk) -> str:
    tickets = [ticket_json(desk, desk.ticket(i), "", True) for i in (1, 2, 50, desk.tickets)]
    events = [list(segment.event_keys) for segment in desk.index.all_segments()]
    return json.dumps(
        [truth_dict(desk), tickets, events],
        sort_keys=True,
    )


def test_same_config_same_desk_other_seed_other_desk(desk: Desk) -> None:
    again = generate_desk(CONFIG)
    assert _fingerprint(again) == _fingerprint(desk)
    other = generate_desk(replace(CONFIG, seed=22))
    assert _fingerprint(other) != _fingerprint(desk)


def test_same_seed_same_json_over_http(sandbox: Sandbox) -> None:
    """Two servers from one config serve byte-identical pages (apart from their URLs)."""

    def pages(sb: Sandbox) -> str:
        session = session_for(sb)
        body = json.dumps(list(walk_tickets(session, sb.url, 250, include="metric_sets")))
        return body.replace(sb.url, "BASE")

    with start_sandbox(sandbox.desk.config, port=0) as twin:
        assert pages(twin) == pages(sandbox)


def test_truth_shape_and_coverage(desk: Desk) -> None:
    truth = truth_dict(desk)
    assert truth["seed"] == 21
    assert truth["end"] == "2025-06-01T00:00:00Z"
    assert 6 <= len(truth["areas"]) <= 12
    assert [g["tier"] for g in truth["groups"]] == [1, 2, 3]
    assert [t["id"] for t in truth["tickets"]] == list(range(1, 1501))
    area_keys = {a["key"] for a in truth["areas"]}
    assert {t["area"] for t in truth["tickets"]} == area_keys
    tiers = Counter(t["tier"] for t in truth["tickets"])
    assert 0.45 < tiers[1] / 1500 < 0.65
    assert 0.22 < tiers[2] / 1500 < 0.38
    assert 0.08 < tiers[3] / 1500 < 0.24
    agents = truth["agents"]
    assert len(agents) == 24
    assert {a["status"] for a in agents} <= {"active", "leaver", "suspended"}
    assert any(a["generalist"] and not a["areas"] for a in agents)
    for agent in agents:
        assert agent["generalist"] or 1 <= len(agent["areas"]) <= 3
        assert set(agent["areas"]) <= area_keys
        assert all(0 < s <= 1 for s in agent["areas"].values())
    assert any(a["career_interests"] for a in agents)
    streamed = io.StringIO()
    write_truth(desk, streamed)
    assert json.loads(streamed.getvalue()) == truth


def test_strong_agents_solve_most_of_their_areas_tickets(
    desk: Desk, rendered: list[tuple[int, int, dict[str, Any]]]
) -> None:
    solved = [(a, t) for a, _, t in rendered if t["status"] in ("solved", "closed")]
    strong = 0
    assigned = 0
    for area, ticket in solved:
        agent = desk.agents_by_id.get(ticket["assignee_id"])
        if agent is None:
            continue
        assigned += 1
        strong += agent.strengths[area] >= 0.5
    assert strong / assigned > 0.6


def test_leavers_do_not_work_after_leaving(desk: Desk) -> None:
    left = {a.id: a.ended_at for a in desk.staff.agents if a.ended_at is not None}
    assert left
    for ticket_id in range(1, desk.tickets + 1):
        for audit in desk.ticket(ticket_id).audits:
            ended = left.get(audit.author)
            assert ended is None or audit.ts < ended


def test_the_tier_is_observable_from_work_signals(
    desk: Desk, rendered: list[tuple[int, int, dict[str, Any]]]
) -> None:
    """A points score over the metrics and fields recovers most true tiers, not all."""
    tier_of_group = {g.id: g.tier for g in desk.staff.groups}

    def points(ticket: dict[str, Any]) -> int:
        m = ticket["metric_set"]
        resolution = m["full_resolution_time_in_minutes"]["calendar"] or 0
        return (
            min(m["replies"], 8)
            + m["reopens"]
            + 2 * (m["group_stations"] - 1)
            + (m["assignee_stations"] - 1)
            + (2 if resolution > 3 * 1440 else 1 if resolution > 1440 else 0)
            + {"high": 1, "urgent": 2}.get(ticket["priority"], 0)
            + {"problem": 2, "incident": 1}.get(ticket["type"], 0)
            + 2 * ("bug" in ticket["tags"])
            + 2 * ("engineering" in ticket["tags"])
            + 5 * (tier_of_group[ticket["group_id"]] - 1)
        )

    done = [
        (tier, points(t))
        for _, tier, t in rendered
        if t["status"] in ("solved", "closed") and "closed_by_merge" not in t["tags"]
    ]
    hits = sum((1 if p < 8 else 2 if p < 19 else 3) == tier for tier, p in done)
    assert 0.85 <= hits / len(done) < 0.97
    final_group = sum(
        tier_of_group[t["group_id"]] == tier
        for _, tier, t in rendered
        if t["status"] in ("solved", "closed") and "closed_by_merge" not in t["tags"]
    )
    assert final_group / len(done) < 0.93  # not trivially the final group


def test_the_area_is_observable_from_fields_tags_and_words(
    desk: Desk, rendered: list[tuple[int, int, dict[str, Any]]]
) -> None:
    areas = desk.staff.areas
    words: dict[int, set[str]] = {}
    for i, area in enumerate(areas):
        text = " ".join(
            area.subjects + area.technical_subjects + area.details + area.technical_details
        )
        words[i] = set(re.findall(r"[a-z][a-z0-9]{3,}", text.lower()))
    seen = Counter(w for ws in words.values() for w in ws)
    distinctive = {i: {w for w in ws if seen[w] == 1} for i, ws in words.items()}
    field_area = {a.field_value: i for i, a in enumerate(areas)}
    tag_area = {tag: i for i, a in enumerate(areas) for tag in a.tags}

    def guess(ticket: dict[str, Any]) -> int:
        field = ticket["custom_fields"][0]["value"]
        if field:
            return field_area[field]
        for tag in ticket["tags"]:
            if tag in tag_area:
                return tag_area[tag]
        text = f"{ticket['subject']} {ticket['subject']} {ticket['description']}".lower()
        counts = {i: sum(text.count(w) for w in ws) for i, ws in distinctive.items()}
        best = max(counts, key=lambda i: counts[i])
        return best if counts[best] else -1

    hits = sum(guess(t) == area for area, _, t in rendered)
    assert 0.95 <= hits / len(rendered) < 0.995
    with_field = sum(t["custom_fields"][0]["value"] is not None for _, _, t in rendered)
    assert 0.3 < with_field / len(rendered) < 0.5
    with_tag = sum(any(tag in tag_area for tag in t["tags"]) for _, _, t in rendered)
    assert 0.4 < with_tag / len(rendered) < 0.75


def test_csat_is_better_for_strong_solvers(
    desk: Desk, rendered: list[tuple[int, int, dict[str, Any]]]
) -> None:
    by_strength: dict[bool, Counter[str]] = {True: Counter(), False: Counter()}
    for area, _, ticket in rendered:
        score = ticket["satisfaction_rating"]["score"]
        agent = desk.agents_by_id.get(ticket["assignee_id"])
        if score in ("good", "bad") and agent is not None and not agent.generalist:
            by_strength[agent.strengths[area] >= 0.7][score] += 1

    def good_share(c: Counter[str]) -> float:
        return c["good"] / (c["good"] + c["bad"])

    assert good_share(by_strength[True]) > good_share(by_strength[False]) + 0.1


def test_shape_of_the_history(rendered: list[tuple[int, int, dict[str, Any]]]) -> None:
    statuses = Counter(t["status"] for _, _, t in rendered)
    assert 0.003 < statuses["deleted"] / len(rendered) < 0.03
    merged = sum("closed_by_merge" in t["tags"] for _, _, t in rendered)
    assert 0.003 < merged / len(rendered) < 0.03
    scores = Counter(t["satisfaction_rating"]["score"] for _, _, t in rendered)
    assert set(scores) == {"good", "bad", "offered", "unoffered"}
    channels = Counter(t["via"]["channel"] for _, _, t in rendered)
    assert set(channels) == {"email", "web", "chat", "api"}
    reopened = sum(t["metric_set"]["reopens"] > 0 for _, _, t in rendered)
    assert reopened > 0


def _export_order(desk: Desk) -> tuple[list[int], list[int]]:
    """Ticket ids and audit ids in the order the two exports page through them."""
    tickets: list[int] = []
    cursor = None
    while True:
        page = exports.ticket_page(
            desk, "", start_time="0" if cursor is None else None, cursor=cursor,
            per_page=400, include=set(),
        )  # fmt: skip
        tickets.extend(t["id"] for t in page["tickets"])
        if page["end_of_stream"]:
            break
        cursor = page["after_cursor"]
    events: list[int] = []
    seen: set[int] = set()
    start = 0
    while True:
        body = exports.event_page(
            desk, "", start_time=str(start), per_page=1000, with_comments=False,
            per_page_param=None,
        )  # fmt: skip
        # Audits at a page's end_time come again on the next page (Zendesk's rule).
        events.extend(e["id"] for e in body["ticket_events"] if e["id"] not in seen)
        seen.update(e["id"] for e in body["ticket_events"])
        if body["end_of_stream"]:
            break
        start = body["end_time"]
    return tickets, events


def test_lazy_and_worker_indexing_serve_exactly_the_eager_order(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Big desks serve at once and index in worker processes; the data must not change."""
    monkeypatch.setattr(segments, "LAZY_FROM", 0)
    monkeypatch.setattr(segments, "SEGMENT_SIZE", 128)
    monkeypatch.setattr(segments.os, "cpu_count", lambda: 3)
    eager = desk  # indexed at startup, in process
    lazy = generate_desk(CONFIG)
    try:
        # Paging starts while the workers are still indexing.
        assert _export_order(lazy) == _export_order(eager)
        assert lazy.index.wait(timeout=120)
        assert lazy.index.labels() == eager.index.labels()
        assert lazy.audits_total == eager.audits_total
    finally:
        lazy.close()
