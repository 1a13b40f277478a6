"""Fixtures for the Zendesk client tests: a scripted local server, a fake clock, a client."""

from __future__ import annotations

import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

# The tests run with --import-mode=importlib and `tests` is not a package, so the helper module
# next to this file is made importable by name.
sys.path.insert(0, str(Path(__file__).parent))

from zendesk_testkit import EMAIL, TOKEN, ClientFactory, FakeClock, ScriptedServer

from integrations.zendesk.client import ZendeskClient


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def server(clock: FakeClock) -> Iterator[ScriptedServer]:
    srv = ScriptedServer(clock)
    yield srv
    srv.stop()


@pytest.fixture
def make_client(server: ScriptedServer, clock: FakeClock) -> Iterator[ClientFactory]:
    made: list[ZendeskClient] = []

    def make(**overrides: Any) -> ZendeskClient:
        kwargs: dict[str, Any] = {
            "base_url": server.url,
            "email": EMAIL,
            "token": SecretStr(TOKEN),
            "timeout_s": 5.0,
            "rate_share": 0.8,
            "give_up_after_s": 900.0,
            "page_size": 1000,
            "clock": clock,
            "rng": random.Random(7),
        }
        kwargs.update(overrides)
        client = ZendeskClient(**kwargs)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()
