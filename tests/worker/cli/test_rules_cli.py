"""`expertise rules check|explain|backtest` and `expertise retag`, through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from sqlalchemy import Engine
from typer.testing import CliRunner

from tests.worker.rules.ruleskit import AREAS, write_rules
from tests.worker.tagging.desk import TIER2, Desk
from worker.cli.rules import app as rules_app
from worker.cli.rules import retag

runner = CliRunner()


def cli() -> typer.Typer:
    """The commands as the main app mounts them."""
    app = typer.Typer()
    app.add_typer(rules_app, name="rules")
    app.command("retag")(retag)
    return app


@pytest.fixture
def rules_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = write_rules(tmp_path / "rules")
    monkeypatch.setenv("RULES_DIR", str(directory))
    return directory


@pytest.fixture
def stored(engine: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Desk:
    monkeypatch.setenv("DATABASE_URL", db_url)
    desk = Desk(engine)
    desk.agents(1)
    desk.ticket(7, subject="Question about my invoice", assignee_id=1, group_id=TIER2)
    desk.reply(7, 1, minutes=3)
    return desk


def test_check_valid_rules_prints_a_summary(rules_dir: Path) -> None:
    result = runner.invoke(cli(), ["rules", "check"])
    assert result.exit_code == 0, result.output
    assert f"Rules in {rules_dir} are valid" in result.output
    assert "3 areas (first_match, fallback 'other')" in result.output


def test_check_prints_every_error_as_file_line_message_and_exits_1(tmp_path: Path) -> None:
    bad = write_rules(
        tmp_path / "bad",
        areas=AREAS.replace("fallback: other", "fallback: x").replace("name: API", "nme: API"),
    )
    result = runner.invoke(cli(), ["rules", "check", "--rules-dir", str(bad)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines == [
        f"{bad}/areas.yaml:2: fallback: unknown area 'x'; areas.yaml defines: billing, api, other",
        f"{bad}/areas.yaml:10: areas[1].name: missing required key 'name'",
        f"{bad}/areas.yaml:11: areas[1].nme: unknown key 'nme'; did you mean 'name'?",
    ]


def test_check_json(tmp_path: Path, rules_dir: Path) -> None:
    ok = runner.invoke(cli(), ["rules", "check", "--json"])
    assert json.loads(ok.stdout)["valid"] is True
    bad = write_rules(tmp_path / "bad", complexity="features: []\ntiers: []\n")
    result = runner.invoke(cli(), ["rules", "check", "--json", "--rules-dir", str(bad)])
    assert result.exit_code == 1
    errors = json.loads(result.stdout)["errors"]
    assert {(e["line"], e["path"]) for e in errors} == {(1, "features"), (2, "tiers")}


def test_explain(stored: Desk, rules_dir: Path) -> None:
    result = runner.invoke(cli(), ["rules", "explain", "7"])
    assert result.exit_code == 0, result.output
    assert "Ticket 7" in result.output
    assert "✓ billing (Billing)" in result.output
    assert "keywords: subject or description contains 'invoice'" in result.output
    assert "score 3 → tier 2 (Technical)" in result.output
    assert "solver" in result.output
    as_json = json.loads(runner.invoke(cli(), ["rules", "explain", "7", "--json"]).stdout)
    assert as_json["areas"] == [["billing", 1.0]]
    assert [r["role"] for r in as_json["roles"]] == ["solver", "responder"]
    missing = runner.invoke(cli(), ["rules", "explain", "8"])
    assert missing.exit_code == 1


def test_backtest(stored: Desk, rules_dir: Path, tmp_path: Path) -> None:
    runner.invoke(cli(), ["retag"])
    candidate = write_rules(tmp_path / "candidate", areas=AREAS.replace("invoice, ", ""))
    result = runner.invoke(cli(), ["rules", "backtest", "--rules-dir", str(candidate), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["area_changes"], data["area_examples"]) == (
        1,
        [{"ticket_id": 7, "before": "billing", "after": "other"}],
    )
    table = runner.invoke(cli(), ["rules", "backtest", "--rules-dir", str(candidate)])
    assert "1 tickets would change area, 0 would change tier." in table.output
    assert "#7 billing→other" in table.output


def test_retag(stored: Desk, rules_dir: Path, engine: Engine) -> None:
    from worker.status import read_status
    from worker.storage.clock import utcnow

    result = runner.invoke(cli(), ["retag", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["tickets_tagged"], data["work_items"], data["full"]) == (1, 2, True)
    # what is built from tags was rebuilt from the new tags
    profiles = next(s for s in read_status(engine, utcnow()).stages if s.stage == "profiles")
    assert profiles.last_status == "ok"
    assert profiles.counts["full"] is True
    assert profiles.counts["agents"] == 1
    text = runner.invoke(cli(), ["retag"])
    assert "Tagged 1 tickets (0 deleted) into 2 work items" in text.output


def test_retag_with_rules_that_were_never_valid_exits_1(stored: Desk, tmp_path: Path) -> None:
    bad = write_rules(tmp_path / "bad", attribution="roles: {solver: -1}\n")
    result = runner.invoke(cli(), ["retag", "--rules-dir", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}/attribution.yaml:1: roles.solver:" in result.stdout


def test_check_covers_roles_and_triage_files_all_at_once(tmp_path: Path) -> None:
    import shutil

    shipped = Path(__file__).resolve().parents[3] / "rules"
    directory = tmp_path / "rules"
    shutil.copytree(shipped, directory)
    for name, line in (("roles.yaml", "nonsense: 2\n"), ("triage.yaml", "bogus_top: 1\n")):
        with (directory / name).open("a") as f:
            f.write(line)
    result = runner.invoke(cli(), ["rules", "check", "--rules-dir", str(directory)])
    assert result.exit_code == 1
    roles_line = len((directory / "roles.yaml").read_text().splitlines())
    triage_line = len((directory / "triage.yaml").read_text().splitlines())
    assert f"roles.yaml:{roles_line}: nonsense: unknown key" in result.output
    assert f"triage.yaml:{triage_line}: bogus_top: unknown key" in result.output
