"""A Redis lock that keeps two pipeline runs from overlapping.

The lock has a time-to-live and the holder renews it while it works, so a lock left by a
worker that died expires on its own instead of blocking every later night.
"""

from __future__ import annotations

import contextlib
import secrets
import threading
from collections.abc import Iterator
from types import TracebackType

import redis

# Delete or extend the key only if it still holds our token: after an expiry another run may
# own the lock, and we must not release or extend theirs.
# Releasing also remembers, for a week, that the run is over (KEYS[2]).
_RELEASE = (
    "redis.call('set', KEYS[2], '1', 'PX', 604800000) "
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
)
# A later task of the same run takes the lock back: extend it if it is still ours, or set it
# again if it expired while the run's tasks waited in the queue; refuse if another run owns it
# (0), or if this run is over (-1): a step the broker hands back hours after its run ended,
# because its acknowledgement was lost, must not start the rest of the run again.
_RESUME = (
    "if redis.call('exists', KEYS[2]) == 1 then return -1 end "
    "local holder = redis.call('get', KEYS[1]) "
    "if holder == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end "
    "if not holder then return redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2]) and 1 or 0 end "
    "return 0"
)
_EXTEND = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then "
    "return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
)


class AlreadyRunning(Exception):
    """Another pipeline run holds the lock."""


class RunFinished(Exception):
    """The run this step belongs to has ended; the step must not run."""


class PipelineLock:
    def __init__(
        self,
        client: redis.Redis,
        name: str = "expertise:pipeline:lock",
        *,
        ttl_s: float = 300.0,
        renew_every_s: float | None = None,
        token: str | None = None,
    ) -> None:
        self._redis = client
        self.name = name
        self._ttl_ms = int(ttl_s * 1000)
        self._renew_every = renew_every_s if renew_every_s is not None else ttl_s / 3
        # A run spread over several tasks passes its token from task to task.
        self._token = token or secrets.token_hex(16)
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None

    def claim(self) -> str:
        """Take the lock for a run whose tasks renew it themselves (`hold`); its token."""
        if not self._redis.set(self.name, self._token, nx=True, px=self._ttl_ms):
            holder_ttl = self._redis.pttl(self.name)
            raise AlreadyRunning(
                f"a pipeline run is already running (lock {self.name!r}, "
                f"expires in {max(0, int(holder_ttl)) / 1000:.0f}s unless its worker renews it)"
            )
        return self._token

    def acquire(self) -> None:
        self.claim()
        self._start_renewing()

    @property
    def token(self) -> str:
        return self._token

    @property
    def _done_key(self) -> str:
        return f"{self.name}:done:{self._token}"

    def _start_renewing(self) -> None:
        self._stop.clear()
        self._renewer = threading.Thread(target=self._renew, name="pipeline-lock", daemon=True)
        self._renewer.start()

    def _stop_renewing(self) -> None:
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join(timeout=5)
            self._renewer = None

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        """Keep this run's lock alive while one of its tasks works, without releasing it at
        the end: the next task of the run takes it over."""
        resumed = self._redis.eval(_RESUME, 2, self.name, self._done_key, self._token, self._ttl_ms)
        if resumed == -1:
            raise RunFinished(f"pipeline run {self._token[:8]} has already ended")
        if not resumed:
            raise AlreadyRunning(
                f"another pipeline run took the lock {self.name!r} after this run's lock "
                "expired; this run stops so the two do not overlap"
            )
        self._start_renewing()
        try:
            yield
        finally:
            self._stop_renewing()

    def _renew(self) -> None:
        while not self._stop.wait(self._renew_every):
            try:
                self._redis.eval(_EXTEND, 1, self.name, self._token, self._ttl_ms)
            except redis.RedisError:
                # Redis may be away for a moment; the next tick tries again, and the TTL is
                # long enough to ride out a few missed renewals.
                continue

    def release(self) -> bool:
        """True if this run still held the lock (so it, and only it, reports the run's end)."""
        self._stop_renewing()
        with contextlib.suppress(redis.RedisError):  # if Redis is away, the lock expires
            return bool(self._redis.eval(_RELEASE, 2, self.name, self._done_key, self._token))
        return False

    def __enter__(self) -> PipelineLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
