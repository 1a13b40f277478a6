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

from worker.celery_app import worker_command

# One Redis database for every test that runs real workers; each test empties it first.
BROKER = "redis://127.0.0.1:6379/11"


def start_worker(env: dict[str, str], cwd: Path, name: str) -> subprocess.Popen[bytes]:
    """Its log goes to `cwd/NAME.log` (`worker_logs` prints them when a test fails)."""
    # The child writes to its own copy of the file handle; ours closes when Popen is done.
    with (cwd / f"{name}.log").open("ab") as log:
        # Its own process group, so a test can SIGKILL the worker with every child it forked.
        return subprocess.Popen(
            worker_command(name, loglevel="INFO"),
            env={**os.environ, **env},
            cwd=cwd,
            start_new_session=True,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def worker_logs(cwd: Path, tail: int = 60) -> str:
    parts = []
    for path in sorted(cwd.glob("*.log")):
        lines = path.read_text(errors="replace").splitlines()
        parts.append(f"--- {path.name} ---\n" + "\n".join(lines[-tail:]))
    return "\n".join(parts)


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


def queue_pipeline_from_shell(env: dict[str, str], cwd: Path) -> None:
    """Queue a nightly run the way ops do by hand (`celery call`), so this process holds no
    broker or result connection of its own (a test that stops Redis must not trip on one)."""
    subprocess.run(
        [sys.executable, "-m", "celery", "-A", "worker", "call", "worker.tasks.run_pipeline"],
        env={**os.environ, **env},
        cwd=cwd,
        check=True,
        stdout=subprocess.DEVNULL,
        timeout=60,
    )


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


class RedisServer:
    """A Redis of a test's own, on a free port, persisted to disk so it can be stopped and
    started again the way an operator restarts one (the shared Redis is left alone)."""

    def __init__(self, directory: Path) -> None:
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port: int = s.getsockname()[1]
        self.directory = directory
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self._proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.directory),
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--save",
                "",
            ],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        if not wait_until(lambda: _answers(client), timeout=10):
            raise RuntimeError(f"redis-server on port {self.port} did not start")

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.terminate()
            self._proc.wait(timeout=30)
            self._proc = None


def _answers(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
