"""The pipeline's stages as plain functions of settings: what the CLI, the Celery tasks and
the demo all call. Each stage is idempotent, so re-running one after a crash is safe."""

from __future__ import annotations

from datetime import date
from typing import Any

from worker.settings import Settings
from worker.storage.db import get_engine


def sync_stage(settings: Settings, since: str | None = None) -> dict[str, Any]:
    from worker.sync.run import run_sync

    engine = get_engine(settings.database_url)
    start = date.fromisoformat(since) if since else None
    return run_sync(engine, settings, since=start).as_dict()


def tag_stage(settings: Settings, full: bool = False) -> dict[str, Any]:
    from worker.tagging.run import tag_work

    engine = get_engine(settings.database_url)
    return tag_work(
        engine, settings.rules_dir, full=full, batch_size=settings.tag_batch_size
    ).as_dict()


def profiles_stage(settings: Settings, full: bool = False) -> dict[str, Any]:
    from worker.profiles.build import update_profiles

    return update_profiles(get_engine(settings.database_url), settings, full=full).as_dict()


class ReportsNotDelivered(Exception):
    """The reports were written, but some recipients did not get them."""


def reports_stage(settings: Settings) -> dict[str, Any]:
    """Write every report into REPORTS_DIR and email it to the configured recipients."""
    from worker.reports.build import write_reports
    from worker.reports.deliver import email_reports
    from worker.storage.stage_runs import record_stage_run

    engine = get_engine(settings.database_url)
    with record_stage_run(engine, "reports") as run:
        files = write_reports(engine, settings, ("all",), settings.reports_dir)
        delivery = email_reports(engine, settings)
        run.counts = {
            "files": [str(p) for p in files],
            "emailed": len(delivery.sent),
            "not_delivered": len(delivery.failed),
        }
        if delivery.failed:
            who = "; ".join(f"{r}: {why}" for r, why in delivery.failed)
            raise ReportsNotDelivered(f"reports not delivered to {who}")
    return run.counts


STAGES = ("sync", "tag", "profiles", "reports")
