"""Each run of a pipeline stage leaves a row: when, how long, what it did, how it ended."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, update

from worker.storage.clock import utcnow
from worker.storage.db import session_scope
from worker.storage.models import StageRunRow


@dataclass
class StageRun:
    id: int
    counts: dict[str, Any] = field(default_factory=dict)


def start_stage_run(engine: Engine, stage: str) -> StageRun:
    """A run that spans several tasks starts here and ends with `finish_stage_run`."""
    with session_scope(engine) as session:
        # Runs of this stage still marked running were cut off (a killed worker, a lost
        # machine): only one pipeline runs at a time, so none of them is still going.
        session.execute(
            update(StageRunRow)
            .where(StageRunRow.stage == stage, StageRunRow.status == "running")
            .values(
                status="interrupted",
                error="stopped before it finished (its process died); a later run redid it",
            )
        )
        row = StageRunRow(stage=stage, started_at=utcnow(), status="running", counts={})
        session.add(row)
        session.flush()
        return StageRun(id=row.id)


def describe_error(exc: BaseException) -> str:
    # The type and message only: exception texts from our code never carry secrets.
    return f"{type(exc).__name__}: {exc}"[:4000]


def finish_stage_run(
    engine: Engine, run: StageRun, *, status: str = "ok", error: str | None = None
) -> None:
    with session_scope(engine) as session:
        session.execute(
            update(StageRunRow)
            .where(StageRunRow.id == run.id)
            .values(finished_at=utcnow(), status=status, counts=run.counts, error=error)
        )


@contextmanager
def record_stage_run(engine: Engine, stage: str) -> Iterator[StageRun]:
    run = start_stage_run(engine, stage)
    status, error = "ok", None
    try:
        yield run
    except BaseException as exc:
        status, error = "failed", describe_error(exc)
        raise
    finally:
        finish_stage_run(engine, run, status=status, error=error)
