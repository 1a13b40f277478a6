"""Export-order keys, and the per-ticket data kept in memory for one segment of tickets.

A ticket key packs (generated_timestamp, ticket id) and an event key packs (timestamp,
ticket id, audit seq) into one int64, so sorting the keys gives the export order and a
million tickets cost a few tens of megabytes. Tickets themselves are simulated again when a
page asks for them.
"""

from __future__ import annotations

import json
import struct
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from integrations.sandbox.config import SandboxConfig
    from integrations.sandbox.tickets import TicketPlan

TICKET_ID_BITS = 21
SEQ_BITS = 10
USER_SHIFT = 22
_TICKET_MASK = (1 << TICKET_ID_BITS) - 1
_SEQ_MASK = (1 << SEQ_BITS) - 1
_EVENT_SHIFT = TICKET_ID_BITS + SEQ_BITS


def user_key(updated_at: int, position: int) -> int:
    """Export order of users; position: agents first, then requesters."""
    return (updated_at << USER_SHIFT) | position


def ticket_key(ts: int, ticket_id: int) -> int:
    return (ts << TICKET_ID_BITS) | ticket_id


def split_ticket_key(key: int) -> tuple[int, int]:
    return key >> TICKET_ID_BITS, key & _TICKET_MASK


def event_key(ts: int, ticket_id: int, seq: int) -> int:
    return (ts << _EVENT_SHIFT) | (ticket_id << SEQ_BITS) | seq


def split_event_key(key: int) -> tuple[int, int, int]:
    return key >> _EVENT_SHIFT, (key >> SEQ_BITS) & _TICKET_MASK, key & _SEQ_MASK


@dataclass(slots=True)
class Segment:
    """Sorted keys and truth labels of a run of consecutive tickets."""

    ticket_keys: array  # type: ignore[type-arg]  # array('q'), sorted
    event_keys: array  # type: ignore[type-arg]  # array('q'), sorted
    areas: bytes  # area index per ticket, in ticket id order
    tiers: bytes  # true tier per ticket


def build_segment(simulate: Callable[[int], TicketPlan], first: int, last: int) -> Segment:
    tickets = array("q")
    events: list[int] = []
    areas = bytearray()
    tiers = bytearray()
    shift = _EVENT_SHIFT
    for ticket_id in range(first, last + 1):
        plan = simulate(ticket_id)
        audits = plan.audits
        tickets.append((audits[-1].ts << TICKET_ID_BITS) | ticket_id)
        base = ticket_id << SEQ_BITS
        events.extend((audit.ts << shift) | base | audit.seq for audit in audits)
        areas.append(plan.area)
        tiers.append(plan.tier)
    return Segment(
        array("q", sorted(tickets)), array("q", sorted(events)), bytes(areas), bytes(tiers)
    )


_HEADER = struct.Struct("<4Q")


def encode_segment(segment: Segment) -> bytes:
    parts = (
        segment.ticket_keys.tobytes(),
        segment.event_keys.tobytes(),
        segment.areas,
        segment.tiers,
    )
    return _HEADER.pack(*(len(p) for p in parts)) + b"".join(parts)


def decode_segments(data: bytes) -> list[Segment]:
    """The segments a worker wrote one after another."""
    segments = []
    offset = 0
    while offset < len(data):
        sizes = _HEADER.unpack_from(data, offset)
        offset += _HEADER.size
        parts = []
        for size in sizes:
            parts.append(data[offset : offset + size])
            offset += size
        if offset > len(data):
            raise ValueError("index worker output is cut short")
        tickets, events = array("q"), array("q")
        tickets.frombytes(parts[0])
        events.frombytes(parts[1])
        segments.append(Segment(tickets, events, parts[2], parts[3]))
    return segments


def worker_job(config: SandboxConfig, end: int, ranges: list[tuple[int, int]]) -> bytes:
    """The stdin of a worker process that indexes the given (first, last) ticket ranges."""
    return json.dumps(
        {
            "seed": config.seed,
            "agents": config.agents,
            "tickets": config.tickets,
            "months": config.months,
            "email": config.email,
            "end": end,
            "ranges": ranges,
        }
    ).encode()
