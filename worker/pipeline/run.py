"""One whole pipeline run in this process: sync -> tag -> profiles, under the Redis lock."""

from __future__ import annotations

import logging
from typing import Any

import redis

from worker.pipeline import stages
from worker.pipeline.lock import PipelineLock
from worker.settings import Settings

log = logging.getLogger(__name__)


def run_pipeline(settings: Settings, *, lock: PipelineLock | None = None) -> dict[str, Any]:
    """Run every stage in order; raises AlreadyRunning if another run holds the lock."""
    lock = lock or PipelineLock(redis.Redis.from_url(settings.celery_broker_url))
    out: dict[str, Any] = {}
    with lock:
        out["sync"] = stages.sync_stage(settings)
        log.info("pipeline: sync done", extra={"stage": "sync", "counts": out["sync"]})
        out["tag"] = stages.tag_stage(settings)
        log.info("pipeline: tagging done", extra={"stage": "tag", "counts": out["tag"]})
        out["profiles"] = stages.profiles_stage(settings)
        log.info("pipeline: profiles done", extra={"stage": "profiles", "counts": out["profiles"]})
    return out
