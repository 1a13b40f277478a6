"""The Celery app. Configured from settings when Celery first needs its config, not at import."""

from __future__ import annotations

import sys
from typing import Any

from celery import Celery
from celery.signals import setup_logging, worker_init, worker_process_init

app = Celery("worker", include=["worker.tasks"])

# every queue a task is routed to (worker/tasks.py); a worker serving them all runs anything
QUEUES = ("default", "sync", "triage")


def worker_command(
    name: str,
    *,
    queues: tuple[str, ...] = QUEUES,
    pool: str = "solo",
    concurrency: int = 1,
    loglevel: str = "WARNING",
) -> list[str]:
    """The command line of one worker process, for tests and benchmarks that start real
    workers (in production: docker-compose.yml, or the README's `celery -A worker worker`)."""
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "worker",
        "worker",
        "-Q",
        ",".join(queues),
        "-n",
        f"{name}@%h",
        "--pool",
        pool,
        "--without-gossip",
        "--without-mingle",
        "--loglevel",
        loglevel,
    ]
    if pool != "solo":
        command += ["--concurrency", str(concurrency)]
    return command


@app.on_configure.connect  # type: ignore[untyped-decorator]
def _configure(sender: Celery, **_: Any) -> None:
    from worker.schedule import beat_schedule
    from worker.settings import get_settings

    settings = get_settings()
    sender.conf.update(
        broker_url=settings.celery_broker_url,
        result_backend=settings.result_backend,
        task_serializer="json",
        accept_content=["json"],
        result_serializer="json",
        # Beat reads PIPELINE_SCHEDULE in the support team's time zone; stored times stay UTC.
        timezone=settings.pipeline_timezone,
        enable_utc=True,
        # A task is acknowledged only when it finished, so a worker killed mid-task hands it
        # back to the broker; every task is idempotent, so running it again is safe.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        # Longer than the longest task (a first sync of a large account), or Redis would hand
        # a still-running task to a second worker.
        broker_transport_options={"visibility_timeout": settings.celery_visibility_timeout_s},
        result_expires=7 * 24 * 3600,
        # Chords count finished parts in the result backend; while Redis restarts, storing a
        # result waits and retries instead of failing a task that did its work.
        result_backend_always_retry=True,
        # The same for queueing the pipeline's next step: a chain must not break because
        # Redis restarted as a step finished (30 retries, 0.5 s apart growing to 5 s).
        task_publish_retry=True,
        task_publish_retry_policy={
            "max_retries": 30,
            "interval_start": 0.5,
            "interval_step": 1.0,
            "interval_max": 5.0,
        },
        result_backend_max_retries=30,
        task_default_queue="default",
        broker_connection_retry_on_startup=True,
        beat_schedule=beat_schedule(settings),
    )


@setup_logging.connect  # type: ignore[untyped-decorator]
def _logging(loglevel: int | str | None = None, **_: Any) -> None:
    # Connecting here tells Celery to leave logging to us: LOG_FORMAT=json works for workers
    # too. An explicit `--loglevel` on the command line still wins over LOG_LEVEL.
    from worker.logs import configure_logging
    from worker.settings import get_settings

    settings = get_settings()
    configure_logging(settings.log_format, loglevel or settings.log_level)


@worker_init.connect  # type: ignore[untyped-decorator]
def _refuse_invalid_rules(**_: Any) -> None:
    # A worker must not start on rules that would fail every tagging run; the admin gets
    # every error at once, as `expertise rules check` prints them.
    import logging

    from worker.rules import RulesInvalid, load_rules
    from worker.settings import get_settings

    try:
        load_rules(get_settings().rules_dir)
    except RulesInvalid as exc:
        log = logging.getLogger("worker")
        for error in exc.errors:
            log.error("invalid rules: %s", error)
        log.error("not starting: fix the rule files (`expertise rules check` lists the errors)")
        raise SystemExit(1) from None


@worker_process_init.connect  # type: ignore[untyped-decorator]
def _fresh_engines(**_: Any) -> None:
    # Database connections must not be shared across a fork.
    from worker.storage.db import dispose_engines

    dispose_engines()
