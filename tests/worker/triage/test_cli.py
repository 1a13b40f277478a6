"""The triage commands through Typer's runner: text and JSON output, --apply, errors."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from tests.helpers.sandbox import env_for
from tests.worker.triage.triagekit import TriageDesk
from worker.cli.triage import skills_app, triage, webhook_app
from worker.settings import get_settings

runner = CliRunner()
triage_app = typer.Typer()
triage_app.command()(triage)


@pytest.fixture
def env(lite_desk: TriageDesk, monkeypatch: pytest.MonkeyPatch) -> TriageDesk:
    desk = lite_desk
    values = env_for(desk.sandbox, desk.settings.database_url, RULES_DIR=str(desk.rules_dir))
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    return desk


def test_triage_prints_the_recommendation_and_its_reasons(env: TriageDesk) -> None:
    ticket_id = env.waiting()[0]
    result = runner.invoke(triage_app, [str(ticket_id)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert f"Ticket {ticket_id}" in out
    for label in ("area ", "tier ", "signs ", "group ", "Recommended agents", "depth "):
        assert label in out
    assert "Write-back (off): write-back is off" in out
    assert env.sandbox.token not in out

    as_json = runner.invoke(triage_app, [str(ticket_id), "--json"])
    assert as_json.exit_code == 0, as_json.output
    data = json.loads(as_json.output)
    assert data["ticket_id"] == ticket_id
    assert data["written"] is False
    assert data["recommendation"]["agents"][0]["reasons"]


def test_apply_writes_as_the_rules_say(env: TriageDesk) -> None:
    env.mode("tag")
    ticket_id = env.waiting()[0]
    dry = runner.invoke(triage_app, [str(ticket_id)])
    assert "dry run: would add tags" in dry.output
    assert "--apply" in dry.output
    assert "expertise_triaged" not in env.ticket(ticket_id)["tags"]
    applied = runner.invoke(triage_app, [str(ticket_id), "--apply", "--json"])
    assert applied.exit_code == 0, applied.output
    assert json.loads(applied.output)["written"] is True
    assert "expertise_triaged" in env.ticket(ticket_id)["tags"]


def test_errors_are_one_clear_line(env: TriageDesk) -> None:
    missing = runner.invoke(triage_app, ["999999"])
    assert missing.exit_code == 1
    assert "triage of ticket 999999 stopped" in missing.output
    assert env.sandbox.token not in missing.output

    (env.rules_dir / "triage.yaml").write_text("writeback: maybe\n", encoding="utf-8")
    broken = runner.invoke(triage_app, [str(env.waiting()[0])])
    assert broken.exit_code == 1
    assert f"{env.rules_dir / 'triage.yaml'}:1: writeback:" in broken.output


def test_skills_push_dry_run_then_apply(env: TriageDesk) -> None:
    env.mode("'off'", skills="{min_depth: 3}")
    dry = runner.invoke(skills_app, ["push"])
    assert dry.exit_code == 0, dry.output
    assert "skill type to create: Product area" in dry.output
    assert "Run again with --apply" in dry.output
    applied = runner.invoke(skills_app, ["push", "--apply", "--json"])
    assert applied.exit_code == 0, applied.output
    data = json.loads(applied.output)
    assert data["applied"] is True
    assert data["agents"]
    again = runner.invoke(skills_app, ["push"])
    assert "Nothing to change" in again.output


def test_webhook_serve_needs_its_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZENDESK_WEBHOOK_SECRET", raising=False)
    get_settings.cache_clear()
    result = runner.invoke(webhook_app, ["serve", "--port", "0"])
    assert result.exit_code == 2
    assert "ZENDESK_WEBHOOK_SECRET must be set" in result.output
