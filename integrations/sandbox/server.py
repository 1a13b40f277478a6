"""HTTP plumbing: a threading HTTP/1.1 server with keep-alive, and the two faults that only
the transport can produce (a hung request, a truncated body)."""

from __future__ import annotations

import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from integrations.sandbox.app import Response, SandboxApp
from integrations.sandbox.faults import TIMEOUT, TRUNCATE


class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app: SandboxApp) -> None:
        super().__init__(address, SandboxHandler)
        self.app = app


class SandboxHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle's algorithm on, the body waits
    # for the client's delayed ACK, ~40 ms on every keep-alive request.
    disable_nagle_algorithm = True
    server_version = "ZendeskSandbox/1.0"
    # Idle keep-alive connections are dropped after this, so threads do not pile up.
    timeout = 120

    def do_GET(self) -> None:
        # The method names are what http.server dispatches to.
        self._serve("GET")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        assert isinstance(self.server, SandboxServer)
        app = self.server.app
        response = app.handle(method, self.path, self.headers.get("Authorization"), body)
        if response.fault == TIMEOUT:
            time.sleep(app.desk.config.hang_s)
            self.close_connection = True
            return
        self._write(response)

    def _write(self, response: Response) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        if response.fault == TRUNCATE:
            self.send_header("Connection", "close")
        self.end_headers()
        if response.fault == TRUNCATE:
            self.wfile.write(response.body[: len(response.body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(response.body)

    def log_message(self, format: str, *args: object) -> None:
        """Silent: a sync makes thousands of requests."""
