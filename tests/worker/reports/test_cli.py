from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from sqlalchemy import Engine
from typer.testing import CliRunner

from tests.integrations.smtp.mailcatcher import mail_catcher
from tests.worker.reports.reportkit import ANN, NAMES, build_desk, write_rules
from worker.cli import reports as cli
from worker.settings import get_settings

runner = CliRunner()
profiles_app = typer.Typer()
profiles_app.command()(cli.profiles)


@pytest.fixture
def rules_dir(tmp_path: Path) -> Path:
    return write_rules(tmp_path / "rules")


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, db_url: str, rules_dir: Path) -> dict[str, str]:
    values = {"DATABASE_URL": db_url, "RULES_DIR": str(rules_dir)}
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    return values


def test_report_all_writes_every_file(
    engine: Engine, env: dict[str, str], rules_dir: Path, tmp_path: Path
) -> None:
    build_desk(engine, rules_dir)
    out = tmp_path / "out"
    result = runner.invoke(cli.app, ["all", "--out", str(out), "--format", "json,html"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "candidates.json",
        "coverage.json",
        "report.html",
        "specialization.json",
    ]
    assert f"wrote {out / 'report.html'}" in result.output


def test_one_report_in_one_format(
    engine: Engine, env: dict[str, str], rules_dir: Path, tmp_path: Path
) -> None:
    build_desk(engine, rules_dir)
    out = tmp_path / "out"
    result = runner.invoke(cli.app, ["coverage", "--out", str(out), "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert [p.name for p in out.iterdir()] == ["coverage.csv"]


def test_bad_requests_fail_with_a_clear_message(
    engine: Engine, env: dict[str, str], rules_dir: Path, tmp_path: Path
) -> None:
    result = runner.invoke(cli.app, ["all", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "no profiles yet" in result.output
    build_desk(engine, rules_dir)
    result = runner.invoke(cli.app, ["all", "--out", str(tmp_path), "--format", "pdf"])
    assert result.exit_code == 2
    assert "unknown format 'pdf'" in result.output
    (rules_dir / "roles.yaml").write_text("roles:\n  - key: x\n    nmae: X\n")
    result = runner.invoke(cli.app, ["all", "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "roles.yaml:3: roles[0].nmae: unknown key 'nmae'; did you mean 'name'?" in result.output


def test_email_without_recipients_sends_nothing_and_says_so(
    engine: Engine,
    env: dict[str, str],
    rules_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    build_desk(engine, rules_dir)
    with mail_catcher() as server:
        monkeypatch.setenv("SMTP_URL", server.url())
        get_settings.cache_clear()
        result = runner.invoke(cli.app, ["candidates", "--out", str(tmp_path), "--email"])
        assert result.exit_code == 0, result.output
        assert "nothing was sent" in result.output
        monkeypatch.setenv("REPORT_RECIPIENTS", "boss@example.com")
        get_settings.cache_clear()
        result = runner.invoke(cli.app, ["candidates", "--out", str(tmp_path), "--email"])
    assert result.exit_code == 0, result.output
    assert "emailed boss@example.com" in result.output
    assert [r.rcpt_tos for r in server.received] == [["boss@example.com"]]


def test_profiles_as_json_rows(engine: Engine, env: dict[str, str], rules_dir: Path) -> None:
    build_desk(engine, rules_dir)
    result = runner.invoke(profiles_app, ["--agent", str(ANN), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert {r["area"] for r in rows} == {"billing"}
    [row] = rows
    assert row["agent_id"] == ANN
    assert row["agent_name"] == NAMES[ANN]
    assert row["tickets"] == 14
    assert row["tier_counts"] == {"1": 2, "2": 0, "3": 12}
    assert row["csat"] == 1.0
    assert row["csat_sample"] == 10
    assert row["score"] > 0


def test_profiles_table_csv_update_and_unknown_agent(
    engine: Engine, env: dict[str, str], rules_dir: Path
) -> None:
    result = runner.invoke(profiles_app, [])
    assert result.exit_code == 2
    assert "no profiles yet" in result.output
    build_desk(engine, rules_dir)
    result = runner.invoke(profiles_app, ["--update", "--format", "csv"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Profiles updated: nightly update")
    assert lines[1].startswith("agent_id,agent_name,")
    # one row per person and area with work: Ann 1, Bo 2, Cy 3, Dee 1, Eve 1
    assert len(lines) - 2 == 8
    result = runner.invoke(profiles_app, [])
    assert result.exit_code == 0
    assert "Expertise profiles as of" in result.output
    result = runner.invoke(profiles_app, ["--agent", "999"])
    assert result.exit_code == 2
    assert "no profile for agent 999" in result.output
