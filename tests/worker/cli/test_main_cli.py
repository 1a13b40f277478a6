from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from worker.cli.main import app

runner = CliRunner()


def test_config_masks_the_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZENDESK_SUBDOMAIN", "acme")
    monkeypatch.setenv("ZENDESK_API_TOKEN", "very-secret-token")
    monkeypatch.setenv("DATABASE_URL", "postgresql://me:db-password@db/x")
    result = runner.invoke(app, ["config", "--json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert shown["ZENDESK_SUBDOMAIN"] == "acme"
    assert shown["ZENDESK_API_TOKEN"] == "**********"
    assert "very-secret-token" not in result.output
    assert "db-password" not in result.output

    table = runner.invoke(app, ["config"])
    assert table.exit_code == 0
    assert "very-secret-token" not in table.output


def test_contradictory_settings_give_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZENDESK_SUBDOMAIN", "acme")
    monkeypatch.setenv("ZENDESK_URL", "http://127.0.0.1:1")
    result = runner.invoke(app, ["config"])
    assert result.exit_code == 2
    assert "ZENDESK_URL and ZENDESK_SUBDOMAIN are both set" in result.output
    assert "Traceback" not in result.output


def test_sync_without_an_account_names_the_missing_variable(
    monkeypatch: pytest.MonkeyPatch, sqlite_url: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    result = runner.invoke(app, ["sync"])
    assert result.exit_code == 2
    assert "ZENDESK_URL or ZENDESK_SUBDOMAIN must be set" in result.output


def test_db_upgrade_then_stats_on_an_empty_store(
    monkeypatch: pytest.MonkeyPatch, db_url: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    up = runner.invoke(app, ["db", "upgrade"])
    assert up.exit_code == 0, up.output
    assert "Migrated from empty to" in up.output
    again = runner.invoke(app, ["db", "upgrade"])
    assert "up to date" in again.output
    stats = runner.invoke(app, ["db", "stats", "--json"])
    assert stats.exit_code == 0, stats.output
    counts = json.loads(stats.stdout)
    for key in ("tickets", "deleted_tickets", "agents", "groups", "touches"):
        assert counts[key] == 0


def test_unreachable_database_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    result = runner.invoke(app, ["db", "stats"])
    assert result.exit_code == 2
    assert "cannot open the database at DATABASE_URL" in result.output
