"""The incremental exports over HTTP: complete, ordered paging and consistent records."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import requests
from sandbox_testkit import get, walk_events, walk_tickets

from integrations.sandbox import Sandbox

AGENT_IDS = range(5_200_000_000_000, 5_300_000_000_000)


def test_cursor_export_returns_every_ticket_once_in_order(
    sandbox: Sandbox, http: requests.Session
) -> None:
    pages = list(walk_tickets(http, sandbox.url, per_page=70))
    tickets = [t for page in pages for t in page["tickets"]]
    ids = [t["id"] for t in tickets]
    assert sorted(ids) == list(range(1, sandbox.desk.tickets + 1))
    order = [(t["generated_timestamp"], t["id"]) for t in tickets]
    assert order == sorted(order)
    assert all(len(page["tickets"]) <= 70 for page in pages)
    assert [page["end_of_stream"] for page in pages].count(True) == 1
    assert pages[-1]["end_of_stream"]


def test_per_page_is_capped_at_1000_and_defaults_to_1000(
    sandbox: Sandbox, http: requests.Session
) -> None:
    url = f"{sandbox.url}/api/v2/incremental/tickets/cursor.json"
    assert len(get(http, url, start_time=0)["tickets"]) == 600  # the whole desk fits
    assert len(get(http, url, start_time=0, per_page=5000)["tickets"]) == 600
    assert len(get(http, url, start_time=0, per_page=3)["tickets"]) == 3


def test_start_time_and_resume_after_the_end(sandbox: Sandbox, http: requests.Session) -> None:
    url = f"{sandbox.url}/api/v2/incremental/tickets/cursor.json"
    everything = [t for p in walk_tickets(http, sandbox.url, 1000) for t in p["tickets"]]
    middle = everything[300]["generated_timestamp"]
    page = get(http, url, start_time=middle)
    assert {t["id"] for t in page["tickets"]} == {
        t["id"] for t in everything if t["generated_timestamp"] >= middle
    }
    # A later sync resumes from the last cursor and finds nothing new, but gets a cursor back.
    last = get(http, url, start_time=0)
    again = get(http, last["after_url"])
    assert again["tickets"] == []
    assert again["end_of_stream"] is True
    assert again["after_cursor"] == last["after_cursor"]
    empty = get(http, url, start_time=2_000_000_000)
    assert empty["tickets"] == []
    assert empty["end_of_stream"] is True
    assert get(http, empty["after_url"])["tickets"] == []


def test_include_metric_sets_users_and_groups(sandbox: Sandbox, http: requests.Session) -> None:
    url = f"{sandbox.url}/api/v2/incremental/tickets/cursor.json"
    page = get(http, url, start_time=0, per_page=50, include="metric_sets,users,groups")
    assert all("metric_set" in t for t in page["tickets"])
    assert page["tickets"][0]["metric_set"]["ticket_id"] == page["tickets"][0]["id"]
    user_ids = {u["id"] for u in page["users"]}
    for ticket in page["tickets"]:
        assert ticket["requester_id"] in user_ids
        assert ticket["assignee_id"] is None or ticket["assignee_id"] in user_ids
    assert {g["id"] for g in page["groups"]} == {
        t["group_id"] for t in page["tickets"] if t["group_id"]
    }
    plain = get(http, url, start_time=0, per_page=5)
    assert all("metric_set" not in t for t in plain["tickets"])
    assert "users" not in plain
    assert "groups" not in plain


def test_event_export_walk_sees_every_audit_and_repeats_only_end_time(
    sandbox: Sandbox, http: requests.Session
) -> None:
    seen: Counter[int] = Counter()
    repeated_at: list[tuple[int, int]] = []
    previous_end: int | None = None
    pages = 0
    for page in walk_events(http, sandbox.url, per_page=100):
        pages += 1
        events = page["ticket_events"]
        assert page["count"] == len(events) <= 100
        assert page["end_of_stream"] == (len(events) < 100)
        keys = [(e["timestamp"], e["id"]) for e in events]
        assert keys == sorted(keys)
        if events:
            assert page["end_time"] == events[-1]["timestamp"]
            assert f"start_time={page['end_time']}" in page["next_page"]
        for event in events:
            if seen[event["id"]]:
                repeated_at.append((event["timestamp"], previous_end or -1))
            seen[event["id"]] += 1
        previous_end = page["end_time"]
    assert pages > 5
    assert len(seen) == sandbox.stats()["audits"]
    # Boundary repeats only: a repeated audit sits exactly at the previous page's end_time.
    assert all(ts == end for ts, end in repeated_at)


def test_user_export_walk(sandbox: Sandbox, http: requests.Session) -> None:
    url = f"{sandbox.url}/api/v2/incremental/users/cursor.json"
    page = get(http, url, start_time=0, per_page=25)
    users = []
    while True:
        users.extend(page["users"])
        if page["end_of_stream"]:
            break
        page = get(http, page["after_url"])
    ids = [u["id"] for u in users]
    assert len(ids) == len(set(ids))
    truth = sandbox.truth()
    agents = [u for u in users if u["role"] in ("agent", "admin")]
    assert {u["id"] for u in agents} == {a["id"] for a in truth["agents"]}
    assert 1 <= sum(u["role"] == "admin" for u in agents) <= 2
    assert len(users) - len(agents) == max(50, sandbox.desk.tickets // 25)
    order = [(u["updated_at"], u["id"]) for u in users]
    assert [o[0] for o in order] == sorted(o[0] for o in order)
    assert any(u["user_fields"]["career_interests"] for u in agents)
    assert any(u["suspended"] for u in agents) or any(not u["active"] for u in agents)


def _events_by_ticket(sandbox: Sandbox, http: requests.Session) -> dict[int, list[dict[str, Any]]]:
    by_ticket: dict[int, dict[int, dict[str, Any]]] = defaultdict(dict)
    for page in walk_events(http, sandbox.url, per_page=1000):
        for event in page["ticket_events"]:
            by_ticket[event["ticket_id"]][event["id"]] = event
    return {
        ticket_id: sorted(audits.values(), key=lambda e: (e["timestamp"], e["id"]))
        for ticket_id, audits in by_ticket.items()
    }


def test_metric_sets_agree_with_the_events(sandbox: Sandbox, http: requests.Session) -> None:
    events = _events_by_ticket(sandbox, http)
    tickets = [
        t
        for page in walk_tickets(http, sandbox.url, 1000, include="metric_sets")
        for t in page["tickets"]
    ]
    for ticket in tickets:
        audits = events[ticket["id"]]
        metrics = ticket["metric_set"]
        comments = [c for a in audits for c in a["child_events"] if c["event_type"] == "Comment"]
        changes = [c for a in audits for c in a["child_events"] if c["event_type"] != "Comment"]
        public_agent = [c for c in comments if c["public"] and c["author_id"] in AGENT_IDS]
        assert metrics["replies"] == len(public_agent), ticket["id"]
        groups = {c["value"] for c in changes if c["field_name"] == "group_id" and c["value"]}
        assert metrics["group_stations"] == len(groups), ticket["id"]
        assignees = {c["value"] for c in changes if c["field_name"] == "assignee_id" and c["value"]}
        assert metrics["assignee_stations"] == len(assignees), ticket["id"]
        statuses = [c for c in changes if c["field_name"] == "status"]
        reopens = sum(
            c["event_type"] == "Change"
            and c["previous_value"] in ("solved", "closed")
            and c["value"] in ("open", "pending", "new")
            for c in statuses
        )
        assert metrics["reopens"] == reopens
        assert ticket["updated_at"] == audits[-1]["created_at"]
        assert ticket["generated_timestamp"] == audits[-1]["timestamp"]
        assert ticket["created_at"] == audits[0]["created_at"]
        assert ticket["status"] == statuses[-1]["value"]
        if public_agent:
            first_reply = next(
                a["timestamp"]
                for a in audits
                for c in a["child_events"]
                if c["event_type"] == "Comment" and c["public"] and c["author_id"] in AGENT_IDS
            )
            expected = (first_reply - audits[0]["timestamp"]) // 60
            assert metrics["reply_time_in_minutes"]["calendar"] == expected
        else:
            assert metrics["reply_time_in_minutes"]["calendar"] is None
        if ticket["status"] in ("solved", "closed") and metrics["solved_at"]:
            solves = [a for a in audits for c in a["child_events"]
                      if c["event_type"] == "Change" and c["field_name"] == "status"
                      and c["value"] == "solved"]  # fmt: skip
            assert metrics["solved_at"] == solves[-1]["created_at"]
            full = (solves[-1]["timestamp"] - audits[0]["timestamp"]) // 60
            assert metrics["full_resolution_time_in_minutes"]["calendar"] == full
        else:
            assert metrics["full_resolution_time_in_minutes"]["calendar"] is None
        assignee = ticket["assignee_id"]
        assert assignee is None or assignee in AGENT_IDS


def test_deleted_merged_and_unassigned_new_tickets_are_present(
    sandbox: Sandbox, http: requests.Session
) -> None:
    tickets = [t for p in walk_tickets(http, sandbox.url, 1000) for t in p["tickets"]]
    statuses = Counter(t["status"] for t in tickets)
    assert statuses["deleted"] >= 1
    merged = [t for t in tickets if "closed_by_merge" in t["tags"]]
    assert merged
    assert all(t["status"] == "closed" for t in merged)
    assert statuses["closed"] > len(tickets) / 2
    recent = {"new", "open", "pending", "solved"}
    assert sum(statuses[s] for s in recent) > 0
    assert any(t["status"] == "new" and t["assignee_id"] is None for t in tickets)
