"""Fixtures of the reliability suite: the clean run everything is compared with."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.reliability.pipelinekit import CleanRun, pg_database
from worker.storage.db import dispose_engines


@pytest.fixture(scope="session")
def clean_run() -> Iterator[CleanRun]:
    with pg_database() as url:
        yield CleanRun(url)
        dispose_engines()
