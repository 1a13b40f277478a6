"""Test helpers for the Zendesk client: a scripted HTTP server, a fake clock, recorded replies.

Tests talk real HTTP to a real local server; nothing patches `requests`. The fake clock is
shared with the server so it can enforce Zendesk-style per-minute limits in fake time.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from integrations.zendesk.client import ZendeskClient
from tests.helpers.recorded import recorded_dir

RECORDED_DIR = recorded_dir()

TOKEN = "tok-5up3r-s3cr3t-9f8e7d"
EMAIL = "agent@example.com"

# The `make_client` fixture: keyword overrides of the test defaults -> a client.
ClientFactory = Callable[..., ZendeskClient]


class FakeClock:
    """Monotonic time that only moves when someone sleeps."""

    def __init__(self, start: float = 1000.0) -> None:
        self.t = start
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self.t

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0, f"negative sleep {seconds}"
        with self._lock:
            self.sleeps.append(seconds)
            self.t += seconds


@dataclass
class Reply:
    status: int = 200
    body: bytes = b"{}"
    headers: dict[str, str] = field(default_factory=dict)
    # "drop": close without answering; "truncate": promise more body than is sent;
    # "stall": wait `stall_s` real seconds before answering (to trip the client's timeout).
    action: str | None = None
    stall_s: float = 0.0


def json_reply(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    return Reply(status=status, body=json.dumps(body).encode(), headers=dict(headers or {}))


@dataclass
class Seen:
    """One request as the server received it."""

    path: str
    query: dict[str, str]
    headers: dict[str, str]
    at: float  # fake-clock time of arrival


Handler = Callable[[Seen], Reply]


class ScriptedServer:
    """HTTP/1.1 server on 127.0.0.1 answering from per-path scripts or handler functions."""

    def __init__(self, clock: FakeClock | None = None) -> None:
        self.clock = clock
        self.seen: list[Seen] = []
        self._scripts: dict[str, deque[Reply]] = {}
        self._handlers: dict[str, Handler] = {}
        self._lock = threading.Lock()
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out as separate writes; without this, Nagle plus the
            # client's delayed ACK costs 40 ms a request.
            disable_nagle_algorithm = True

            def do_GET(self) -> None:
                server._serve(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def script(self, path: str, *replies: Reply) -> None:
        """Answer the next requests to `path` with these replies, in order."""
        with self._lock:
            self._scripts.setdefault(path, deque()).extend(replies)

    def handle(self, path: str, handler: Handler) -> None:
        """Answer every request to `path` (once its script ran out) with `handler`."""
        self._handlers[path] = handler

    def requests_to(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path == path]

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _next_reply(self, seen: Seen) -> Reply:
        with self._lock:
            script = self._scripts.get(seen.path)
            if script:
                return script.popleft()
        handler = self._handlers.get(seen.path)
        if handler is not None:
            return handler(seen)
        return json_reply({"error": "NotScripted", "path": seen.path}, status=404)

    def _serve(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        seen = Seen(
            path=parts.path,
            query=dict(parse_qsl(parts.query, keep_blank_values=True)),
            headers=dict(h.headers.items()),
            at=self.clock.now() if self.clock else time.monotonic(),
        )
        with self._lock:
            self.seen.append(seen)
        reply = self._next_reply(seen)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._write(h, reply)

    @staticmethod
    def _write(h: BaseHTTPRequestHandler, reply: Reply) -> None:
        if reply.action == "drop":
            h.close_connection = True
            return
        if reply.action == "stall":
            time.sleep(reply.stall_s)
        h.send_response(reply.status)
        headers = {"Content-Type": "application/json; charset=utf-8", **reply.headers}
        for name, value in headers.items():
            h.send_header(name, value)
        if reply.action == "truncate":
            h.send_header("Content-Length", str(len(reply.body) + 1000))
            h.end_headers()
            h.wfile.write(reply.body[: len(reply.body) // 2])
            h.wfile.flush()
            h.close_connection = True
            return
        h.send_header("Content-Length", str(len(reply.body)))
        h.end_headers()
        h.wfile.write(reply.body)
        h.wfile.flush()


class MinuteLimiter:
    """Zendesk-style limit: at most `limit` arrivals in any rolling 60 s of fake time."""

    def __init__(self, clock: FakeClock, limit: int) -> None:
        self.clock = clock
        self.limit = limit
        self.arrivals: deque[float] = deque()
        self.refused = 0
        # Requests other integrations send in the same window, counted against the limit.
        self.others = 0

    def admit(self, at: float) -> tuple[bool, dict[str, str]]:
        while self.arrivals and self.arrivals[0] <= at - 60.0:
            self.arrivals.popleft()
        used = len(self.arrivals) + self.others
        if used >= self.limit:
            self.refused += 1
            retry = int(self.arrivals[0] + 60.0 - at) + 1 if self.arrivals else 60
            return False, {
                "Retry-After": str(retry),
                "X-Rate-Limit": str(self.limit),
                "X-Rate-Limit-Remaining": "0",
            }
        self.arrivals.append(at)
        return True, {
            "X-Rate-Limit": str(self.limit),
            "X-Rate-Limit-Remaining": str(self.limit - used - 1),
        }


def max_in_window(times: list[float], window: float = 60.0) -> int:
    """The most of `times` that fall in any half-open window [t, t + window)."""
    ordered = sorted(times)
    best = 0
    lo = 0
    for hi, t in enumerate(ordered):
        while ordered[lo] <= t - window:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


# --- recorded Zendesk responses --------------------------------------------------------------


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    status: int
    headers: dict[str, str]
    raw_body: bytes  # as sent on the wire (gzip when `gzipped`)
    gzipped: bool

    def json(self) -> Any:
        data = gzip.decompress(self.raw_body) if self.gzipped else self.raw_body
        return json.loads(data)

    def reply(self) -> Reply:
        headers = {
            k: v
            for k, v in self.headers.items()
            if k.lower() in ("content-type", "x-rate-limit", "x-rate-limit-remaining")
        }
        if self.gzipped:
            headers["Content-Encoding"] = "gzip"
        return Reply(status=self.status, body=self.raw_body, headers=headers)


def load_cassette(name: str) -> list[Recorded]:
    """A cassette of the shared recordings, e.g. `TicketsIncrementalTest.test_pagination`."""
    path = RECORDED_DIR / f"tests_test_api_betamax_{name}.json"
    data = json.loads(path.read_text())
    out = []
    for it in data["http_interactions"]:
        req, resp = it["request"], it["response"]
        parts = urlsplit(req["uri"])
        body = resp["body"]
        if body.get("base64_string"):
            raw = base64.b64decode(body["base64_string"])
            gzipped = raw[:2] == b"\x1f\x8b"
        else:
            raw = body.get("string", "").encode()
            gzipped = False
        out.append(
            Recorded(
                method=req["method"],
                path=parts.path,
                query=dict(parse_qsl(parts.query)),
                status=resp["status"]["code"],
                headers={k: v[0] for k, v in resp["headers"].items() if v},
                raw_body=raw,
                gzipped=gzipped,
            )
        )
    return out
