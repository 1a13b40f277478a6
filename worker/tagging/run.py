"""A tagging run: tag what changed since the last run, or everything when the rules did.

Nightly runs after the sync re-do only tickets whose `synced_at` moved past the watermark.
A new rules version (or a rename that changes what the rules resolve to) re-does the whole
history, as does `full=True` (`expertise retag`). No Zendesk request is ever made.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, update

from worker.rules.compiled import compile_rules
from worker.rules.store import rules_in_force, state, utcnow
from worker.storage.db import session_scope
from worker.storage.work_items import TaggingStateRow, TicketTagRow, WorkItemRow
from worker.sync.stage_runs import record_stage_run
from worker.tagging import parallel, reader
from worker.tagging.reader import Batch
from worker.tagging.tagger import Tagged, Tagger
from worker.tagging.writer import replace_batch

log = logging.getLogger(__name__)

# (tickets done, tickets to do)
Progress = Callable[[int, int], None]


@dataclass
class TagResult:
    tickets_tagged: int = 0
    tickets_deleted: int = 0
    work_items: int = 0
    rules_version: str = ""
    full: bool = False
    # "files", or "stored" when the files on disk are invalid and an older version ran
    rules_origin: str = "files"
    rules_errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["seconds"] = round(self.seconds, 3)
        return out


@dataclass
class BatchCounts:
    tagged: int
    deleted: int
    work_items: int
    # the batch's last ticket id
    last: int


def tag_batch(engine: Engine, tagger: Tagger, batch: Batch, *, incremental: bool) -> BatchCounts:
    """Tag one batch and replace its rows, in one transaction."""
    tagged: list[Tagged] = []
    deleted = 0
    for row in batch.tickets:
        one = tagger.tag(row, batch.touches.get(row[0], ()))
        if one is None:
            deleted += 1
        else:
            tagged.append(one)
    with engine.begin() as conn:
        items = replace_batch(
            conn,
            tagged,
            ticket_ids=[t[0] for t in batch.tickets] if incremental else None,
            after=batch.after,
            last=batch.last,
            version=tagger.compiled.version,
            now=utcnow(),
        )
    return BatchCounts(len(tagged), deleted, items, batch.last)


def tag_work(
    engine: Engine,
    rules_dir: Path,
    *,
    full: bool = False,
    progress: Progress | None = None,
    batch_size: int = 10_000,
    workers: int = 1,
) -> TagResult:
    """Tag stored tickets with the rules in force; raises RulesInvalid only when no valid
    rule set was ever seen (a worker must not start on invalid rules).

    `workers` > 1 tags batches in that many processes (a re-tag of a big history from the
    CLI); leave it at 1 inside a Celery worker, whose processes may not have children.
    """
    began = time.monotonic()
    with record_stage_run(engine, "tag") as run:
        # inside the stage run, so rules that were never valid leave a failed run behind
        in_force = rules_in_force(engine, rules_dir)
        result = TagResult(
            rules_version=in_force.rules.version,
            rules_origin=in_force.origin,
            rules_errors=[str(e) for e in in_force.errors],
        )
        with engine.connect() as conn:
            directory = reader.load_directory(conn)
            compiled = compile_rules(in_force.rules, directory)
            agents = reader.agents(conn)
            mark = reader.newest_sync(conn)
        with session_scope(engine) as session:
            current = state(session)
            result.full = (
                full
                or current.watermark is None
                or current.rules_version != compiled.version
                or current.context_digest != compiled.context_digest
            )
            since = None if result.full else current.watermark
        result.warnings = compiled.warnings
        for warning in compiled.warnings:
            log.warning("rules: %s", warning)

        with engine.connect() as conn:
            total = reader.count_tickets(conn, since)
        done = 0
        last_id: int | None = None
        if workers > 1:
            runs = parallel.tag_spans(
                engine,
                reader.spans(engine, since=since, size=batch_size),
                parallel.Setup(in_force.rules, directory, agents, since),
                workers,
            )
        else:
            tagger = Tagger(compiled, agents)
            runs = (
                tag_batch(engine, tagger, batch, incremental=since is not None)
                for batch in reader.batches(engine, since=since, size=batch_size)
            )
        for counts in runs:
            result.tickets_tagged += counts.tagged
            result.tickets_deleted += counts.deleted
            result.work_items += counts.work_items
            done += counts.tagged + counts.deleted
            last_id = counts.last if last_id is None else max(last_id, counts.last)
            if progress is not None:
                progress(done, max(total, done))

        with session_scope(engine) as session:
            if result.full:
                # rows of tickets past the last stored one (or of all, if none is stored)
                for table in (WorkItemRow, TicketTagRow):
                    stale = delete(table)
                    if last_id is not None:
                        stale = stale.where(table.ticket_id > last_id)
                    session.execute(stale)
            now = utcnow()
            values: dict[str, Any] = {
                "rules_version": compiled.version,
                "context_digest": compiled.context_digest,
                "watermark": mark if mark is not None else current.watermark,
                "last_run_at": now,
            }
            if result.full:
                values["last_full_run_at"] = now
            state(session)
            session.execute(
                update(TaggingStateRow).where(TaggingStateRow.id == current.id).values(**values)
            )
        result.seconds = time.monotonic() - began
        run.counts = result.as_dict()
    return result
