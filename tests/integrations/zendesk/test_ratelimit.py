"""The governor: within share x limit in every rolling minute, yet close to that much."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from zendesk_testkit import (
    ClientFactory,
    FakeClock,
    MinuteLimiter,
    Reply,
    ScriptedServer,
    Seen,
    json_reply,
    max_in_window,
)

from integrations.zendesk.ratelimit import ACCOUNT_BUCKET, EXPORT_BUCKET, RateGovernor, bucket_for

TICKETS = "/api/v2/incremental/tickets/cursor.json"
GROUPS = "/api/v2/groups.json"


def ticket(tid: int) -> dict[str, Any]:
    return {
        "id": tid,
        "created_at": "2024-01-02T03:04:05Z",
        "updated_at": "2024-01-02T03:04:05Z",
        "generated_timestamp": 1704164645 + tid,
        "status": "open",
    }


def cursor_chain(pages: int, limiter: MinuteLimiter | None = None) -> Callable[[Seen], Reply]:
    """An export of `pages` pages, two tickets each, optionally behind a per-minute limit."""

    def handler(seen: Seen) -> Reply:
        headers: dict[str, str] = {}
        if limiter is not None:
            admitted, headers = limiter.admit(seen.at)
            if not admitted:
                return json_reply({"error": "APIRateLimitExceeded"}, status=429, headers=headers)
        n = int(seen.query["cursor"][1:]) if "cursor" in seen.query else 0
        body = {
            "tickets": [ticket(2 * n + 1), ticket(2 * n + 2)],
            "after_cursor": f"c{n + 1}",
            "end_of_stream": n + 1 >= pages,
        }
        return json_reply(body, headers=headers)

    return handler


def walk(pages: Any) -> list[int]:
    ids: list[int] = []
    for page in pages:
        ids.extend(t.id for t in page.records)
    return ids


def test_buckets() -> None:
    assert bucket_for("/api/v2/incremental/tickets/cursor.json") == EXPORT_BUCKET
    assert bucket_for("/api/v2/incremental/ticket_events.json") == EXPORT_BUCKET
    assert bucket_for("/api/v2/groups.json") == ACCOUNT_BUCKET
    assert bucket_for("/api/v2/tickets/5.json") == ACCOUNT_BUCKET


@pytest.mark.parametrize(("share", "limit"), [(1.0, 60), (0.8, 10), (0.5, 700), (0.7, 10)])
def test_governor_keeps_every_rolling_minute_within_budget(share: float, limit: int) -> None:
    clock = FakeClock()
    gov = RateGovernor("export", share=share, clock=clock, default_limit=limit)
    budget = int(share * limit + 1e-9)
    sends: list[float] = []
    minutes = 10
    while clock.now() < 1000.0 + minutes * 60:
        wait, _ = gov.delay()
        if wait:
            clock.sleep(wait)
            continue
        sends.append(clock.now())
        # Each request takes a little time, as real ones do.
        clock.sleep(0.05)
        gov.record({"X-Rate-Limit": str(limit), "X-Rate-Limit-Remaining": str(limit)})
    assert max_in_window(sends) <= budget
    # ... and the budget is used: at least 90% of share x limit per minute.
    per_minute = len(sends) / ((sends[-1] - sends[0]) / 60)
    assert per_minute >= 0.9 * budget


def test_export_walk_at_full_share_has_no_429_and_near_full_throughput(
    server: ScriptedServer, make_client: ClientFactory, clock: FakeClock
) -> None:
    limiter = MinuteLimiter(clock, limit=60)
    server.handle(TICKETS, cursor_chain(pages=400, limiter=limiter))
    waits: list[float] = []
    client = make_client(rate_share=1.0, on_wait=lambda s, why: waits.append(s))
    started = clock.now()
    ids = walk(client.ticket_pages(start_time=0))
    assert ids == list(range(1, 801))
    assert limiter.refused == 0
    assert client.stats.http_429 == 0
    arrivals = [s.at for s in server.requests_to(TICKETS)]
    assert max_in_window(arrivals) <= 60
    per_minute = len(arrivals) / ((clock.now() - started) / 60)
    assert per_minute >= 0.9 * 60
    # Every governor wait was reported and counted.
    assert client.stats.rate_limit_wait_s == pytest.approx(sum(waits))
    assert client.stats.rate_limit_wait_s == pytest.approx(sum(clock.sleeps))
    assert sum(waits) > 0


def test_export_walk_at_share_keeps_the_rest_for_others(
    server: ScriptedServer, make_client: ClientFactory, clock: FakeClock
) -> None:
    limiter = MinuteLimiter(clock, limit=10)
    server.handle(TICKETS, cursor_chain(pages=50, limiter=limiter))
    client = make_client(rate_share=0.8)
    walk(client.ticket_pages(start_time=0))
    arrivals = [s.at for s in server.requests_to(TICKETS)]
    assert len(arrivals) == 50
    assert max_in_window(arrivals) <= 8
    assert limiter.refused == 0


def test_low_remaining_makes_us_wait_for_the_window(
    server: ScriptedServer, make_client: ClientFactory, clock: FakeClock
) -> None:
    group = {
        "id": 1,
        "name": "G",
        "created_at": "2023-01-01T00:00:00Z",
        "updated_at": "2023-01-01T00:00:00Z",
    }

    def page(n: int, remaining: int, **extra: str) -> Reply:
        nxt = f"https://acme.zendesk.com/api/v2/groups.json?page={n + 1}" if n < 4 else None
        return json_reply(
            {"groups": [{**group, "id": n}], "next_page": nxt},
            headers={"X-Rate-Limit": "700", "X-Rate-Limit-Remaining": str(remaining), **extra},
        )

    server.script(
        GROUPS,
        page(1, 600),  # plenty left: go on at once
        page(2, 139),  # below (1 - 0.8) x 700 = 140: others are busy, wait for the window
        page(3, 100, **{"ratelimit-reset": "12"}),  # ... or as long as the server says
        page(4, 140),  # at the threshold: fine
    )
    reasons: list[str] = []
    client = make_client(rate_share=0.8, on_wait=lambda s, why: reasons.append(why))
    assert [g.id for g in client.groups()] == [1, 2, 3, 4]
    assert clock.sleeps == [pytest.approx(60.5), pytest.approx(12.0)]
    assert all("used up by others" in r for r in reasons)
    assert client.stats.rate_limit_wait_s == pytest.approx(72.5)
    assert client.stats.http_429 == 0


def test_headers_that_overstate_the_export_limit_cost_one_429(
    server: ScriptedServer, make_client: ClientFactory, clock: FakeClock
) -> None:
    """Real Zendesk answers exports with the account's X-Rate-Limit (700) but allows 10/min."""

    class Misleading(MinuteLimiter):
        def admit(self, at: float) -> tuple[bool, dict[str, str]]:
            ok, headers = super().admit(at)
            headers["X-Rate-Limit"] = "700"
            headers["X-Rate-Limit-Remaining"] = "650"
            return ok, headers

    limiter = Misleading(clock, limit=10)
    server.handle(TICKETS, cursor_chain(pages=60, limiter=limiter))
    client = make_client(rate_share=0.8)
    assert len(walk(client.ticket_pages(start_time=0))) == 120
    assert client.stats.http_429 == 1
    assert limiter.refused == 1
    assert client._http.governors[EXPORT_BUCKET].budget == 8


def test_retry_after_is_honoured_over_the_governor(
    server: ScriptedServer, make_client: ClientFactory, clock: FakeClock
) -> None:
    server.script(
        TICKETS,
        json_reply({}, status=429, headers={"Retry-After": "7", "X-Rate-Limit": "10"}),
    )
    server.handle(TICKETS, cursor_chain(pages=1))
    client = make_client()
    assert walk(client.ticket_pages(start_time=0)) == [1, 2]
    assert clock.sleeps == [7.0]
    assert client.stats.http_429 == 1
    assert client.stats.rate_limit_wait_s == 7.0


def test_a_stray_429_at_the_advertised_limit_does_not_slow_the_rest(
    server: ScriptedServer, make_client: ClientFactory, clock: FakeClock
) -> None:
    """A 429 that says Remaining 0 is the advertised limit's own (a spike, others): the
    headers stay right, so the governor keeps the full budget after waiting Retry-After."""
    limiter = MinuteLimiter(clock, limit=60)
    chain = cursor_chain(pages=200, limiter=limiter)
    calls = 0

    def with_a_stray_429(seen: Seen) -> Reply:
        nonlocal calls
        calls += 1
        if calls == 30:
            headers = {"Retry-After": "1", "X-Rate-Limit": "60", "X-Rate-Limit-Remaining": "0"}
            return json_reply({"error": "APIRateLimitExceeded"}, status=429, headers=headers)
        return chain(seen)

    server.handle(TICKETS, with_a_stray_429)
    client = make_client(rate_share=1.0)
    started = clock.now()
    assert len(walk(client.ticket_pages(start_time=0))) == 400
    assert client.stats.http_429 == 1
    assert limiter.refused == 0
    assert client._http.governors[EXPORT_BUCKET].budget == 60
    per_minute = len(server.requests_to(TICKETS)) / ((clock.now() - started) / 60)
    assert per_minute >= 0.9 * 60
