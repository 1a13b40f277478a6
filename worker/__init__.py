"""helpdesk-expertise worker: Celery app, tasks, domain logic and CLI.

`celery -A worker worker -B` finds the Celery app through the `celery` attribute below.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    # Loaded lazily so `import worker.settings` (or the CLI) does not build a Celery app.
    if name in ("celery", "app"):
        from worker.celery_app import app

        return app
    raise AttributeError(name)
