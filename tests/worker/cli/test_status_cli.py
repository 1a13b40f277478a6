from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from integrations.sandbox import SandboxConfig, start_sandbox
from tests.helpers.sandbox import env_for
from worker.cli.main import app

runner = CliRunner()


def test_status_reports_real_runs_and_failures(
    monkeypatch: pytest.MonkeyPatch, db_url: str
) -> None:
    config = SandboxConfig(seed=2, agents=6, tickets=120, months=2, rate_limits=False)
    with start_sandbox(config, port=0) as sb:
        for key, value in env_for(sb, db_url).items():
            monkeypatch.setenv(key, value)
        assert runner.invoke(app, ["status", "--json"]).exit_code == 0
        synced = runner.invoke(app, ["sync", "--json"])
        assert synced.exit_code == 0, synced.output
        # A second sync whose credentials are refused must show up as failed.
        monkeypatch.setenv("ZENDESK_API_TOKEN", "wrong-token")
        from worker.settings import get_settings

        get_settings.cache_clear()
        refused = runner.invoke(app, ["sync"])
        assert refused.exit_code == 2

    result = runner.invoke(app, ["status", "--json"])
    assert result.exit_code == 0, result.output
    status = json.loads(result.stdout)
    sync = next(s for s in status["stages"] if s["stage"] == "sync")
    assert sync["last_status"] == "failed"
    assert "ZendeskAuthError" in sync["error"]
    assert "wrong-token" not in result.stdout
    assert sync["last_ok_at"] is not None
    assert status["data_age_hours"] is not None
    assert set(status["cursors"]) == {"users", "tickets", "ticket_events"}

    table = runner.invoke(app, ["status"])
    assert table.exit_code == 0
    assert "failed" in table.output
