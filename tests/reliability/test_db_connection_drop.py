"""(c) The PostgreSQL connection is dropped mid-transaction: no partial writes.

An admin connection ends the worker's backend (pg_terminate_backend) while one of its
transactions is open and has already written: a sync page, a tagging batch, the profile
update. What was committed stays exactly as it was before that transaction began, and
running the stage again ends with the clean run's final state.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine, event, select
from sqlalchemy.exc import OperationalError

from integrations.sandbox import start_sandbox
from tests.reliability.pipelinekit import (
    DESK,
    CleanRun,
    Snapshot,
    profiles,
    run_stages,
    settings,
    state_of,
    tag,
)
from worker.profiles.build import update_profiles
from worker.settings import Settings
from worker.storage.db import create_db_engine, get_engine, session_scope
from worker.storage.models import StageRunRow
from worker.sync.run import run_sync


class Terminator:
    """Ends the engine's backend from another connection in the middle of a transaction.

    The transaction is the one whose first statement is the `armed_after`-th starting with
    `arm`; just before that statement runs, the committed state is kept (`before`), seen
    through a connection of its own. The backend is ended just before the next statement
    starting with `fire`, after the transaction has written: the backend's state in
    pg_stat_activity at that instant is kept too (`backend`).
    """

    def __init__(
        self, engine: Engine, database_url: str, *, arm: str, armed_after: int, fire: str
    ) -> None:
        self.database_url = database_url
        self.arm = arm.upper()
        self.armed_after = armed_after
        self.fire = fire.upper()
        self.seen = 0
        self.fired = False
        self.before: Snapshot | None = None
        # (state, has a transaction id, i.e. has written) of the backend when it was ended
        self.backend: tuple[str, bool] | None = None
        self.terminated = False
        self._engine = engine
        event.listen(engine, "before_cursor_execute", self._before_statement)

    def remove(self) -> None:
        event.remove(self._engine, "before_cursor_execute", self._before_statement)

    def _before_statement(
        self, conn: Any, cursor: Any, statement: str, *args: Any, **kwargs: Any
    ) -> None:
        if self.fired:
            return
        text = statement.lstrip().upper()
        if text.startswith(self.arm):
            self.seen += 1
            if self.seen == self.armed_after:
                self.before = committed_state(self.database_url)
            return
        if self.seen < self.armed_after or not text.startswith(self.fire):
            return
        self.fired = True
        pid = conn.connection.driver_connection.info.backend_pid
        with psycopg.connect(self.database_url, autocommit=True) as admin:
            row = admin.execute(
                "SELECT state, backend_xid IS NOT NULL FROM pg_stat_activity WHERE pid = %s",
                (pid,),
            ).fetchone()
            self.backend = (str(row[0]), bool(row[1])) if row else None
            # waits (up to 10 s) until the backend has exited
            ended = admin.execute("SELECT pg_terminate_backend(%s, 10000)", (pid,)).fetchone()
            self.terminated = bool(ended and ended[0])


def committed_state(database_url: str) -> Snapshot:
    """Every row of every table, every column, as another connection sees it."""
    observer = create_db_engine(database_url)
    try:
        return state_of(observer, exact=True)
    finally:
        observer.dispose()


def last_run(engine: Engine, stage: str) -> StageRunRow:
    with session_scope(engine) as s:
        run = s.scalars(
            select(StageRunRow)
            .where(StageRunRow.stage == stage)
            .order_by(StageRunRow.id.desc())
            .limit(1)
        ).one()
        s.expunge(run)
        return run


def _sync_page(engine: Engine, s: Settings) -> tuple[Terminator, Callable[[], object]]:
    # the third ticket page: its tickets are written, its cursor is next
    killer = Terminator(
        engine, s.database_url, arm="INSERT INTO tickets", armed_after=3, fire="INSERT INTO sync"
    )
    return killer, lambda: run_sync(engine, s)


def _tagging_batch(engine: Engine, s: Settings) -> tuple[Terminator, Callable[[], object]]:
    run_sync(engine, s)
    tag(engine, s)
    # a full re-tag, ended in its second batch: old rows deleted, new tags written, the
    # batch's work items not yet
    killer = Terminator(
        engine,
        s.database_url,
        arm="DELETE FROM work_items",
        armed_after=2,
        fire="INSERT INTO work_items",
    )
    return killer, lambda: tag(engine, s, full=True)


def _profile_update(engine: Engine, s: Settings) -> tuple[Terminator, Callable[[], object]]:
    run_sync(engine, s)
    tag(engine, s)
    # yesterday's profiles are in place; today's full rebuild is ended at its last write
    update_profiles(engine, s, as_of=DESK.end)
    killer = Terminator(
        engine,
        s.database_url,
        arm="SELECT profile_state",
        armed_after=1,
        fire="INSERT INTO profile_state",
    )
    return killer, lambda: profiles(engine, s, full=True)


SCENARIOS = {"sync page": _sync_page, "tagging batch": _tagging_batch, "profiles": _profile_update}
STAGE = {"sync page": "sync", "tagging batch": "tag", "profiles": "profiles"}


@pytest.mark.slow
@pytest.mark.parametrize("where", list(SCENARIOS))
def test_connection_dropped_mid_transaction_leaves_no_partial_write(
    where: str, pg_database: str, clean_run: CleanRun
) -> None:
    expected = clean_run.snapshot()
    engine = get_engine(pg_database)
    with start_sandbox(DESK, port=0) as sb:
        s = settings(sb, pg_database)
        killer, run = SCENARIOS[where](engine, s)
        try:
            with pytest.raises(OperationalError) as failure:
                run()
        finally:
            killer.remove()

        # Nothing of the ended transaction is stored: the state is the one before it.
        assert killer.before is not None
        assert committed_state(pg_database) == killer.before
        # The connection really was ended inside an open transaction that had written.
        assert killer.terminated, "pg_terminate_backend did not end the backend"
        assert killer.backend == ("idle in transaction", True), killer.backend
        assert failure.value.connection_invalidated
        # The stage says it failed, and why.
        failed = last_run(engine, STAGE[where])
        assert failed.status == "failed"
        assert "OperationalError" in (failed.error or "")

        # Running the stage again (the task's retry), then the rest of the pipeline, ends
        # exactly where a clean run ends.
        run()
        run_stages(engine, s)
    assert state_of(engine) == expected
