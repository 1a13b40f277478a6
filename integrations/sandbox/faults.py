"""Injected failures, so clients prove they survive what real Zendesk does to them.

The spec is `kind=probability,...`, e.g. "http500=0.05,timeout=0.02,truncate=0.01,dup=0.02,
http429=0.05". Each data GET draws once from a seeded generator and gets at most one fault.
"""

from __future__ import annotations

import random
import threading

HTTP500 = "http500"
TIMEOUT = "timeout"
TRUNCATE = "truncate"
DUP = "dup"
HTTP429 = "http429"
KINDS = (HTTP500, TIMEOUT, TRUNCATE, DUP, HTTP429)


def parse_faults(spec: str) -> dict[str, float]:
    """Probabilities by kind; ValueError naming the bad key or value."""
    faults: dict[str, float] = {}
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        name, sep, raw = part.partition("=")
        name = name.strip()
        if name not in KINDS:
            raise ValueError(f"unknown fault {name!r} in {spec!r}; known: {', '.join(KINDS)}")
        try:
            probability = float(raw) if sep else float("nan")
        except ValueError:
            probability = float("nan")
        if not 0.0 <= probability <= 1.0:
            raise ValueError(f"fault {name!r} needs a probability between 0 and 1, got {raw!r}")
        faults[name] = probability
    if sum(faults.values()) > 1.0:
        raise ValueError(f"fault probabilities in {spec!r} add up to more than 1")
    return faults


class FaultInjector:
    def __init__(self, seed: int, spec: str) -> None:
        self._lock = threading.Lock()
        self._rng = random.Random(seed * 31 + 17)
        self._faults = parse_faults(spec)
        # After an http429 fault the bucket keeps refusing until this monotonic time.
        self._burst_until: dict[str, float] = {}

    def configure(self, spec: str) -> None:
        faults = parse_faults(spec)
        with self._lock:
            self._faults = faults
            self._burst_until.clear()

    def draw(self, bucket: str, now: float) -> str | None:
        with self._lock:
            if now < self._burst_until.get(bucket, 0.0):
                return HTTP429
            if not self._faults:
                return None
            roll = self._rng.random()
            for kind, probability in self._faults.items():
                if roll < probability:
                    if kind == HTTP429:
                        self._burst_until[bucket] = now + 1.0
                    return kind
                roll -= probability
            return None

    def status_code(self) -> int:
        """Which 5xx an http500 fault answers with (mostly 500, sometimes 502 or 503)."""
        with self._lock:
            return self._rng.choice((500, 500, 500, 502, 503))

    def amount(self, low: int, high: int) -> int:
        with self._lock:
            return self._rng.randint(low, high)
