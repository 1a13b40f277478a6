"""The tier a new ticket will need, from the complexity features known at creation.

complexity.yaml's thresholds were set for the whole life of a ticket (escalations, replies,
resolution time); at creation only a few features can hold, and a threshold made for the
full score rarely fits them. So by default the prediction is calibrated on the help desk's
own history: of the recent tagged tickets whose creation-time features held the same way,
how many ended at each tier. With too few such tickets it backs off to those with the same
creation-time score tier, then to the thresholds themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from worker.rules.compiled import CompiledRules
from worker.storage.models import TicketRow
from worker.storage.work_items import TicketTagRow
from worker.tagging.triage import NewTicketTags, classify_new_ticket

# the creation-time features that hold (by name)
Signature = frozenset[str]
Counts = tuple[int, int, int]

SAMPLE = 5_000
MIN_SAMPLES = 20
# pseudo-counts of the backed-off distribution mixed into each signature's counts
SMOOTHING = 2.0


@dataclass(frozen=True)
class TierGuess:
    tier: int
    # chance the ticket needs tier 1, 2, 3
    probabilities: tuple[float, float, float]
    basis: str


def signature(tags: NewTicketTags) -> Signature:
    return frozenset(f.name for f in tags.features if f.holds)


class TierModel:
    def __init__(
        self,
        by_signature: Mapping[Signature, Counts] | None = None,
        by_rule_tier: Mapping[int, Counts] | None = None,
        *,
        calibrated: bool = True,
    ) -> None:
        self.by_signature = dict(by_signature or {})
        self.by_rule_tier = dict(by_rule_tier or {})
        self.calibrated = calibrated

    @property
    def samples(self) -> int:
        return sum(sum(c) for c in self.by_signature.values())

    def guess(self, tags: NewTicketTags) -> TierGuess:
        rule = _one_hot(tags.tier)
        rule_basis = f"creation-time score {tags.score} is tier {tags.tier} in complexity.yaml"
        if not self.calibrated:
            return TierGuess(tags.tier, rule, rule_basis)
        backoff = self.by_rule_tier.get(tags.tier, (0, 0, 0))
        if sum(backoff) < MIN_SAMPLES:
            return TierGuess(tags.tier, rule, rule_basis + " (too little history to calibrate)")
        prior = _shares(backoff)
        sig = signature(tags)
        counts = self.by_signature.get(sig, (0, 0, 0))
        n = sum(counts)
        if n >= MIN_SAMPLES:
            probabilities = tuple(
                (c + SMOOTHING * p) / (n + SMOOTHING) for c, p in zip(counts, prior, strict=True)
            )
            signs = ", ".join(sorted(sig)) or "none of the creation-time features"
            basis = f"{n} past tickets with the same signs ({signs}) ended at tier 1/2/3: " + (
                "/".join(str(c) for c in counts)
            )
        else:
            probabilities = prior
            basis = (
                f"{sum(backoff)} past tickets whose creation-time score gave tier {tags.tier} "
                "ended at tier 1/2/3: " + "/".join(str(c) for c in backoff)
            )
        p3: tuple[float, float, float] = (probabilities[0], probabilities[1], probabilities[2])
        # a tie goes to the tier the thresholds give, then to the lower tier
        best = max(range(3), key=lambda i: (round(p3[i], 9), i + 1 == tags.tier, -i))
        return TierGuess(best + 1, p3, basis)


def _one_hot(tier: int) -> tuple[float, float, float]:
    return (float(tier == 1), float(tier == 2), float(tier == 3))


def _shares(counts: Counts) -> tuple[float, float, float]:
    total = sum(counts) or 1
    return (counts[0] / total, counts[1] / total, counts[2] / total)


def fit(samples: Iterable[tuple[NewTicketTags, int]]) -> TierModel:
    """A model from (creation-time tags, tier the ticket ended at) pairs."""
    by_signature: dict[Signature, list[int]] = {}
    by_rule_tier: dict[int, list[int]] = {}
    for tags, tier in samples:
        index = min(max(tier, 1), 3) - 1
        by_signature.setdefault(signature(tags), [0, 0, 0])[index] += 1
        by_rule_tier.setdefault(tags.tier, [0, 0, 0])[index] += 1
    return TierModel(
        {k: (v[0], v[1], v[2]) for k, v in by_signature.items()},
        {k: (v[0], v[1], v[2]) for k, v in by_rule_tier.items()},
    )


def calibrate(
    conn: Connection,
    compiled: CompiledRules,
    *,
    sample: int = SAMPLE,
    created_before: datetime | None = None,
) -> TierModel:
    """Fit on the newest `sample` tickets tagged with these rules (created before
    `created_before`, when given: a replay must not learn from the tickets it replays)."""
    query = (
        select(
            TicketRow.id,
            TicketRow.subject,
            TicketRow.description,
            TicketRow.tags,
            TicketRow.custom_fields,
            TicketRow.priority,
            TicketRow.type,
            TicketRow.channel,
            TicketRow.brand_id,
            TicketRow.form_id,
            TicketTagRow.tier,
        )
        .join(TicketTagRow, TicketTagRow.ticket_id == TicketRow.id)
        .where(TicketTagRow.rules_version == compiled.version, TicketRow.deleted.is_(False))
        .order_by(TicketRow.id.desc())
        .limit(sample)
    )
    if created_before is not None:
        query = query.where(TicketRow.created_at < created_before)
    pairs = []
    for row in conn.execute(query):
        ticket: dict[str, Any] = dict(row._mapping)
        tier = int(ticket.pop("tier"))
        # the stored group is where the ticket ended, which a new ticket cannot know
        ticket["group_id"] = None
        pairs.append((classify_new_ticket(compiled, ticket), tier))
    return fit(pairs)
