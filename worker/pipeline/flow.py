"""The nightly pipeline as steps that Celery tasks run one after another, on any worker.

sync -> plan tagging -> tag spans (in parallel) -> finish tagging -> profiles -> reports.
The run's token travels from step to step; each step holds the Redis lock while it works
(`PipelineLock.hold`), and the last step, or the first failure, releases it. Every step is
idempotent: a step that runs twice, after a crash or a redelivery, stores the same result.
"""

from __future__ import annotations

import logging
from typing import Any

import redis

from worker.pipeline import alerts, stages
from worker.pipeline.lock import PipelineLock
from worker.settings import Settings
from worker.storage.db import get_engine
from worker.storage.stage_runs import describe_error
from worker.tagging.plan import BatchCounts, TagPlan, fail_tagging, finish_tagging, plan_tagging
from worker.tagging.plan import tag_span as tag_one_span

log = logging.getLogger(__name__)

LOCK_NAME = "expertise:pipeline:lock"


def pipeline_lock(settings: Settings, token: str | None = None) -> PipelineLock:
    client = redis.Redis.from_url(
        settings.celery_broker_url, socket_timeout=10, socket_connect_timeout=10
    )
    return PipelineLock(client, LOCK_NAME, ttl_s=settings.pipeline_lock_ttl_s, token=token)


def start_run(settings: Settings) -> str:
    """Claim the lock for a new run; raises AlreadyRunning if a run holds it."""
    return pipeline_lock(settings).claim()


def sync(settings: Settings, token: str) -> dict[str, Any]:
    with pipeline_lock(settings, token).hold():
        return stages.sync_stage(settings)


def plan_tag(settings: Settings, token: str) -> dict[str, Any]:
    with pipeline_lock(settings, token).hold():
        engine = get_engine(settings.database_url)
        plan = plan_tagging(engine, settings.rules_dir, batch_size=settings.tag_batch_size)
        return plan.as_dict()


def tag_span(
    settings: Settings, token: str, plan: dict[str, Any], span: list[int | None]
) -> dict[str, int]:
    last = span[1]
    if last is None:
        raise ValueError(f"a span ends at a ticket id, got {span!r}")
    with pipeline_lock(settings, token).hold():
        engine = get_engine(settings.database_url)
        return tag_one_span(engine, TagPlan.from_dict(plan), (span[0], last)).as_dict()


def finish_tag(
    settings: Settings, token: str, plan: dict[str, Any], counts: list[dict[str, int]]
) -> dict[str, Any]:
    with pipeline_lock(settings, token).hold():
        engine = get_engine(settings.database_url)
        batches = [BatchCounts(**c) for c in counts]
        return finish_tagging(engine, TagPlan.from_dict(plan), batches).as_dict()


def profiles(settings: Settings, token: str) -> dict[str, Any]:
    with pipeline_lock(settings, token).hold():
        return stages.profiles_stage(settings)


def reports(settings: Settings, token: str) -> dict[str, Any]:
    """The last step: the reports, then the lock goes for the next night's run."""
    lock = pipeline_lock(settings, token)
    with lock.hold():
        out = stages.reports_stage(settings)
    lock.release()
    log.info("pipeline run finished", extra={"stage": "reports", "counts": out})
    return out


def fail(
    settings: Settings,
    token: str,
    stage: str,
    exc: BaseException,
    plan: dict[str, Any] | None = None,
) -> None:
    """A step failed for good: close its stage run, free the lock, tell ops (once a run)."""
    if plan is not None:
        try:
            fail_tagging(get_engine(settings.database_url), TagPlan.from_dict(plan), exc)
        except Exception:  # the database may be what failed; the report matters more
            log.exception("could not record the failed tagging run")
    # Of the parallel batches that may fail together, only the one that frees the lock
    # reports: ops get one email per failed run.
    if pipeline_lock(settings, token).release():
        alerts.report_failure(settings, stage, describe_error(exc))
    else:
        log.error("pipeline step %s failed: %s", stage, alerts.redact(str(exc), settings))
