"""The pipeline lock on a real Redis."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
import redis

from worker.pipeline.lock import AlreadyRunning, PipelineLock, RunFinished


@pytest.fixture
def r() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url("redis://127.0.0.1:6379/12")
    yield client
    client.close()


@pytest.fixture
def name() -> str:
    return f"test:lock:{uuid.uuid4().hex}"


def test_second_holder_is_told_already_running(r: redis.Redis, name: str) -> None:
    with (
        PipelineLock(r, name, ttl_s=10),
        pytest.raises(AlreadyRunning, match="already running"),
    ):
        PipelineLock(r, name, ttl_s=10).acquire()
    # released: a new run may start
    with PipelineLock(r, name, ttl_s=10):
        assert r.exists(name)
    assert not r.exists(name)


def test_lock_of_a_dead_holder_expires(r: redis.Redis, name: str) -> None:
    dead = PipelineLock(r, name, ttl_s=0.5, renew_every_s=3600)
    dead.acquire()
    dead._stop.set()  # the holder "dies": nobody renews or releases
    time.sleep(0.8)
    with PipelineLock(r, name, ttl_s=10):
        assert r.exists(name)


def test_holder_renews_while_it_works(r: redis.Redis, name: str) -> None:
    with PipelineLock(r, name, ttl_s=0.6, renew_every_s=0.1):
        time.sleep(1.2)  # twice the TTL: only renewal keeps it
        with pytest.raises(AlreadyRunning):
            PipelineLock(r, name, ttl_s=10).acquire()


def test_release_never_frees_someone_elses_lock(r: redis.Redis, name: str) -> None:
    first = PipelineLock(r, name, ttl_s=0.3, renew_every_s=3600)
    first.acquire()
    first._stop.set()
    time.sleep(0.5)  # first's lock expired
    second = PipelineLock(r, name, ttl_s=10)
    second.acquire()
    first.release()  # late release by the old holder
    assert r.exists(name), "the old holder freed the new holder's lock"
    second.release()


def test_steps_of_a_run_pass_the_lock_on_and_a_late_step_of_an_ended_run_stops(
    r: redis.Redis, name: str
) -> None:
    token = PipelineLock(r, name, ttl_s=10).claim()
    with PipelineLock(r, name, ttl_s=10, token=token).hold():
        assert r.get(name) == token.encode()
    # between steps the lock stays with the run
    with pytest.raises(AlreadyRunning):
        PipelineLock(r, name, ttl_s=10).claim()
    # a step that waited in the queue past the lock's expiry takes it back
    r.delete(name)
    with PipelineLock(r, name, ttl_s=10, token=token).hold():
        assert r.get(name) == token.encode()
    assert PipelineLock(r, name, ttl_s=10, token=token).release() is True
    assert not r.exists(name)
    # the broker hands back a step of the ended run: it must not start the run again
    with (
        pytest.raises(RunFinished, match="already ended"),
        PipelineLock(r, name, ttl_s=10, token=token).hold(),
    ):
        pass
    assert not r.exists(name)


def test_a_step_cannot_take_the_lock_of_another_run(r: redis.Redis, name: str) -> None:
    ours = PipelineLock(r, name, ttl_s=10).claim()
    r.delete(name)
    PipelineLock(r, name, ttl_s=10).claim()  # another run started after ours expired
    with (
        pytest.raises(AlreadyRunning, match="another pipeline run took the lock"),
        PipelineLock(r, name, ttl_s=10, token=ours).hold(),
    ):
        pass
