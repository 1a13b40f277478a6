"""Every periodic task, in one place."""

from __future__ import annotations

from typing import Any

from celery.schedules import crontab

from worker.settings import Settings, parse_cron


def beat_schedule(settings: Settings) -> dict[str, dict[str, Any]]:
    """Times are in the app's timezone, PIPELINE_TIMEZONE."""
    triage_every_minutes = settings.triage_poll_minutes
    return {
        "triage-new-tickets": {
            "task": "worker.tasks.triage_new_tickets",
            "schedule": crontab(minute=f"*/{triage_every_minutes}"),
            # Stale pickups are pointless: the next one a few minutes later covers the same.
            "options": {"expires": triage_every_minutes * 60, "queue": "triage"},
        },
        "nightly-pipeline": {
            "task": "worker.tasks.run_pipeline",
            "schedule": crontab(**parse_cron(settings.pipeline_schedule)),
            # A run that could not start within 6 hours is dropped: the next night's run
            # resumes from the same cursors, so nothing is lost.
            "options": {"expires": 6 * 3600, "queue": "sync"},
        },
    }
