"""The sync task through a real Celery worker on real Redis."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from integrations.sandbox import SandboxConfig, start_sandbox
from tests.helpers.celery_workers import BROKER, running_workers
from tests.helpers.sandbox import env_for
from worker.storage.db import get_engine
from worker.storage.stats import stored_counts


@pytest.fixture
def celery_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    redis.Redis.from_url(BROKER).flushdb()
    with start_sandbox(
        SandboxConfig(seed=3, agents=8, tickets=200, months=2, rate_limits=False), port=0
    ) as sb:
        url = f"sqlite:///{tmp_path / 'celery.db'}"
        yield env_for(sb, url, CELERY_BROKER_URL=BROKER)
    redis.Redis.from_url(BROKER).flushdb()


@pytest.fixture
def celery_worker(celery_env: dict[str, str], tmp_path: Path) -> Iterator[dict[str, str]]:
    with running_workers(celery_env, tmp_path, 1):
        yield celery_env


@pytest.mark.slow
def test_sync_task_runs_on_a_real_worker(
    celery_worker: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for k, v in celery_worker.items():
        monkeypatch.setenv(k, v)
    from worker.celery_app import app
    from worker.settings import get_settings

    get_settings.cache_clear()
    app.conf.update(broker_url=BROKER, result_backend=BROKER)
    result: Any = app.send_task("worker.tasks.sync_zendesk", queue="sync")
    counts = result.get(timeout=120)
    assert counts["tickets_upserted"] > 0
    assert counts["api_requests"] > 0
    stored = stored_counts(get_engine(celery_worker["DATABASE_URL"]))
    assert stored["tickets"] == counts["tickets_upserted"]


def test_task_names_are_stable() -> None:
    import worker.tasks  # noqa: F401 - registers the tasks
    from worker.celery_app import app

    queues = {
        "worker.tasks.sync_zendesk": "sync",
        "worker.tasks.tag_work": "default",
        "worker.tasks.update_profiles": "default",
        "worker.tasks.send_reports": "default",
        "worker.tasks.run_pipeline": "sync",
        "worker.tasks.triage_ticket": "triage",
        "worker.tasks.triage_new_tickets": "triage",
        "worker.tasks.push_skills": "default",
        "worker.pipeline.sync": "sync",
        "worker.pipeline.plan_tagging": "default",
        "worker.pipeline.tag_span": "default",
        "worker.pipeline.finish_tagging": "default",
        "worker.pipeline.profiles": "default",
        "worker.pipeline.reports": "default",
    }
    ours = {name: task.queue for name, task in app.tasks.items() if name.startswith("worker.")}
    assert ours == queues
    for name in queues:
        assert app.tasks[name].acks_late, name


def test_nightly_sync_is_scheduled_with_an_expiry() -> None:
    from worker.celery_app import app

    schedule = app.conf.beat_schedule
    nightly = schedule["nightly-pipeline"]
    assert nightly["task"] == "worker.tasks.run_pipeline"
    assert nightly["options"]["expires"] > 0
    assert nightly["task"] in app.tasks


def test_worker_refuses_to_start_on_invalid_rules(tmp_path: Path) -> None:
    import shutil

    from tests.helpers.sandbox import DEFAULT_RULES

    bad = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES, bad)
    with (bad / "areas.yaml").open("a") as f:
        f.write("bogus_key: 1\n")
    lines = len((bad / "areas.yaml").read_text().splitlines())
    proc = subprocess.run(
        [sys.executable, "-m", "celery", "-A", "worker", "worker", "--pool", "solo"],
        env={**os.environ, "RULES_DIR": str(bad), "CELERY_BROKER_URL": BROKER},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode != 0
    assert f"areas.yaml:{lines}: bogus_key: unknown key 'bogus_key'" in proc.stderr
    assert "not starting" in proc.stderr
