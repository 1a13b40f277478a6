"""Real recorded Zendesk responses, served over HTTP as recorded (gzip and all)."""

from __future__ import annotations

from datetime import datetime
from itertools import islice
from typing import Any

import pytest
from zendesk_testkit import (
    ClientFactory,
    Recorded,
    Reply,
    ScriptedServer,
    Seen,
    json_reply,
    load_cassette,
)

from integrations.zendesk.records import Ticket, User

TICKETS = "/api/v2/incremental/tickets/cursor.json"
USERS = "/api/v2/incremental/users/cursor.json"


def zulu(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")


def check_ticket(t: Ticket, raw: dict[str, Any]) -> None:
    assert t.id == raw["id"]
    assert t.status == raw["status"]
    assert t.deleted == (raw["status"] == "deleted")
    assert t.created_at == zulu(raw["created_at"])
    assert t.updated_at == zulu(raw["updated_at"])
    assert t.generated_timestamp == raw["generated_timestamp"]
    assert t.tags == tuple(raw["tags"])
    assert t.channel == raw["via"]["channel"]
    assert t.form_id == raw["ticket_form_id"]
    assert t.requester_id == raw["requester_id"]
    assert t.subject == raw["subject"]


def check_user(u: User, raw: dict[str, Any]) -> None:
    assert (u.id, u.name, u.email, u.role) == (raw["id"], raw["name"], raw["email"], raw["role"])
    assert (u.active, u.suspended) == (raw["active"], raw["suspended"])
    assert u.created_at == zulu(raw["created_at"])
    assert u.updated_at == zulu(raw["updated_at"])
    assert u.tags == tuple(raw["tags"])
    assert u.user_fields == raw["user_fields"]
    assert u.default_group_id == raw["default_group_id"]


def recorded_cursor_chain() -> tuple[Recorded, dict[str, Recorded]]:
    """The per_page=1 cursor chain: its first page (by start_time) and the rest by cursor."""
    chain = [
        r
        for r in load_cassette("TicketsIncrementalTest.test_pagination")
        if r.path == TICKETS and r.query.get("per_page") == "1"
    ]
    first = next(r for r in chain if "start_time" in r.query)
    by_cursor = {r.query["cursor"]: r for r in chain if "cursor" in r.query}
    return first, by_cursor


def test_recorded_cursor_chain_walks_page_by_page(
    server: ScriptedServer, make_client: ClientFactory
) -> None:
    first, by_cursor = recorded_cursor_chain()
    assert len(by_cursor) == 99

    def replay(seen: Seen) -> Reply:
        if "cursor" in seen.query:
            return by_cursor[seen.query["cursor"]].reply()
        assert seen.query["start_time"] == "0"
        return first.reply()

    server.handle(TICKETS, replay)
    client = make_client(page_size=1)
    pages = list(islice(client.ticket_pages(start_time=0), 100))

    expected = [first] + [by_cursor[c] for c in [p.resume for p in pages[:-1]]]
    for page, rec in zip(pages, expected, strict=True):
        body = rec.json()
        assert page.resume == body["after_cursor"]
        assert page.end_of_stream is body["end_of_stream"] is False
        assert page.skipped == []
        assert len(page.records) == len(body["tickets"]) == 1
        check_ticket(page.records[0], body["tickets"][0])
    ids = [p.records[0].id for p in pages]
    assert ids[:8] == [28, 29, 30, 31, 32, 37, 38, 33]
    assert len(set(ids)) == 100
    # Each request after the first carried the cursor the previous page handed back.
    sent = [s.query.get("cursor") for s in server.requests_to(TICKETS)]
    assert sent == [None] + [p.resume for p in pages[:-1]]
    assert client.stats.requests == 100


def test_recorded_export_to_end_of_stream(
    server: ScriptedServer, make_client: ClientFactory
) -> None:
    rec = load_cassette("TicketsIncrementalTest.test_get_values")[1]
    assert rec.path == TICKETS
    body = rec.json()
    assert body["end_of_stream"] is True
    server.script(TICKETS, rec.reply())
    pages = list(make_client().ticket_pages(start_time=0))
    assert len(pages) == 1
    (page,) = pages
    assert page.end_of_stream
    assert page.resume == body["after_cursor"]
    assert page.skipped == []
    assert [t.id for t in page.records] == [t["id"] for t in body["tickets"]]
    for t, raw in zip(page.records, body["tickets"], strict=True):
        check_ticket(t, raw)
    deleted = sum(1 for t in page.records if t.deleted)
    assert deleted == sum(1 for t in body["tickets"] if t["status"] == "deleted")
    assert deleted > 0
    assert len(server.seen) == 1


def test_recorded_thousand_ticket_page(server: ScriptedServer, make_client: ClientFactory) -> None:
    rec = load_cassette("TicketsIncrementalTest.test_pagination")[1]
    body = rec.json()
    assert len(body["tickets"]) == 1000
    server.script(
        TICKETS,
        rec.reply(),
        json_reply({"tickets": [], "after_cursor": "last", "end_of_stream": True}),
    )
    pages = list(make_client().ticket_pages(start_time=0))
    assert [len(p.records) for p in pages] == [1000, 0]
    assert pages[0].resume == body["after_cursor"]
    assert server.seen[1].query["cursor"] == body["after_cursor"]
    for t, raw in zip(pages[0].records, body["tickets"], strict=True):
        check_ticket(t, raw)


@pytest.mark.parametrize("per_page", ["1", None])
def test_recorded_users_export(
    server: ScriptedServer, make_client: ClientFactory, per_page: str | None
) -> None:
    rec = next(
        r
        for r in load_cassette("UsersIncrementalTest.test_get_values")
        if r.path == USERS and r.query.get("per_page") == per_page
    )
    body = rec.json()
    server.script(
        USERS,
        rec.reply(),
        json_reply({"users": [], "after_cursor": "last", "end_of_stream": True}),
    )
    pages = list(make_client(page_size=int(per_page or 1000)).user_pages(start_time=0))
    assert [p.end_of_stream for p in pages] == [False, True]
    assert pages[0].resume == body["after_cursor"]
    assert pages[1].resume == "last"
    assert len(pages[0].records) == len(body["users"])
    for u, raw in zip(pages[0].records, body["users"], strict=True):
        check_user(u, raw)
    assert server.seen[1].query == {"cursor": body["after_cursor"], "per_page": per_page or "1000"}
