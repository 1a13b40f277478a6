"""Fixtures for the sandbox tests: small desks served over real HTTP."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

# --import-mode=importlib and `tests` is not a package: make the helper module next to this
# file importable by name.
sys.path.insert(0, str(Path(__file__).parent))

from sandbox_testkit import END, session_for

from integrations.sandbox import Sandbox, SandboxConfig, start_sandbox

SMALL = SandboxConfig(seed=5, agents=16, tickets=600, months=4, rate_limits=False, end=END)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    """A small desk without rate limits or faults, shared by a module's read-only tests."""
    with start_sandbox(SMALL, port=0) as sb:
        yield sb


@pytest.fixture
def fresh_sandbox() -> Iterator[Sandbox]:
    """A tiny desk of its own, for tests that change limits, faults or tickets."""
    config = SandboxConfig(
        seed=9, agents=8, tickets=120, months=2, rate_limits=False, end=END, hang_s=1.5
    )
    with start_sandbox(config, port=0) as sb:
        yield sb


@pytest.fixture
def http(sandbox: Sandbox) -> requests.Session:
    return session_for(sandbox)
