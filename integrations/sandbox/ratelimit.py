"""Zendesk's two request budgets: incremental exports, and everything else.

A rolling 60-second window counted on arrival; rejected requests do not use up a slot, so a
client that honours Retry-After gets in as soon as the oldest request leaves the window.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from dataclasses import dataclass

WINDOW_S = 60.0
EXPORT = "export"
API = "api"
# What the headers advertise while limits are off: clients pace themselves by X-Rate-Limit,
# so showing the real (unenforced) budget would slow them down for nothing.
UNLIMITED = 100_000


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int  # seconds; 0 when allowed


class RateLimiter:
    def __init__(self, enabled: bool, export_per_min: int, api_per_min: int) -> None:
        self._lock = threading.Lock()
        self.enabled = enabled
        self._limits = {EXPORT: export_per_min, API: api_per_min}
        self._arrivals: dict[str, deque[float]] = {EXPORT: deque(), API: deque()}

    def configure(
        self, enabled: bool, export_per_min: int | None = None, api_per_min: int | None = None
    ) -> None:
        with self._lock:
            self.enabled = enabled
            if export_per_min is not None:
                self._limits[EXPORT] = export_per_min
            if api_per_min is not None:
                self._limits[API] = api_per_min

    def _expire(self, bucket: str, now: float) -> deque[float]:
        arrivals = self._arrivals[bucket]
        while arrivals and arrivals[0] <= now - WINDOW_S:
            arrivals.popleft()
        return arrivals

    def _limit(self, bucket: str) -> int:
        return self._limits[bucket] if self.enabled else UNLIMITED

    def admit(self, bucket: str, now: float) -> Verdict:
        """Count a request arriving at `now` (monotonic seconds), or refuse it."""
        with self._lock:
            limit = self._limit(bucket)
            arrivals = self._expire(bucket, now)
            if len(arrivals) >= limit:
                wait = arrivals[0] + WINDOW_S - now
                return Verdict(False, limit, 0, max(1, math.ceil(wait)))
            arrivals.append(now)
            return Verdict(True, limit, max(0, limit - len(arrivals)), 0)

    def peek(self, bucket: str, now: float) -> Verdict:
        """The bucket's headers without counting a request (for 401s and 404s)."""
        with self._lock:
            limit = self._limit(bucket)
            used = len(self._expire(bucket, now))
            return Verdict(True, limit, max(0, limit - used), 0)
