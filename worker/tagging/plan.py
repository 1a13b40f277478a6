"""A tagging run in three steps, so its batches can run anywhere: plan, tag spans, finish.

The plan fixes everything the batches must agree on (the rules version, what "changed"
means, the id ranges) and travels between Celery tasks as plain JSON. Each span is tagged
and written in its own transaction, by whichever process or worker picks it up; the finish
step moves the watermark only after every span is done. A crash leaves the watermark where it
was, so the next run does the same tickets again, and re-tagging replaces, never adds.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, update

from worker.rules.compiled import compile_rules
from worker.rules.store import rules_in_force, state, stored_version
from worker.storage.clock import utcnow
from worker.storage.db import session_scope
from worker.storage.stage_runs import (
    StageRun,
    describe_error,
    finish_stage_run,
    start_stage_run,
)
from worker.storage.work_items import TaggingStateRow, TicketTagRow, WorkItemRow
from worker.tagging import reader
from worker.tagging.reader import Batch
from worker.tagging.tagger import Tagged, Tagger
from worker.tagging.writer import (
    build_deferred_indexes,
    drop_deferred_indexes,
    replace_batch,
)

log = logging.getLogger(__name__)

# (after, last): the tickets with after < id <= last (after None: from the first)
Span = tuple[int | None, int]


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
    batches: int = 0

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

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass
class TagPlan:
    run_id: int
    rules_version: str
    context_digest: str
    rules_origin: str
    rules_errors: list[str]
    warnings: list[str]
    full: bool
    # tickets synced after this are re-done; None: every ticket
    since: datetime | None
    # the newest sync the run covers: the watermark once it finishes
    mark: datetime | None
    total: int
    spans: list[Span]
    # wall-clock start (time.time()), so a run spread over workers still has a duration
    began: float

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("since", "mark"):
            value = out[key]
            out[key] = None if value is None else value.isoformat()
        out["spans"] = [list(s) for s in self.spans]
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TagPlan:
        values = dict(data)
        for key in ("since", "mark"):
            raw = values[key]
            values[key] = None if raw is None else datetime.fromisoformat(raw)
        values["spans"] = [(s[0], s[1]) for s in values.get("spans", [])]
        return cls(**values)

    def without_spans(self) -> TagPlan:
        """What a batch task needs: the plan minus the (possibly long) list of spans."""
        return TagPlan(**{**self.__dict__, "spans": []})


def plan_tagging(
    engine: Engine, rules_dir: Path, *, full: bool = False, batch_size: int = 10_000
) -> TagPlan:
    """Start a tagging run; raises RulesInvalid only when no valid rule set was ever seen
    (a worker must not start on invalid rules)."""
    began = time.time()
    run = start_stage_run(engine, "tag")
    try:
        # inside the stage run, so rules that were never valid leave a failed run behind
        in_force = rules_in_force(engine, rules_dir)
        with engine.connect() as conn:
            compiled = compile_rules(in_force.rules, reader.load_directory(conn))
            mark = reader.newest_sync(conn)
        with session_scope(engine) as session:
            current = state(session)
            whole = (
                full
                or current.watermark is None
                or current.rules_version != compiled.version
                or current.context_digest != compiled.context_digest
            )
            since = None if whole else current.watermark
        for warning in compiled.warnings:
            log.warning("rules: %s", warning)
        with engine.begin() as conn:
            # a whole re-tag rewrites every row: its indexes are built once, by finish_tagging.
            # Otherwise make sure they are there (a whole run that died left them dropped).
            if whole:
                drop_deferred_indexes(conn)
            else:
                build_deferred_indexes(conn)
        with engine.connect() as conn:
            total = reader.count_tickets(conn, since)
        spans = list(reader.spans(engine, since=since, size=batch_size))
    except BaseException as exc:
        finish_stage_run(engine, run, status="failed", error=describe_error(exc))
        raise
    return TagPlan(
        run_id=run.id,
        rules_version=compiled.version,
        context_digest=compiled.context_digest,
        rules_origin=in_force.origin,
        rules_errors=[str(e) for e in in_force.errors],
        warnings=list(compiled.warnings),
        full=whole,
        since=since,
        mark=mark if mark is not None else current.watermark,
        total=total,
        spans=spans,
        began=began,
    )


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


# The tagger of the run this process last worked for: a run's batches share it, and
# compiling rules per batch would cost more than small batches take to tag.
_taggers: dict[tuple[str, int], Tagger] = {}


def _tagger(engine: Engine, plan: TagPlan) -> Tagger:
    key = (engine.url.render_as_string(hide_password=True), plan.run_id)
    cached = _taggers.get(key)
    if cached is not None:
        return cached
    with session_scope(engine) as session:
        rules = stored_version(session, plan.rules_version)
    if rules is None:
        raise LookupError(f"rules version {plan.rules_version} is not stored; re-run tagging")
    with engine.connect() as conn:
        compiled = compile_rules(rules, reader.load_directory(conn))
        agents = reader.agents(conn)
    tagger = Tagger(compiled, agents)
    _taggers.clear()
    _taggers[key] = tagger
    return tagger


def tag_span(engine: Engine, plan: TagPlan, span: Span) -> BatchCounts:
    """Tag the plan's tickets in one id range and replace their rows; safe to repeat."""
    after, last = span
    with _no_gc_passes():
        batch = reader.read_span(engine, after, last, plan.since)
        if batch is None:  # the tickets went away since the range was listed
            return BatchCounts(0, 0, 0, last)
        return tag_batch(engine, _tagger(engine, plan), batch, incremental=plan.since is not None)


@contextmanager
def _no_gc_passes() -> Iterator[None]:
    """No cyclic garbage collection while one batch is read, tagged and written.

    A batch allocates hundreds of thousands of tuples that live until it is written, so
    the collector would run many passes over them and find nothing: tagging makes no
    reference cycles (reference counting frees every batch). That wasted about a tenth of
    a re-tag's time. Whatever else made cycles meanwhile is collected once it is back on.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def finish_tagging(engine: Engine, plan: TagPlan, counts: Iterable[BatchCounts]) -> TagResult:
    """Close the run once every span is done: drop rows past the last ticket on a full run,
    move the watermark, record the run."""
    result = TagResult(
        rules_version=plan.rules_version,
        rules_origin=plan.rules_origin,
        rules_errors=plan.rules_errors,
        warnings=plan.warnings,
        full=plan.full,
    )
    last_id: int | None = None
    for c in counts:
        result.tickets_tagged += c.tagged
        result.tickets_deleted += c.deleted
        result.work_items += c.work_items
        result.batches += 1
        last_id = c.last if last_id is None else max(last_id, c.last)
    run = StageRun(id=plan.run_id)
    try:
        with session_scope(engine) as session:
            if plan.full:
                # rows of tickets past the last stored one (or of all, if none is stored)
                for table in (WorkItemRow, TicketTagRow):
                    stale = delete(table)
                    if last_id is not None:
                        stale = stale.where(table.ticket_id > last_id)
                    session.execute(stale)
            now = utcnow()
            values: dict[str, Any] = {
                "rules_version": plan.rules_version,
                "context_digest": plan.context_digest,
                "last_run_at": now,
            }
            if plan.mark is not None:
                values["watermark"] = plan.mark
            if plan.full:
                values["last_full_run_at"] = now
            current = state(session)
            session.execute(
                update(TaggingStateRow).where(TaggingStateRow.id == current.id).values(**values)
            )
            build_deferred_indexes(session.connection())
        result.seconds = time.time() - plan.began
        run.counts = result.as_dict()
    except BaseException as exc:
        finish_stage_run(engine, run, status="failed", error=describe_error(exc))
        raise
    finish_stage_run(engine, run)
    return result


def fail_tagging(engine: Engine, plan: TagPlan, exc: BaseException) -> None:
    """Record that a run's batch failed; the watermark stays, so the next run redoes it."""
    finish_stage_run(engine, StageRun(id=plan.run_id), status="failed", error=describe_error(exc))
    if plan.full:
        try:
            with engine.begin() as conn:
                build_deferred_indexes(conn)
        except Exception:  # the next run's plan builds them; the batch's error is what matters
            log.warning("tagging: could not rebuild indexes after a failed run", exc_info=True)
