"""The desk's index, built segment by segment: on demand, and ahead of demand in workers.

Tickets are indexed in segments of consecutive ids. Ids grow with creation time and nothing
happens to a ticket before it is created, so every key of segment k is at or after the
segment's creation floor. An export page can therefore be merged from the segments whose
floor it has reached, and a sync that pages forward from the start never waits for the rest
of the desk: the server is ready at once and big desks are indexed by worker processes
while it serves. Small desks are indexed eagerly, in process.
"""

from __future__ import annotations

import heapq
import logging
import os
import subprocess
import sys
import threading
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from pathlib import Path

from integrations.sandbox.index import (
    Segment,
    decode_segments,
    event_key,
    ticket_key,
)

_log = logging.getLogger(__name__)

SEGMENT_SIZE = 4_096
# Below this many tickets the whole index is built at startup, in process.
LAZY_FROM = 40_000
# Segments per worker process per batch of the background build.
_BATCH_PER_WORKER = 6

KeysOf = Callable[[Segment], "array[int]"]


def _ticket_keys(segment: Segment) -> array[int]:
    return segment.ticket_keys


def _event_keys(segment: Segment) -> array[int]:
    return segment.event_keys


class SegmentedIndex:
    def __init__(
        self,
        tickets: int,
        floor_ts: Callable[[int], int],
        build: Callable[[int, int], Segment],
        worker_job: Callable[[list[tuple[int, int]]], bytes] | None = None,
    ) -> None:
        """`floor_ts(ticket_id)` must not exceed that ticket's (and later tickets') creation;
        `build(first, last)` indexes a range in process; `worker_job(ranges)` is the stdin of
        a worker process that does the same elsewhere (None: never use workers)."""
        self.tickets = tickets
        self.size = SEGMENT_SIZE
        self.count = -(-tickets // self.size)
        self._build = build
        self._worker_job = worker_job
        self._segments: list[Segment | None] = [None] * self.count
        self._building: set[int] = set()
        self._cond = threading.Condition()
        self._stopping = False
        self._procs: list[subprocess.Popen[bytes]] = []
        floors = [floor_ts(self.bounds(k)[0]) for k in range(self.count)]
        self._ticket_floors = [ticket_key(ts, 0) for ts in floors]
        self._event_floors = [event_key(ts, 0, 0) for ts in floors]
        self._prefetcher: threading.Thread | None = None

    def bounds(self, k: int) -> tuple[int, int]:
        first = k * self.size + 1
        return first, min(self.tickets, first + self.size - 1)

    # Building ----------------------------------------------------------------------------

    def start(self) -> None:
        """Index everything now (small desks), or start the background build (big ones)."""
        workers = min(os.cpu_count() or 1, 8)
        if self.tickets < LAZY_FROM or self._worker_job is None or workers < 2:
            self.build_all()
            return
        self._prefetcher = threading.Thread(
            target=self._prefetch, args=(workers,), name="sandbox-index", daemon=True
        )
        self._prefetcher.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the background build; True once every segment is indexed."""
        if self._prefetcher is not None:
            self._prefetcher.join(timeout)
        with self._cond:
            return all(s is not None for s in self._segments)

    def close(self) -> None:
        with self._cond:
            self._stopping = True
            procs = list(self._procs)
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
        if self._prefetcher is not None:
            self._prefetcher.join(timeout=30)

    def segment(self, k: int) -> Segment:
        with self._cond:
            while True:
                segment = self._segments[k]
                if segment is not None:
                    return segment
                if k not in self._building:
                    break
                self._cond.wait()
            self._building.add(k)
        built: Segment | None = None
        try:
            built = self._build(*self.bounds(k))
        finally:
            with self._cond:
                self._building.discard(k)
                if built is not None and self._segments[k] is None:
                    self._segments[k] = built
                self._cond.notify_all()
        segment = self._segments[k]
        assert segment is not None
        return segment

    def build_all(self) -> None:
        for k in range(self.count):
            self.segment(k)

    def _store(self, k: int, segment: Segment) -> None:
        with self._cond:
            if self._segments[k] is None:
                self._segments[k] = segment
            self._cond.notify_all()

    def _prefetch(self, workers: int) -> None:
        """Index the desk in order, a batch of segments per worker process at a time."""
        k = 0
        batch = 1  # small first batches: the first pages are asked for right away
        while k < self.count:
            with self._cond:
                if self._stopping:
                    return
            groups = []
            for _ in range(workers):
                group = list(range(k, min(self.count, k + batch)))
                if group:
                    groups.append(group)
                k += batch
            try:
                self._run_workers(groups)
            except Exception:
                # Pages still build the segments they need on demand.
                _log.exception("background indexing stopped")
                return
            batch = _BATCH_PER_WORKER

    def _run_workers(self, groups: list[list[int]]) -> None:
        assert self._worker_job is not None
        # The workers import this package from wherever it is, installed or not.
        root = str(Path(__file__).resolve().parents[2])
        path = os.environ.get("PYTHONPATH")
        env = {**os.environ, "PYTHONPATH": root if not path else f"{root}{os.pathsep}{path}"}
        procs = []
        with self._cond:
            if self._stopping:
                return
            for _ in groups:
                proc = subprocess.Popen(
                    [sys.executable, "-m", "integrations.sandbox.index_worker"],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    env=env,
                )
                procs.append(proc)
            self._procs = procs
        try:
            for proc, group in zip(procs, groups, strict=True):
                assert proc.stdin is not None
                with proc.stdin:
                    proc.stdin.write(self._worker_job([self.bounds(k) for k in group]))
            for proc, group in zip(procs, groups, strict=True):
                assert proc.stdout is not None
                with proc.stdout:
                    data = proc.stdout.read()
                if proc.wait() != 0:
                    raise RuntimeError(f"sandbox index worker exited with {proc.returncode}")
                for k, segment in zip(group, decode_segments(data), strict=True):
                    self._store(k, segment)
        finally:
            for proc in procs:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
                for pipe in (proc.stdin, proc.stdout):
                    if pipe is not None and not pipe.closed:
                        pipe.close()

    # Reading -----------------------------------------------------------------------------

    def _merge(
        self, floors: list[int], keys_of: KeysOf, low: int, inclusive: bool
    ) -> Iterator[int]:
        """All keys > low (>= low if inclusive), ascending, across every segment."""
        heap: list[tuple[int, int, int]] = []
        k = 0
        while True:
            # A segment can only hold keys at or after its floor: add it once the smallest
            # pending key reaches that floor, so an emitted key is never undercut later.
            while k < self.count and (not heap or floors[k] <= heap[0][0]):
                keys = keys_of(self.segment(k))
                pos = bisect_left(keys, low) if inclusive else bisect_right(keys, low)
                if pos < len(keys):
                    heapq.heappush(heap, (keys[pos], k, pos))
                k += 1
            if not heap:
                return
            key, seg, pos = heap[0]
            yield key
            keys = keys_of(self.segment(seg))
            pos += 1
            if pos < len(keys):
                heapq.heapreplace(heap, (keys[pos], seg, pos))
            else:
                heapq.heappop(heap)

    def _before(self, floors: list[int], keys_of: KeysOf, high: int, count: int) -> list[int]:
        """The `count` largest keys < high, ascending."""
        found: list[int] = []
        for k in range(self.count):
            if floors[k] >= high:
                break
            keys = keys_of(self.segment(k))
            pos = bisect_left(keys, high)
            found.extend(keys[max(0, pos - count) : pos])
        return sorted(found)[-count:] if count else []

    def ticket_keys_after(self, after: int) -> Iterator[int]:
        return self._merge(self._ticket_floors, _ticket_keys, after, inclusive=False)

    def ticket_keys_before(self, before: int, count: int) -> list[int]:
        return self._before(self._ticket_floors, _ticket_keys, before, count)

    def event_keys_from(self, low: int) -> Iterator[int]:
        return self._merge(self._event_floors, _event_keys, low, inclusive=True)

    def event_keys_before(self, before: int, count: int) -> list[int]:
        return self._before(self._event_floors, _event_keys, before, count)

    # Whole-desk views (they index everything first) ----------------------------------------

    def all_segments(self) -> list[Segment]:
        # Let the workers finish rather than redo their share here, a core at a time.
        self.wait()
        return [self.segment(k) for k in range(self.count)]

    def audit_count(self) -> int:
        return sum(len(s.event_keys) for s in self.all_segments())

    def labels(self) -> tuple[bytes, bytes]:
        """(area index, true tier) of every ticket, in ticket id order."""
        segments = self.all_segments()
        return b"".join(s.areas for s in segments), b"".join(s.tiers for s in segments)
