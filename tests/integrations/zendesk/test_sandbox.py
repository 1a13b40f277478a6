"""The client against the Zendesk sandbox: whole exports, resumes, faults, real rate limits."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from pydantic import SecretStr

from integrations.sandbox import Sandbox, SandboxConfig, start_sandbox
from integrations.zendesk.client import ZendeskClient
from integrations.zendesk.errors import ZendeskAuthError
from integrations.zendesk.records import Page, Ticket, TouchEvent, User

CONFIG = SandboxConfig(seed=7, agents=10, tickets=300, months=3, rate_limits=False, hang_s=0.3)
EVENTS = "/api/v2/incremental/ticket_events.json"


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    sb = start_sandbox(CONFIG, port=0)
    # Advertise limits high enough that the governor never has to wait in these tests.
    sb.set_rate_limits(False, export_per_min=100_000, api_per_min=100_000)
    yield sb
    sb.stop()


@pytest.fixture
def clients(sandbox: Sandbox) -> Iterator[list[ZendeskClient]]:
    made: list[ZendeskClient] = []
    yield made
    for c in made:
        c.close()


def client_for(sb: Sandbox, made: list[ZendeskClient], **kwargs: Any) -> ZendeskClient:
    c = ZendeskClient(sb.url, sb.email, SecretStr(sb.token), **kwargs)
    made.append(c)
    return c


def drain(pages: Iterator[Page[Any]]) -> tuple[list[Any], list[Page[Any]]]:
    out: list[Page[Any]] = list(pages)
    assert out[-1].end_of_stream
    assert not any(p.end_of_stream for p in out[:-1])
    return [r for p in out for r in p.records], out


def raw_touch_ids(sb: Sandbox) -> tuple[set[int], set[int]]:
    """An independent reading of the events export: touch child ids and audit ids."""
    touches: set[int] = set()
    audits: set[int] = set()
    start = 0
    auth = (f"{sb.email}/token", sb.token)
    with requests.Session() as s:
        while True:
            params: dict[str, str | int] = {"start_time": start, "include": "comment_events"}
            body = s.get(sb.url + EVENTS, params=params, auth=auth, timeout=30).json()
            for audit in body["ticket_events"]:
                audits.add(audit["id"])
                for ev in audit["child_events"]:
                    kind = ev.get("event_type")
                    field = ev.get("field_name")
                    if kind == "Comment" or (
                        kind in ("Change", "Create") and field in ("assignee_id", "group_id")
                    ):
                        touches.add(ev["id"])
            if body["end_of_stream"]:
                return touches, audits
            start = body["end_time"]


def test_every_export_walks_fully(sandbox: Sandbox, clients: list[ZendeskClient]) -> None:
    client = client_for(sandbox, clients, page_size=100)
    truth = sandbox.truth()

    tickets, ticket_pages = drain(client.ticket_pages(start_time=0))
    assert len(ticket_pages) >= 3
    assert sorted(t.id for t in tickets) == [t["id"] for t in truth["tickets"]]
    assert all(isinstance(t, Ticket) and t.metrics is not None for t in tickets)

    users, _ = drain(client.user_pages(start_time=0))
    assert all(isinstance(u, User) for u in users)
    assert {u.id for u in users if u.is_agent} == {a["id"] for a in truth["agents"]}
    assert any(not u.is_agent for u in users)

    events, event_pages = drain(client.ticket_event_pages(start_time=0))
    assert all(isinstance(e, TouchEvent) for e in events)
    # Every request the client counted reached the sandbox, and no others were sent.
    assert client.stats.requests == sandbox.stats()["requests_total"]
    expected_touches, audits = raw_touch_ids(sandbox)
    assert len(audits) == sandbox.stats()["audits"]
    assert {e.id for e in events} == expected_touches
    assert {e.ticket_id for e in events} <= {t.id for t in tickets}
    assert [int(p.resume) for p in event_pages] == sorted(int(p.resume) for p in event_pages)

    assert {g.id for g in client.groups()} == {g["id"] for g in truth["groups"]}
    assert client.ticket_fields()
    for page in ticket_pages + event_pages:
        assert page.skipped == []
    assert client.stats.http_429 == 0
    assert client.stats.retries == 0


def test_resuming_from_a_page_gives_the_rest(
    sandbox: Sandbox, clients: list[ZendeskClient]
) -> None:
    first = client_for(sandbox, clients, page_size=50)
    pages = first.ticket_pages(start_time=0)
    head = [next(pages), next(pages)]
    # A new client (a new run) picks up from the committed position.
    second = client_for(sandbox, clients, page_size=50)
    rest, rest_pages = drain(second.ticket_pages(cursor=head[-1].resume))
    ids = [t.id for p in head for t in p.records] + [t.id for t in rest]
    assert sorted(ids) == list(range(1, CONFIG.tickets + 1))
    # Nothing changed since: resuming from the end gives no tickets.
    again, _ = drain(second.ticket_pages(cursor=rest_pages[-1].resume))
    assert again == []

    big = client_for(sandbox, clients, page_size=250)
    events, event_pages = drain(big.ticket_event_pages(start_time=0))
    assert len(event_pages) >= 4
    middle = event_pages[len(event_pages) // 2]
    tail, _ = drain(big.ticket_event_pages(start_time=int(middle.resume)))
    before = {e.id for p in event_pages[: len(event_pages) // 2 + 1] for e in p.records}
    assert before | {e.id for e in tail} == {e.id for e in events}


def test_faults_are_survived_and_nothing_is_lost(
    sandbox: Sandbox, clients: list[ZendeskClient]
) -> None:
    clean = client_for(sandbox, clients, page_size=100)
    want_tickets = {t.id for t in drain(clean.ticket_pages(start_time=0))[0]}
    want_users = {u.id for u in drain(clean.user_pages(start_time=0))[0]}
    want_events = {e.id for e in drain(clean.ticket_event_pages(start_time=0))[0]}

    sandbox.set_faults("http500=0.12,timeout=0.04,truncate=0.12,dup=0.12,http429=0.04")
    client = client_for(sandbox, clients, page_size=100, timeout_s=2.0, give_up_after_s=120.0)
    assert {t.id for t in drain(client.ticket_pages(start_time=0))[0]} == want_tickets
    assert {u.id for u in drain(client.user_pages(start_time=0))[0]} == want_users
    assert {e.id for e in drain(client.ticket_event_pages(start_time=0))[0]} == want_events
    faults = sandbox.stats()["faults_injected"]
    assert sum(faults.values()) >= 8
    assert client.stats.retries > 0
    assert client.stats.retries == client.stats.transient_errors + client.stats.http_429


def test_wrong_token_fails_fast(sandbox: Sandbox, clients: list[ZendeskClient]) -> None:
    client = ZendeskClient(sandbox.url, sandbox.email, SecretStr("not-the-token"))
    clients.append(client)
    with pytest.raises(ZendeskAuthError, match="ZENDESK_API_TOKEN"):
        next(client.ticket_pages(start_time=0))
    assert sandbox.stats()["requests_total"] == 1


@pytest.mark.slow
def test_real_rate_limits_are_kept_without_a_429(
    sandbox: Sandbox, clients: list[ZendeskClient]
) -> None:
    """Real time: 26 export requests against 20 a minute means one wait of about a minute."""
    sandbox.set_rate_limits(True, export_per_min=20, api_per_min=700)
    waits: list[float] = []
    client = client_for(
        sandbox, clients, page_size=12, rate_share=1.0, on_wait=lambda s, why: waits.append(s)
    )
    tickets, pages = drain(client.ticket_pages(start_time=0))
    assert len(pages) > 20
    assert sorted(t.id for t in tickets) == list(range(1, CONFIG.tickets + 1))
    assert sandbox.stats()["http_429"] == 0
    assert client.stats.http_429 == 0
    # The limit was really in play: the governor had to wait rather than be refused.
    assert waits
    assert client.stats.rate_limit_wait_s > 0
