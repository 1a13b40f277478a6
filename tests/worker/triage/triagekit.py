"""A small sandbox help desk synced and tagged into a test's database, with the project's
rules copied where the test can change triage.yaml."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import Engine

from integrations.sandbox import Sandbox, SandboxConfig, start_sandbox
from tests.helpers.sandbox import settings_for
from worker.settings import Settings
from worker.sync.run import run_sync
from worker.tagging.run import tag_work

ROOT = Path(__file__).resolve().parents[3]
END = datetime(2025, 6, 1, tzinfo=UTC)
CONFIG = SandboxConfig(seed=5, agents=10, tickets=300, months=1, rate_limits=False, end=END)


@dataclass
class TriageDesk:
    sandbox: Sandbox
    settings: Settings
    engine: Engine
    rules_dir: Path
    http: requests.Session

    def mode(self, writeback: str, **extra: Any) -> None:
        lines = [f"writeback: {writeback}"] + [f"{k}: {v}" for k, v in extra.items()]
        (self.rules_dir / "triage.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")

    def ticket(self, ticket_id: int) -> dict[str, Any]:
        body: dict[str, Any] = self._get(f"/api/v2/tickets/{ticket_id}.json")["ticket"]
        return body

    def comments(self, ticket_id: int) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self._get(f"/api/v2/tickets/{ticket_id}/comments.json")[
            "comments"
        ]
        return found

    def human_update(self, ticket_id: int, changes: dict[str, Any]) -> None:
        url = f"{self.sandbox.url}/api/v2/tickets/{ticket_id}.json"
        response = self.http.put(url, json={"ticket": changes}, timeout=10)
        assert response.status_code == 200, response.text

    def waiting(self) -> list[int]:
        """Ids of the new, unassigned tickets at the end of the desk's history."""
        out = []
        for ticket_id in range(CONFIG.tickets, CONFIG.tickets - 30, -1):
            response = self.http.get(f"{self.sandbox.url}/api/v2/tickets/{ticket_id}.json")
            if response.status_code == 404:
                continue  # deleted
            ticket = response.json()["ticket"]
            if ticket["status"] == "new" and ticket["assignee_id"] is None:
                out.append(ticket_id)
        assert out, "the sandbox desk has no new unassigned ticket"
        return out

    def _get(self, path: str) -> dict[str, Any]:
        response = self.http.get(self.sandbox.url + path, timeout=10)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


@contextmanager
def open_desk(engine: Engine, db_url: str, tmp_path: Path) -> Iterator[TriageDesk]:
    rules_dir = tmp_path / "rules"
    rules_dir.mkdir()
    for name in ("areas.yaml", "complexity.yaml", "attribution.yaml"):
        shutil.copy(ROOT / "rules" / name, rules_dir / name)
    with start_sandbox(CONFIG, port=0) as sb, requests.Session() as http:
        http.auth = (f"{sb.email}/token", sb.token)
        settings = settings_for(sb, db_url, rules_dir=rules_dir)
        run_sync(engine, settings)
        tag_work(engine, rules_dir)
        yield TriageDesk(sb, settings, engine, rules_dir, http)
