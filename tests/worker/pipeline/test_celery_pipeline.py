"""The nightly run through real Celery workers: one worker and four store the same result."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from integrations.sandbox import SandboxConfig, start_sandbox
from tests.helpers.celery_workers import (
    BROKER,
    celery_client,
    flush,
    running_workers,
    start_pipeline,
    wait_for_pipeline,
)
from tests.helpers.pipeline_snapshot import differences, pipeline_snapshot
from tests.helpers.sandbox import env_for
from worker.status import read_status
from worker.storage.clock import utcnow
from worker.storage.db import dispose_engines, get_engine

DESK = SandboxConfig(seed=4, agents=12, tickets=500, months=4, rate_limits=False)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Any]:
    with start_sandbox(DESK, port=0) as sb:
        yield sb


def _env(sandbox: Any, url: str, tmp_path: Path) -> dict[str, str]:
    return env_for(
        sandbox,
        url,
        CELERY_BROKER_URL=BROKER,
        # small batches: a dozen tagging tasks for the workers to share
        TAG_BATCH_SIZE="100",
        REPORTS_DIR=str(tmp_path / "reports"),
        PIPELINE_LOCK_TTL_S="60",
    )


def _nightly_run(env: dict[str, str], cwd: Path, workers: int) -> Any:
    flush()
    app = celery_client(env)
    with running_workers(env, cwd, workers):
        started = start_pipeline(app)
        out = wait_for_pipeline(app, started)
    dispose_engines()
    return out


@pytest.mark.slow
def test_one_worker_and_four_workers_store_the_same(
    sandbox: Any, db_url: str, twin_db_url: str, tmp_path: Path
) -> None:
    one_dir, four_dir = tmp_path / "one", tmp_path / "four"
    one_dir.mkdir()
    four_dir.mkdir()
    one_url = twin_db_url

    reports = _nightly_run(_env(sandbox, one_url, one_dir), one_dir, workers=1)
    _nightly_run(_env(sandbox, db_url, four_dir), four_dir, workers=4)

    one, four = pipeline_snapshot(get_engine(one_url)), pipeline_snapshot(get_engine(db_url))
    assert one["work_items"], "the run tagged nothing"
    assert one["area_profiles"], "the run built no profiles"
    assert differences(one, four) == []
    assert (one_dir / "reports" / "report.html").is_file()
    assert reports["files"], reports

    status = read_status(get_engine(db_url), utcnow())
    by_stage = {s.stage: s for s in status.stages}
    for stage in ("sync", "tag", "profiles", "reports"):
        assert by_stage[stage].last_status == "ok", by_stage[stage]
    assert by_stage["tag"].counts["batches"] >= 5, by_stage["tag"].counts
