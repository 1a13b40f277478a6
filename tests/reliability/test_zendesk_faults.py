"""(d) Zendesk misbehaving at high rates: the pipeline ends with a clean run's final state.

Close to half of all requests fail (5xx, requests that hang past the client's timeout,
bodies cut short, 429 bursts) and more pages repeat records; sync -> tag -> profiles still
store exactly what a run against a well-behaved Zendesk stores.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from integrations.sandbox import start_sandbox
from integrations.sandbox.faults import KINDS
from integrations.zendesk import http as zendesk_http
from tests.reliability.pipelinekit import CleanRun, desk, profiles, settings, state_of, tag
from worker.storage.db import get_engine, session_scope
from worker.storage.models import SkippedRecordRow, StageRunRow
from worker.sync.run import run_sync

# 37% of requests fail, 15% more repeat records; each 429 starts a burst of them (1 s).
FAULTS = "http500=0.15,timeout=0.06,truncate=0.12,dup=0.15,http429=0.04"


@pytest.mark.slow
def test_pipeline_under_heavy_faults_ends_with_the_clean_state(
    pg_database: str, clean_run: CleanRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The client's backoff between retries, a tenth of production's: same retries, less
    # waiting (a 429 still waits the Retry-After the sandbox sends).
    monkeypatch.setattr(zendesk_http, "BACKOFF_BASE_S", 0.05)
    expected = clean_run.snapshot()
    engine = get_engine(pg_database)
    # a hung request outlasts the client's timeout (then the sandbox drops it)
    with start_sandbox(desk(faults=FAULTS, hang_s=1.0), port=0) as sb:
        s = settings(sb, pg_database, zendesk_timeout_s=0.2)
        result = run_sync(engine, s)
        injected = sb.stats()["faults_injected"]
    tag(engine, s)
    profiles(engine, s)

    # every kind of fault happened, more than once, and the client rode them out
    assert {kind: injected.get(kind, 0) >= 2 for kind in KINDS} == dict.fromkeys(KINDS, True), (
        injected
    )
    assert result.retries >= sum(injected.values()) - injected["dup"]
    assert result.http_429 >= injected["http429"]
    assert result.skipped == 0

    assert state_of(engine) == expected
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(SkippedRecordRow)) == 0
        statuses = session.execute(select(StageRunRow.stage, StageRunRow.status)).all()
    assert sorted(statuses) == [("profiles", "ok"), ("sync", "ok"), ("tag", "ok")]
