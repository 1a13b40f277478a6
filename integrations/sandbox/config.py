"""What a sandbox help desk is made of: everything that decides the generated data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from integrations.sandbox.faults import parse_faults


@dataclass(frozen=True, slots=True)
class SandboxConfig:
    """Same config, same data: every generated value is a function of these fields."""

    seed: int = 7
    agents: int = 40
    tickets: int = 20000
    months: int = 12
    rate_limits: bool = True
    faults: str = ""
    export_limit_per_min: int = 10
    api_limit_per_min: int = 700
    email: str = "admin@sandbox.example"
    token: str = "sandbox-token"  # noqa: S105 - the sandbox's well-known demo token
    # The instant the history ends at (UTC); None means today 00:00 UTC.
    end: datetime | None = None
    # How long a `timeout` fault hangs before dropping the connection.
    hang_s: float = 5.0
    # Added to every API response, like the round trip to a real Zendesk (~100-300 ms). Zero keeps
    # tests and benchmarks fast; crash tests use it so a run lasts long enough to be killed.
    latency_s: float = 0.0

    def __post_init__(self) -> None:
        if self.agents < 3:
            raise ValueError("agents must be at least 3 (one per tier)")
        if self.tickets < 1:
            raise ValueError("tickets must be at least 1")
        if self.tickets >= 1 << 21:
            raise ValueError("tickets must be below 2,097,152")
        if self.months < 1:
            raise ValueError("months must be at least 1")
        if self.export_limit_per_min < 1 or self.api_limit_per_min < 1:
            raise ValueError("rate limits must be at least 1 request per minute")
        if self.latency_s < 0:
            raise ValueError("latency must not be negative")
        parse_faults(self.faults)

    def end_timestamp(self) -> int:
        end = self.end
        if end is None:
            now = datetime.now(UTC)
            end = datetime(now.year, now.month, now.day, tzinfo=UTC)
        elif end.tzinfo is None:
            end = end.replace(tzinfo=UTC)
        return int(end.timestamp())
