"""One ticket's life, as a pure function of (seed, ticket index).

The simulation decides what happened and when: who asked, which tier it really needed, who
was assigned, escalations, replies, internal notes, reopens, solves, closes, CSAT. It makes
no text (see `text.py`) so that the startup pass over every ticket stays cheap. Audits after
the end of the history are cut off, which is what leaves recent tickets new, open or pending.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from dataclasses import dataclass
from math import log
from typing import NamedTuple

from integrations.sandbox import ids
from integrations.sandbox.people import DAY, Agent, Staff
from integrations.sandbox.routing import Router

HOUR = 3_600
CLOSE_AFTER = 4 * DAY
SUBJECT = "\x00subject"  # resolved to the ticket's subject when rendered

Value = str | list[str] | None


class Comment(NamedTuple):
    author: int
    public: bool
    kind: str  # what the text is about; see text.py


class Create(NamedTuple):
    field: str
    value: Value


class Change(NamedTuple):
    field: str
    value: Value
    previous: Value


Child = Comment | Create | Change


class Audit(NamedTuple):
    seq: int
    ts: int
    author: int
    via: str
    children: tuple[Child, ...]


@dataclass(slots=True)
class TicketPlan:
    id: int
    area: int  # index into the desk's areas
    tier: int  # true tier
    created_at: int
    requester_id: int
    channel: str
    # Text: technical register, area words mixed in from another area (-1: none), no area words.
    technical: bool
    noise_area: int
    vague: bool
    field_value: str | None
    plan_value: str
    form_id: int
    merged_into: int | None
    csat: str  # "good", "bad", "offered" or "unoffered"
    audits: list[Audit]


_CHANNELS = ("email", "web", "chat", "api")
_CHANNEL_VIA = {"email": "Mail", "web": "Web form", "chat": "Chat", "api": "API"}
_PRIORITIES = ("low", "normal", "high", "urgent")
_PRIORITY_CUM = {1: (0.25, 0.85, 0.98, 1.0), 2: (0.10, 0.65, 0.95, 1.0), 3: (0.03, 0.38, 0.83, 1.0)}
_TYPES = ("question", "incident", "problem", "task", None)
_TYPE_CUM = {
    1: (0.55, 0.75, 0.80, 0.95, 1.0),
    2: (0.33, 0.73, 0.88, 0.97, 1.0),
    3: (0.08, 0.48, 0.93, 0.97, 1.0),
}
_PLANS = ("plan_free", "plan_pro", "plan_enterprise")
# Mean minutes before a tier picks a ticket up, between two agent actions, and before the
# requester answers.
_ASSIGN_WAIT = {1: 40, 2: 150, 3: 360}
_AGENT_GAP = {1: 90, 2: 300, 3: 1_000}
_REQUESTER_GAP = 600
_REOPEN_P = {1: 0.04, 2: 0.10, 3: 0.18}
_NOTE_P = {1: 0.12, 2: 0.35, 3: 0.55}


class _Cut(Exception):
    """The next audit would fall after the end of the history."""


def _next_shift(ts: int, rng: random.Random) -> int:
    """New tickets wait for the 08:00-20:00 UTC shift; this leaves overnight tickets new."""
    hour = ts % DAY // HOUR
    if 8 <= hour < 20:
        return ts
    days = 1 if hour >= 20 else 0
    return ts - ts % DAY + days * DAY + 8 * HOUR + int(rng.uniform(0, 2 * HOUR))


def _pick(cum: tuple[float, ...], r: float) -> int:
    return min(bisect_right(cum, r * cum[-1]), len(cum) - 1)


class _Timeline:
    """Audits of one ticket with the fields the simulation needs to know about."""

    def __init__(self, end: int) -> None:
        self.end = end
        self.audits: list[Audit] = []
        self.last_ts = 0
        self.status = "new"
        self.group: int | None = None
        self.assignee: int | None = None
        self.held: tuple[int, ...] = ()
        self.tags: list[str] = []

    def emit(self, ts: int, author: int, via: str, children: list[Child]) -> int:
        # Strictly increasing within a ticket, so one second never holds a ticket's audits twice.
        if ts <= self.last_ts:
            ts = self.last_ts + 1
        if ts > self.end:
            raise _Cut
        self.audits.append(Audit(len(self.audits), ts, author, via, tuple(children)))
        self.last_ts = ts
        return ts

    def set_status(self, children: list[Child], status: str) -> None:
        if status != self.status:
            children.append(Change("status", status, self.status))
            self.status = status

    def set_assignee(self, children: list[Child], agent_id: int | None) -> None:
        children.append(
            Change(
                "assignee_id",
                None if agent_id is None else str(agent_id),
                None if self.assignee is None else str(self.assignee),
            )
        )
        self.assignee = agent_id
        if agent_id is not None and agent_id not in self.held:
            self.held = (*self.held, agent_id)

    def set_group(self, children: list[Child], group_id: int) -> None:
        children.append(Change("group_id", str(group_id), str(self.group)))
        self.group = group_id

    def add_tag(self, children: list[Child], tag: str) -> None:
        previous = list(self.tags)
        self.tags.append(tag)
        children.append(Change("tags", list(self.tags), previous))


class TicketSimulator:
    def __init__(self, seed: int, staff: Staff, tickets: int, start: int, end: int) -> None:
        self._seed_base = (seed & 0xFFFF_FFFF) << 22
        self.staff = staff
        self.tickets = tickets
        self.start = start
        self.end = end
        self._span = end - start
        self.router = Router(staff, start)
        self._agents = {a.id: a for a in staff.agents}
        self._tag_areas = tuple(a.tags for a in staff.areas)

    def rng_for(self, ticket_id: int, stream: int) -> random.Random:
        """Independent random streams of one ticket: 0 drives the simulation, 1+ the text."""
        return random.Random(self._seed_base + ticket_id * 8 + stream)

    def agent(self, agent_id: int) -> Agent:
        return self._agents[agent_id]

    def simulate(self, ticket_id: int) -> TicketPlan:
        rng = self.rng_for(ticket_id, 0)
        staff = self.staff
        index = ticket_id - 1
        # Ids grow with creation time, as in Zendesk.
        created = self.start + int(self._span * (index + rng.random()) / self.tickets)
        area = _pick(staff.area_cum_weights, rng.random())
        tier = _pick(staff.area_tier_cum[area], rng.random()) + 1
        vague = rng.random() < 0.025
        noise_area = -1
        if rng.random() < 0.035 and len(staff.areas) > 1:
            noise_area = (area + 1 + rng.randrange(len(staff.areas) - 1)) % len(staff.areas)
        # Some tickets are handled like their neighbour tier: the true tier is unobservable.
        observed = tier
        if rng.random() < 0.03:
            observed = 2 if tier != 2 else rng.choice((1, 3))
        channel_weights = (0.45, 0.80, 0.92, 1.0)
        if staff.areas[area].key == "api":
            channel_weights = (0.35, 0.60, 0.65, 1.0)
        channel = _CHANNELS[_pick(channel_weights, rng.random())]
        priority = _PRIORITIES[_pick(_PRIORITY_CUM[observed], rng.random())]
        ticket_type = _TYPES[_pick(_TYPE_CUM[observed], rng.random())]
        requester_index = int(staff.end_users * rng.random() ** 1.6)
        requester = ids.END_USER_BASE + requester_index + 1
        field_value = None if vague or rng.random() >= 0.4 else staff.areas[area].field_value
        tags = self._initial_tags(rng, area, observed, vague)
        if field_value is not None:
            tags.append(field_value)  # a tagger field adds its value as a tag, as in Zendesk
        form = ids.FORM_TECHNICAL_ID if observed > 1 and rng.random() < 0.5 else ids.FORM_DEFAULT_ID
        plan_value = _PLANS[requester_index % 7 % 3]
        deleted = rng.random() < 0.01
        merged_into = None
        if not deleted and ticket_id > 1 and rng.random() < 0.01:
            merged_into = max(1, ticket_id - 1 - rng.randrange(40))

        timeline = _Timeline(self.end)
        timeline.tags = tags
        plan = TicketPlan(
            id=ticket_id,
            area=area,
            tier=tier,
            created_at=created,
            requester_id=requester,
            channel=channel,
            technical=tier > 1,
            noise_area=noise_area,
            vague=vague,
            field_value=field_value,
            plan_value=plan_value,
            form_id=form,
            merged_into=merged_into,
            csat="unoffered",
            audits=timeline.audits,
        )
        stages = self._route(rng, observed)
        first_group = staff.group_of_tier(stages[0]).id
        children: list[Child] = [
            Comment(requester, True, "description"),
            Create("requester_id", str(requester)),
            Create("subject", SUBJECT),
            Create("status", "new"),
            Create("priority", priority),
            Create("type", ticket_type),
            Create("group_id", str(first_group)),
            Create("tags", list(tags)),
            Create("ticket_form_id", str(form)),
        ]
        timeline.group = first_group
        try:
            timeline.emit(created, requester, _CHANNEL_VIA[channel], children)
            if deleted:
                self._delete(rng, timeline, area)
            elif merged_into is not None:
                self._merge(rng, timeline, area)
            else:
                self._work(rng, plan, timeline, stages, observed)
        except _Cut:
            pass
        return plan

    def _initial_tags(self, rng: random.Random, area: int, tier: int, vague: bool) -> list[str]:
        tags: list[str] = []
        if not vague and rng.random() < 0.5:
            area_tags = self._tag_areas[area]
            tags.append(area_tags[0] if rng.random() < 0.7 else rng.choice(area_tags))
        if tier == 1 and rng.random() < 0.4:
            tags.append("how_to")
        elif tier == 2:
            if rng.random() < 0.35:
                tags.append("troubleshooting")
            if rng.random() < 0.2:
                tags.append("bug")
        elif tier == 3 and rng.random() < 0.6:
            tags.append("bug")
        if rng.random() < 0.05:
            tags.append("vip")
        return tags

    def _assign(
        self, rng: random.Random, timeline: _Timeline, tier: int, area: int, ts: int
    ) -> Agent:
        agent = self.router.pick(rng, tier, area, ts, exclude=timeline.held)
        children: list[Child] = []
        timeline.set_assignee(children, agent.id)
        if timeline.status == "new":
            timeline.set_status(children, "open")
        timeline.emit(ts, agent.id, "Web form", children)
        return agent

    def _on_duty(
        self, rng: random.Random, timeline: _Timeline, agent: Agent, tier: int, area: int, ts: int
    ) -> Agent:
        """The assignee if still employed at `ts`; else the ticket is reassigned first."""
        if agent.works_on(ts):
            return agent
        return self._assign(rng, timeline, tier, area, ts)

    def _delete(self, rng: random.Random, timeline: _Timeline, area: int) -> None:
        t = timeline.last_ts + int(rng.uniform(1, 48) * HOUR)
        agent = self.router.pick(rng, 1, area, t)
        children: list[Child] = []
        timeline.set_status(children, "deleted")
        timeline.emit(t, agent.id, "Web form", children)

    def _merge(self, rng: random.Random, timeline: _Timeline, area: int) -> None:
        t = timeline.last_ts + int(rng.uniform(0.5, 24) * HOUR)
        agent = self._assign(rng, timeline, 1, area, t)
        t = timeline.last_ts + int(rng.uniform(60, 1_800))
        children: list[Child] = [Comment(agent.id, False, "merge")]
        timeline.set_status(children, "closed")
        timeline.add_tag(children, "closed_by_merge")
        timeline.emit(t, agent.id, "Web form", children)

    def _gap(self, rng: random.Random, mean_minutes: float, floor_s: int = 120) -> int:
        # Exponential waits (inlined expovariate: this runs millions of times at startup).
        gap = int(-mean_minutes * 60 * log(1.0 - rng.random()))
        return gap if gap > floor_s else floor_s

    def _route(self, rng: random.Random, observed: int) -> list[int]:
        """The tiers whose groups hold the ticket, in order.

        Mostly up from tier 1 to the tier the ticket needs, but not always: some go straight
        to their tier, some are solved a tier too low (tier 3 with an engineering consult),
        and a few simple ones are misrouted up. The final group is a strong hint of the tier,
        not the answer.
        """
        roll = rng.random()
        if observed == 1:
            return [2] if roll < 0.05 else [1]
        if observed == 2:
            return [2] if roll < 0.20 else ([1] if roll < 0.35 else [1, 2])
        for limit, route in ((0.15, [3]), (0.35, [1, 2]), (0.45, [2, 3]), (0.70, [1, 3])):
            if roll < limit:
                return route
        return [1, 2, 3]

    def _work(
        self,
        rng: random.Random,
        plan: TicketPlan,
        timeline: _Timeline,
        stages: list[int],
        observed: int,
    ) -> None:
        area = plan.area
        requester = plan.requester_id
        via = _CHANNEL_VIA[plan.channel]
        t = timeline.last_ts
        agent: Agent | None = None
        for position, tier in enumerate(stages):
            final = position == len(stages) - 1
            t += self._gap(rng, _ASSIGN_WAIT[tier], 60)
            if position == 0:
                t = _next_shift(t, rng)
            agent = self._assign(rng, timeline, tier, area, t)
            t = timeline.last_ts
            if tier > 1 or rng.random() < 0.1:
                t = self._mentor(rng, timeline, tier, area, t)
            # The last group works the ticket as hard as the ticket needs, whatever its tier.
            pace = observed if final else tier
            if final:
                replies = {1: 1 + (rng.random() < 0.35), 2: 2 + rng.randrange(3)}.get(
                    observed, 3 + rng.randrange(4)
                )
                if tier < observed == 3:
                    t = self._consult(rng, timeline, area, t)
            else:
                replies = 1 if rng.random() < 0.5 else 0
            for n in range(replies):
                solving = final and n == replies - 1
                t += self._gap(rng, _AGENT_GAP[pace])
                agent = self._on_duty(rng, timeline, agent, tier, area, t)
                t = self._agent_reply(rng, timeline, agent, pace, area, t, solving)
                if not solving:
                    t += self._gap(rng, _REQUESTER_GAP, 300)
                    children: list[Child] = [Comment(requester, True, "follow_up")]
                    timeline.set_status(children, "open")
                    t = timeline.emit(t, requester, via, children)
            if not final:
                t += self._gap(rng, _AGENT_GAP[tier] / 3)
                agent = self._on_duty(rng, timeline, agent, tier, area, t)
                next_tier = stages[position + 1]
                children = [Comment(agent.id, False, "escalation")]
                timeline.set_group(children, self.staff.group_of_tier(next_tier).id)
                timeline.set_assignee(children, None)
                timeline.set_status(children, "open")
                if next_tier == 3 and "engineering" not in timeline.tags and rng.random() < 0.55:
                    timeline.add_tag(children, "engineering")
                t = timeline.emit(t, agent.id, "Web form", children)
        assert agent is not None
        solved_at = t
        final_tier = observed
        if rng.random() < _REOPEN_P[final_tier]:
            t += int(rng.uniform(2 * HOUR, 3.5 * DAY))
            children = [Comment(requester, True, "reopen")]
            timeline.set_status(children, "open")
            t = timeline.emit(t, requester, via, children)
            if rng.random() < 0.4:
                t += self._gap(rng, _AGENT_GAP[final_tier])
                agent = self._on_duty(rng, timeline, agent, final_tier, area, t)
                t = self._agent_reply(rng, timeline, agent, final_tier, area, t, False)
                t += self._gap(rng, _REQUESTER_GAP, 300)
                children = [Comment(requester, True, "follow_up")]
                timeline.set_status(children, "open")
                t = timeline.emit(t, requester, via, children)
            t += self._gap(rng, _AGENT_GAP[final_tier])
            agent = self._on_duty(rng, timeline, agent, final_tier, area, t)
            t = self._agent_reply(rng, timeline, agent, final_tier, area, t, True)
            solved_at = t
        plan.csat = self._csat(rng, agent, area, solved_at)
        children = []
        timeline.set_status(children, "closed")
        timeline.emit(solved_at + CLOSE_AFTER, ids.SYSTEM_USER_ID, "Rule", children)

    def _consult(self, rng: random.Random, timeline: _Timeline, area: int, t: int) -> int:
        """A tier-3 engineer advises in an internal note on a ticket kept at a lower tier."""
        t += self._gap(rng, _AGENT_GAP[3])
        engineer = self.router.pick_mentor(rng, 3, area, t, exclude=timeline.held)
        if engineer is None:
            engineer = self.router.pick(rng, 3, area, t, exclude=timeline.held)
        children: list[Child] = [Comment(engineer.id, False, "engineering")]
        if "engineering" not in timeline.tags and rng.random() < 0.5:
            timeline.add_tag(children, "engineering")
        return timeline.emit(t, engineer.id, "Web form", children)

    def _mentor(self, rng: random.Random, timeline: _Timeline, tier: int, area: int, t: int) -> int:
        if rng.random() >= 0.25:
            return t
        t += self._gap(rng, 45)
        mentor = self.router.pick_mentor(rng, max(2, tier), area, t, exclude=timeline.held)
        if mentor is None:
            return t
        return timeline.emit(t, mentor.id, "Web form", [Comment(mentor.id, False, "mentor")])

    def _agent_reply(
        self,
        rng: random.Random,
        timeline: _Timeline,
        agent: Agent,
        tier: int,
        area: int,
        t: int,
        solving: bool,
    ) -> int:
        if rng.random() < _NOTE_P[tier]:
            kind = "engineering" if tier == 3 else "note"
            t = timeline.emit(t, agent.id, "Web form", [Comment(agent.id, False, kind)])
            t += self._gap(rng, 20, 60)
        author = agent.id
        if not solving and rng.random() < 0.05:
            # A colleague covering the shift answers once.
            author = self.router.pick(rng, tier, area, t, exclude=(agent.id,)).id
        kind = "solve" if solving else ("tech_reply" if tier > 1 else "reply")
        children: list[Child] = [Comment(author, True, kind)]
        timeline.set_status(children, "solved" if solving else "pending")
        return timeline.emit(t, author, "Web form", children)

    def _csat(self, rng: random.Random, solver: Agent, area: int, solved_at: int) -> str:
        if rng.random() >= 0.5:
            return "unoffered"
        offered_at = solved_at + HOUR
        answered = rng.random() < 0.6
        rated_at = solved_at + int(rng.uniform(1, 48) * HOUR)
        strength = 0.55 if solver.generalist else solver.strengths[area]
        good = rng.random() < 0.45 + 0.5 * strength
        if offered_at > self.end:
            return "unoffered"
        if not answered or rated_at > self.end:
            return "offered"
        return "good" if good else "bad"
