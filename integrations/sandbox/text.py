"""Words for a simulated ticket: subject, description and every comment body.

Texts come from their own random stream of the ticket, so the simulation (and the startup
pass over every ticket) never pays for them.
"""

from __future__ import annotations

import random
import threading
from html import escape

from integrations.sandbox import catalog, ids
from integrations.sandbox.catalog import Area
from integrations.sandbox.tickets import Comment, TicketPlan

FIRST_NAMES = catalog.FIRST_NAMES
LAST_NAMES = catalog.LAST_NAMES


def end_user_name(index: int) -> str:
    first = FIRST_NAMES[(index * 7 + 3) % len(FIRST_NAMES)]
    last = LAST_NAMES[(index * 13 + index // len(FIRST_NAMES)) % len(LAST_NAMES)]
    return f"{first} {last}"


def html_body(body: str) -> str:
    paragraphs = "".join(
        f'<p dir="auto">{escape(p).replace(chr(10), "<br>")}</p>' for p in body.split("\n\n")
    )
    return f'<div class="zd-comment" dir="auto">{paragraphs}</div>'


def plain_body(body: str) -> str:
    return body.replace("\n\n", " \n\n ")


class TicketTexts:
    """Subject, description and comment bodies of one ticket, keyed by (audit seq, child)."""

    def __init__(self, plan: TicketPlan, areas: tuple[Area, ...], rng: random.Random) -> None:
        self._rng = rng
        self._areas = areas
        self._plan = plan
        area = areas[plan.area]
        self.subject = self._subject(area)
        self.description = self._description(area)
        # Comment bodies are drawn (after subject and description, from the same stream) only
        # when asked for: ticket pages never need them.
        self._comments: dict[tuple[int, int], str] | None = None
        self._lock = threading.Lock()

    def comment(self, seq: int, index: int) -> str | None:
        """Body of the comment that is child `index` of audit `seq`; None if there is none."""
        with self._lock:
            if self._comments is None:
                self._comments = self._draw_comments()
            return self._comments.get((seq, index))

    def _draw_comments(self) -> dict[tuple[int, int], str]:
        area = self._areas[self._plan.area]
        comments: dict[tuple[int, int], str] = {}
        for audit in self._plan.audits:
            for k, child in enumerate(audit.children):
                if isinstance(child, Comment):
                    if child.kind == "description":
                        text = self.description
                    else:
                        text = self._comment(child.kind, area)
                    comments[(audit.seq, k)] = text
        return comments

    def _subject(self, area: Area) -> str:
        rng = self._rng
        if self._plan.vague:
            return rng.choice(catalog.VAGUE_SUBJECTS)
        technical = self._plan.technical and rng.random() < 0.8
        subject = rng.choice(area.technical_subjects if technical else area.subjects)
        if rng.random() < 0.1:
            subject = f"Re: {subject}"
        return subject

    def _description(self, area: Area) -> str:
        rng = self._rng
        plan = self._plan
        parts = [rng.choice(catalog.GREETINGS), rng.choice(catalog.OPENERS)]
        if plan.vague:
            parts.append(rng.choice(catalog.VAGUE_DETAILS))
        else:
            pool = area.technical_details if plan.technical else area.details
            first = rng.choice(pool)
            parts.append(first)
            more = [d for d in area.details if d != first]
            if more and rng.random() < 0.4:
                parts.append(rng.choice(more))
        if plan.noise_area >= 0:
            other = self._areas[plan.noise_area]
            parts.append(f"Also, unrelated: {rng.choice(other.details)}")
        parts.append(rng.choice(catalog.SIGN_OFFS))
        parts.append(end_user_name(plan.requester_id - ids.END_USER_BASE - 1))
        return "\n\n".join(p for p in parts if p)

    def _comment(self, kind: str, area: Area) -> str:
        rng = self._rng
        if kind == "follow_up":
            return rng.choice(catalog.REQUESTER_FOLLOW_UPS)
        if kind == "reopen":
            return rng.choice(catalog.REQUESTER_REOPENS)
        if kind == "reply":
            return rng.choice(catalog.AGENT_REPLIES)
        if kind == "tech_reply":
            reply = rng.choice(catalog.TECHNICAL_REPLIES)
            if rng.random() < 0.3:
                reply = f"{reply}\n\n{rng.choice(area.technical_details)}"
            return reply
        if kind == "solve":
            return rng.choice(catalog.SOLVE_REPLIES)
        if kind == "note":
            return rng.choice(catalog.INTERNAL_NOTES)
        if kind == "engineering":
            return rng.choice(catalog.ENGINEERING_NOTES)
        if kind == "escalation":
            return rng.choice(catalog.ESCALATION_NOTES)
        if kind == "mentor":
            return rng.choice(catalog.MENTOR_NOTES)
        if kind == "merge":
            target = self._plan.merged_into
            return f"This request was closed and merged into request #{target}."
        raise ValueError(f"unknown comment kind {kind!r}")
