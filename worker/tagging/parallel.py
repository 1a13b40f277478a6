"""A re-tag in several processes: each tags whole id ranges, reading and writing its own.

Tagging is plain Python per ticket, so one process uses one core; a full re-tag of a
large history from the CLI spreads a plan's spans over processes instead. Processes are
spawned (never forked), so no database connection crosses a process boundary. They start
before the plan is made, so their start-up (imports) overlaps the planning.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from types import TracebackType
from typing import Any

from sqlalchemy import Engine

from worker.storage.db import get_engine
from worker.tagging.plan import BatchCounts, Span, TagPlan, tag_span

_worker: dict[str, Any] = {}


def usable_cores() -> int:
    """The cores this process may run on (a container's CPU set, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _start(url: str) -> None:
    _worker["engine"] = get_engine(url)


def _tag_span(job: tuple[dict[str, Any], Span]) -> BatchCounts:
    plan, span = job
    # the tagger is built once per run and process (see plan._tagger), not per span
    return tag_span(_worker["engine"], TagPlan.from_dict(plan), span)


class SpanPool:
    """`workers` processes tagging spans of the plans given to `tag`."""

    def __init__(self, engine: Engine, workers: int) -> None:
        url = engine.url.render_as_string(hide_password=False)
        context = multiprocessing.get_context("spawn")
        self._pool = context.Pool(workers, initializer=_start, initargs=(url,))

    def tag(self, plan: TagPlan) -> Iterator[BatchCounts]:
        """Each of the plan's spans' BatchCounts, in the order they finish."""
        shared = plan.without_spans().as_dict()
        yield from self._pool.imap_unordered(_tag_span, [(shared, span) for span in plan.spans])

    def __enter__(self) -> SpanPool:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._pool.terminate()
        self._pool.join()
