"""Several workers starting at once on a new database: they take turns migrating it."""

from __future__ import annotations

import multiprocessing

from sqlalchemy import inspect

from worker.storage.db import current_revision, dispose_engines, get_engine, head_revision


def _first_use(url: str) -> None:
    get_engine(url)


def test_processes_that_start_together_all_get_a_migrated_database(db_url: str) -> None:
    context = multiprocessing.get_context("spawn")
    procs = [context.Process(target=_first_use, args=(db_url,)) for _ in range(6)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(timeout=120)
    assert [p.exitcode for p in procs] == [0] * 6
    dispose_engines()
    engine = get_engine(db_url)
    assert current_revision(engine) == head_revision()
    assert "tickets" in inspect(engine).get_table_names()
