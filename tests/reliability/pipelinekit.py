"""What the reliability tests share: one small help desk, the stages run on it in order, a
PostgreSQL database of one's own, and the final state of a clean run to compare with."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import Engine, select

from integrations.sandbox import SandboxConfig, start_sandbox
from tests.helpers.sandbox import DEFAULT_RULES, settings_for
from worker.profiles.build import update_profiles
from worker.settings import Settings
from worker.storage.db import get_engine
from worker.storage.tables import metadata
from worker.sync.run import run_sync
from worker.tagging.run import tag_work

PG_ADMIN_URL = os.environ.get("TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")

# The history ends at a fixed instant, so every sandbox started with this config serves the
# same records whatever the day, and profiles are stated as of a fixed instant after it.
END = datetime(2026, 1, 1)
AS_OF = END + timedelta(days=1)
DESK = SandboxConfig(seed=21, agents=10, tickets=300, months=3, rate_limits=False, end=END)
# Small pages and batches: many transactions to fail between, in a few seconds.
PAGE_SIZE = 50
BATCH_SIZE = 100

Snapshot = dict[str, list[dict[str, Any]]]

# Wall-clock bookkeeping of the runs, and what is derived from it (tagging's watermark is the
# newest synced_at, the profiles' watermark is tagging's): differs between any two runs.
_RUN_TIMES = {
    "synced_at",
    "tagged_at",
    "last_run_at",
    "last_full_run_at",
    "first_seen_at",
    "last_valid_at",
    "watermark",
    "tagging_full_run_at",
    "rules_error_at",
}
# Columns that are run times in these tables (and data elsewhere).
_RUN_TIMES_IN = {"sync_cursors": {"updated_at"}, "skipped_records": {"at"}}
# The log of the runs is not what the runs made.
_NOT_DATA = {"stage_runs"}


def state_of(engine: Engine, *, exact: bool = False) -> Snapshot:
    """Every table sync, tagging and profiles write (all but stage_runs), every row in key
    order: `tests.helpers.snapshot.db_snapshot` widened to the later stages.

    `exact=False` leaves the run times out, so runs on two databases compare equal;
    `exact=True` keeps every column, for one database before and after something.
    """
    out: Snapshot = {}
    with engine.connect() as conn:
        for table in metadata().sorted_tables:
            if table.name in _NOT_DATA:
                continue
            skip = set() if exact else _RUN_TIMES | _RUN_TIMES_IN.get(table.name, set())
            cols = [c for c in table.columns if c.name not in skip]
            query = select(*cols).order_by(*table.primary_key.columns)
            out[table.name] = [dict(r._mapping) for r in conn.execute(query)]
    return out


def desk(**changes: Any) -> SandboxConfig:
    return replace(DESK, **changes)


def settings(sandbox: Any, database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"zendesk_page_size": PAGE_SIZE, "rules_dir": DEFAULT_RULES}
    values.update(overrides)
    return settings_for(sandbox, database_url, **values)


def tag(engine: Engine, settings: Settings, *, full: bool = False) -> None:
    tag_work(engine, settings.rules_dir, full=full, batch_size=BATCH_SIZE)


def profiles(engine: Engine, settings: Settings, *, full: bool = False) -> None:
    update_profiles(engine, settings, full=full, as_of=AS_OF)


def run_stages(engine: Engine, settings: Settings) -> None:
    """sync -> tag -> profiles, as the nightly pipeline runs them."""
    run_sync(engine, settings)
    tag(engine, settings)
    profiles(engine, settings)


@contextmanager
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database, dropped afterwards (the `pg_database` fixture, for tests
    and fixtures that need more than one, or one outside a test's scope)."""
    name = f"expertise_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = PG_ADMIN_URL.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class CleanRun:
    """The final state of sync -> tag -> profiles on DESK without any trouble, computed on
    first use (inside a test, so with its isolated settings) and kept for the session."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self._snapshot: Snapshot | None = None

    def snapshot(self) -> Snapshot:
        if self._snapshot is None:
            with start_sandbox(DESK, port=0) as sb:
                engine = get_engine(self.database_url)
                run_stages(engine, settings(sb, self.database_url))
            self._snapshot = state_of(engine)
        return self._snapshot


def rules_dir_copy(where: Path) -> Path:
    """The default rules, copied where a test may break them."""
    import shutil

    shutil.copytree(DEFAULT_RULES, where)
    return where
