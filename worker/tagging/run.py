"""A tagging run: tag what changed since the last run, or everything when the rules did.

Nightly runs after the sync re-do only tickets whose `synced_at` moved past the watermark.
A new rules version (or a rename that changes what the rules resolve to) re-does the whole
history, as does `full=True` (`expertise retag`). No Zendesk request is ever made.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from sqlalchemy import Engine

from worker.tagging import parallel
from worker.tagging.plan import (
    BatchCounts,
    TagPlan,
    TagResult,
    fail_tagging,
    finish_tagging,
    plan_tagging,
    tag_batch,
    tag_span,
)

__all__ = ["BatchCounts", "Progress", "TagResult", "tag_batch", "tag_work"]

# (tickets done, tickets to do)
Progress = Callable[[int, int], None]


def tag_work(
    engine: Engine,
    rules_dir: Path,
    *,
    full: bool = False,
    progress: Progress | None = None,
    batch_size: int = 10_000,
    workers: int = 1,
) -> TagResult:
    """Tag stored tickets with the rules in force, in this process; raises RulesInvalid only
    when no valid rule set was ever seen (a worker must not start on invalid rules).

    `workers` > 1 tags batches in that many processes (a re-tag of a big history from the
    CLI); leave it at 1 inside a Celery worker, whose processes may not have children (the
    nightly pipeline spreads batches over Celery workers instead).
    """
    if workers > 1:
        with parallel.SpanPool(engine, workers) as pool:  # starting while the plan is made
            plan = plan_tagging(engine, rules_dir, full=full, batch_size=batch_size)
            # one span is tagged sooner here than by a process still importing
            if len(plan.spans) > 1:
                return _run(engine, plan, pool.tag(plan), progress)
    else:
        plan = plan_tagging(engine, rules_dir, full=full, batch_size=batch_size)
    return _run(engine, plan, (tag_span(engine, plan, span) for span in plan.spans), progress)


def _run(
    engine: Engine, plan: TagPlan, runs: Iterable[BatchCounts], progress: Progress | None
) -> TagResult:
    try:
        done = 0
        counts: list[BatchCounts] = []
        for one in runs:
            counts.append(one)
            done += one.tagged + one.deleted
            if progress is not None:
                progress(done, max(plan.total, done))
    except BaseException as exc:
        fail_tagging(engine, plan, exc)
        raise
    return finish_tagging(engine, plan, counts)
