"""The staff of a generated help desk: product areas, tiered groups, agents and requesters.

All of it is small and generated eagerly from the seed. Agents carry the latent truth the
expertise profiles should recover: which areas they are strong in, at which tier they work,
and when they were around to work at all.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from integrations.sandbox import ids
from integrations.sandbox.catalog import CAREER_TRACKS, CATALOG, FIRST_NAMES, LAST_NAMES, Area

DAY = 86_400

# Share of tickets per tier for each area "shape": self-serve areas are mostly tier 1,
# technical ones skew to tiers 2 and 3. The desk-wide mix stays near 55/30/15.
_TIER_MIX = {
    "plain": (0.64, 0.26, 0.10),
    "mixed": (0.55, 0.30, 0.15),
    "technical": (0.44, 0.35, 0.21),
}
_AREA_SHAPE = {
    "billing": "plain",
    "account_admin": "plain",
    "notifications": "plain",
    "mobile": "mixed",
    "reporting": "mixed",
    "search": "mixed",
    "permissions": "mixed",
    "data_import": "mixed",
    "workflows": "mixed",
    "authentication": "technical",
    "api": "technical",
    "integrations": "technical",
    "email_delivery": "technical",
    "payments": "technical",
}

GROUP_NAMES = {1: "Tier 1 - General", 2: "Tier 2 - Technical", 3: "Tier 3 - Engineering"}


@dataclass(frozen=True, slots=True)
class Group:
    id: int
    name: str
    tier: int
    created_at: int


@dataclass(frozen=True, slots=True)
class Agent:
    id: int
    name: str
    email: str
    role: str  # "agent" or "admin"
    tier: int
    # Strength per area index of the desk (0 where not strong); generalists have none.
    strengths: tuple[float, ...]
    generalist: bool
    status: str  # "active", "leaver" or "suspended"
    started_at: int
    # When a leaver left or a suspended agent was suspended; None while active.
    ended_at: int | None
    career_interests: str | None

    def works_on(self, ts: int) -> bool:
        return self.started_at <= ts and (self.ended_at is None or ts < self.ended_at)

    @property
    def updated_at(self) -> int:
        return self.ended_at if self.ended_at is not None else self.started_at


@dataclass(frozen=True, slots=True)
class Staff:
    areas: tuple[Area, ...]
    # Relative ticket volume per area (cumulative, for bisect).
    area_cum_weights: tuple[float, ...]
    # Per area: cumulative weights of tiers 1, 2, 3.
    area_tier_cum: tuple[tuple[float, float, float], ...]
    groups: tuple[Group, ...]
    agents: tuple[Agent, ...]
    end_users: int
    organizations: int

    def group_of_tier(self, tier: int) -> Group:
        return self.groups[tier - 1]


def _cumulative(weights: list[float]) -> tuple[float, ...]:
    total = 0.0
    out = []
    for w in weights:
        total += w
        out.append(total)
    return tuple(out)


def _pick_areas(rng: random.Random) -> tuple[Area, ...]:
    count = rng.randint(6, min(12, len(CATALOG)))
    chosen = rng.sample(range(len(CATALOG)), count)
    return tuple(CATALOG[i] for i in sorted(chosen))


def _names(rng: random.Random, count: int) -> list[str]:
    pairs = [f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES]
    rng.shuffle(pairs)
    names = pairs[:count]
    # Big desks outgrow the name list; a numeric suffix keeps names unique.
    for i in range(len(names), count):
        names.append(f"{pairs[i % len(pairs)]} {i // len(pairs) + 1}")
    return names


def _email(name: str, used: set[str]) -> str:
    local = "".join(c for c in name.lower().replace(" ", ".") if c.isalnum() or c == ".")
    email = f"{local}@sandbox.example"
    n = 2
    while email in used:
        email = f"{local}{n}@sandbox.example"
        n += 1
    used.add(email)
    return email


def _tier_sizes(agents: int) -> tuple[int, int, int]:
    t3 = max(1, round(agents * 0.2))
    t2 = max(1, round(agents * 0.3))
    return agents - t2 - t3, t2, t3


def _strengths(
    rng: random.Random, n_areas: int, primary: int, generalist: bool
) -> tuple[float, ...]:
    values = [0.0] * n_areas
    if generalist:
        return tuple(values)
    values[primary] = round(rng.uniform(0.75, 0.98), 2)
    extra = rng.choices((0, 1, 2), weights=(0.35, 0.45, 0.20))[0]
    others = [i for i in range(n_areas) if i != primary]
    for rank, area in enumerate(rng.sample(others, min(extra, len(others)))):
        low, high = ((0.45, 0.75), (0.30, 0.50))[rank]
        values[area] = round(rng.uniform(low, high), 2)
    return tuple(values)


def _lifecycle(
    rng: random.Random, start: int, end: int, keep_active: bool
) -> tuple[str, int, int | None]:
    """(status, started_at, ended_at) of one agent over the history [start, end)."""
    span = end - start
    if keep_active or rng.random() < 0.75:
        started = start - rng.randint(30, 1500) * DAY
    else:
        started = start + int(rng.uniform(0.05, 0.8) * span)
    if keep_active:
        return "active", started, None
    roll = rng.random()
    if roll < 0.10:
        left = max(started + 45 * DAY, start + int(rng.uniform(0.2, 0.7) * span))
        if left < end - 14 * DAY:
            return "leaver", started, left
    elif roll < 0.15:
        suspended = max(started + 30 * DAY, start + int(rng.uniform(0.6, 0.95) * span))
        if suspended < end - DAY:
            return "suspended", started, suspended
    return "active", started, None


def generate_staff(
    seed: int, agents: int, tickets: int, start: int, end: int, owner_email: str
) -> Staff:
    rng = random.Random(seed * 7_919 + 1)
    areas = _pick_areas(rng)
    n_areas = len(areas)
    area_weights = [rng.uniform(0.5, 2.0) for _ in areas]
    tier_cum = tuple(
        tuple(_cumulative(list(_TIER_MIX[_AREA_SHAPE.get(a.key, "mixed")]))) for a in areas
    )
    groups = tuple(
        Group(id=ids.GROUP_BASE + tier, name=GROUP_NAMES[tier], tier=tier,
              created_at=start - 900 * DAY)
        for tier in (1, 2, 3)
    )  # fmt: skip

    names = _names(rng, agents)
    used_emails: set[str] = set()
    staff: list[Agent] = []
    index = 0
    for tier, size in zip((1, 2, 3), _tier_sizes(agents), strict=True):
        # Primary areas go round-robin over a shuffled list so every area has a specialist
        # at every tier whenever the tier is big enough.
        order = list(range(n_areas))
        rng.shuffle(order)
        for k in range(size):
            generalist = k > 0 and rng.random() < 0.15
            keep_active = k == 0
            status, started, ended = _lifecycle(rng, start, end, keep_active)
            owner = tier == 3 and k == 0
            name = names[index]
            email = _email(name, used_emails)
            role = "admin" if owner or (tier == 2 and k == 0 and agents >= 20) else "agent"
            if owner:
                # The API user is a working tier-3 admin, as on many small accounts.
                email = owner_email
            strengths = _strengths(rng, n_areas, order[k % n_areas], generalist)
            interests: str | None = None
            if rng.random() < 0.4:
                area = areas[rng.randrange(n_areas)].key
                interests = f"{area}, {rng.choice(CAREER_TRACKS)}"
            staff.append(
                Agent(
                    id=ids.AGENT_BASE + index + 1,
                    name=name,
                    email=email,
                    role=role,
                    tier=tier,
                    strengths=strengths,
                    generalist=generalist,
                    status=status,
                    started_at=started,
                    ended_at=ended,
                    career_interests=interests,
                )
            )
            index += 1
    end_users = max(50, tickets // 25)
    return Staff(
        areas=areas,
        area_cum_weights=_cumulative(area_weights),
        area_tier_cum=tier_cum,  # type: ignore[arg-type]
        groups=groups,
        agents=tuple(staff),
        end_users=end_users,
        organizations=max(5, end_users // 40),
    )


def end_user_created_at(start: int, end_users: int, index: int) -> int:
    """Requesters exist before the history starts, spread over the 400 days before it."""
    return start - 400 * DAY + index * (390 * DAY) // end_users
