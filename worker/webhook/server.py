"""`expertise webhook serve`: receive Zendesk's ticket-created webhook and queue triage.

    POST /webhooks/zendesk   signed by Zendesk; answers 202 once the triage task is queued
    GET  /healthz            200, for load balancers and probes

Unsigned, wrongly signed or stale requests get 401, bodies over 1 MB 413 (unread). The
server only queues `worker.tasks.triage_ticket` by name; a worker does the triage, so a
slow Zendesk never holds up the webhook (Zendesk gives up on a webhook after 12 seconds).
A request replayed within the tolerance queues triage again, which writes nothing twice.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from celery import Celery
from pydantic import SecretStr

from worker.settings import Settings, SettingsError
from worker.webhook.signature import SIGNATURE_HEADER, TIMESTAMP_HEADER, Rejected, verify

log = logging.getLogger(__name__)

PATH = "/webhooks/zendesk"
MAX_BODY_BYTES = 1024 * 1024
TOLERANCE_S = 300.0
TASK = "worker.tasks.triage_ticket"
CREATED = "zen:event-type:ticket.created"

Enqueue = Callable[[int], None]


def celery_enqueue(settings: Settings, queue: str = "triage") -> Enqueue:
    """Queue the triage task by name, on the queue worker.tasks declares for it: the webhook
    needs a broker, not the task code."""
    producer = Celery("expertise-webhook", broker=settings.celery_broker_url, set_as_current=False)
    producer.conf.update(task_serializer="json", accept_content=["json"])

    def enqueue(ticket_id: int) -> None:
        producer.send_task(TASK, args=[ticket_id], queue=queue)

    return enqueue


def ticket_id_of(payload: Any) -> int | None:
    """The ticket id in an event webhook (`detail.id`) or a custom payload (`ticket_id`,
    or `ticket.id`); ids arrive as text or numbers."""
    if not isinstance(payload, dict):
        return None
    detail, ticket = payload.get("detail"), payload.get("ticket")
    for value in (
        detail.get("id") if isinstance(detail, dict) else None,
        payload.get("ticket_id"),
        ticket.get("id") if isinstance(ticket, dict) else None,
    ):
        if isinstance(value, bool):
            continue
        if isinstance(value, int) and value > 0:
            return value
        if isinstance(value, str) and value.strip().isdigit() and int(value) > 0:
            return int(value)
    return None


class WebhookServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        secret: SecretStr,
        enqueue: Enqueue,
        *,
        max_body_bytes: int = MAX_BODY_BYTES,
        tolerance_s: float = TOLERANCE_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(address, WebhookHandler)
        self.secret = secret
        self.enqueue = enqueue
        self.max_body_bytes = max_body_bytes
        self.tolerance_s = tolerance_s
        self.clock = clock

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}{PATH}"


class WebhookHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "expertise-webhook/1"
    # a client that stops sending mid-request does not keep a thread forever
    timeout = 15

    def do_GET(self) -> None:
        if self.path == "/healthz":
            self._answer(200, {"ok": True})
        else:
            self._answer(404, {"error": "not found"})

    def do_POST(self) -> None:
        assert isinstance(self.server, WebhookServer)
        server = self.server
        if self.path.split("?", 1)[0] != PATH:
            self._answer(404, {"error": "not found"}, close=True)
            return
        try:
            body = self._body(server.max_body_bytes)
            verify(
                server.secret.get_secret_value(),
                self.headers.get(TIMESTAMP_HEADER),
                self.headers.get(SIGNATURE_HEADER),
                body,
                now=server.clock(),
                tolerance_s=server.tolerance_s,
            )
            status, answer = self._handle(json.loads(body), server.enqueue)
        except Rejected as exc:
            log.warning("webhook request refused (%d): %s", exc.status, exc.reason)
            self._answer(exc.status, {"error": exc.reason}, close=exc.status != 401)
            return
        except (ValueError, UnicodeDecodeError):
            self._answer(400, {"error": "the body is not JSON"})
            return
        self._answer(status, answer)

    def _body(self, limit: int) -> bytes:
        if self.headers.get("Transfer-Encoding"):
            raise Rejected(411, "send the body with a Content-Length")
        raw = self.headers.get("Content-Length")
        if raw is None:
            raise Rejected(411, "Content-Length missing")
        try:
            length = int(raw)
        except ValueError:
            raise Rejected(400, "Content-Length is not a number") from None
        if length < 0:
            raise Rejected(400, "Content-Length is negative")
        if length > limit:
            # not read: the connection is closed after the answer
            raise Rejected(413, f"body of {length} bytes is over the {limit} byte limit")
        return self.rfile.read(length)

    @staticmethod
    def _handle(payload: Any, enqueue: Enqueue) -> tuple[int, dict[str, Any]]:
        kind = payload.get("type") if isinstance(payload, dict) else None
        if isinstance(kind, str) and kind.startswith("zen:event-type:") and kind != CREATED:
            # answered 200 so Zendesk does not retry an event we do not act on
            return 200, {"ignored": kind}
        ticket_id = ticket_id_of(payload)
        if ticket_id is None:
            return 400, {"error": "no ticket id (detail.id, ticket_id or ticket.id)"}
        try:
            enqueue(ticket_id)
        except Exception as exc:
            # 503 makes Zendesk retry once the broker is back
            log.error("could not queue triage of ticket %s: %s", ticket_id, type(exc).__name__)
            return 503, {"error": "could not queue the triage task; try again"}
        log.info("queued triage of ticket %s", ticket_id)
        return 202, {"queued": ticket_id}

    def _answer(self, status: int, payload: dict[str, Any], *, close: bool = False) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        # access lines go to the log at debug level, never to stderr
        log.debug("%s %s", self.address_string(), format % args)


def _secret(settings: Settings) -> SecretStr:
    secret = settings.zendesk_webhook_secret
    if secret is None or not secret.get_secret_value():
        raise SettingsError(
            "ZENDESK_WEBHOOK_SECRET must be set to the webhook's signing secret (Admin Center "
            "> Apps and integrations > Webhooks > your webhook > Signing secret)"
        )
    return secret


def start_webhook(
    settings: Settings, host: str = "127.0.0.1", port: int = 8780, enqueue: Enqueue | None = None
) -> WebhookServer:
    """A running server in a background thread (port 0 picks a free port); `shutdown()`
    and `server_close()` stop it."""
    server = WebhookServer((host, port), _secret(settings), enqueue or celery_enqueue(settings))
    threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.1},
        name="zendesk-webhook",
        daemon=True,
    ).start()
    return server


def serve(
    settings: Settings, host: str = "127.0.0.1", port: int = 8780, enqueue: Enqueue | None = None
) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM)."""
    server = WebhookServer((host, port), _secret(settings), enqueue or celery_enqueue(settings))
    log.info("webhook listening on %s", server.url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
