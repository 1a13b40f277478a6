"""The wire: auth, 429s, transient failures and giving up, fail-fast errors, secrets."""

from __future__ import annotations

import base64
import logging
from typing import Any

import pytest
from pydantic import SecretStr
from zendesk_testkit import (
    EMAIL,
    TOKEN,
    ClientFactory,
    FakeClock,
    Reply,
    ScriptedServer,
    Seen,
    json_reply,
)

from integrations.zendesk.client import ZendeskClient
from integrations.zendesk.errors import ZendeskAuthError, ZendeskError, ZendeskGaveUp

GROUPS = "/api/v2/groups.json"
TICKETS = "/api/v2/incremental/tickets/cursor.json"

GROUP = {
    "id": 11,
    "name": "Billing",
    "deleted": False,
    "created_at": "2023-01-01T00:00:00Z",
    "updated_at": "2023-01-02T00:00:00Z",
}
GROUPS_BODY = {"groups": [GROUP], "next_page": None, "count": 1}


def ok_groups(**headers: str) -> Reply:
    return json_reply(GROUPS_BODY, headers={"X-Rate-Limit": "700", **headers})


def test_basic_auth_is_email_slash_token(
    server: ScriptedServer, make_client: ClientFactory
) -> None:
    server.script(GROUPS, ok_groups())
    groups = make_client().groups()
    assert [g.name for g in groups] == ["Billing"]
    auth = server.seen[0].headers["Authorization"]
    assert auth.startswith("Basic ")
    assert base64.b64decode(auth[6:]).decode() == f"{EMAIL}/token:{TOKEN}"


def test_429_waits_retry_after_then_retries(
    server: ScriptedServer, make_client: ClientFactory, clock: FakeClock
) -> None:
    server.script(
        GROUPS,
        json_reply({"error": "slow down"}, status=429, headers={"Retry-After": "17"}),
        json_reply({}, status=429),  # no Retry-After: a minute
        ok_groups(),
    )
    waits: list[tuple[float, str]] = []
    client = make_client(on_wait=lambda s, why: waits.append((s, why)))
    assert len(client.groups()) == 1
    assert clock.sleeps == [17.0, 60.0]
    stats = client.stats
    assert (stats.requests, stats.retries, stats.http_429) == (3, 2, 1 + 1)
    assert stats.rate_limit_wait_s == pytest.approx(77.0)
    assert stats.transient_errors == 0
    assert [s for s, _ in waits] == [17.0, 60.0]
    assert all("429" in why for _, why in waits)


@pytest.mark.parametrize(
    "failure",
    [
        json_reply({"error": "boom"}, status=500),
        json_reply({"error": "unavailable"}, status=503),
        Reply(action="drop"),
        Reply(body=b'{"groups": [{"id": 11, "na', action="truncate"),
        Reply(body=b'{"groups": [{"id": 11, "na'),  # complete HTTP, cut JSON
        Reply(body=b"<html>502 Bad Gateway</html>"),
        Reply(body=b'["not", "an", "object"]'),
    ],
    ids=["500", "503", "dropped", "truncated", "cut-json", "html", "not-object"],
)
def test_transient_failures_are_retried(
    server: ScriptedServer, make_client: ClientFactory, clock: FakeClock, failure: Reply
) -> None:
    server.script(GROUPS, failure, failure, ok_groups())
    client = make_client()
    assert [g.id for g in client.groups()] == [11]
    stats = client.stats
    assert (stats.requests, stats.retries, stats.transient_errors) == (3, 2, 2)
    assert stats.http_429 == 0
    assert stats.rate_limit_wait_s == 0
    # Full jitter: each backoff is somewhere in [0, base * 2**attempt].
    assert len(clock.sleeps) == 2
    assert 0 <= clock.sleeps[0] <= 0.5
    assert 0 <= clock.sleeps[1] <= 1.0


def test_timeouts_are_retried(server: ScriptedServer, make_client: ClientFactory) -> None:
    server.script(GROUPS, Reply(action="stall", stall_s=1.0, body=b"{}"), ok_groups())
    client = make_client(timeout_s=0.2)
    assert [g.id for g in client.groups()] == [11]
    assert client.stats.transient_errors == 1
    assert client.stats.requests == 2


def test_backoff_grows_and_is_capped(
    server: ScriptedServer, make_client: ClientFactory, clock: FakeClock
) -> None:
    server.script(GROUPS, *[json_reply({}, status=500)] * 12, ok_groups())
    client = make_client()
    client.groups()
    caps = [min(30.0, 0.5 * 2**i) for i in range(12)]
    assert all(0 <= s <= cap for s, cap in zip(clock.sleeps, caps, strict=True))
    # Jitter is random, but over the later attempts the cap must be what bounds it, not 0.5.
    assert max(clock.sleeps[6:]) > 1.0


def test_gives_up_after_give_up_after_s_with_a_clear_message(
    server: ScriptedServer, make_client: ClientFactory, clock: FakeClock
) -> None:
    server.handle(GROUPS, lambda seen: json_reply({"error": "still down"}, status=502))
    client = make_client(give_up_after_s=120.0)
    started = clock.now()
    with pytest.raises(ZendeskGaveUp) as info:
        client.groups()
    message = str(info.value)
    assert "/api/v2/groups.json" in message
    assert "HTTP 502" in message
    assert "give_up_after_s=120" in message
    assert TOKEN not in message
    # It kept trying for most of the allowed time, never past it.
    elapsed = clock.now() - started
    assert 120.0 - 30.0 <= elapsed <= 120.0
    assert client.stats.requests >= 8
    assert client.stats.requests == len(server.seen)
    assert isinstance(info.value, ZendeskError)


def test_persistent_429_also_gives_up(
    server: ScriptedServer, make_client: ClientFactory, clock: FakeClock
) -> None:
    server.handle(GROUPS, lambda seen: json_reply({}, status=429, headers={"Retry-After": "30"}))
    client = make_client(give_up_after_s=100.0)
    with pytest.raises(ZendeskGaveUp, match="429"):
        client.groups()
    assert clock.sleeps == [30.0, 30.0, 30.0]
    assert client.stats.http_429 == 4


@pytest.mark.parametrize("status", [401, 403])
def test_auth_errors_fail_fast_without_the_token(
    server: ScriptedServer, make_client: ClientFactory, clock: FakeClock, status: int
) -> None:
    server.handle(
        GROUPS, lambda seen: json_reply({"error": "Couldn't authenticate you"}, status=status)
    )
    client = make_client()
    with pytest.raises(ZendeskAuthError) as info:
        client.groups()
    assert len(server.seen) == 1
    assert client.stats.retries == 0
    assert clock.sleeps == []
    message = str(info.value)
    assert "ZENDESK_EMAIL" in message
    assert "ZENDESK_API_TOKEN" in message
    assert TOKEN not in message
    assert TOKEN not in repr(info.value)


@pytest.mark.parametrize("status", [404, 422, 400])
def test_other_client_errors_fail_fast_naming_the_endpoint(
    server: ScriptedServer, make_client: ClientFactory, status: int
) -> None:
    server.handle(
        "/api/v2/tickets/12345.json",
        lambda seen: json_reply({"error": "RecordNotFound"}, status=status),
    )
    client = make_client()
    with pytest.raises(ZendeskError) as info:
        client.get_ticket(12345)
    assert not isinstance(info.value, ZendeskAuthError | ZendeskGaveUp)
    assert "/api/v2/tickets/12345.json" in str(info.value)
    assert f"HTTP {status}" in str(info.value)
    assert info.value.status == status
    assert len(server.seen) == 1


def test_connection_refused_is_transient_then_gives_up(clock: FakeClock) -> None:
    # A port nobody listens on: every attempt fails at connect time.
    dead = ScriptedServer(clock)
    url = dead.url
    dead.stop()
    client = ZendeskClient(
        url, EMAIL, SecretStr(TOKEN), give_up_after_s=10.0, clock=clock, timeout_s=1.0
    )
    try:
        with pytest.raises(ZendeskGaveUp, match="ConnectionError"):
            client.groups()
        assert client.stats.transient_errors == client.stats.requests
        assert client.stats.requests > 3
    finally:
        client.close()


def test_token_never_shows_in_reprs_logs_or_errors(
    server: ScriptedServer,
    make_client: ClientFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A server that echoes what it got, headers included, into its error bodies.
    def echo(seen: Any) -> Reply:
        return json_reply({"you_sent": seen.headers["Authorization"]}, status=500)

    server.handle(GROUPS, echo)
    client = make_client(give_up_after_s=5.0)
    with caplog.at_level(logging.DEBUG), pytest.raises(ZendeskGaveUp) as info:
        client.groups()
    encoded = base64.b64encode(f"{EMAIL}/token:{TOKEN}".encode()).decode()
    for text in (str(info.value), repr(info.value), caplog.text, repr(client), str(client.stats)):
        assert TOKEN not in text
        assert encoded not in text
    assert "**********" in str(info.value)  # the echoed header was redacted, not dropped
    assert TOKEN not in repr(client._http._auth)
    assert TOKEN not in repr(vars(client))


def test_plain_string_tokens_are_refused(server: ScriptedServer) -> None:
    with pytest.raises(TypeError, match="SecretStr"):
        ZendeskClient(server.url, EMAIL, TOKEN)  # type: ignore[arg-type]


def test_stats_count_per_endpoint(server: ScriptedServer, make_client: ClientFactory) -> None:
    ticket = {
        "id": 5,
        "created_at": "2024-01-02T03:04:05Z",
        "updated_at": "2024-01-02T03:04:05Z",
        "status": "open",
    }

    def answer(seen: Seen) -> Reply:
        tid = int(seen.path.rsplit("/", 1)[1].removesuffix(".json"))
        return json_reply({"ticket": {**ticket, "id": tid}})

    for tid in (5, 6):
        server.handle(f"/api/v2/tickets/{tid}.json", answer)
    server.script(GROUPS, json_reply({}, status=500), ok_groups())
    client = make_client()
    assert client.get_ticket(5).id == 5
    assert client.get_ticket(6).generated_timestamp == 1704164645
    client.groups()
    assert client.stats.by_endpoint == {"/api/v2/tickets/{id}.json": 2, "/api/v2/groups.json": 2}
    assert client.stats.requests == 4


def test_503_with_retry_after_waits_as_told(
    server: ScriptedServer, make_client: ClientFactory, clock: FakeClock
) -> None:
    server.script(
        GROUPS,
        json_reply({"error": "maintenance"}, status=503, headers={"Retry-After": "20"}),
        ok_groups(),
    )
    client = make_client()
    assert len(client.groups()) == 1
    assert clock.sleeps == [20.0]
    assert client.stats.transient_errors == 1
    # Not a rate limit: the wait is not counted as one.
    assert client.stats.rate_limit_wait_s == 0
    assert client.stats.http_429 == 0
