"""SIGKILL the sync process at random points; resuming ends with exactly a clean run's data."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError, ProgrammingError

from integrations.sandbox import SandboxConfig, start_sandbox
from tests.helpers.sandbox import env_for
from tests.helpers.snapshot import db_snapshot
from worker.storage.db import dispose_engines, get_engine, normalize_url

DESK = {"seed": 5, "agents": 10, "tickets": 600, "months": 3}
PAGE = "25"  # small pages: many commit points to be killed between
# Without a round trip a run can finish before the kill lands on a fast machine; with it, every
# page takes at least this long, so each run lives well past the random kill delay below.
LATENCY_S = 0.015


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Any]:
    with start_sandbox(SandboxConfig(**DESK, rate_limits=False, latency_s=LATENCY_S), port=0) as sb:
        yield sb


def _sync_process(sandbox: Any, url: str, *, stderr: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, **env_for(sandbox, url, ZENDESK_PAGE_SIZE=PAGE)}
    return subprocess.Popen(
        [sys.executable, "-m", "worker.cli.main", "sync", "--json"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
    )


def _position(url: str, stream: str) -> str | None:
    engine = create_engine(normalize_url(url))
    try:
        with engine.connect() as conn:
            return conn.execute(
                text("SELECT position FROM sync_cursors WHERE stream = :s"), {"s": stream}
            ).scalar()
    except (OperationalError, ProgrammingError):  # not migrated yet, or the file is busy
        return None
    finally:
        engine.dispose()


@pytest.mark.slow
def test_sigkill_at_random_points_then_resume(sandbox: Any, db_url: str, tmp_path: Path) -> None:
    clean_url = f"sqlite:///{tmp_path / 'clean.db'}"
    began = time.monotonic()
    clean = _sync_process(sandbox, clean_url, stderr=subprocess.DEVNULL)
    assert clean.wait(timeout=300) == 0
    clean_seconds = time.monotonic() - began
    expected = db_snapshot(get_engine(clean_url))

    # Each run is killed a random moment after it committed a page of the chosen stream, so
    # kills land mid-stream: in the ticket pages, in the event pages, between commits.
    rng = random.Random(20261123)
    kills = 0
    for stream in ("tickets", "tickets", "ticket_events", "ticket_events", "ticket_events"):
        before = _position(db_url, stream)
        proc = _sync_process(sandbox, db_url, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + clean_seconds + 30
        while proc.poll() is None and time.monotonic() < deadline:
            if _position(db_url, stream) != before:
                time.sleep(rng.uniform(0.0, 0.4))
                break
            time.sleep(0.02)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait(timeout=60)
    assert kills >= 4, f"only {kills} runs were killed mid-sync; the test proves too little"

    final = _sync_process(sandbox, db_url, stderr=subprocess.PIPE)
    _, err = final.communicate(timeout=300)
    assert final.returncode == 0, err.decode()
    dispose_engines()
    assert db_snapshot(get_engine(db_url)) == expected
