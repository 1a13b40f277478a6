"""Paging: what each request asks for, laziness, resume positions, and streams that go wrong."""

from __future__ import annotations

from typing import Any

import pytest
from zendesk_testkit import ClientFactory, ScriptedServer, json_reply

from integrations.zendesk.errors import ZendeskError
from integrations.zendesk.records import TouchKind

TICKETS = "/api/v2/incremental/tickets/cursor.json"
EVENTS = "/api/v2/incremental/ticket_events.json"
USERS = "/api/v2/incremental/users/cursor.json"
GROUPS = "/api/v2/groups.json"
FIELDS = "/api/v2/ticket_fields.json"
ELSEWHERE = "https://acme.zendesk.com"


def ticket(tid: int, **extra: Any) -> dict[str, Any]:
    return {
        "id": tid,
        "created_at": "2024-01-02T03:04:05Z",
        "updated_at": "2024-01-02T03:04:05Z",
        "generated_timestamp": 1704164645,
        "status": "open",
        **extra,
    }


def cursor_page(ids: list[int], after: str | None, end: bool, **extra: Any) -> dict[str, Any]:
    return {
        "tickets": [ticket(i) for i in ids],
        "after_cursor": after,
        "after_url": f"{ELSEWHERE}{TICKETS}?cursor={after}" if after else None,
        "before_cursor": None,
        "before_url": None,
        "end_of_stream": end,
        **extra,
    }


def events_page(
    audits: list[dict[str, Any]], end_time: int | None, end: bool, **extra: Any
) -> dict[str, Any]:
    return {
        "ticket_events": audits,
        "next_page": f"{ELSEWHERE}{EVENTS}?start_time={end_time}",
        "count": len(audits),
        "end_of_stream": end,
        "end_time": end_time,
        **extra,
    }


def audit(aid: int, ticket_id: int, ts: int) -> dict[str, Any]:
    return {
        "id": aid,
        "ticket_id": ticket_id,
        "timestamp": ts,
        "created_at": "2024-01-02T03:04:05Z",
        "updater_id": 900,
        "event_type": "Audit",
        "child_events": [
            {"id": aid * 10, "event_type": "Comment", "author_id": 900, "public": True},
            {"id": aid * 10 + 1, "event_type": "Change", "group_id": "12", "previous_value": None},
        ],
    }


def test_cursor_export_asks_right_resumes_right_and_stops_at_end(
    server: ScriptedServer, make_client: ClientFactory
) -> None:
    server.script(
        TICKETS,
        json_reply(cursor_page([1, 2], "cA", False)),
        json_reply(cursor_page([3], "cB", False)),
        json_reply(cursor_page([], "cC", True)),
    )
    client = make_client(page_size=2)
    pages = list(client.ticket_pages(start_time=1700000000))
    assert [[t.id for t in p.records] for p in pages] == [[1, 2], [3], []]
    assert [p.resume for p in pages] == ["cA", "cB", "cC"]
    assert [p.end_of_stream for p in pages] == [False, False, True]
    queries = [s.query for s in server.requests_to(TICKETS)]
    assert queries == [
        {"start_time": "1700000000", "per_page": "2", "include": "metric_sets"},
        {"cursor": "cA", "per_page": "2", "include": "metric_sets"},
        {"cursor": "cB", "per_page": "2", "include": "metric_sets"},
    ]
    # The after_url pointed at another host; every request still came here.
    assert len(server.seen) == 3


def test_pages_are_fetched_only_when_asked_for(
    server: ScriptedServer, make_client: ClientFactory
) -> None:
    server.script(
        TICKETS,
        json_reply(cursor_page([1], "cA", False)),
        json_reply(cursor_page([2], "cB", True)),
    )
    pages = make_client().ticket_pages(cursor="c0")
    assert server.seen == []
    first = next(pages)
    assert first.resume == "cA"
    assert len(server.seen) == 1
    assert server.seen[0].query["cursor"] == "c0"
    assert "start_time" not in server.seen[0].query
    second = next(pages)
    assert second.end_of_stream
    assert len(server.seen) == 2
    assert list(pages) == []
    assert len(server.seen) == 2


def test_cursor_export_needs_a_position(make_client: ClientFactory) -> None:
    with pytest.raises(ValueError, match="cursor"):
        make_client().ticket_pages()


def test_cursor_that_does_not_move_is_an_error(
    server: ScriptedServer, make_client: ClientFactory
) -> None:
    server.script(
        TICKETS,
        json_reply(cursor_page([1], "cA", False)),
        json_reply(cursor_page([1], "cA", False)),
    )
    pages = make_client().ticket_pages(start_time=0)
    next(pages)
    with pytest.raises(ZendeskError, match="loop forever"):
        next(pages)


def test_missing_after_cursor_is_an_error(
    server: ScriptedServer, make_client: ClientFactory
) -> None:
    server.script(TICKETS, json_reply(cursor_page([1], None, False)))
    with pytest.raises(ZendeskError, match="after_cursor"):
        list(make_client().ticket_pages(start_time=0))


def test_page_of_the_wrong_shape_is_an_error(
    server: ScriptedServer, make_client: ClientFactory
) -> None:
    server.script(TICKETS, json_reply({"tickets": {"1": {}}, "after_cursor": "x"}))
    with pytest.raises(ZendeskError, match="unexpected page"):
        list(make_client().ticket_pages(start_time=0))


def test_bad_records_are_skipped_and_the_page_goes_on(
    server: ScriptedServer, make_client: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    body = cursor_page([1, 2, 3], "cA", True)
    body["tickets"][1]["updated_at"] = None
    body["tickets"][2]["status"] = 3
    body["metric_sets"] = [{"ticket_id": 1, "replies": 4}]
    server.script(TICKETS, json_reply(body))
    (page,) = make_client().ticket_pages(start_time=0)
    assert [t.id for t in page.records] == [1]
    assert page.records[0].metrics is not None
    assert page.records[0].metrics.replies == 4
    assert [(s.stream, s.record_id) for s in page.skipped] == [("tickets", 2), ("tickets", 3)]
    assert page.resume == "cA"
    assert "ticket 2" in caplog.text
    assert "ticket 3" in caplog.text


def test_users_export(server: ScriptedServer, make_client: ClientFactory) -> None:
    user = {
        "id": 7,
        "name": "Eve",
        "role": "end-user",
        "active": True,
        "suspended": False,
        "created_at": "2024-01-02T03:04:05Z",
        "updated_at": "2024-01-02T03:04:05Z",
    }
    server.script(USERS, json_reply({"users": [user], "after_cursor": "u1", "end_of_stream": True}))
    (page,) = make_client(page_size=500).user_pages(start_time=5)
    assert [u.id for u in page.records] == [7]
    assert not page.records[0].is_agent
    assert page.resume == "u1"
    assert server.seen[0].query == {"start_time": "5", "per_page": "500"}


def test_ticket_events_follow_end_time(server: ScriptedServer, make_client: ClientFactory) -> None:
    server.script(
        EVENTS,
        json_reply(events_page([audit(1, 7, 150), audit(2, 8, 200)], 200, False)),
        json_reply(events_page([audit(2, 8, 200), audit(3, 9, 250)], 250, True)),
    )
    pages = list(make_client().ticket_event_pages(start_time=100))
    assert [p.resume for p in pages] == ["200", "250"]
    assert [p.end_of_stream for p in pages] == [False, True]
    assert [(e.id, e.kind) for e in pages[0].records] == [
        (10, TouchKind.PUBLIC_REPLY),
        (11, TouchKind.GROUP_CHANGE),
        (20, TouchKind.PUBLIC_REPLY),
        (21, TouchKind.GROUP_CHANGE),
    ]
    assert pages[0].records[1].value == 12
    assert [s.query for s in server.requests_to(EVENTS)] == [
        {"start_time": "100", "per_page": "1000", "include": "comment_events"},
        {"start_time": "200", "per_page": "1000", "include": "comment_events"},
    ]


def test_stuck_time_based_stream_is_an_error_not_a_loop(
    server: ScriptedServer, make_client: ClientFactory
) -> None:
    full = [audit(i, i, 300) for i in range(1, 4)]
    server.script(
        EVENTS,
        json_reply(events_page(full, 300, False)),
        json_reply(events_page(full, 300, False)),
    )
    pages = make_client(page_size=3).ticket_event_pages(start_time=200)
    assert next(pages).resume == "300"
    with pytest.raises(ZendeskError) as info:
        next(pages)
    assert "stuck at start_time=300" in str(info.value)
    assert EVENTS in str(info.value)
    assert len(server.seen) == 2


def test_end_of_stream_at_the_start_time_is_fine(
    server: ScriptedServer, make_client: ClientFactory
) -> None:
    server.script(EVENTS, json_reply(events_page([], 300, True)))
    (page,) = make_client().ticket_event_pages(start_time=300)
    assert page.records == []
    assert page.resume == "300"


def test_groups_follow_next_page_rebased_on_our_url(
    server: ScriptedServer, make_client: ClientFactory
) -> None:
    def group(gid: int) -> dict[str, Any]:
        return {
            "id": gid,
            "name": f"G{gid}",
            "deleted": gid == 3,
            "created_at": "2023-01-01T00:00:00Z",
            "updated_at": "2023-01-01T00:00:00Z",
        }

    server.script(
        GROUPS,
        json_reply({"groups": [group(1), group(2)], "next_page": f"{ELSEWHERE}{GROUPS}?page=2"}),
        json_reply({"groups": [group(3), {"id": 4}], "next_page": None}),
    )
    groups = make_client().groups()
    assert [(g.id, g.deleted) for g in groups] == [(1, False), (2, False), (3, True)]
    assert [s.query for s in server.requests_to(GROUPS)] == [{"per_page": "100"}, {"page": "2"}]


def test_next_page_pointing_back_is_an_error(
    server: ScriptedServer, make_client: ClientFactory
) -> None:
    server.handle(
        GROUPS, lambda seen: json_reply({"groups": [], "next_page": f"{ELSEWHERE}{GROUPS}?page=2"})
    )
    with pytest.raises(ZendeskError, match="loop forever"):
        make_client().groups()
    assert len(server.seen) == 2


def test_ticket_fields_follow_cursor_links(
    server: ScriptedServer, make_client: ClientFactory
) -> None:
    def field(fid: int) -> dict[str, Any]:
        return {"id": fid, "title": f"F{fid}", "type": "text", "active": True}

    server.script(
        FIELDS,
        json_reply(
            {
                "ticket_fields": [field(1)],
                "meta": {"has_more": True, "after_cursor": "xyz"},
                "links": {"next": f"{ELSEWHERE}{FIELDS}?page%5Bafter%5D=xyz&page%5Bsize%5D=100"},
            }
        ),
        json_reply({"ticket_fields": [field(2)], "meta": {"has_more": False}, "links": {}}),
    )
    assert [f.id for f in make_client().ticket_fields()] == [1, 2]
    assert server.requests_to(FIELDS)[1].query == {"page[after]": "xyz", "page[size]": "100"}


def test_get_user_and_ticket(server: ScriptedServer, make_client: ClientFactory) -> None:
    server.handle(
        "/api/v2/users/7.json",
        lambda seen: json_reply(
            {
                "user": {
                    "id": 7,
                    "name": "Ada",
                    "role": "agent",
                    "active": True,
                    "created_at": "2024-01-02T03:04:05Z",
                    "updated_at": "2024-01-02T03:04:05Z",
                }
            }
        ),
    )
    server.handle(
        "/api/v2/tickets/9.json",
        lambda seen: json_reply(
            {"ticket": ticket(9), "metric_sets": [{"ticket_id": 9, "reopens": 2}]}
        ),
    )
    server.handle(
        "/api/v2/tickets/10.json", lambda seen: json_reply({"ticket": ticket(10, status=None)})
    )
    client = make_client()
    assert client.get_user(7).is_agent
    t = client.get_ticket(9)
    assert t.metrics is not None
    assert t.metrics.reopens == 2
    assert server.requests_to("/api/v2/tickets/9.json")[0].query == {"include": "metric_sets"}
    with pytest.raises(ZendeskError, match="ticket 10 cannot be read: status"):
        client.get_ticket(10)
