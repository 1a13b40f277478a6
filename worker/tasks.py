"""Celery tasks: thin wrappers around the plain functions the CLI calls too.

Arguments and results are primitives (ids, dates as text, dicts of counts), never ORM rows.
"""

from __future__ import annotations

from typing import Any

from worker.pipeline import stages
from worker.settings import get_settings
from worker.storage.db import get_engine
from worker.task_base import instrumented_task


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


@instrumented_task("worker.tasks.run_pipeline", queue="sync")
def run_pipeline() -> dict[str, Any]:
    """The nightly run: sync -> tag -> profiles, one at a time across all workers."""
    from worker.pipeline.lock import AlreadyRunning
    from worker.pipeline.run import run_pipeline as run

    try:
        return run(get_settings())
    except AlreadyRunning as exc:
        # Not an error: the run already under way does tonight's work.
        return {"skipped": str(exc)}


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
