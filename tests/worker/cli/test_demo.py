"""`expertise demo`: the whole job on embedded defaults, as a new user first runs it."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.helpers.sandbox import DEFAULT_RULES
from worker.cli.main import app
from worker.settings import get_settings
from worker.storage.db import dispose_engines, get_engine
from worker.storage.stats import stored_counts

runner = CliRunner()


@pytest.mark.slow
def test_demo_runs_the_pipeline_and_says_where_the_reports_are(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RULES_DIR", str(DEFAULT_RULES))
    get_settings.cache_clear()
    result = runner.invoke(app, ["demo", "--tickets", "400", "--agents", "12", "--months", "3"])
    assert result.exit_code == 0, result.output
    report = tmp_path / "reports" / "report.html"
    assert report.is_file()
    assert str(report) in result.output.replace("\n", "")
    for name in ("specialization", "coverage", "candidates"):
        assert (tmp_path / "reports" / f"{name}.json").is_file()
    counts = stored_counts(get_engine(f"sqlite:///{tmp_path / 'expertise.db'}"))
    dispose_engines()
    assert counts["tickets"] + counts["deleted_tickets"] == 400
    assert counts["touches"] > 0
    assert "Profiled 12 people" in result.output
