"""One whole pipeline run in this process (sync -> tag -> profiles -> reports) under the
Redis lock: `expertise pipeline`, and the reference the Celery run must agree with."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from worker.pipeline import alerts, flow, stages
from worker.pipeline.lock import PipelineLock
from worker.settings import Settings
from worker.storage.stage_runs import describe_error

log = logging.getLogger(__name__)

Stage = Callable[[Settings], dict[str, Any]]
ORDER: tuple[tuple[str, Stage], ...] = (
    ("sync", stages.sync_stage),
    ("tag", stages.tag_stage),
    ("profiles", stages.profiles_stage),
    ("reports", stages.reports_stage),
)


def run_pipeline(settings: Settings, *, lock: PipelineLock | None = None) -> dict[str, Any]:
    """Run every stage in order; raises AlreadyRunning if another run holds the lock. A
    failed stage is reported to ops (log, and email to OPS_RECIPIENTS) and raised."""
    lock = lock or flow.pipeline_lock(settings)
    out: dict[str, Any] = {}
    with lock:
        for name, stage in ORDER:
            try:
                out[name] = stage(settings)
            except Exception as exc:
                alerts.report_failure(settings, name, describe_error(exc))
                raise
            log.info("pipeline: %s done", name, extra={"stage": name, "counts": out[name]})
    return out
