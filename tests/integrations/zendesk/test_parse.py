"""JSON -> records: the mapping rules, and bad records costing only themselves."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

import pytest
from zendesk_testkit import RECORDED_DIR, load_cassette

from integrations.zendesk.parse import (
    BadRecord,
    parse_ticket,
    parse_ticket_events,
    parse_ticket_field,
    parse_tickets,
    parse_time,
    parse_user,
    parse_users,
)
from integrations.zendesk.records import TicketMetrics, TouchEvent, TouchKind

METRIC_SET: dict[str, Any] = {
    "id": 33,
    "ticket_id": 4343,
    "replies": 3,
    "reopens": 1,
    "group_stations": 2,
    "assignee_stations": 4,
    "assigned_at": "2011-05-05T10:38:52Z",
    "solved_at": "2011-05-09T10:38:52Z",
    "reply_time_in_minutes": {"calendar": 2391, "business": 737},
    "first_resolution_time_in_minutes": {"calendar": 100, "business": 50},
    "full_resolution_time_in_minutes": {"calendar": 200, "business": 60},
    "agent_wait_time_in_minutes": {"calendar": 30, "business": 10},
    "requester_wait_time_in_minutes": {"calendar": None, "business": None},
}

EXPECTED_METRICS = TicketMetrics(
    replies=3,
    reopens=1,
    group_stations=2,
    assignee_stations=4,
    reply_time_minutes=2391,
    first_resolution_minutes=100,
    full_resolution_minutes=200,
    agent_wait_minutes=30,
    requester_wait_minutes=None,
    assigned_at=datetime(2011, 5, 5, 10, 38, 52),
    solved_at=datetime(2011, 5, 9, 10, 38, 52),
)


def ticket_json(tid: int = 4343, **overrides: Any) -> dict[str, Any]:
    d: dict[str, Any] = {
        "id": tid,
        "created_at": "2024-01-02T03:04:05Z",
        "updated_at": "2024-01-03T03:04:05Z",
        "generated_timestamp": 1704251045,
        "status": "solved",
        "subject": "Printer on fire",
        "description": "It is on fire.",
        "priority": "high",
        "type": "incident",
        "via": {"channel": "email", "source": {"from": {}, "to": {}, "rel": None}},
        "group_id": 11,
        "assignee_id": 22,
        "requester_id": 33,
        "brand_id": 44,
        "ticket_form_id": 55,
        "tags": ["billing", "vip"],
        "custom_fields": [
            {"id": 360001, "value": "billing__refund"},
            {"id": 360002, "value": None},
        ],
        "satisfaction_rating": {"score": "good", "comment": "thanks"},
    }
    d.update(overrides)
    return d


def test_ticket_fields_are_mapped() -> None:
    t = parse_ticket(ticket_json())
    assert t.id == 4343
    assert t.created_at == datetime(2024, 1, 2, 3, 4, 5)
    assert t.updated_at == datetime(2024, 1, 3, 3, 4, 5)
    assert t.created_at.tzinfo is None
    assert t.generated_timestamp == 1704251045
    assert (t.status, t.priority, t.type, t.channel) == ("solved", "high", "incident", "email")
    assert (t.group_id, t.assignee_id, t.requester_id, t.brand_id, t.form_id) == (
        11,
        22,
        33,
        44,
        55,
    )
    assert t.tags == ("billing", "vip")
    assert t.custom_fields == {360001: "billing__refund", 360002: None}
    assert t.satisfaction == "good"
    assert t.metrics is None
    assert not t.deleted


def test_deleted_ticket_keeps_status_deleted() -> None:
    t = parse_ticket(ticket_json(status="deleted", satisfaction_rating=None, via=None))
    assert t.deleted
    assert t.satisfaction is None
    assert t.channel is None


def test_inline_metric_set_is_mapped() -> None:
    t = parse_ticket(ticket_json(metric_set=METRIC_SET))
    assert t.metrics == EXPECTED_METRICS


def test_top_level_metric_sets_attach_to_their_ticket() -> None:
    body = {
        "tickets": [ticket_json(4343), ticket_json(4344)],
        "metric_sets": [{**METRIC_SET, "ticket_id": 4343}, {"ticket_id": 9999, "replies": 7}],
    }
    tickets, skipped = parse_tickets(body)
    assert skipped == []
    by_id = {t.id: t for t in tickets}
    assert by_id[4343].metrics == EXPECTED_METRICS
    assert by_id[4344].metrics is None


def test_inline_metric_set_wins_over_side_load() -> None:
    body = {
        "tickets": [ticket_json(1, metric_set={"ticket_id": 1, "replies": 5})],
        "metric_sets": [{"ticket_id": 1, "replies": 9}],
    }
    tickets, _ = parse_tickets(body)
    assert tickets[0].metrics is not None
    assert tickets[0].metrics.replies == 5


def test_zendesk_documented_metric_sample_parses() -> None:
    sample = json.loads((RECORDED_DIR / "specification_zendesk_ticket_metric.json").read_text())
    t = parse_ticket(ticket_json(sample["ticket_id"], metric_set=sample))
    assert t.metrics == TicketMetrics(
        replies=322,
        reopens=55,
        group_stations=7,
        assignee_stations=1,
        reply_time_minutes=2391,
        first_resolution_minutes=2391,
        full_resolution_minutes=2391,
        agent_wait_minutes=2391,
        requester_wait_minutes=2391,
        assigned_at=datetime(2011, 5, 5, 10, 38, 52),
        solved_at=datetime(2011, 5, 9, 10, 38, 52),
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-02T03:04:05Z", datetime(2024, 1, 2, 3, 4, 5)),
        ("2024-01-02T05:04:05+02:00", datetime(2024, 1, 2, 3, 4, 5)),
        ("2024-01-02T03:04:05.250Z", datetime(2024, 1, 2, 3, 4, 5, 250000)),
    ],
)
def test_times_become_naive_utc(text: str, expected: datetime) -> None:
    parsed = parse_time(text)
    assert parsed == expected
    assert parsed.tzinfo is None


@pytest.mark.parametrize("bad", [None, 17, "yesterday", ""])
def test_unreadable_times_are_bad_records(bad: object) -> None:
    with pytest.raises(BadRecord):
        parse_time(bad)


def test_bad_tickets_are_skipped_with_their_id_and_the_rest_kept(
    caplog: pytest.LogCaptureFixture,
) -> None:
    body = {
        "tickets": [
            ticket_json(1),
            ticket_json(2, created_at=None),
            ticket_json(3, assignee_id="not-a-number"),
            ticket_json(4, tags="billing"),
            {"subject": "no id at all"},
            "not even an object",
            ticket_json(5, metric_set={"replies": "many"}),
            ticket_json(6, custom_fields=[{"value": 1}]),
            ticket_json(7, id=True),
            ticket_json(8),
        ]
    }
    with caplog.at_level(logging.WARNING, logger="integrations.zendesk.parse"):
        tickets, skipped = parse_tickets(body)
    assert [t.id for t in tickets] == [1, 8]
    assert [s.record_id for s in skipped] == [2, 3, 4, None, None, 5, 6, None]
    assert all(s.stream == "tickets" for s in skipped)
    by_id = {s.record_id: s.reason for s in skipped}
    assert "ticket 2" in by_id[2]
    assert "created_at" in by_id[2]
    assert "assignee_id" in by_id[3]
    assert "metric_set.replies" in by_id[5]
    # Every skip is logged, naming the ticket.
    assert "ticket 2" in caplog.text
    assert "ticket 6" in caplog.text
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == len(skipped)


def test_user_fields_are_mapped() -> None:
    d = {
        "id": 501,
        "name": "Ada Agent",
        "email": "ada@example.com",
        "role": "admin",
        "active": True,
        "suspended": False,
        "created_at": "2023-09-09T23:52:05Z",
        "updated_at": "2023-09-10T23:52:05Z",
        "default_group_id": 11,
        "tags": ["tier2"],
        "user_fields": {"languages": "de", "hired": "2020-01-01"},
    }
    u = parse_user(d)
    assert (u.id, u.name, u.email, u.role) == (501, "Ada Agent", "ada@example.com", "admin")
    assert u.active
    assert not u.suspended
    assert u.is_agent
    assert u.default_group_id == 11
    assert u.tags == ("tier2",)
    assert u.user_fields == {"languages": "de", "hired": "2020-01-01"}
    assert u.updated_at == datetime(2023, 9, 10, 23, 52, 5)


def test_bad_users_are_skipped() -> None:
    good = {
        "id": 1,
        "name": "A",
        "role": "agent",
        "active": True,
        "created_at": "2023-09-09T23:52:05Z",
        "updated_at": "2023-09-09T23:52:05Z",
    }
    users, skipped = parse_users({"users": [good, {**good, "id": 2, "active": None}]})
    assert [u.id for u in users] == [1]
    assert users[0].suspended is False  # missing means not suspended
    assert [(s.stream, s.record_id) for s in skipped] == [("users", 2)]


def test_ticket_field_options() -> None:
    f = parse_ticket_field(
        {
            "id": 360001,
            "title": "Product",
            "type": "tagger",
            "active": True,
            "custom_field_options": [
                {"id": 1, "name": "Billing", "value": "billing"},
                {"id": 2, "name": "Mobile app", "value": "mobile"},
            ],
        }
    )
    assert f.options == (("Billing", "billing"), ("Mobile app", "mobile"))
    assert (f.id, f.title, f.type, f.active) == (360001, "Product", "tagger", True)


# --- ticket events ---------------------------------------------------------------------------


def audit(aid: int, ticket_id: int, children: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    d: dict[str, Any] = {
        "id": aid,
        "ticket_id": ticket_id,
        "timestamp": 1704164645,
        "created_at": "2024-01-02T03:04:05Z",
        "updater_id": 900,
        "via": "Web form",
        "event_type": "Audit",
        "child_events": children,
    }
    d.update(extra)
    return d


AT = datetime(2024, 1, 2, 3, 4, 5)


def test_comments_become_public_replies_and_internal_notes() -> None:
    events, skipped = parse_ticket_events(
        [
            audit(
                10,
                7,
                [
                    {"id": 101, "event_type": "Comment", "author_id": 501, "public": True},
                    {"id": 102, "event_type": "Comment", "author_id": 502, "public": False},
                ],
            )
        ]
    )
    assert skipped == []
    assert events == [
        TouchEvent(101, 7, 10, AT, TouchKind.PUBLIC_REPLY, actor_id=501, public=True),
        TouchEvent(102, 7, 10, AT, TouchKind.INTERNAL_NOTE, actor_id=502, public=False),
    ]


def test_assignee_and_group_changes_in_both_shapes() -> None:
    events, skipped = parse_ticket_events(
        [
            audit(
                20,
                7,
                [
                    # value under "value" with field_name ...
                    {
                        "id": 201,
                        "event_type": "Change",
                        "field_name": "assignee_id",
                        "value": "501",
                        "previous_value": "502",
                    },
                    # ... or under a key named like the field, as the events export sends it.
                    {
                        "id": 202,
                        "event_type": "Change",
                        "assignee_id": "503",
                        "previous_value": None,
                    },
                    {"id": 203, "event_type": "Change", "group_id": 12, "previous_value": "11"},
                    {
                        "id": 204,
                        "event_type": "Change",
                        "assignee_id": None,
                        "previous_value": "503",
                    },
                    # Other fields and event types are not touches.
                    {
                        "id": 205,
                        "event_type": "Change",
                        "status": "solved",
                        "previous_value": "open",
                    },
                    {"id": 206, "event_type": "Notification", "subject": "hi"},
                    {"id": 207, "event_type": "Change", "field_name": "status", "value": "open"},
                ],
            )
        ]
    )
    assert skipped == []
    assert events == [
        TouchEvent(201, 7, 20, AT, TouchKind.ASSIGNEE_CHANGE, 900, value=501, previous_value=502),
        TouchEvent(202, 7, 20, AT, TouchKind.ASSIGNEE_CHANGE, 900, value=503, previous_value=None),
        TouchEvent(203, 7, 20, AT, TouchKind.GROUP_CHANGE, 900, value=12, previous_value=11),
        TouchEvent(204, 7, 20, AT, TouchKind.ASSIGNEE_CHANGE, 900, value=None, previous_value=503),
    ]


def test_create_events_on_the_first_audit() -> None:
    events, _ = parse_ticket_events(
        [
            audit(
                30,
                8,
                [
                    {
                        "id": 301,
                        "event_type": "Create",
                        "field_name": "assignee_id",
                        "value": "501",
                    },
                    {"id": 302, "event_type": "Create", "field_name": "group_id", "value": "11"},
                    {"id": 303, "event_type": "Create", "field_name": "status", "value": "new"},
                ],
                created_at=None,
                timestamp=1704164645,
            )
        ]
    )
    assert events == [
        TouchEvent(301, 8, 30, AT, TouchKind.ASSIGNEE_CHANGE, 900, value=501, previous_value=None),
        TouchEvent(302, 8, 30, AT, TouchKind.GROUP_CHANGE, 900, value=11, previous_value=None),
    ]


def test_recorded_audit_shapes_parse() -> None:
    """The audits API's real events (`type` rather than `event_type`) map the same way."""
    body = load_cassette("TestTicketAudits.test_values")[0].json()
    first = body["audits"][0]
    as_event = {**first, "updater_id": first["author_id"], "child_events": first["events"]}
    events, skipped = parse_ticket_events([as_event])
    assert skipped == []
    kinds = [(e.kind, e.value, e.actor_id) for e in events]
    assert kinds == [
        (TouchKind.PUBLIC_REPLY, None, 6130869168922),
        (TouchKind.ASSIGNEE_CHANGE, 6130907993114, 6130907993114),
        (TouchKind.GROUP_CHANGE, 6130852536346, 6130907993114),
    ]
    assert all(e.ticket_id == 1 and e.at == datetime(2023, 9, 9, 23, 52, 5) for e in events)


def test_bad_events_are_skipped_alone(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="integrations.zendesk.parse"):
        events, skipped = parse_ticket_events(
            [
                audit(
                    40,
                    9,
                    [
                        {"id": 401, "event_type": "Comment", "author_id": 1, "public": "yes"},
                        {"id": 402, "event_type": "Change", "assignee_id": "bob"},
                        {"event_type": "Comment", "author_id": 1, "public": True},
                        {"id": 404, "event_type": "Comment", "author_id": 1, "public": True},
                    ],
                ),
                audit(41, 10, [{"id": 411, "event_type": "Comment", "public": True}], created_at=5),
                audit(42, 11, "not a list"),  # type: ignore[arg-type]
                {"id": 43, "child_events": []},
                audit(
                    44, 12, [{"id": 441, "event_type": "Comment", "author_id": 2, "public": False}]
                ),
            ]
        )
    assert [e.id for e in events] == [404, 441]
    assert [s.record_id for s in skipped] == [401, 402, None, 41, 42, 43]
    assert all(s.stream == "ticket_events" for s in skipped)
    assert "ticket 9" in skipped[0].reason
    assert "ticket 10" in skipped[3].reason
    assert "ticket 9" in caplog.text
    assert "ticket 11" in caplog.text


def test_no_events_is_fine() -> None:
    assert parse_ticket_events([]) == ([], [])
    assert parse_ticket_events(None) == ([], [])
    assert parse_ticket_events([audit(1, 2, [], child_events=None)]) == ([], [])
