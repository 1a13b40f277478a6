"""The webhook receiver over real HTTP on 127.0.0.1: signatures good, bad, stale and
missing, body limits, payload shapes, and what happens when the queue is down."""

from __future__ import annotations

import inspect
import json
import logging
import socket
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import redis
import requests
from pydantic import SecretStr

from worker.settings import Settings, SettingsError
from worker.webhook.server import WebhookServer, celery_enqueue, start_webhook, ticket_id_of
from worker.webhook.signature import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign

SECRET = "dGhpcyBpcyBhIHNpZ25pbmcgc2VjcmV0"


def _stamp(delta_s: float = 0.0) -> str:
    when = datetime.now(UTC) + timedelta(seconds=delta_s)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _created(ticket_id: int | str) -> bytes:
    return json.dumps(
        {
            "type": "zen:event-type:ticket.created",
            "id": str(uuid.uuid4()),
            "detail": {"id": str(ticket_id), "status": "NEW"},
        }
    ).encode()


class Hook:
    def __init__(self, server: WebhookServer, queued: list[int]) -> None:
        self.server = server
        self.queued = queued
        self.url = server.url

    def post(
        self,
        body: bytes,
        *,
        secret: str = SECRET,
        stamp: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        stamp = stamp or _stamp()
        signed = {TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: sign(secret, stamp, body)}
        sent = signed if headers is None else headers
        return requests.post(self.url, data=body, headers=sent, timeout=10)


@pytest.fixture
def hook() -> Iterator[Hook]:
    queued: list[int] = []
    settings = Settings(zendesk_webhook_secret=SecretStr(SECRET))
    server = start_webhook(settings, port=0, enqueue=queued.append)
    yield Hook(server, queued)
    server.shutdown()
    server.server_close()


def test_a_signed_ticket_created_event_queues_triage(hook: Hook) -> None:
    response = hook.post(_created(4711))
    assert response.status_code == 202
    assert response.json() == {"queued": 4711}
    assert hook.queued == [4711]


@pytest.mark.parametrize(
    ("payload", "ticket_id"),
    [
        ({"ticket_id": "42"}, 42),
        ({"ticket_id": 42}, 42),
        ({"ticket": {"id": 42, "subject": "x"}}, 42),
        ({"detail": {"id": "42"}, "type": "zen:event-type:ticket.created"}, 42),
        ({"ticket_id": "abc"}, None),
        ({"ticket_id": True}, None),
        ({"ticket_id": -3}, None),
        ([42], None),
    ],
)
def test_ticket_id_in_each_payload_shape(payload: Any, ticket_id: int | None) -> None:
    assert ticket_id_of(payload) == ticket_id


def test_wrong_secret_is_refused(hook: Hook) -> None:
    response = hook.post(_created(1), secret="not-the-secret")
    assert response.status_code == 401
    assert hook.queued == []


def test_body_changed_after_signing_is_refused(hook: Hook) -> None:
    stamp = _stamp()
    signature = sign(SECRET, stamp, _created(1))
    headers = {TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: signature}
    response = hook.post(_created(2), headers=headers)
    assert response.status_code == 401
    assert hook.queued == []


def test_timestamp_changed_after_signing_is_refused(hook: Hook) -> None:
    body = _created(1)
    signature = sign(SECRET, _stamp(-1), body)
    response = hook.post(body, headers={TIMESTAMP_HEADER: _stamp(), SIGNATURE_HEADER: signature})
    assert response.status_code == 401


@pytest.mark.parametrize("delta_s", [-301, -3600, 301])
def test_stale_or_future_requests_are_refused(hook: Hook, delta_s: float) -> None:
    # correctly signed, but outside the 5 minute tolerance
    response = hook.post(_created(1), stamp=_stamp(delta_s))
    assert response.status_code == 401
    assert "stale" in response.json()["error"]
    assert hook.queued == []


def test_within_tolerance_is_accepted(hook: Hook) -> None:
    assert hook.post(_created(9), stamp=_stamp(-240)).status_code == 202
    assert hook.queued == [9]


@pytest.mark.parametrize(
    "headers",
    [{}, {TIMESTAMP_HEADER: "2025-01-01T00:00:00Z"}, {SIGNATURE_HEADER: "c2ln"}],
)
def test_unsigned_requests_are_refused(hook: Hook, headers: dict[str, str]) -> None:
    response = hook.post(_created(1), headers=headers)
    assert response.status_code == 401
    assert "unsigned" in response.json()["error"]
    assert hook.queued == []


def test_an_unreadable_timestamp_is_refused(hook: Hook) -> None:
    body = _created(1)
    stamp = "yesterday"
    headers = {TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: sign(SECRET, stamp, body)}
    assert hook.post(body, headers=headers).status_code == 401


def test_oversized_body_is_refused_unread(hook: Hook) -> None:
    body = b'{"ticket_id": 1, "pad": "' + b"x" * (1024 * 1024) + b'"}'
    response = hook.post(body)
    assert response.status_code == 413
    assert hook.queued == []
    # the refused connection is closed, and the server goes on serving
    assert hook.post(_created(3)).status_code == 202


def test_oversized_declared_length_is_refused_before_the_body_is_sent(hook: Hook) -> None:
    host, port = hook.server.server_address[:2]
    with socket.create_connection((str(host), int(port)), timeout=5) as conn:
        conn.sendall(
            b"POST /webhooks/zendesk HTTP/1.1\r\nHost: x\r\nContent-Length: 50000000\r\n\r\n"
        )
        answer = conn.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413")


def test_signed_but_unusable_payloads(hook: Hook) -> None:
    assert hook.post(b"not json").status_code == 400
    assert hook.post(b'{"nothing": "here"}').status_code == 400
    other = json.dumps({"type": "zen:event-type:ticket.status_changed", "detail": {"id": "5"}})
    ignored = hook.post(other.encode())
    assert ignored.status_code == 200
    assert hook.queued == []


def test_other_paths_and_health(hook: Hook) -> None:
    base = hook.url.removesuffix("/webhooks/zendesk")
    assert requests.get(base + "/healthz", timeout=5).status_code == 200
    assert requests.post(base + "/elsewhere", data=b"{}", timeout=5).status_code == 404


def test_queue_down_answers_503_so_zendesk_retries(caplog: pytest.LogCaptureFixture) -> None:
    def broken(ticket_id: int) -> None:
        raise ConnectionError("broker unreachable")

    server = start_webhook(
        Settings(zendesk_webhook_secret=SecretStr(SECRET)), port=0, enqueue=broken
    )
    try:
        with caplog.at_level(logging.DEBUG):
            response = Hook(server, []).post(_created(8))
    finally:
        server.shutdown()
        server.server_close()
    assert response.status_code == 503
    assert SECRET not in caplog.text


def test_secret_never_shows_in_answers_or_logs(
    hook: Hook, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        answers = [
            hook.post(_created(1)).text,
            hook.post(_created(1), secret="wrong").text,
            hook.post(_created(1), stamp=_stamp(-9999)).text,
        ]
    for text in [*answers, caplog.text]:
        assert SECRET not in text


def test_serving_needs_the_secret() -> None:
    with pytest.raises(SettingsError, match="ZENDESK_WEBHOOK_SECRET"):
        start_webhook(Settings(), port=0, enqueue=lambda _: None)


def test_celery_enqueue_sends_the_task_by_name() -> None:
    queue = f"test-webhook-{uuid.uuid4().hex[:8]}"
    broker = "redis://127.0.0.1:6379/15"
    enqueue = celery_enqueue(Settings(celery_broker_url=broker), queue=queue)
    client = redis.Redis.from_url(broker)
    try:
        enqueue(77)
        raw = client.lpop(queue)
    finally:
        client.delete(queue)
        client.close()
    assert isinstance(raw, bytes)
    message = json.loads(raw)
    assert message["headers"]["task"] == "worker.tasks.triage_ticket"
    assert message["headers"]["argsrepr"] == "[77]"


def test_the_default_queue_is_the_one_the_task_is_declared_on() -> None:
    from worker.tasks import triage_ticket

    default = inspect.signature(celery_enqueue).parameters["queue"].default
    assert default == triage_ticket.queue
