"""Ticket updates and skills calls: against the sandbox over real HTTP, and against a
scripted server for the retry rules (what may be sent twice, and what may not)."""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from pydantic import SecretStr
from zendesk_testkit import FakeClock

from integrations.sandbox import Sandbox, SandboxConfig, start_sandbox
from integrations.zendesk.errors import ZendeskAuthError, ZendeskError
from integrations.zendesk.routing import RoutingApi
from integrations.zendesk.writes import TicketSnapshot, ZendeskConflict, ZendeskWriter

CONFIG = SandboxConfig(
    seed=11, agents=6, tickets=80, months=1, rate_limits=False, end=datetime(2025, 6, 1, tzinfo=UTC)
)


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with start_sandbox(CONFIG, port=0) as sb:
        sb.set_rate_limits(False, export_per_min=100_000, api_per_min=100_000)
        yield sb


@pytest.fixture
def writer(sandbox: Sandbox) -> Iterator[ZendeskWriter]:
    with ZendeskWriter(sandbox.url, sandbox.email, SecretStr(sandbox.token), timeout_s=5) as w:
        yield w


def _ticket_with(writer: ZendeskWriter, statuses: tuple[str, ...]) -> TicketSnapshot:
    for ticket_id in range(CONFIG.tickets, 0, -1):
        try:
            snapshot = writer.ticket(ticket_id)
        except ZendeskError:
            continue  # deleted
        if snapshot.ticket.status in statuses:
            return snapshot
    raise AssertionError(f"the sandbox desk has no ticket in {statuses}")


def test_update_applies_and_returns_the_new_stamp(writer: ZendeskWriter) -> None:
    before = _ticket_with(writer, ("new", "open", "pending"))
    tags = [*before.ticket.tags, "area_billing"]
    after = writer.update_ticket(
        before.ticket.id,
        {"tags": tags, "comment": {"body": "triage note", "public": False}},
        before.updated_stamp,
    )
    assert "area_billing" in after.ticket.tags
    assert after.updated_stamp != before.updated_stamp
    again = writer.ticket(before.ticket.id)
    assert again.ticket.tags == after.ticket.tags
    assert again.updated_stamp == after.updated_stamp


def test_stale_stamp_is_a_conflict_and_changes_nothing(writer: ZendeskWriter) -> None:
    first = _ticket_with(writer, ("new", "open", "pending"))
    # someone else updates the ticket after we read it
    writer.update_ticket(first.ticket.id, {"tags": ["human_edit"]}, first.updated_stamp)
    with pytest.raises(ZendeskConflict) as caught:
        writer.update_ticket(first.ticket.id, {"tags": ["area_api"]}, first.updated_stamp)
    assert caught.value.status == 409
    assert writer.ticket(first.ticket.id).ticket.tags == ("human_edit",)


def test_refused_update_is_not_retried(sandbox: Sandbox, writer: ZendeskWriter) -> None:
    closed = _ticket_with(writer, ("closed",))
    sandbox.reset_stats()
    with pytest.raises(ZendeskError) as caught:
        writer.update_ticket(closed.ticket.id, {"tags": ["x"]}, closed.updated_stamp)
    assert caught.value.status == 422
    assert sandbox.stats()["requests_by_endpoint"] == {"tickets/{id} (update)": 1}


def test_wrong_token_never_shows_in_the_error(sandbox: Sandbox) -> None:
    secret = "not-the-token-3f9a8c7e"
    with ZendeskWriter(sandbox.url, sandbox.email, SecretStr(secret), timeout_s=5) as writer:
        with pytest.raises(ZendeskAuthError) as caught:
            writer.update_ticket(1, {"tags": []}, "2025-01-01T00:00:00Z")
        assert secret not in str(caught.value)
        assert secret not in repr(writer)


def test_skills_calls_against_the_sandbox(sandbox: Sandbox, writer: ZendeskWriter) -> None:
    api = RoutingApi(writer.http)
    assert api.attributes() == []
    area = api.create_attribute("Product area")
    billing = api.create_value(area.id, "Billing")
    search = api.create_value(area.id, "Search")
    assert api.attributes() == [area]
    assert api.values(area.id) == [billing, search]
    agent = sandbox.truth()["agents"][1]["id"]
    assert api.agent_values(agent) == []
    assert set(api.set_agent_values(agent, [search.id, billing.id])) == {billing, search}
    assert set(api.agent_values(agent)) == {billing, search}
    assert api.set_agent_values(agent, [search.id]) == [search]
    with pytest.raises(ZendeskError) as caught:
        api.create_value(area.id, "billing")
    assert caught.value.status == 422


# --- retry rules, on a server that answers from a script ---------------------------------


class Scripted:
    """Answers PUT and POST from a list of (status, body, headers); records what it got."""

    def __init__(self, replies: list[tuple[int, Any, dict[str, str]]]) -> None:
        self.replies = list(replies)
        self.seen: list[tuple[str, str, Any]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_PUT(self) -> None:
                outer._answer(self)

            def do_POST(self) -> None:
                outer._answer(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _answer(self, h: BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        self.seen.append((h.command, h.path, json.loads(h.rfile.read(length))))
        status, body, headers = self.replies.pop(0)
        data = json.dumps(body).encode()
        h.send_response(status)
        for name, value in {"Content-Length": str(len(data)), **headers}.items():
            h.send_header(name, value)
        h.end_headers()
        h.wfile.write(data)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


TICKET = {
    "id": 5,
    "created_at": "2025-05-01T10:00:00Z",
    "updated_at": "2025-05-01T11:00:00Z",
    "generated_timestamp": 1746097200,
    "status": "open",
    "tags": ["area_api"],
}


def _writer(server: Scripted, clock: FakeClock) -> ZendeskWriter:
    return ZendeskWriter(
        server.url, "a@b.example", SecretStr("t0ken"), clock=clock, rng=random.Random(1)
    )


def test_ticket_update_is_retried_after_a_server_error() -> None:
    server = Scripted([(503, {}, {}), (200, {"ticket": TICKET}, {})])
    clock = FakeClock()
    try:
        with _writer(server, clock) as writer:
            snapshot = writer.update_ticket(5, {"tags": ["area_api"]}, "2025-05-01T10:30:00Z")
            assert writer.stats.retries == 1
    finally:
        server.stop()
    assert snapshot.updated_stamp == "2025-05-01T11:00:00Z"
    assert len(server.seen) == 2
    method, path, body = server.seen[1]
    assert (method, path) == ("PUT", "/api/v2/tickets/5.json")
    assert body == {
        "ticket": {
            "tags": ["area_api"],
            "safe_update": True,
            "updated_stamp": "2025-05-01T10:30:00Z",
        }
    }


def test_creating_a_skill_is_not_sent_twice_after_an_ambiguous_failure() -> None:
    server = Scripted([(502, {}, {})])
    try:
        with _writer(server, FakeClock()) as writer, pytest.raises(ZendeskError) as caught:
            RoutingApi(writer.http).create_attribute("Product area")
    finally:
        server.stop()
    assert "may or may not have been made" in str(caught.value)
    assert len(server.seen) == 1


def test_a_429_is_always_retried_after_retry_after() -> None:
    attribute = {"id": "a1", "name": "Product area"}
    server = Scripted([(429, {}, {"Retry-After": "7"}), (201, {"attribute": attribute}, {})])
    clock = FakeClock()
    try:
        with _writer(server, clock) as writer:
            started = clock.now()
            made = RoutingApi(writer.http).create_attribute("Product area")
            waited = clock.now() - started
    finally:
        server.stop()
    assert made.id == "a1"
    assert waited >= 7
    assert len(server.seen) == 2
