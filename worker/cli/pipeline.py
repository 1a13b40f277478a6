"""`expertise pipeline`: the nightly run by hand, here or on the Celery workers."""

from __future__ import annotations

from typing import Any

import typer

from worker.cli.common import console, fail, load_settings, print_json


def pipeline(
    queue: bool = typer.Option(
        False, "--queue", help="Queue the run for the Celery workers instead of running it here."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print each stage's counts as JSON."),
) -> None:
    """Run the nightly pipeline now: sync -> tag -> profiles -> reports (and their emails),
    under the same Redis lock as the scheduled run, so the two never overlap."""
    import redis

    from worker.pipeline.lock import AlreadyRunning

    settings = load_settings()
    try:
        if queue:
            out = _queue()
        else:
            from worker.pipeline.run import run_pipeline

            out = run_pipeline(settings)
    except AlreadyRunning as exc:
        console.print(f"[yellow]Not started:[/] {exc}", highlight=False, soft_wrap=True)
        return
    except redis.RedisError as exc:
        fail(f"cannot reach Redis at CELERY_BROKER_URL: {exc}")
    except Exception as exc:  # reported to ops by the pipeline already; say it here too
        fail(f"the pipeline failed: {type(exc).__name__}: {exc}", code=1)
    if as_json:
        print_json(out)
        return
    if queue:
        console.print(f"Queued pipeline run {out['run'][:8]}; follow it with `expertise status`.")
        return
    for stage, counts in out.items():
        console.print(f"[green]{stage}[/] {_summary(counts)}", highlight=False, soft_wrap=True)


def _queue() -> dict[str, Any]:
    """Ask a worker to start the run; it answers at once with the run's id."""
    from worker.pipeline.lock import AlreadyRunning
    from worker.tasks import run_pipeline

    result: dict[str, Any] = run_pipeline.apply_async().get(timeout=60)
    if "skipped" in result:
        raise AlreadyRunning(result["skipped"])
    return result


def _summary(counts: dict[str, Any]) -> str:
    shown = (
        "tickets_upserted",
        "touches",
        "tickets_tagged",
        "work_items",
        "agents",
        "area_profiles",
        "emailed",
        "seconds",
    )
    return ", ".join(f"{k}={counts[k]}" for k in shown if k in counts)
