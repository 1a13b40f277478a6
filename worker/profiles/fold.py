"""Fold (ticket, agent) parts into monthly buckets per agent and area, and over all areas.

A ticket counts in the month it was created: that month never changes, so when a ticket is
re-tagged, the months to sum again are known without remembering what it held before.

This loop runs once per part (1.5 million times for a million tickets), so buckets are
plain lists indexed by the constants below rather than objects with methods, and a
single-area ticket (the common case) updates one bucket: the all-areas ("*") buckets are
added up from those at the end.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from worker.profiles.sql import COLLABORATOR, ESCALATED_FROM, SOLVER, Part
from worker.storage.profile_tables import ALL_AREAS

BucketKey = tuple[int, str, str]  # agent_id, area ("*": all areas), month "YYYY-MM"
Bucket = list[Any]

# positions in a bucket; TIER1..TIER3 are TICKETS + tier
RAW, TICKETS, TIER1, TIER2, TIER3 = 0, 1, 2, 3, 4
SOLVED, MENTORING, ESCALATIONS, CSAT_GOOD, CSAT_BAD = 5, 6, 7, 8, 9
FIRST_AT, LAST_AT, RESOLUTIONS = 10, 11, 12
COUNTS = (
    ("tickets", TICKETS),
    ("tier1", TIER1),
    ("tier2", TIER2),
    ("tier3", TIER3),
    ("solved", SOLVED),
    ("mentoring", MENTORING),
    ("escalations_received", ESCALATIONS),
    ("csat_good", CSAT_GOOD),
    ("csat_bad", CSAT_BAD),
)


def new_bucket(first_at: Any, last_at: Any) -> Bucket:
    return [0.0, 0, 0, 0, 0, 0, 0, 0, 0, 0, first_at, last_at, []]


def merge(into: Bucket, other: Bucket) -> None:
    into[RAW] += other[RAW]
    for _, i in COUNTS:
        into[i] += other[i]
    if other[FIRST_AT] < into[FIRST_AT]:
        into[FIRST_AT] = other[FIRST_AT]
    if other[LAST_AT] > into[LAST_AT]:
        into[LAST_AT] = other[LAST_AT]
    into[RESOLUTIONS].extend(other[RESOLUTIONS])


@dataclass
class Folded:
    buckets: dict[BucketKey, Bucket] = field(default_factory=dict)
    # month -> (smallest, largest) id of the tickets with work created that month
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)


def fold(parts: Iterable[Part]) -> Folded:
    """Parts must come grouped by ticket (the query orders them by ticket id)."""
    single: dict[BucketKey, Bucket] = {}
    multi: dict[BucketKey, Bucket] = {}
    spans: dict[str, list[int]] = {}
    ticket: list[Part] = []
    previous = -1
    for part in parts:
        ticket_id = part[0]
        if ticket_id != previous:
            if ticket_id < previous:
                raise RuntimeError("profile parts arrived out of ticket order")
            if ticket:
                _fold_ticket(ticket, single, multi, spans)
            ticket = [part]
            previous = ticket_id
        else:
            ticket.append(part)
    if ticket:
        _fold_ticket(ticket, single, multi, spans)
    return Folded(_combine(single, multi), {m: (lo, hi) for m, (lo, hi) in spans.items()})


def _combine(
    single: dict[BucketKey, Bucket], multi: dict[BucketKey, Bucket]
) -> dict[BucketKey, Bucket]:
    """Area buckets from both kinds of tickets; all-areas buckets as the sum of a person's
    single-area buckets, plus their multi-area tickets counted once each."""
    out: dict[BucketKey, Bucket] = {}
    for (agent, area, month), b in single.items():
        whole = out.get((agent, ALL_AREAS, month))
        if whole is None:
            whole = out[(agent, ALL_AREAS, month)] = new_bucket(b[FIRST_AT], b[LAST_AT])
        merge(whole, b)
        out[(agent, area, month)] = b
    for key, b in multi.items():
        mine = out.get(key)
        if mine is None:
            out[key] = b
        else:
            # the all-areas sums above copied their numbers: adding here changes only this
            merge(mine, b)
    return out


def _shares(area: str, areas: Any) -> tuple[tuple[str, float], ...]:
    """The ticket's areas and shares; ticket_tags.areas is set only for multi-area tickets."""
    if areas is None:
        return ((area, 1.0),)
    if isinstance(areas, str):
        areas = json.loads(areas)
    return tuple((str(a), float(s)) for a, s in areas)


def _fold_ticket(
    parts: list[Part],
    single: dict[BucketKey, Bucket],
    multi: dict[BucketKey, Bucket],
    spans: dict[str, list[int]],
) -> None:
    first = parts[0]
    ticket_id, month, areas = first[0], first[10], first[11]
    span = spans.get(month)
    if span is None:
        spans[month] = [ticket_id, ticket_id]
    elif ticket_id < span[0]:
        span[0] = ticket_id
    elif ticket_id > span[1]:
        span[1] = ticket_id
    if areas is None:
        n = 1
        targets: tuple[tuple[str, float], ...] = ((first[7], 1.0),)
        buckets = single
    else:
        shares = _shares(first[7], areas)
        n = len(shares)
        # raw was summed over the areas' shares: each area takes its share of it, and the
        # all-areas bucket all of it
        total = sum(s for _, s in shares) or 1.0
        targets = (*((key, s / total) for key, s in shares), (ALL_AREAS, 1.0))
        buckets = multi
    # each role is written once per area, so a summed mask is the mask times the areas
    escalators = [p[1] for p in parts if (p[6] // n) & ESCALATED_FROM] if len(parts) > 1 else ()
    get = buckets.get
    for _, agent, raw, tier, first_at, last_at, mask_sum, _, sat, res, _, _ in parts:
        mask = mask_sum // n
        solved = mask & SOLVER
        slot = TICKETS + (tier if 1 <= tier <= 3 else (1 if tier < 1 else 3))
        for key, fraction in targets:
            b = get((agent, key, month))
            if b is None:
                b = buckets[(agent, key, month)] = new_bucket(first_at, last_at)
            else:
                if first_at < b[FIRST_AT]:
                    b[FIRST_AT] = first_at
                if last_at > b[LAST_AT]:
                    b[LAST_AT] = last_at
            b[RAW] += raw * fraction
            b[TICKETS] += 1
            b[slot] += 1
            if solved:
                b[SOLVED] += 1
                if sat == "good":
                    b[CSAT_GOOD] += 1
                elif sat == "bad":
                    b[CSAT_BAD] += 1
                if res is not None:
                    b[RESOLUTIONS].append(res)
                if escalators and any(e != agent for e in escalators):
                    b[ESCALATIONS] += 1
            if mask & COLLABORATOR:
                b[MENTORING] += 1
