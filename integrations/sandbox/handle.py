"""The running sandbox as its users see it: URL, credentials, truth, stats, knobs, stop."""

from __future__ import annotations

import threading
from types import TracebackType
from typing import IO, Any

from integrations.sandbox.app import SandboxApp
from integrations.sandbox.config import SandboxConfig
from integrations.sandbox.generator import Desk, generate_desk
from integrations.sandbox.server import SandboxServer
from integrations.sandbox.truth import truth_dict, write_truth


class Sandbox:
    def __init__(self, desk: Desk, host: str, port: int) -> None:
        self.desk = desk
        self._app = SandboxApp(desk)
        self._server = SandboxServer((host, port), self._app)
        bound_host, bound_port = self._server.server_address[:2]
        self.url = f"http://{bound_host!s}:{bound_port}"
        self._app.base_url = self.url
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="zendesk-sandbox", daemon=True
        )
        self._stopped = False

    @property
    def email(self) -> str:
        return self.desk.config.email

    @property
    def token(self) -> str:
        return self.desk.config.token

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> Sandbox:
        self._thread.start()
        return self

    def truth(self) -> dict[str, Any]:
        return truth_dict(self.desk)

    def write_truth(self, out: IO[str]) -> None:
        write_truth(self.desk, out)

    def stats(self) -> dict[str, Any]:
        return self._app.stats_payload()

    def reset_stats(self) -> None:
        self._app.stats.reset()

    def set_faults(self, spec: str) -> None:
        """Replace the fault spec; ValueError (and no change) if it names an unknown fault."""
        self._app.faults.configure(spec)

    def corrupt_ticket(self, ticket_id: int, kind: str) -> None:
        """Serve ticket `ticket_id` broken from now on: one of `corruption.KINDS`."""
        self._app.corruptions.corrupt(ticket_id, kind)

    def set_rate_limits(
        self, on: bool, export_per_min: int | None = None, api_per_min: int | None = None
    ) -> None:
        self._app.limiter.configure(on, export_per_min, api_per_min)

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()
        self.desk.close()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def start_sandbox(config: SandboxConfig, host: str = "127.0.0.1", port: int = 0) -> Sandbox:
    """Generate the desk and serve it in a background thread; port 0 picks a free port."""
    return Sandbox(generate_desk(config), host, port).start()
