"""Client-side rate governor: stay under Zendesk's per-minute limits instead of hitting 429s.

Zendesk counts requests per rolling minute in two buckets that matter to us: the incremental
exports (10/min by default, more with add-ons) and everything else (the account limit, shared
with every other integration on the account). Each bucket gets one `RateGovernor`.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Mapping
from typing import Protocol

EXPORT_BUCKET = "export"
ACCOUNT_BUCKET = "account"

# Zendesk's documented limits, used only until the first response tells us the real ones
# (the account default is the lowest plan's, so a header-less server is never flooded).
DEFAULT_LIMITS = {EXPORT_BUCKET: 10, ACCOUNT_BUCKET: 200}

WINDOW_S = 60.0
# The server counts a request when it arrives; we count it when its response is back, which
# is never earlier. The margin absorbs clock granularity on either side.
SAFETY_MARGIN_S = 0.5


def bucket_for(path: str) -> str:
    return EXPORT_BUCKET if path.startswith("/api/v2/incremental/") else ACCOUNT_BUCKET


class Clock(Protocol):
    """Monotonic time and sleeping, injectable so tests never wait for real minutes."""

    def now(self) -> float: ...
    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


def _header_number(headers: Mapping[str, str], *names: str) -> float | None:
    for name in names:
        raw = headers.get(name)
        if raw is None:
            continue
        try:
            value = float(raw.strip())
        except ValueError:
            continue
        if math.isfinite(value):
            return value
    return None


class RateGovernor:
    """Keeps our sends in one bucket within `share` x the bucket's per-minute limit.

    Call `delay()` before sending (sleep that long, then ask again until it says 0) and
    `record()` once the response (or the failure) is back. Not thread-safe: the client is
    synchronous and a sync run owns its client.
    """

    def __init__(
        self,
        name: str,
        *,
        share: float,
        clock: Clock,
        default_limit: int,
        window_s: float = WINDOW_S,
        margin_s: float = SAFETY_MARGIN_S,
    ) -> None:
        if not 0 < share <= 1:
            raise ValueError(f"rate_share must be in (0, 1], got {share!r}")
        self.name = name
        self.share = share
        self.limit = default_limit
        self._floor = default_limit
        # Set by a 429 that the headers did not foresee: see `_learn_from_refusal`.
        self.ceiling: int | None = None
        self._clock = clock
        self._span = window_s + margin_s
        self._done: deque[float] = deque()
        self._blocked_until = 0.0
        self._blocked_reason = ""

    @property
    def effective_limit(self) -> int:
        return self.limit if self.ceiling is None else min(self.limit, self.ceiling)

    @property
    def budget(self) -> int:
        # The epsilon keeps e.g. 0.7 * 10 = 7.000000000000001 from mattering either way.
        return max(1, math.floor(self.share * self.effective_limit + 1e-9))

    def delay(self) -> tuple[float, str]:
        """Seconds to wait before the next send may go out (0 when it may go now), and why."""
        now = self._clock.now()
        self._prune(now)
        wait, reason = 0.0, ""
        if self._blocked_until > now:
            wait, reason = self._blocked_until - now, self._blocked_reason
        budget = self.budget
        if len(self._done) >= budget:
            # Once the send `budget` places back leaves the window, there is room for one more.
            free_at = self._done[len(self._done) - budget] + self._span
            if free_at - now > wait:
                wait = free_at - now
                reason = (
                    f"{self.name} rate budget: {budget} requests per minute "
                    f"({self.share:g} of {self.effective_limit})"
                )
        return max(0.0, wait), reason

    def record(self, headers: Mapping[str, str] | None, *, refused: bool = False) -> None:
        """A request of this bucket just finished; learn from its rate-limit headers if any.

        `refused` is a 429: its Retry-After governs the wait, so its Remaining is not used.
        """
        now = self._clock.now()
        self._prune(now)
        self._done.append(now)
        if headers is not None:
            limit = _header_number(headers, "X-Rate-Limit", "ratelimit-limit")
            if limit is not None and limit >= 1:
                self.limit = int(limit)
        remaining = (
            None
            if headers is None
            else _header_number(headers, "X-Rate-Limit-Remaining", "ratelimit-remaining")
        )
        if refused:
            if remaining is not None and remaining >= 1:
                self._learn_from_refusal()
            return
        if remaining is not None and remaining < (1 - self.share) * self.limit:
            # Someone else on the account is using what we leave them; back off for the window
            # (or until the server says the window resets) rather than take the last requests.
            reset = _header_number(headers or {}, "ratelimit-reset", "rate-limit-reset")
            pause = self._span if reset is None or reset <= 0 else min(reset, self._span)
            self.block(pause, f"{self.name} limit nearly used up by others ({int(remaining)} left)")

    def _learn_from_refusal(self) -> None:
        # A 429 whose headers still show requests remaining was not about the limit those
        # headers describe: Zendesk answers exports with the account-wide X-Rate-Limit (700)
        # while allowing 10 exports a minute. The server accepted the requests in our window
        # before this one, so that many is the real limit; cap the bucket there for this run.
        # (A 429 with Remaining 0 is the headers' own limit, momentarily exceeded by others or
        # by a spike; the headers stay right and nothing is learned.) Never below the documented
        # minimum, in case the refusal had yet another cause.
        accepted = max(self._floor, len(self._done) - 1)
        if accepted < self.effective_limit:
            self.ceiling = accepted

    def block(self, seconds: float, reason: str) -> None:
        until = self._clock.now() + seconds
        if until > self._blocked_until:
            self._blocked_until = until
            self._blocked_reason = reason

    def _prune(self, now: float) -> None:
        done = self._done
        horizon = now - self._span
        while done and done[0] <= horizon:
            done.popleft()
