"""A re-tag in several processes: each tags whole id ranges, reading and writing its own.

Tagging is plain Python per ticket, so one process uses one core; a full re-tag of a
large history from the CLI spreads batches over processes instead. Processes are spawned
(never forked), so no database connection crosses a process boundary.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from worker.rules.compiled import compile_rules
from worker.rules.directory import Directory
from worker.rules.load import RuleSet
from worker.storage.db import get_engine
from worker.tagging import reader
from worker.tagging.tagger import Tagger


@dataclass(frozen=True)
class Setup:
    """What each process needs to tag exactly as the parent would."""

    rules: RuleSet
    directory: Directory
    agents: Mapping[int, int | None]
    since: datetime | None


_worker: dict[str, Any] = {}


def _start(url: str, setup: Setup) -> None:
    compiled = compile_rules(setup.rules, setup.directory)
    _worker.update(
        engine=get_engine(url), tagger=Tagger(compiled, dict(setup.agents)), since=setup.since
    )


def _tag_span(span: tuple[int | None, int]) -> Any:
    from worker.tagging.run import BatchCounts, tag_batch

    after, last = span
    engine: Engine = _worker["engine"]
    since: datetime | None = _worker["since"]
    batch = reader.read_span(engine, after, last, since)
    if batch is None:  # the tickets went away since the range was listed
        return BatchCounts(0, 0, 0, last)
    return tag_batch(engine, _worker["tagger"], batch, incremental=since is not None)


def tag_spans(
    engine: Engine,
    spans: Iterable[tuple[int | None, int]],
    setup: Setup,
    workers: int,
) -> Iterator[Any]:
    """Each span's BatchCounts, in the order they finish."""
    url = engine.url.render_as_string(hide_password=False)
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, initializer=_start, initargs=(url, setup)) as pool:
        yield from pool.imap_unordered(_tag_span, spans)
