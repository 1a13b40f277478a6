"""A re-tag in several processes: each tags whole id ranges, reading and writing its own.

Tagging is plain Python per ticket, so one process uses one core; a full re-tag of a
large history from the CLI spreads a plan's spans over processes instead. Processes are
spawned (never forked), so no database connection crosses a process boundary.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Engine

from worker.storage.db import get_engine
from worker.tagging.plan import BatchCounts, Span, TagPlan, tag_span

_worker: dict[str, Any] = {}


def _start(url: str, plan: dict[str, Any]) -> None:
    _worker.update(engine=get_engine(url), plan=TagPlan.from_dict(plan))


def _tag_span(span: Span) -> BatchCounts:
    return tag_span(_worker["engine"], _worker["plan"], span)


def tag_spans(engine: Engine, plan: TagPlan, workers: int) -> Iterator[BatchCounts]:
    """Each of the plan's spans' BatchCounts, in the order they finish."""
    url = engine.url.render_as_string(hide_password=False)
    context = multiprocessing.get_context("spawn")
    initargs = (url, plan.without_spans().as_dict())
    with context.Pool(workers, initializer=_start, initargs=initargs) as pool:
        yield from pool.imap_unordered(_tag_span, plan.spans)
