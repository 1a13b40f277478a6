"""The help desk generated from a seed: staff eagerly, tickets on demand.

`generate_desk` builds the staff and walks every ticket once to index it; after that a
ticket is re-simulated (cheaply, and cached a little) whenever a request needs it. Changes
made over the API live in an overlay so generation stays a pure function of the seed.
"""

from __future__ import annotations

import functools
import threading
from array import array
from collections import OrderedDict
from dataclasses import dataclass

from integrations.sandbox.config import SandboxConfig
from integrations.sandbox.index import build_segment, user_key, worker_job
from integrations.sandbox.overlay import Overlay
from integrations.sandbox.people import DAY, Agent, Staff, end_user_created_at, generate_staff
from integrations.sandbox.segments import SegmentedIndex
from integrations.sandbox.state import TicketState, replay
from integrations.sandbox.text import TicketTexts
from integrations.sandbox.tickets import Audit, TicketPlan, TicketSimulator

_CACHE_SIZE = 4_096


def history_start(end: int, months: int) -> int:
    return end - int(months * 30.436875 * DAY)


def simulator(config: SandboxConfig, end: int) -> TicketSimulator:
    start = history_start(end, config.months)
    staff = generate_staff(config.seed, config.agents, config.tickets, start, end, config.email)
    return TicketSimulator(config.seed, staff, config.tickets, start, end)


@dataclass(slots=True)
class TicketView:
    """Everything needed to render one ticket: generated audits plus API changes."""

    plan: TicketPlan
    texts: TicketTexts
    audits: list[Audit]
    state: TicketState


class Desk:
    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.end = config.end_timestamp()
        self.sim = simulator(config, self.end)
        self.start = self.sim.start
        self.staff: Staff = self.sim.staff
        self.overlay = Overlay()
        self._cache: OrderedDict[int, tuple[TicketPlan, TicketTexts]] = OrderedDict()
        self._cache_lock = threading.Lock()
        span = self.end - self.start
        tickets = config.tickets
        self.index = SegmentedIndex(
            tickets,
            # Creation of ticket i is start + span * (i - 1 + u) / tickets with 0 <= u < 1;
            # one second of slack covers float rounding.
            floor_ts=lambda ticket_id: self.start + span * (ticket_id - 1) // tickets - 1,
            build=functools.partial(build_segment, self.sim.simulate),
            worker_job=functools.partial(worker_job, config, self.end),
        )
        self.index.start()
        self.agents_by_id: dict[int, Agent] = {a.id: a for a in self.staff.agents}
        self.user_keys = self._user_keys()

    def _user_keys(self) -> array:  # type: ignore[type-arg]
        staff = self.staff
        keys = [user_key(a.updated_at, i) for i, a in enumerate(staff.agents)]
        agents = len(staff.agents)
        keys.extend(
            user_key(end_user_created_at(self.start, staff.end_users, k), agents + k)
            for k in range(staff.end_users)
        )
        return array("q", sorted(keys))

    @property
    def tickets(self) -> int:
        return self.config.tickets

    @property
    def audits_total(self) -> int:
        """Every audit of the desk (this indexes the whole desk first)."""
        return self.index.audit_count() + self.overlay.audit_count()

    def _generated(self, ticket_id: int) -> tuple[TicketPlan, TicketTexts]:
        with self._cache_lock:
            hit = self._cache.get(ticket_id)
            if hit is not None:
                self._cache.move_to_end(ticket_id)
                return hit
        plan = self.sim.simulate(ticket_id)
        texts = TicketTexts(plan, self.staff.areas, self.sim.rng_for(ticket_id, 1))
        with self._cache_lock:
            self._cache[ticket_id] = (plan, texts)
            if len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
        return plan, texts

    def exists(self, ticket_id: int) -> bool:
        return 1 <= ticket_id <= self.config.tickets

    def ticket(self, ticket_id: int) -> TicketView:
        plan, texts = self._generated(ticket_id)
        audits = plan.audits + self.overlay.audits(ticket_id)
        return TicketView(plan=plan, texts=texts, audits=audits, state=replay(audits))

    def comment_text(self, view: TicketView, seq: int, index: int) -> str:
        text = view.texts.comment(seq, index)
        if text is None:
            text = self.overlay.comment_text(view.plan.id, seq, index)
        return text

    def close(self) -> None:
        """Stop indexing in the background (big desks)."""
        self.index.close()


def generate_desk(config: SandboxConfig) -> Desk:
    return Desk(config)
