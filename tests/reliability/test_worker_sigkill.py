"""(a) SIGKILL the worker mid-sync and again mid-tagging; a restarted worker finishes the run
(the broker hands the killed steps back) and the store equals a clean run's."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from integrations.sandbox import SandboxConfig, start_sandbox
from tests.helpers.celery_workers import (
    BROKER,
    celery_client,
    flush,
    running_workers,
    start_pipeline,
    start_worker,
    stop_worker,
    wait_for_pipeline,
    wait_until,
    worker_logs,
)
from tests.helpers.pipeline_snapshot import differences, pipeline_snapshot
from tests.helpers.sandbox import env_for
from worker.storage.db import dispose_engines, get_engine
from worker.storage.models import StageRunRow, TicketRow
from worker.storage.work_items import TicketTagRow

# Slow enough pages and small enough batches that each kill lands inside its stage.
DESK = SandboxConfig(seed=8, agents=12, tickets=1500, months=4, rate_limits=False, latency_s=0.01)
VISIBILITY_S = 6


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Any]:
    with start_sandbox(DESK, port=0) as sb:
        yield sb


def _env(sandbox: Any, url: str, tmp_path: Path) -> dict[str, str]:
    return env_for(
        sandbox,
        url,
        CELERY_BROKER_URL=BROKER,
        CELERY_VISIBILITY_TIMEOUT_S=str(VISIBILITY_S),
        ZENDESK_PAGE_SIZE="100",
        TAG_BATCH_SIZE="100",
        REPORTS_DIR=str(tmp_path / "reports"),
    )


def _count(url: str, query: Any) -> int:
    with get_engine(url).connect() as conn:
        return int(conn.scalar(query) or 0)


def _running(url: str, stage: str) -> bool:
    query = select(func.count()).where(StageRunRow.stage == stage, StageRunRow.status == "running")
    try:
        return _count(url, query) > 0
    except Exception:  # not migrated yet
        return False


@pytest.mark.slow
def test_sigkill_mid_sync_and_mid_tagging_then_restart(
    sandbox: Any, pg_database: str, tmp_path: Path
) -> None:
    clean_url = f"sqlite:///{tmp_path / 'clean.db'}"
    (tmp_path / "clean").mkdir()
    flush()
    env = _env(sandbox, clean_url, tmp_path / "clean")
    app = celery_client(env)
    with running_workers(env, tmp_path, 1):
        wait_for_pipeline(app, start_pipeline(app))
    expected = pipeline_snapshot(get_engine(clean_url))
    dispose_engines()

    url = pg_database
    flush()
    env = _env(sandbox, url, tmp_path)
    app = celery_client(env)
    workers: list[Any] = []
    try:
        workers.append(start_worker(env, tmp_path, "first"))
        started = start_pipeline(app)
        assert wait_until(
            lambda: _running(url, "sync") and _count(url, select(func.count(TicketRow.id))) > 0,
            60,
        ), "the sync never got under way"
        stop_worker(workers[-1], kill=True)
        assert _running(url, "sync"), "the sync finished before the kill; the test proves nothing"
        assert _count(url, select(func.count(TicketRow.id))) < DESK.tickets

        # The broker hands the killed step to a worker once its visibility timeout has passed.
        time.sleep(VISIBILITY_S + 1)
        workers.append(start_worker(env, tmp_path, "second"))
        tags = select(func.count(TicketTagRow.ticket_id))
        assert wait_until(lambda: _running(url, "tag") and _count(url, tags) > 0, 120), (
            "tagging never got under way after the restart"
        )
        stop_worker(workers[-1], kill=True)
        assert _running(url, "tag")
        assert _count(url, tags) < DESK.tickets

        time.sleep(VISIBILITY_S + 1)
        workers.append(start_worker(env, tmp_path, "third"))
        wait_for_pipeline(app, started, timeout=180)
    except BaseException:
        print(worker_logs(tmp_path))
        raise
    finally:
        for proc in workers:
            stop_worker(proc, kill=True)
    dispose_engines()
    assert differences(pipeline_snapshot(get_engine(url)), expected) == []
    with get_engine(url).connect() as conn:
        statuses = conn.execute(select(StageRunRow.stage, StageRunRow.status)).all()
    # the killed sync left a run behind, which the redelivered one marked; the tagging run
    # spans its batches, so the batch handed back finished that same run
    assert sorted(statuses) == [
        ("profiles", "ok"),
        ("reports", "ok"),
        ("sync", "interrupted"),
        ("sync", "ok"),
        ("tag", "ok"),
    ]
    assert not [s for s in statuses if s[1] == "running"], statuses
