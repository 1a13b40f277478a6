"""(b) Redis stops in the middle of a nightly run and comes back: the run completes, and the
store is what an undisturbed run stores."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import func, select

from integrations.sandbox import SandboxConfig, start_sandbox
from tests.helpers.celery_workers import (
    RedisServer,
    queue_pipeline_from_shell,
    start_worker,
    stop_worker,
    wait_until,
    worker_logs,
)
from tests.helpers.pipeline_snapshot import differences, pipeline_snapshot
from tests.helpers.sandbox import DEFAULT_RULES, env_for, settings_for
from worker.pipeline.lock import PipelineLock
from worker.pipeline.run import run_pipeline
from worker.storage.db import dispose_engines, get_engine
from worker.storage.models import StageRunRow, TicketRow

DESK = SandboxConfig(seed=9, agents=12, tickets=1200, months=4, rate_limits=False, latency_s=0.01)
OUTAGE_S = 4


@pytest.fixture
def sandbox() -> Iterator[Any]:
    with start_sandbox(DESK, port=0) as sb:
        yield sb


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    (tmp_path / "redis").mkdir()
    server = RedisServer(tmp_path / "redis")
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _stage_status(url: str, stage: str) -> str | None:
    """The last run's status, once it has finished (None while running or before)."""
    with get_engine(url).connect() as conn:
        status = conn.scalar(
            select(StageRunRow.status)
            .where(StageRunRow.stage == stage)
            .order_by(StageRunRow.id.desc())
            .limit(1)
        )
    return None if status == "running" else status


def _sync_running_with_tickets(url: str) -> bool:
    try:
        with get_engine(url).connect() as conn:
            running = conn.scalar(
                select(func.count()).where(
                    StageRunRow.stage == "sync", StageRunRow.status == "running"
                )
            )
            tickets = conn.scalar(select(func.count(TicketRow.id)))
    except Exception:  # not migrated yet
        return False
    return bool(running) and bool(tickets)


@pytest.mark.slow
def test_redis_restart_mid_run_and_the_run_completes(
    sandbox: Any, own_redis: RedisServer, pg_database: str, tmp_path: Path
) -> None:
    clean_url = f"sqlite:///{tmp_path / 'clean.db'}"
    clean = settings_for(
        sandbox, clean_url, reports_dir=tmp_path / "clean-reports", rules_dir=DEFAULT_RULES
    )
    run_pipeline(clean, lock=PipelineLock(redis.Redis.from_url(own_redis.url), "clean-run"))
    expected = pipeline_snapshot(get_engine(clean_url))
    dispose_engines()

    url = pg_database
    env = env_for(
        sandbox,
        url,
        CELERY_BROKER_URL=own_redis.url,
        ZENDESK_PAGE_SIZE="100",
        TAG_BATCH_SIZE="200",
        REPORTS_DIR=str(tmp_path / "reports"),
    )
    worker = start_worker(env, tmp_path, "worker")
    try:
        queue_pipeline_from_shell(env, tmp_path)
        assert wait_until(lambda: _sync_running_with_tickets(url), 60), "no sync under way"
        own_redis.stop()
        # The sync goes on without Redis and ends while it is away: storing its result and
        # queueing the next step must wait for Redis rather than lose the run.
        assert wait_until(lambda: _stage_status(url, "sync") == "ok", 120), (
            "the sync did not finish"
        )
        time.sleep(OUTAGE_S)
        own_redis.start()
        assert wait_until(lambda: _stage_status(url, "reports") is not None, 180, every=0.5), (
            "the run did not reach its last step"
        )
        assert _stage_status(url, "reports") == "ok"
    except BaseException:
        print(worker_logs(tmp_path))
        raise
    finally:
        stop_worker(worker, kill=True)
    dispose_engines()
    assert differences(pipeline_snapshot(get_engine(url)), expected) == []
    with get_engine(url).connect() as conn:
        statuses = sorted(conn.execute(select(StageRunRow.stage, StageRunRow.status)).all())
    assert statuses == [("profiles", "ok"), ("reports", "ok"), ("sync", "ok"), ("tag", "ok")]
