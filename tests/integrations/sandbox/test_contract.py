"""Contract: the sandbox's JSON has every key the recorded real Zendesk responses have, with
the same JSON types, so a client that parses the sandbox parses Zendesk."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from sandbox_testkit import (
    RECORDED_DIR,
    get,
    json_type,
    load_cassette,
    recorded_records,
    type_profile,
    walk_events,
    walk_tickets,
)

from integrations.sandbox import Sandbox

TICKETS_GET = "tests_test_api_betamax_TicketsIncrementalTest.test_get_values.json"
TICKETS_PAGES = "tests_test_api_betamax_TicketsIncrementalTest.test_pagination.json"
USERS = "tests_test_api_betamax_UsersIncrementalTest.test_get_values.json"
AUDITS = "tests_test_api_betamax_TestTicketAudits.test_values.json"
METRIC_SPEC = "specification_zendesk_ticket_metric.json"

# Keys Zendesk documents as nullable although the recording happens to show only values.
# ticket_restriction: null for admins and unrestricted agents (the recording has end users).
DOCUMENTED_NULLABLE = {"ticket_restriction"}


def mismatches(recorded: dict[str, set[str]], served: list[dict[str, Any]], what: str) -> list[str]:
    """Every way `served` breaks the recorded key/type profile."""
    problems = []
    for key, recorded_types in sorted(recorded.items()):
        missing = sum(key not in record for record in served)
        if missing:
            problems.append(f"{what}.{key}: missing in {missing} of {len(served)}")
            continue
        for served_type in sorted({json_type(r[key]) for r in served}):
            if served_type in recorded_types or recorded_types == {"null"}:
                continue
            if served_type == "null" and key in DOCUMENTED_NULLABLE:
                continue
            problems.append(
                f"{what}.{key}: served {served_type}, recorded {sorted(recorded_types)}"
            )
    return problems


def test_the_recordings_are_there() -> None:
    """Guards the other tests here against passing on an empty profile."""
    assert len(recorded_records(TICKETS_PAGES, "incremental/tickets", "tickets")) > 1000
    assert len(recorded_records(USERS, "incremental/users", "users")) > 1000
    assert len(type_profile(recorded_records(TICKETS_GET, "cursor.json", "tickets"))) >= 38


@pytest.fixture(scope="module")
def served_tickets(sandbox: Sandbox) -> list[dict[str, Any]]:
    session = requests.Session()
    session.auth = (f"{sandbox.email}/token", sandbox.token)
    return [
        t
        for page in walk_tickets(session, sandbox.url, 1000, include="metric_sets")
        for t in page["tickets"]
    ]


def test_ticket_export_records_match_the_recordings(
    served_tickets: list[dict[str, Any]],
) -> None:
    recorded = type_profile(
        recorded_records(TICKETS_GET, "incremental/tickets", "tickets")
        + recorded_records(TICKETS_PAGES, "incremental/tickets", "tickets")
    )
    assert mismatches(recorded, served_tickets, "ticket") == []
    via = type_profile([t["via"] for t in recorded_records(TICKETS_GET, "cursor", "tickets")])
    assert mismatches(via, [t["via"] for t in served_tickets], "ticket.via") == []
    # The sandbox fills what the recorded account left empty: nothing here may stay null.
    for key in ("type", "priority", "assignee_id", "group_id", "satisfaction_rating"):
        assert any(t[key] is not None for t in served_tickets), key


def test_metric_sets_match_the_documented_ticket_metric(
    served_tickets: list[dict[str, Any]],
) -> None:
    spec = json.loads((RECORDED_DIR / METRIC_SPEC).read_text())
    nullable = {
        "assignee_updated_at", "requester_updated_at", "initially_assigned_at", "assigned_at",
        "solved_at", "latest_comment_added_at",
    }  # fmt: skip
    metric_sets = [t["metric_set"] for t in served_tickets]
    profile = {k: {json_type(v)} | ({"null"} if k in nullable else set()) for k, v in spec.items()}
    assert mismatches(profile, metric_sets, "metric_set") == []
    minutes = [k for k, v in spec.items() if isinstance(v, dict)]
    assert len(minutes) == 6
    for metric_set in metric_sets:
        for key in minutes:
            assert set(metric_set[key]) == set(spec[key]), key
            assert {json_type(v) for v in metric_set[key].values()} <= {"number", "null"}
    assert all(
        m["solved_at"] for m in metric_sets if m["full_resolution_time_in_minutes"]["calendar"]
    )


def test_user_export_records_match_the_recordings(sandbox: Sandbox) -> None:
    session = requests.Session()
    session.auth = (f"{sandbox.email}/token", sandbox.token)
    url = f"{sandbox.url}/api/v2/incremental/users/cursor.json"
    served = get(session, url, start_time=0, per_page=1000)["users"]
    assert {u["role"] for u in served} == {"end-user", "agent", "admin"}
    recorded = type_profile(recorded_records(USERS, "incremental/users", "users"))
    assert mismatches(recorded, served, "user") == []


def test_comment_child_events_match_the_recorded_comment_events(
    sandbox: Sandbox,
) -> None:
    recorded_events = [
        event
        for audit in recorded_records(AUDITS, "ticket_audits", "audits")
        for event in audit["events"]
    ]
    recorded_comments = [e for e in recorded_events if e["type"] == "Comment"]
    assert len(recorded_comments) > 50
    session = requests.Session()
    session.auth = (f"{sandbox.email}/token", sandbox.token)
    page = next(walk_events(session, sandbox.url, per_page=1000))
    children = [c for e in page["ticket_events"] for c in e["child_events"]]
    comments = [c for c in children if c["event_type"] == "Comment"]
    assert {c["public"] for c in comments} == {True, False}
    assert mismatches(type_profile(recorded_comments), comments, "comment") == []
    extra = {"via", "via_reference_id", "event_type", "comment_present", "comment_public"}
    assert extra <= set.intersection(*(set(c) for c in comments))
    # Field changes carry Zendesk's field-named key as well as field_name/value.
    changes = [c for c in children if c["event_type"] == "Change"]
    assert changes
    for change in changes:
        assert change[change["field_name"]] == change["value"]
        assert "previous_value" in change
    recorded_changes = [e for e in recorded_events if e["type"] in ("Create", "Change")]
    profile = type_profile(recorded_changes)
    # Tags are lists and cleared fields null; the recording only changed a status.
    profile["value"] |= {"array", "null"}
    profile["previous_value"] |= {"array"}
    assert mismatches(profile, changes, "change") == []


def _envelope(body: dict[str, Any]) -> set[str]:
    return {k for k, v in body.items() if not isinstance(v, list)}


def test_page_envelopes_have_the_recorded_keys(sandbox: Sandbox) -> None:
    session = requests.Session()
    session.auth = (f"{sandbox.email}/token", sandbox.token)
    recorded_cursor = [
        _envelope(body) for uri, body in load_cassette(TICKETS_PAGES) if "cursor.json" in uri
    ]
    recorded_time = [
        _envelope(body) for uri, body in load_cassette(TICKETS_PAGES) if "tickets.json" in uri
    ]
    assert recorded_cursor[0] == {
        "after_url", "after_cursor", "before_url", "before_cursor", "end_of_stream",
    }  # fmt: skip
    assert recorded_time[0] == {"next_page", "count", "end_of_stream", "end_time"}
    tickets = get(session, f"{sandbox.url}/api/v2/incremental/tickets/cursor.json", start_time=0)
    users = get(session, f"{sandbox.url}/api/v2/incremental/users/cursor.json", start_time=0)
    events = get(session, f"{sandbox.url}/api/v2/incremental/ticket_events.json", start_time=0)
    assert _envelope(tickets) == recorded_cursor[0]
    assert _envelope(users) == recorded_cursor[0]
    assert _envelope(events) == recorded_time[0]
    for body in (tickets, users):
        assert isinstance(body["after_cursor"], str)
        assert body["before_url"] is None
        assert body["before_cursor"] is None
    assert isinstance(events["end_time"], int)
    assert isinstance(events["next_page"], str)
