"""What the desk really is: the labels expertise profiling and tagging should recover.

`truth_dict` is for tests and small desks; `write_truth` streams the same JSON to a file so a
million tickets never exist as a million dicts.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

from integrations.sandbox.generator import Desk
from integrations.sandbox.state import iso


def _header(desk: Desk) -> dict[str, Any]:
    staff = desk.staff
    return {
        "seed": desk.config.seed,
        "end": iso(desk.end),
        "areas": [{"key": a.key, "name": a.name} for a in staff.areas],
        "groups": [{"id": g.id, "name": g.name, "tier": g.tier} for g in staff.groups],
        "agents": [
            {
                "id": a.id,
                "name": a.name,
                "tier": a.tier,
                "areas": {staff.areas[i].key: s for i, s in enumerate(a.strengths) if s > 0},
                "generalist": a.generalist,
                "status": a.status,
                "started_at": iso(a.started_at),
                "career_interests": a.career_interests,
            }
            for a in staff.agents
        ],
    }


def _tickets(desk: Desk) -> Iterator[dict[str, Any]]:
    keys = [a.key for a in desk.staff.areas]
    areas, tiers = desk.index.labels()
    for i in range(desk.tickets):
        yield {"id": i + 1, "area": keys[areas[i]], "tier": tiers[i]}


def truth_dict(desk: Desk) -> dict[str, Any]:
    truth = _header(desk)
    truth["tickets"] = list(_tickets(desk))
    return truth


def write_truth(desk: Desk, out: IO[str]) -> None:
    header = json.dumps(_header(desk))
    out.write(header[:-1])
    out.write(', "tickets": [')
    for n, ticket in enumerate(_tickets(desk)):
        if n:
            out.write(", ")
        out.write(json.dumps(ticket))
    out.write("]}\n")
