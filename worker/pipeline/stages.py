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

    return tag_work(get_engine(settings.database_url), settings.rules_dir, full=full).as_dict()


def profiles_stage(settings: Settings, full: bool = False) -> dict[str, Any]:
    from worker.profiles.build import update_profiles

    return update_profiles(get_engine(settings.database_url), settings, full=full).as_dict()


STAGES = ("sync", "tag", "profiles")
