"""`expertise pipeline`: the nightly run by hand, refused while another run holds the lock."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import redis
from typer.testing import CliRunner

from integrations.sandbox import SandboxConfig, start_sandbox
from tests.helpers.sandbox import env_for
from worker.cli.main import app
from worker.pipeline.flow import LOCK_NAME
from worker.pipeline.lock import PipelineLock
from worker.settings import get_settings

BROKER = "redis://127.0.0.1:6379/13"
runner = CliRunner()


@pytest.fixture
def env(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    redis.Redis.from_url(BROKER).delete(LOCK_NAME)
    config = SandboxConfig(seed=6, agents=8, tickets=150, months=2, rate_limits=False)
    with start_sandbox(config, port=0) as sb:
        values = env_for(sb, db_url, CELERY_BROKER_URL=BROKER)
        for key, value in values.items():
            monkeypatch.setenv(key, value)
        get_settings.cache_clear()
        yield values


def test_pipeline_runs_every_stage_here(env: dict[str, str], tmp_path: Any) -> None:
    result = runner.invoke(app, ["pipeline"])
    assert result.exit_code == 0, result.output
    for stage in ("sync", "tag", "profiles", "reports"):
        assert stage in result.output
    assert (tmp_path / "reports" / "report.html").is_file()
    assert not redis.Redis.from_url(BROKER).exists(LOCK_NAME)


def test_pipeline_says_already_running_and_exits_cleanly(env: dict[str, str]) -> None:
    with PipelineLock(redis.Redis.from_url(BROKER), LOCK_NAME, ttl_s=30):
        result = runner.invoke(app, ["pipeline"])
    assert result.exit_code == 0, result.output
    assert "already running" in result.output


def test_pipeline_failure_exits_1_naming_the_stage(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZENDESK_API_TOKEN", "not-the-token")
    get_settings.cache_clear()
    result = runner.invoke(app, ["pipeline"])
    assert result.exit_code == 1
    assert "the pipeline failed" in result.output
    assert "not-the-token" not in result.output
