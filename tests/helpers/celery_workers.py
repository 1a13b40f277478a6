"""Real Celery workers in subprocesses, and a nightly run driven through them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import redis

# One Redis database for every test that runs real workers; each test empties it first.
BROKER = "redis://127.0.0.1:6379/11"


def worker_command(name: str, *, pool: str = "solo", concurrency: int = 1) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "worker",
        "worker",
        "-Q",
        "default,sync,triage",
        "-n",
        f"{name}@%h",
        "--pool",
        pool,
        "--loglevel",
        "WARNING",
        "--without-gossip",
        "--without-mingle",
    ]
    if pool != "solo":
        command += ["--concurrency", str(concurrency)]
    return command


def start_worker(env: dict[str, str], cwd: Path, name: str) -> subprocess.Popen[bytes]:
    # Its own process group, so a test can SIGKILL the worker with every child it forked.
    return subprocess.Popen(
        worker_command(name),
        env={**os.environ, **env},
        cwd=cwd,
        start_new_session=True,
    )


def stop_worker(proc: subprocess.Popen[bytes], *, kill: bool = False) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGKILL if kill else signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@contextmanager
def running_workers(env: dict[str, str], cwd: Path, count: int) -> Iterator[list[Any]]:
    procs = [start_worker(env, cwd, f"w{i}") for i in range(count)]
    try:
        yield procs
    finally:
        for proc in procs:
            stop_worker(proc)


def celery_client(env: dict[str, str]) -> Any:
    """The app as a test process uses it: configured for `env`'s broker."""
    from worker.celery_app import app
    from worker.settings import get_settings

    for key, value in env.items():
        os.environ[key] = value
    get_settings.cache_clear()
    broker = env.get("CELERY_BROKER_URL", BROKER)
    app.conf.update(broker_url=broker, result_backend=broker)
    return app


def flush(url: str = BROKER) -> None:
    redis.Redis.from_url(url).flushdb()


def start_pipeline(app: Any, timeout: float = 60) -> dict[str, Any]:
    started: dict[str, Any] = app.send_task("worker.tasks.run_pipeline", queue="sync").get(
        timeout=timeout
    )
    return started


def wait_for_pipeline(app: Any, started: dict[str, Any], timeout: float = 240) -> Any:
    from celery.result import AsyncResult

    assert "result_id" in started, started
    return AsyncResult(started["result_id"], app=app).get(timeout=timeout)


def wait_until(check: Any, timeout: float, every: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(every)
    return False
