"""A whole pipeline run against the sandbox, under the real Redis lock."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import redis

from integrations.sandbox import SandboxConfig, start_sandbox
from tests.helpers.sandbox import settings_for
from worker.pipeline.lock import AlreadyRunning, PipelineLock
from worker.pipeline.run import run_pipeline
from worker.status import read_status
from worker.storage.clock import utcnow
from worker.storage.db import get_engine

RULES = Path(__file__).resolve().parents[3] / "rules"


@pytest.fixture
def lock_name() -> str:
    return f"test:pipeline:{uuid.uuid4().hex}"


def test_pipeline_runs_every_stage_then_a_second_start_is_refused(
    db_url: str, lock_name: str
) -> None:
    r = redis.Redis.from_url("redis://127.0.0.1:6379/12")
    config = SandboxConfig(seed=4, agents=10, tickets=300, months=3, rate_limits=False)
    with start_sandbox(config, port=0) as sb:
        settings = settings_for(sb, db_url, rules_dir=RULES)
        out = run_pipeline(settings, lock=PipelineLock(r, lock_name, ttl_s=30))
        assert out["sync"]["tickets_upserted"] > 0
        assert out["tag"]["work_items"] > 0
        assert out["profiles"]["agents"] > 0

        with PipelineLock(r, lock_name, ttl_s=30), pytest.raises(AlreadyRunning):
            run_pipeline(settings, lock=PipelineLock(r, lock_name, ttl_s=30))

    status = read_status(get_engine(db_url), utcnow())
    by_stage = {s.stage: s for s in status.stages}
    for stage in ("sync", "tag", "profiles"):
        assert by_stage[stage].last_status == "ok", by_stage[stage]
    assert not r.exists(lock_name)
