"""Celery tasks: thin wrappers around the plain functions the CLI calls too.

Arguments and results are primitives (ids, dates as text, dicts of counts), never ORM rows.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task, chain, chord, group
from celery.exceptions import Ignore

from worker.pipeline import flow, stages
from worker.pipeline.lock import AlreadyRunning, RunFinished
from worker.settings import get_settings
from worker.storage.db import get_engine
from worker.task_base import instrumented_task

log = logging.getLogger(__name__)


@instrumented_task("worker.tasks.sync_zendesk", queue="sync")
def sync_zendesk(since: str | None = None) -> dict[str, Any]:
    """Sync Zendesk into the database; `since` (YYYY-MM-DD) re-syncs from that date."""
    return stages.sync_stage(get_settings(), since)


@instrumented_task("worker.tasks.tag_work")
def tag_work(full: bool = False) -> dict[str, Any]:
    """Tag stored tickets with the rules in force; `full` re-tags the whole history."""
    return stages.tag_stage(get_settings(), full)


@instrumented_task("worker.tasks.update_profiles")
def update_profiles(full: bool = False) -> dict[str, Any]:
    """Fold tagged work into expertise profiles; `full` rebuilds them from every work item."""
    return stages.profiles_stage(get_settings(), full)


@instrumented_task("worker.tasks.send_reports")
def send_reports() -> dict[str, Any]:
    """Write every report into REPORTS_DIR and email it to the configured recipients."""
    return stages.reports_stage(get_settings())


class PipelineStep(Task):  # type: ignore[misc]
    """A step of a nightly run: when it fails for good, the run ends and ops are told. A step
    of a run that has already ended (handed back by the broker long after) stops quietly,
    and so does the rest of its chain."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().__call__(*args, **kwargs)
        except RunFinished as exc:
            log.warning("skipping %s: %s", self.name, exc)
            raise Ignore() from exc

    def on_failure(self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        flow.fail(
            get_settings(),
            kwargs["token"],
            self.name.rsplit(".", 1)[-1],
            exc,
            plan=kwargs.get("plan"),
        )


@instrumented_task("worker.tasks.run_pipeline", queue="sync")
def run_pipeline() -> dict[str, Any]:
    """The nightly run: sync -> tag (batches shared by all workers) -> profiles -> reports.

    Claims the run's lock and queues the steps; returns at once with the id of the last
    step's result. A second start while a run is under way says so and does nothing.
    """
    settings = get_settings()
    try:
        token = flow.start_run(settings)
    except AlreadyRunning as exc:
        # Not an error: the run already under way does tonight's work.
        return {"skipped": str(exc)}
    steps = chain(
        pipeline_sync.si(token=token),
        pipeline_plan_tagging.si(token=token),
        pipeline_profiles.si(token=token),
        pipeline_reports.si(token=token),
    )
    result = steps.apply_async()
    return {"run": token, "result_id": result.id}


@instrumented_task("worker.pipeline.sync", queue="sync", base=PipelineStep)
def pipeline_sync(token: str) -> dict[str, Any]:
    return flow.sync(get_settings(), token)


@instrumented_task("worker.pipeline.plan_tagging", bind=True, base=PipelineStep)
def pipeline_plan_tagging(self: Task, token: str) -> Any:
    """Split the tagging into batches that any worker can take (a chord), or finish at once."""
    settings = get_settings()
    plan = flow.plan_tag(settings, token)
    spans = plan.pop("spans")
    if not spans:
        return flow.finish_tag(settings, token, plan, [])
    header = group(pipeline_tag_span.si(token=token, plan=plan, span=s) for s in spans)
    raise self.replace(chord(header, pipeline_finish_tagging.s(token=token, plan=plan)))


@instrumented_task("worker.pipeline.tag_span", base=PipelineStep)
def pipeline_tag_span(token: str, plan: dict[str, Any], span: list[int | None]) -> dict[str, int]:
    return flow.tag_span(get_settings(), token, plan, span)


@instrumented_task("worker.pipeline.finish_tagging", base=PipelineStep)
def pipeline_finish_tagging(
    counts: list[dict[str, int]], token: str, plan: dict[str, Any]
) -> dict[str, Any]:
    return flow.finish_tag(get_settings(), token, plan, counts)


@instrumented_task("worker.pipeline.profiles", base=PipelineStep)
def pipeline_profiles(token: str) -> dict[str, Any]:
    return flow.profiles(get_settings(), token)


@instrumented_task("worker.pipeline.reports", base=PipelineStep)
def pipeline_reports(token: str) -> dict[str, Any]:
    return flow.reports(get_settings(), token)


@instrumented_task("worker.tasks.triage_ticket", queue="triage")
def triage_ticket(ticket_id: int) -> dict[str, Any]:
    """Recommend a group and agents for one new ticket; writes back as triage.yaml says."""
    from worker.triage.run import triage_ticket as run_triage

    settings = get_settings()
    engine = get_engine(settings.database_url)
    return run_triage(engine, settings, int(ticket_id), apply=True).as_dict()


@instrumented_task("worker.tasks.triage_new_tickets", queue="triage")
def triage_new_tickets() -> dict[str, Any]:
    """Pick up the tickets created since the last pickup that wait for someone, and triage them."""
    from worker.triage.pickup import triage_new_tickets as pickup

    settings = get_settings()
    results = pickup(get_engine(settings.database_url), settings)
    return {"triaged": len(results), "ticket_ids": [r.ticket_id for r in results]}


@instrumented_task("worker.tasks.push_skills")
def push_skills(apply: bool = True) -> dict[str, Any]:
    """Keep Zendesk's routing skills in step with measured expertise (pins win)."""
    from worker.triage.skills import push_skills as push

    settings = get_settings()
    return push(get_engine(settings.database_url), settings, apply=apply).as_dict()
