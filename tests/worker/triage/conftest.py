"""Fixtures for the triage tests: the sandbox desk on both databases (`desk`), or on SQLite
only (`lite_desk`) for tests whose subject is Zendesk, not the database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.worker.triage.triagekit import TriageDesk, open_desk
from worker.storage.db import dispose_engines, get_engine


@pytest.fixture
def desk(engine: Engine, db_url: str, tmp_path: Path) -> Iterator[TriageDesk]:
    with open_desk(engine, db_url, tmp_path) as opened:
        yield opened


@pytest.fixture
def lite_desk(sqlite_url: str, tmp_path: Path) -> Iterator[TriageDesk]:
    try:
        with open_desk(get_engine(sqlite_url), sqlite_url, tmp_path) as opened:
            yield opened
    finally:
        dispose_engines()
